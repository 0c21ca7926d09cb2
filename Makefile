# ssa-toolkit: set-up, build, test, demo.
# `make demo` and `make test` work on a fresh Debian machine with Swift: `deps` installs the
# system libraries the C shims link against when they are missing.

SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
APT_PACKAGES := libssl-dev libcurl4-openssl-dev
BIN := .build/debug/ssa-verify

.PHONY: all deps build test demo bench fixtures clean

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

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

test: deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	$(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS)

demo: build
	$(BIN) demo

bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

fixtures:
	./certs-fixtures/generate.sh

clean:
	rm -rf .build Benchmarks/.build
