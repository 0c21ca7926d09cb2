#!/usr/bin/env bash
# Builds the Debian package of ssa-toolkit with Debian's own dpkg-deb:
#
#   integrations/debian/build-deb.sh BINARY OUTPUT_DIR
#
# BINARY is the ssa-verify to package (the release build; `make deb CONFIGURATION=debug` packages
# the debug build, for CI only: it needs the Swift runtime of the machine that built it). The
# binary is stripped and its RUNPATH removed (patchelf). Writes OUTPUT_DIR/ssa-toolkit_VERSION_amd64.deb
# and prints its path. The package holds:
#   /usr/bin/ssa-verify                        the stripped binary
#   /lib/systemd/system/ssa-toolkit.service    the hardened unit (not enabled: it needs a configuration)
#   /usr/lib/sysusers.d/ssa-toolkit.conf       the system user (postinst falls back to adduser)
#   /etc/ssa-toolkit/toolkit.json              a sample configuration (conffile; root:ssa-toolkit 0640)
#   /usr/share/ssa-toolkit/janssen/            the Janssen scripts and their README
#   /usr/share/ssa-toolkit/prometheus/         the alert and recording rules, and their tests
#   /usr/share/ssa-toolkit/grafana/            the dashboard
#   /usr/share/doc/ssa-toolkit/                README, docs/, copyright, changelog
#   /usr/share/man/man1/ssa-verify.1.gz        the manual page
set -euo pipefail
[ "$#" -eq 2 ] || { echo "usage: $0 BINARY OUTPUT_DIR" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="$1"
out="$(mkdir -p "$2" && cd "$2" && pwd)"
command -v dpkg-deb >/dev/null && command -v patchelf >/dev/null || { echo "build-deb.sh: needs dpkg-deb and patchelf (make deb-deps)" >&2; exit 2; }

version="$("$binary" --version | tr -d '[:space:]')"
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "build-deb.sh: $binary --version says '$version'" >&2; exit 2; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/ssa-toolkit"

install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/usr/lib/sysusers.d" "$pkg/etc/ssa-toolkit" \
  "$pkg/usr/share/ssa-toolkit/janssen" "$pkg/usr/share/ssa-toolkit/prometheus" "$pkg/usr/share/ssa-toolkit/grafana" \
  "$pkg/usr/share/doc/ssa-toolkit/docs"
install -d "$pkg/usr/share/man/man1" "$pkg/usr/share/lintian/overrides"
gzip -9n < "$here/ssa-verify.1" > "$pkg/usr/share/man/man1/ssa-verify.1.gz"
chmod 0644 "$pkg/usr/share/man/man1/ssa-verify.1.gz"
# The configuration holds the names of secrets: not world-readable, on purpose.
printf 'ssa-toolkit: non-standard-file-perm 0640 != 0644 [etc/ssa-toolkit/toolkit.json]\n' > "$pkg/usr/share/lintian/overrides/ssa-toolkit"
chmod 0644 "$pkg/usr/share/lintian/overrides/ssa-toolkit"
install -m 0755 "$binary" "$pkg/usr/bin/ssa-verify"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$pkg/usr/bin/ssa-verify"
patchelf --remove-rpath "$pkg/usr/bin/ssa-verify"
# The unit as packaged: the binary and the docs where the package puts them.
sed -e 's|/usr/local/bin/ssa-verify|/usr/bin/ssa-verify|g' -e 's|file:///usr/local/share/doc/ssa-toolkit/README.md|file:///usr/share/doc/ssa-toolkit/README.md|' \
    -e 's|^# Install: .*|# Installed by the ssa-toolkit package (docs/operating.md): write /etc/ssa-toolkit/toolkit.json,|' \
    -e 's|^# `make install PREFIX=/usr/local`, copy this file to /etc/systemd/system/, create|# the key stores and the caller token, then `systemctl enable --now ssa-toolkit`. As before:|' \
    "$root/integrations/systemd/ssa-toolkit.service" > "$pkg/lib/systemd/system/ssa-toolkit.service"
chmod 0644 "$pkg/lib/systemd/system/ssa-toolkit.service"
install -m 0644 "$here/ssa-toolkit.sysusers" "$pkg/usr/lib/sysusers.d/ssa-toolkit.conf"
install -m 0640 "$here/toolkit.json" "$pkg/etc/ssa-toolkit/toolkit.json"
install -m 0644 "$root"/integrations/janssen/client_registration.py "$root"/integrations/janssen/update_token.py "$root"/integrations/janssen/README.md "$pkg/usr/share/ssa-toolkit/janssen/"
install -m 0644 "$root"/integrations/prometheus/alerts.yml "$root"/integrations/prometheus/alerts.test.yml "$pkg/usr/share/ssa-toolkit/prometheus/"
install -m 0644 "$root"/integrations/grafana/ssa-toolkit.json "$pkg/usr/share/ssa-toolkit/grafana/"
install -m 0644 "$root/README.md" "$pkg/usr/share/doc/ssa-toolkit/"
install -m 0644 "$root"/docs/*.md "$pkg/usr/share/doc/ssa-toolkit/docs/"
install -m 0644 "$here/copyright" "$pkg/usr/share/doc/ssa-toolkit/copyright"
sed "s/@VERSION@/$version/" "$here/changelog" | gzip -9n > "$pkg/usr/share/doc/ssa-toolkit/changelog.gz"
chmod 0644 "$pkg/usr/share/doc/ssa-toolkit/changelog.gz"

for script in postinst postrm; do install -m 0755 "$here/$script" "$pkg/DEBIAN/$script"; done
printf '/etc/ssa-toolkit/toolkit.json\n' > "$pkg/DEBIAN/conffiles"
size="$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/control" > "$pkg/DEBIAN/control"
deb="$out/ssa-toolkit_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zgzip --build "$pkg" "$deb" >/dev/null
echo "$deb"
