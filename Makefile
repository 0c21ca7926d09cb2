# ssa-toolkit: set-up, build, test, demo.
# `make demo` and `make test` work on a fresh Debian machine with Swift: `deps` installs the
# system libraries the C shims link against when they are missing.

SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=
# The test run's time limit: a hang (or a crashed test process whose children still hold its
# output) fails the run at this limit, with every process it started killed, instead of running
# into CI's own. Interactively (a terminal on stdin) Ctrl-C still stops it.
TEST_SECONDS ?= 2700
APT_PACKAGES := libssl-dev libcurl4-openssl-dev curl
BIN := .build/debug/ssa-verify

.PHONY: all deps jython-deps janssen-scripts openapi-deps postgres-deps operator-deps build release install install-check rules-check deb deb-check test demo bench fuzz fuzz-smoke fixtures clean

PREFIX ?= /usr/local
DESTDIR ?=
# `make install CONFIGURATION=debug` installs the debug build (what `make test` checks quickly).
CONFIGURATION ?= release

all: build

# Installs the Debian packages named in $(1) that are missing (apt-get update only when needed).
define apt_install
	@missing=""; \
	for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

# Jython 2.7, a JDK 17 and BouncyCastle (the DN comparison Janssen uses): what
# integrations/janssen/jython/run-jython-tests.sh needs to run the Janssen scripts the way Janssen
# does. Installed only when missing.
JYTHON_APT_PACKAGES := jython openjdk-17-jdk-headless libbcprov-java

jython-deps:
	$(call apt_install,$(JYTHON_APT_PACKAGES))

# Copies integrations/janssen/shared/common.py into the generated block of both Janssen scripts
# (Janssen stores each script as one source, so they cannot import it); `generate-scripts.sh
# --check` only compares.
janssen-scripts:
	bash integrations/janssen/generate-scripts.sh

# Python's venv module (Debian splits it out), then schemathesis and jsonschema, pinned in
# integrations/openapi/requirements.txt, in a virtualenv under .build/schemathesis-venv: what the
# decision service's contract test (integrations/openapi/run-schemathesis.sh) runs. Installed only
# when missing or when the pins change.
OPENAPI_APT_PACKAGES := python3 python3-venv

openapi-deps:
	$(call apt_install,$(OPENAPI_APT_PACKAGES))
	@./integrations/openapi/run-schemathesis.sh --setup

# PostgreSQL (server and psql) for the shared state store's tests: each test starts its own
# throwaway server on 127.0.0.1 in a temporary folder (integrations/postgres/test-postgres.sh)
# and removes it; the Debian cluster the package may create is never used. Installed only when missing.
POSTGRES_APT_PACKAGES := postgresql

postgres-deps:
	$(call apt_install,$(POSTGRES_APT_PACKAGES))

# The operator's kit: promtool (Debian's prometheus package) checks and tests the alert rules;
# patchelf, lintian, file and binutils build and check the Debian package (dpkg-deb is part of
# dpkg), adduser is its dependency and systemd brings systemd-analyze for its unit.
OPERATOR_APT_PACKAGES := prometheus lintian patchelf file binutils adduser systemd

operator-deps:
	$(call apt_install,$(OPERATOR_APT_PACKAGES))

build: deps
	$(SWIFT) build $(SWIFT_BUILD_FLAGS)

# The release build: optimised, the Swift standard library and Foundation linked statically (only
# libc, OpenSSL and libcurl stay shared), in its own build folder.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-release --product ssa-verify $(SWIFT_BUILD_FLAGS)

# Installs ssa-verify, the Janssen scripts, the systemd unit, the README and docs/ under $(DESTDIR)$(PREFIX).
install: $(if $(filter debug,$(CONFIGURATION)),build,release)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ssa-toolkit/janssen $(DESTDIR)$(PREFIX)/share/ssa-toolkit/systemd $(DESTDIR)$(PREFIX)/share/doc/ssa-toolkit
	install -m 0755 $(if $(filter debug,$(CONFIGURATION)),.build/debug/ssa-verify,.build-release/release/ssa-verify) $(DESTDIR)$(PREFIX)/bin/ssa-verify
	strip --strip-unneeded --remove-section=.comment --remove-section=.note $(DESTDIR)$(PREFIX)/bin/ssa-verify
	install -m 0644 integrations/janssen/*.py integrations/janssen/README.md $(DESTDIR)$(PREFIX)/share/ssa-toolkit/janssen/
	install -m 0644 integrations/systemd/ssa-toolkit.service $(DESTDIR)$(PREFIX)/share/ssa-toolkit/systemd/
	install -d $(DESTDIR)$(PREFIX)/share/doc/ssa-toolkit/docs
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/ssa-toolkit/
	install -m 0644 docs/*.md $(DESTDIR)$(PREFIX)/share/doc/ssa-toolkit/docs/

# `make install` into a temporary prefix, then the installed binary run from outside the tree.
install-check: build
	@prefix=$$(mktemp -d); trap 'rm -rf "$$prefix"' EXIT; \
	$(MAKE) --no-print-directory install CONFIGURATION=debug PREFIX="$$prefix" >/dev/null && \
	cd / && "$$prefix/bin/ssa-verify" --version >/dev/null && \
	"$$prefix/bin/ssa-verify" verify "$(CURDIR)/certs-fixtures/jose/ssa/valid-ps256.jwt" --jwks "$(CURDIR)/certs-fixtures/jose/directory.jwks.json" --at 1767229200 >/dev/null 2>&1 && \
	test -f "$$prefix/share/ssa-toolkit/janssen/client_registration.py" && test -f "$$prefix/share/ssa-toolkit/systemd/ssa-toolkit.service" && \
	echo "install-check: make install into $$prefix works; the installed ssa-verify verifies an SSA"

# The alert rules: `promtool check rules` and `promtool test rules` (every alert fires in its test
# and stays quiet in its twin).
rules-check: operator-deps
	cd integrations/prometheus && promtool check rules alerts.yml && promtool test rules alerts.test.yml

# The Debian package: ssa-toolkit_VERSION_amd64.deb in .build-deb/, the stripped release binary
# (CONFIGURATION=debug packages the debug build, for CI only: it needs this machine's Swift runtime).
deb: operator-deps $(if $(filter debug,$(CONFIGURATION)),build,release)
	integrations/debian/build-deb.sh $(if $(filter debug,$(CONFIGURATION)),.build/debug/ssa-verify,.build-release/release/ssa-verify) .build-deb

# The package of the debug build, checked as an operator's machine meets it: lintian without
# errors, installed with dpkg -i, the unit verified, removed and purged (integrations/debian/test-deb.sh).
deb-check: operator-deps build
	integrations/debian/test-deb.sh "$$(integrations/debian/build-deb.sh .build/debug/ssa-verify .build-deb)"

test: deps jython-deps openapi-deps postgres-deps operator-deps
	$(SWIFT) build --build-tests $(SWIFT_BUILD_FLAGS)
	$(MAKE) --no-print-directory install-check
	$(MAKE) --no-print-directory rules-check
	$(MAKE) --no-print-directory deb-check
	status=0; SWIFT_BACKTRACE=interactive=no timeout $$([ -t 0 ] && echo --foreground) --kill-after=30 $(TEST_SECONDS) \
	  $(SWIFT) test --skip-build $(SWIFT_BUILD_FLAGS) || status=$$?; \
	if [ $$status -eq 124 ]; then echo "make test: the tests did not end within TEST_SECONDS=$(TEST_SECONDS) s; stopped"; fi; \
	exit $$status
	@# Every fuzz target builds and runs a few seconds without a finding (Fuzz/README.md).
	$(MAKE) --no-print-directory fuzz-smoke

# The main job on the embedded sandbox: the directory starts in-process, then sample registrations
# are decided end to end (one accepted; rejected for a tampered signature, an inactive software
# statement, a redirect URI outside the SSA, another TPP's certificate). Exit 0 only when every
# decision is the expected one.
demo: build
	@$(BIN) demo --fixtures certs-fixtures --log-level error

bench: deps
	cd Benchmarks && ./compare-openssl.sh

# libFuzzer + AddressSanitizer on every parser untrusted input reaches (Fuzz/, a package of its
# own): FUZZ_SECONDS per target on a copy of the seed corpus, one summary line per target; exit 1
# on a crash, leak or hang. `fuzz-smoke` is the short run meant for CI. See Fuzz/README.md.
FUZZ_SECONDS ?= 60
fuzz: deps
	SWIFT=$(SWIFT) FUZZ_SECONDS=$(FUZZ_SECONDS) Fuzz/run-fuzzers.sh

fuzz-smoke: deps
	SWIFT=$(SWIFT) FUZZ_SECONDS=3 Fuzz/run-fuzzers.sh

fixtures:
	./certs-fixtures/generate.sh

clean:
	rm -rf .build .build-release .build-deb Benchmarks/.build Fuzz/.build Fuzz/.build-fuzz
