# ssa-toolkit: set-up, build, test, demo.
# `make demo` and `make test` work on a fresh Debian machine with Swift: `deps` installs the
# system libraries the C shims link against when they are missing.

SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
APT_PACKAGES := libssl-dev libcurl4-openssl-dev
BIN := .build/debug/ssa-verify

.PHONY: all deps jython-deps build test demo bench fixtures clean

all: build

deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Jython 2.7, a JDK 17 and BouncyCastle (the DN comparison Janssen uses): what
# integrations/janssen/jython/run-jython-tests.sh needs to run the Janssen script the way Janssen
# does. Installed only when missing.
JYTHON_APT_PACKAGES := jython openjdk-17-jdk-headless libbcprov-java

jython-deps:
	@missing=""; \
	for p in $(JYTHON_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

test: deps jython-deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS)

# The main job on the embedded sandbox: the directory starts in-process, then sample registrations
# are decided end to end (one accepted; rejected for a tampered signature, an inactive software
# statement, a redirect URI outside the SSA, another TPP's certificate). Exit 0 only when every
# decision is the expected one.
demo: build
	@$(BIN) demo --fixtures certs-fixtures --log-level error

bench: deps
	cd Benchmarks && ./compare-openssl.sh

fixtures:
	./certs-fixtures/generate.sh

clean:
	rm -rf .build Benchmarks/.build
