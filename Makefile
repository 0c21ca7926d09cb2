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

# Until the embedded sandbox directory lands, the demo verifies fixture SSAs offline:
# one valid, one with a broken signature, one from a revoked organisation.
DEMO_JWKS := certs-fixtures/jose/directory.jwks.json
demo: build
	@echo '$$ ssa-verify verify certs-fixtures/jose/ssa/valid-ps256.jwt --jwks $(DEMO_JWKS)'
	@$(BIN) verify certs-fixtures/jose/ssa/valid-ps256.jwt --jwks $(DEMO_JWKS) --log-level error
	@echo; echo '$$ ssa-verify verify certs-fixtures/jose/ssa/tampered-payload.jwt --jwks $(DEMO_JWKS)'
	@$(BIN) verify certs-fixtures/jose/ssa/tampered-payload.jwt --jwks $(DEMO_JWKS) --log-level error; test $$? -eq 1
	@echo; echo '$$ ssa-verify verify certs-fixtures/jose/ssa/org-revoked.jwt --jwks $(DEMO_JWKS) --format json'
	@$(BIN) verify certs-fixtures/jose/ssa/org-revoked.jwt --jwks $(DEMO_JWKS) --format json --log-level error; test $$? -eq 1

bench: deps
	cd Benchmarks && ./compare-openssl.sh

fixtures:
	./certs-fixtures/generate.sh

clean:
	rm -rf .build Benchmarks/.build
