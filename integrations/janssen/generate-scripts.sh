#!/usr/bin/env bash
# Copies shared/common.py (the helpers both Janssen scripts share) into client_registration.py and
# update_token.py, between their marker lines:
#
#   # --- BEGIN generated from shared/common.py by `make janssen-scripts`: edit that file, not this block ---
#   # --- END generated from shared/common.py ---
#
# Janssen stores each custom script as one source text, so the scripts cannot import a shared
# module: the shared part is generated into each of them.
#
#   integrations/janssen/generate-scripts.sh           rewrite the blocks (`make janssen-scripts`)
#   integrations/janssen/generate-scripts.sh --check   change nothing; exit 1 when a block is not
#                                                      what would be generated, naming the script
#                                                      and its first differing line
#
# Exit 2 when it cannot run (a script without exactly one BEGIN line followed by one END line, the
# shared file missing or holding a marker line).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
source_file="$here/shared/common.py"
scripts=(client_registration.py update_token.py)
begin='# --- BEGIN generated from shared/common.py by `make janssen-scripts`: edit that file, not this block ---'
end='# --- END generated from shared/common.py ---'

check=""
case "${1:-}" in
  "") ;;
  --check) check=1 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
[ "$#" -le 1 ] || { echo "usage: $0 [--check]" >&2; exit 2; }

[ -r "$source_file" ] || { echo "generate-scripts: $source_file is missing" >&2; exit 2; }
if grep -Fxq -e "$begin" -e "$end" "$source_file"; then
  echo "generate-scripts: $source_file holds a marker line" >&2
  exit 2
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/janssen-generate.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# render SCRIPT: the script with the lines between its markers replaced by the shared file, on
# stdout. Fails (awk exit 2) unless the script has exactly one BEGIN line followed by one END line.
render() {
  BEGIN_MARKER="$begin" END_MARKER="$end" awk -v source="$source_file" '
    BEGIN { begin = ENVIRON["BEGIN_MARKER"]; end = ENVIRON["END_MARKER"] }
    $0 == begin {
      begins++
      if (state != 0) bad = 1
      print
      while ((getline line < source) > 0) print line
      close(source)
      state = 1
      next
    }
    $0 == end { ends++; if (state != 1) bad = 1; state = 2; print; next }
    state == 1 { next }
    { print }
    END { if (begins != 1 || ends != 1 || bad) exit 2 }' "$1"
}

# shorten TEXT: one line of at most 100 characters, for the hint
shorten() {
  local text="$1"
  [ "${#text}" -le 100 ] || text="${text:0:97}..."
  printf '%s' "$text"
}

out_of_step=0
for name in "${scripts[@]}"; do
  script="$here/$name"
  [ -r "$script" ] || { echo "generate-scripts: $script is missing" >&2; exit 2; }
  if ! render "$script" >"$work/$name"; then
    echo "generate-scripts: $name needs exactly one line" >&2
    echo "  $begin" >&2
    echo "followed by one line" >&2
    echo "  $end" >&2
    exit 2
  fi
  if cmp -s "$script" "$work/$name"; then
    [ -n "$check" ] || echo "generate-scripts: $name already in step with shared/common.py"
    continue
  fi
  if [ -n "$check" ]; then
    out_of_step=1
    line="$(cmp "$script" "$work/$name" 2>/dev/null | sed -n 's/.*, line \([0-9][0-9]*\).*/\1/p' || true)"
    line="${line:-1}"
    found="$(sed -n "${line}p" "$script")"
    expected="$(sed -n "${line}p" "$work/$name")"
    echo "generate-scripts: $name is out of step with shared/common.py (run \`make janssen-scripts\`)"
    echo "  hint: $name:$line has '$(shorten "$found")', shared/common.py gives '$(shorten "$expected")'"
  else
    cat "$work/$name" >"$script"
    echo "generate-scripts: $name rewritten from shared/common.py"
  fi
done
exit "$out_of_step"
