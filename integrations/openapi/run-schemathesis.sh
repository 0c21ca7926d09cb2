#!/usr/bin/env bash
# The decision service's HTTP contract (its OpenAPI document, GET /openapi.json) checked by
# schemathesis against a live `ssa-verify serve` on the sandbox directory.
#
#   integrations/openapi/run-schemathesis.sh --setup
#   integrations/openapi/run-schemathesis.sh BIN FIXTURES_DIR [SCHEMATHESIS_OPTION ...]
#   integrations/openapi/run-schemathesis.sh --validate DOCUMENT CASES
#
# --setup creates the virtualenv (python3 -m venv; Debian needs python3-venv: `make openapi-deps`)
# and installs requirements.txt beside this script into it: schemathesis and jsonschema, pinned
# with everything they pull in. The other forms do the same first when needed. The virtualenv is
# SCHEMATHESIS_VENV, by default .build/schemathesis-venv in the package.
#
# BIN is an ssa-verify binary, FIXTURES_DIR the certs-fixtures folder. Starts `BIN sandbox` and
# `BIN serve` on free loopback ports, then runs schemathesis on the document the service serves
# (or on the file OPENAPI_DOCUMENT, against the same service), in deterministic mode, at most
# SCHEMATHESIS_MAX_EXAMPLES (default 50) generated calls per operation and phase, with the checks
# not_a_server_error, status_code_conformance, content_type_conformance,
# response_schema_conformance and response_headers_conformance. Further options go to
# schemathesis as they are (`--include-path /healthz`). Prints schemathesis's report, one
# `exercised METHOD PATH: N calls (STATUS: N, ...)` line per operation of the document, and last
# `schemathesis: exit N`; exits with schemathesis's status (2 when it could not run). Every step
# has a time limit; a trap stops the processes it started on any exit.
#
# --validate validates JSON bodies against the document's schemas (contract.py validate).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${SCHEMATHESIS_VENV:-$root/.build/schemathesis-venv}"
requirements="$here/requirements.txt"

installed() { [ -x "$venv/bin/schemathesis" ] && cmp -s "$requirements" "$venv/requirements.installed"; }

setup() { # the virtualenv with requirements.txt installed; again only when requirements.txt changed
  installed && return 0
  mkdir -p "$(dirname "$venv")"
  ( # one set-up at a time; the lock goes with this subshell
    flock -w 900 9 || { echo "schemathesis: $venv.lock is held by another set-up" >&2; exit 2; }
    installed && exit 0
    if [ ! -x "$venv/bin/python" ]; then
      python3 -m venv "$venv" >&2 || {
        echo "schemathesis: python3 -m venv failed (on Debian: apt-get install python3-venv, or make openapi-deps)" >&2
        rm -rf "$venv"
        exit 2
      }
    fi
    echo "schemathesis: installing $(grep -E '^schemathesis==' "$requirements") into $venv" >&2
    timeout 900 "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$requirements" >&2 || {
      echo "schemathesis: pip install -r $requirements failed" >&2
      exit 2
    }
    cp "$requirements" "$venv/requirements.installed"
  ) 9>"$venv.lock"
}

case "${1:-}" in
  --setup)
    setup || exit 2
    "$venv/bin/schemathesis" --version
    exit 0
    ;;
  --validate)
    [ "$#" -eq 3 ] || { echo "usage: $0 --validate DOCUMENT CASES" >&2; exit 2; }
    setup || exit 2
    exec "$venv/bin/python" "$here/contract.py" validate "$2" "$3"
    ;;
esac

if [ "$#" -lt 2 ]; then
  echo "usage: $0 --setup | BIN FIXTURES_DIR [SCHEMATHESIS_OPTION ...] | --validate DOCUMENT CASES" >&2
  exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fixtures="$(cd "$2" && pwd)"
shift 2
[ -x "$bin" ] || { echo "schemathesis: $bin is not executable" >&2; exit 2; }
setup || exit 2

work="$(mktemp -d "${TMPDIR:-/tmp}/schemathesis.XXXXXX")"
. "$here/../lib/sandbox-and-serve.sh"

# With a checkpoint key, so GET /v1/audit/checkpoint answers what a deployment that signs
# checkpoints answers (503 before the first record, 200 after), not only 404.
mkdir -p "$work/checkpoints"
openssl genpkey -algorithm ED25519 -out "$work/checkpoint.key" 2>/dev/null && chmod 600 "$work/checkpoint.key"
start_sandbox_and_serve schemathesis --log-level error --set "auditLog=$work/audit.log" --set "auditCheckpointKey=file:$work/checkpoint.key" \
  --set "auditCheckpointDirectory=$work/checkpoints"

# The document as served: what schemathesis tests unless OPENAPI_DOCUMENT names another.
"$venv/bin/python" - "$url/openapi.json" "$work/served.json" <<'PY' || exit 2
import json, sys, time, urllib.request
url, path = sys.argv[1], sys.argv[2]
for attempt in range(50):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read()
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit(f"schemathesis: {url} never answered")
json.loads(body)
open(path, "wb").write(body)
PY
# Loaded from a file (the served bytes) so that schemathesis tests GET /openapi.json too: it skips
# the URL it loaded the document from.
document="${OPENAPI_DOCUMENT:-$work/served.json}"

status=0
# /admin/reload exists only with --auth-token (and reloads the service): not fuzzed here; its
# answers are checked by OperationsCommandTests.adminReload.
(cd "$work" && timeout -k 5 "${SCHEMATHESIS_TIME_LIMIT:-150}" "$venv/bin/schemathesis" run "$document" \
    --url "$url" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" \
    --generation-deterministic \
    --workers 1 \
    --request-timeout 10 \
    --no-color \
    --report har --report-har-path "$work/calls.har" \
    --exclude-path /admin/reload \
    "$@") || status=$?
if [ -s "$work/calls.har" ]; then
  "$venv/bin/python" "$here/contract.py" exercised "$document" "$work/calls.har" || true
fi
echo "schemathesis: exit $status"
exit "$status"
