#!/usr/bin/env bash
# Checks a built package the way an operator's machine will meet it:
#
#   integrations/debian/test-deb.sh PACKAGE.deb
#
#   1. lintian reports no errors (--fail-on error);
#   2. the binary in it is stripped and carries no RUNPATH;
#   3. `dpkg -i` installs it: /usr/bin/ssa-verify --version answers, the system user exists, the
#      sample configuration is a conffile owned root:ssa-toolkit with mode 0640, the rules and the
#      dashboard are where the docs say, and `systemd-analyze verify` accepts the installed unit;
#   4. `dpkg -r` removes every file but the conffile; `dpkg -P` purges that and /etc/ssa-toolkit.
# Prints one line per step and exits non-zero at the first that fails. Needs root (or sudo),
# lintian and systemd-analyze. A package of the debug build (make deb CONFIGURATION=debug) needs
# the Swift runtime it was built with: SWIFT_RUNTIME (default /opt/swift/usr/lib/swift/linux) is
# put on LD_LIBRARY_PATH for its --version.
set -euo pipefail
[ "$#" -eq 1 ] || { echo "usage: $0 PACKAGE.deb" >&2; exit 2; }
deb="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
fail() { echo "test-deb: FAIL $*" >&2; exit 1; }
step() { echo "test-deb: ok   $*"; }

if dpkg-query -W -f='${Status}' ssa-toolkit 2>/dev/null | grep -q 'install ok installed'; then
  fail "ssa-toolkit is already installed here; this test installs and purges it"
fi

lintian_out="$(lintian --fail-on error --tag-display-limit 0 "$deb" 2>&1)" || fail "lintian reports errors:
$lintian_out"
step "lintian: no errors ($(printf '%s\n' "$lintian_out" | grep -c '^W:' || true) warnings)"

extract="$(mktemp -d)"
trap 'rm -rf "$extract"; $sudo dpkg -P ssa-toolkit >/dev/null 2>&1 || true' EXIT
dpkg-deb -x "$deb" "$extract"
file "$extract/usr/bin/ssa-verify" | grep -q 'stripped' && ! file "$extract/usr/bin/ssa-verify" | grep -q 'not stripped' || fail "the binary is not stripped"
! readelf -d "$extract/usr/bin/ssa-verify" | grep -qiE 'rpath|runpath' || fail "the binary carries a RUNPATH"
step "the packaged binary is stripped, $(du -m "$extract/usr/bin/ssa-verify" | cut -f1) MB, no RUNPATH"

$sudo dpkg -i "$deb" >/dev/null || fail "dpkg -i"
LD_LIBRARY_PATH="${SWIFT_RUNTIME:-/opt/swift/usr/lib/swift/linux}" /usr/bin/ssa-verify --version | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' || fail "/usr/bin/ssa-verify --version"
getent passwd ssa-toolkit >/dev/null || fail "no ssa-toolkit user"
[ "$(stat -c '%U:%G %a' /etc/ssa-toolkit/toolkit.json)" = "root:ssa-toolkit 640" ] || fail "/etc/ssa-toolkit/toolkit.json is $(stat -c '%U:%G %a' /etc/ssa-toolkit/toolkit.json)"
[ "$(stat -c '%U:%G %a' /etc/ssa-toolkit)" = "root:ssa-toolkit 750" ] || fail "/etc/ssa-toolkit is $(stat -c '%U:%G %a' /etc/ssa-toolkit)"
dpkg-query -W -f='${Conffiles}' ssa-toolkit | grep -q '/etc/ssa-toolkit/toolkit.json' || fail "toolkit.json is not a conffile"
for f in /usr/share/ssa-toolkit/prometheus/alerts.yml /usr/share/ssa-toolkit/grafana/ssa-toolkit.json /usr/share/ssa-toolkit/janssen/update_token.py \
         /usr/share/doc/ssa-toolkit/docs/operating.md /usr/share/doc/ssa-toolkit/copyright /lib/systemd/system/ssa-toolkit.service; do
  [ -f "$f" ] || fail "$f is missing"
done
verify_out="$(systemd-analyze verify /lib/systemd/system/ssa-toolkit.service 2>&1)" || fail "systemd-analyze verify:
$verify_out"
! printf '%s\n' "$verify_out" | grep -q 'ssa-toolkit.service' || fail "systemd-analyze verify warns about the unit:
$verify_out"
step "installed: ssa-verify --version, the user, the conffile root:ssa-toolkit 0640, systemd-analyze verify accepts the unit"

$sudo dpkg -r ssa-toolkit >/dev/null || fail "dpkg -r"
[ ! -e /usr/bin/ssa-verify ] && [ ! -e /lib/systemd/system/ssa-toolkit.service ] && [ ! -e /usr/share/ssa-toolkit ] || fail "dpkg -r left package files behind"
[ -f /etc/ssa-toolkit/toolkit.json ] || fail "dpkg -r removed the conffile (only a purge may)"
$sudo dpkg -P ssa-toolkit >/dev/null || fail "dpkg -P"
[ ! -e /etc/ssa-toolkit ] || fail "dpkg -P left /etc/ssa-toolkit"
! dpkg-query -W -f='${Status}' ssa-toolkit 2>/dev/null | grep -q 'installed' || fail "still known to dpkg as installed"
step "removed (the conffile kept), then purged (nothing left)"
