#!/usr/bin/env bash
# Instructions per token decision and per registration decision through `ssa-verify serve`,
# counted by callgrind: repeatable where wall-clock figures on a shared machine are not.
#
#   Benchmarks/instructions-per-decision.sh SSA_VERIFY_BINARY [SSA_VERIFY_BINARY ...]
#
# For each binary: starts `ssa-verify sandbox` (natively) and `ssa-verify serve` under
# `valgrind --tool=callgrind` (on a copy stripped of debug information), warms every cache with
# one decision of each kind, then sends SMALL and then LARGE more decisions of one kind over one
# keep-alive connection, dumping the counters after each batch. The difference between the two
# batches, divided by LARGE - SMALL, is the cost of one decision, with start-up and warm-up
# cancelled out. Prints one line per binary and kind. Needs valgrind (Debian: apt-get install
# valgrind) and python3. Environment: KINDS (default "token registration"; "healthz" counts a GET
# /healthz, the fixed cost of a call that the load scripts' ratio compares with), ANSWER (minimal,
# the default: token calls carry `Prefer: return=minimal` as the Janssen Update Token script's do;
# full: every sentence), KEEP (a folder:
# keep each kind's LARGE batch profile there, for callgrind_annotate --inclusive=yes), SMALL (default 200), LARGE (default 1200), REVOCATION (on,
# the default: the sandbox's CA-issued certificate, revocation-checked and published in the key
# set; off: revocationCheck=off, the fixture certificate), FRAMEWORK (openbanking-uk, the default;
# open-finance-brasil or cdr-au: that framework's participant, decided by a service trusting all
# three of the sandbox's directories; needs a binary from issue 24 on).
set -euo pipefail
[ "$#" -ge 1 ] || { echo "usage: $0 SSA_VERIFY_BINARY [...]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
small=${SMALL:-200}
large=${LARGE:-1200}
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
. "$root/Benchmarks/lib/decision-load.sh"
fixture_token_body="$token_body"

for given in "$@"; do
  bin="$work/ssa-verify"
  strip --strip-debug -o "$bin" "$given"
  rm -f "$work"/sandbox.* "$work"/serve.out "$work"/callgrind.* "$work"/audit.log*
  start_sandbox "$bin"
  # REVOCATION=on (the default) needs a binary whose sandbox issues certificates (issue 23 on).
  token_body="$fixture_token_body"; registration_override=""
  sandbox_bodies "$work/sandbox.json" "$work/tpp.pem" >"$work/revocation.args"
  mapfile -t revocation_args <"$work/revocation.args"
  printf '%s' "$token_body" >"$work/token.json"
  registration_body >"$work/registration.json"
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.%p" --dump-instr=no --collect-atstart=yes \
    "$bin" serve --config "$work/sandbox.json" --port 0 --set "auditLog=$work/audit.log" "${revocation_args[@]}" --log-level error >"$work/serve.out" 2>"$work/valgrind.err" &
  serve_pid=$!; pids+=($serve_pid)
  for _ in $(seq 1200); do grep -q "health" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" | head -1)"
  [ -n "$base" ] || { echo "serve did not start under valgrind" >&2; cat "$work/valgrind.err" >&2; exit 2; }
  # Sends N decisions of one kind over one connection; each must be the expected verdict.
  python3 - "$base" "$work" "$small" "$large" "$serve_pid" "$given" <<'PY'
import http.client, json, os, subprocess, sys, time, urllib.parse
base, work, small, large, pid, given = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
bodies = {"token": ("/v1/token-decisions", open(f"{work}/token.json", "rb").read(), "allow"),
          "registration": ("/v1/decisions", open(f"{work}/registration.json", "rb").read(), "accept"),
          "healthz": ("/healthz", None, None)}
kinds = os.environ.get("KINDS", "token registration").split()
host = urllib.parse.urlparse(base)
connection = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
def send(kind, n):
    path, body, verdict = bodies[kind]
    for _ in range(n):
        if body is None:
            connection.request("GET", path)
            answer = connection.getresponse().read()
            if json.loads(answer).get("status") != "ok": sys.exit(f"{kind}: not ok: {answer[:300]!r}")
            continue
        headers = {"Content-Type": "application/json"}
        # As the Janssen Update Token script calls (ANSWER=full: every check's sentence).
        if kind == "token" and os.environ.get("ANSWER", "minimal") != "full": headers["Prefer"] = "return=minimal"
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse().read()
        if json.loads(answer).get("verdict") != verdict: sys.exit(f"{kind}: not {verdict}: {answer[:300]!r}")
def counted():
    before = set(os.listdir(work))
    subprocess.run(["callgrind_control", "--dump", pid], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        fresh = [f for f in set(os.listdir(work)) - before if f.startswith("callgrind.")]
        if fresh:
            time.sleep(0.5)
            for line in open(os.path.join(work, fresh[0])):
                if line.startswith("summary:") or line.startswith("totals:"): return int(line.split()[1])
        time.sleep(0.1)
    sys.exit("no callgrind dump")
for kind in ("token", "registration"): send(kind, 3)
for kind in kinds:
    counted()
    send(kind, small); a = counted()
    send(kind, large); b = counted()
    print(f"{os.path.basename(given):<24} {kind:<13} {b / large:>12,.0f} instructions per decision ({large} decisions; {a / small:,.0f} over {small})")
    keep = os.environ.get("KEEP")
    if keep:
        newest = max((f for f in os.listdir(work) if f.startswith("callgrind.")), key=lambda f: os.path.getmtime(os.path.join(work, f)))
        os.makedirs(keep, exist_ok=True)
        subprocess.run(["cp", os.path.join(work, newest), os.path.join(keep, f"{os.path.basename(given)}.{kind}.callgrind")], check=True)
PY
  kill "$serve_pid" "$sandbox_pid" 2>/dev/null || true
  wait "$serve_pid" "$sandbox_pid" 2>/dev/null || true
done
