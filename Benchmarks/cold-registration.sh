#!/usr/bin/env bash
# What a registration costs when its certificate's revocation is not cached yet: the OCSP round
# trip to the responder, through `ssa-verify serve`, against the sandbox's responder on loopback.
#
#   Benchmarks/cold-registration.sh [SSA_VERIFY_BINARY]
#
# Starts `ssa-verify sandbox` and two `ssa-verify serve` on loopback, one with the toolkit's
# revocation defaults and one with revocationCheck=off. For each of N (default 40) new
# certificates the sandbox's CA issues, it times with curl (time_total): a registration on the
# first service (cold: chain verified and OCSP asked), the same registration again (warm: both
# cached), and a registration of another new certificate on the second service (cold chain, no
# OCSP). Prints the medians and the OCSP requests the sandbox saw (one per new certificate).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${N:-40}"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
source "$root/Benchmarks/lib/decision-load.sh"
bin="$(release_binary "${1:-}")"

start_sandbox "$bin"
sandbox_bodies "$work/sandbox.json" "$work/tpp.pem" >"$work/revocation.args"
mapfile -t revocation_args <"$work/revocation.args"
start_serve() {
  "$bin" serve --config "$work/sandbox.json" --port 0 "$@" --log-level error >"$work/serve-$#.out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do grep -q "health" "$work/serve-$#.out" 2>/dev/null && break; sleep 0.1; done
  grep -o 'http://127.0.0.1:[0-9]*' "$work/serve-$#.out" | head -1
}
checked="$(start_serve "${revocation_args[@]}")"
unchecked="$(start_serve "${revocation_args[@]}" --set revocationCheck=off --set transportKeyBinding=off)"
sandbox_base="$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['tokenUrl'].rsplit('/token', 1)[0])" "$work/sandbox.json")"
admin() {
  curl -sS --cacert "$root/certs-fixtures/pki/ca-bundle.pem" --cert "$root/certs-fixtures/pki/as-transport.pem" \
    --key "$root/certs-fixtures/pki/as-transport.key.pem" -H 'Content-Type: application/json' "$@"
}
issue() { admin --data-binary '{}' "$sandbox_base/admin/certificates" | python3 -c "import json,sys;print(json.load(sys.stdin)['certificate'], end='')"; }
body_for() {
  python3 -c "
import json, sys
call = json.loads(sys.stdin.read())
call['client_certificate'] = open(sys.argv[1]).read()
print(json.dumps(call))" "$1" <<<"$(registration_body)"
}
time_one() {  # URL BODY_FILE EXPECTED: seconds, or exit on the wrong verdict
  local out
  out="$(curl -sS -w '\n%{time_total}' -H 'Content-Type: application/json' --data-binary @"$2" "$1/v1/decisions")"
  grep -q "\"verdict\":\"$3\"" <<<"$out" || { echo "not $3: ${out:0:300}" >&2; exit 1; }
  tail -1 <<<"$out"
}
# Every certificate first, so the key set fetched by the warm-up publishes them all (a set
# that lacks a certificate is refreshed at most once per jwksCacheMinSeconds).
for i in $(seq "$n"); do
  issue >"$work/c$i.pem"; body_for "$work/c$i.pem" >"$work/b$i.json"
  issue >"$work/d$i.pem"; body_for "$work/d$i.pem" >"$work/e$i.json"
done
# Warm everything that is not per certificate (directory token, JWKS, SCIM, key sets).
body_for "$work/tpp.pem" >"$work/warm.json"
time_one "$checked" "$work/warm.json" accept >/dev/null
time_one "$unchecked" "$work/warm.json" accept >/dev/null
before="$(admin "$sandbox_base/admin/counts" | python3 -c "import json,sys;print(json.load(sys.stdin).get('/ocsp', 0))")"
: >"$work/times"
for i in $(seq "$n"); do
  cold="$(time_one "$checked" "$work/b$i.json" accept)"
  warm="$(time_one "$checked" "$work/b$i.json" accept)"
  off="$(time_one "$unchecked" "$work/e$i.json" accept)"
  echo "$cold $warm $off" >>"$work/times"
done
after="$(admin "$sandbox_base/admin/counts" | python3 -c "import json,sys;print(json.load(sys.stdin).get('/ocsp', 0))")"
python3 - "$work/times" "$n" "$((after - before))" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1])]
cold, warm, off = (statistics.median(r[i] for r in rows) * 1000 for i in range(3))
print(f"registration decisions through serve, median of {sys.argv[2]} new certificates (curl time_total, loopback):")
print(f"  cold, revocation checked (chain verified, OCSP asked)   {cold:7.2f} ms")
print(f"  cold, revocationCheck=off (chain verified)              {off:7.2f} ms")
print(f"  warm, same certificate again (everything cached)        {warm:7.2f} ms")
print(f"  the OCSP round trip and its checks: {cold - off:+.2f} ms ({cold / off:.2f}x the unchecked cold decision); OCSP requests seen: {sys.argv[3]} for {sys.argv[2]} certificates")
PY
