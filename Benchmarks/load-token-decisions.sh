#!/usr/bin/env bash
# Token decisions through `ssa-verify serve` under load, against the same server's /healthz in
# the same run (the issue's figure: token decisions >= 50% of /healthz throughput at 16
# connections, p99 < 5 ms, warm status cache, group-commit audit log).
#
#   Benchmarks/load-token-decisions.sh [SSA_VERIFY_BINARY]
#
# Builds the release binary when none is given (`make release`: .build-release/release/ssa-verify),
# installs wrk from Debian's packages when missing, starts `ssa-verify sandbox`
# and `ssa-verify serve` on loopback, warms the status cache with one decision, then runs wrk
# (2 threads, 16 connections, DURATION seconds each, default 10) on /healthz, on
# /v1/token-decisions, and (for the record) on /v1/decisions. Prints requests/s, p50 and p99,
# the ratio to /healthz, serve's CPU time per call of each run (from /proc: a cost wrk's share of
# the cores does not move), serve's peak RSS, and whether the goals were met.
# Environment: DURATION (seconds per run), CONNECTIONS (default 16), AUDIT (group, the default;
# fsync; or none, to see what the audit log costs), AUDIT_MILLIS (auditGroupCommitMillis), ROUNDS
# (alternated /healthz and token runs; the median pair is the figure; default 1), CHECKPOINT=1 (sign audit checkpoints every
# second, to see what they cost), REVOCATION (on, the default: the sandbox's CA-issued certificate,
# OCSP-checked and published in the key set, as the toolkit's defaults do; off: revocationCheck=off
# and the fixture certificate, to see what the checks cost), EVENT_LOOPS (serve's --event-loops;
# unset: serve's default, half the cores), ANSWER (minimal, the default: token calls carry
# `Prefer: return=minimal` as the Janssen Update Token script's do; full: every check's sentence).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-16}"

work="$(mktemp -d)"
source "$root/Benchmarks/lib/decision-load.sh"
bin="$(release_binary "${1:-}")"
ensure_wrk
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

start_sandbox "$bin"
sandbox_bodies "$work/sandbox.json" "$work/tpp.pem" >"$work/revocation.args"
mapfile -t revocation_args <"$work/revocation.args"
audit_args=(--set "auditLog=$work/audit.log" --set "auditDurability=${AUDIT:-group}")
[ -n "${AUDIT_MILLIS:-}" ] && audit_args+=(--set "auditGroupCommitMillis=$AUDIT_MILLIS")
mapfile -t checkpointing < <(checkpoint_args)
audit_args+=("${checkpointing[@]}")
[ "${AUDIT:-group}" = none ] && audit_args=()
loop_args=()
[ -n "${EVENT_LOOPS:-}" ] && loop_args=(--event-loops "$EVENT_LOOPS")
"$bin" serve --config "$work/sandbox.json" --port 0 "${audit_args[@]}" "${revocation_args[@]}" "${loop_args[@]}" \
  --max-connections 256 --log-level error >"$work/serve.out" 2>/dev/null &
serve_pid=$!
pids+=($serve_pid)
for _ in $(seq 100); do grep -q "health" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base="$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.out" | head -1)"
[ -n "$base" ] || { echo "serve did not start" >&2; exit 2; }

# As the Janssen Update Token script calls: Prefer: return=minimal (ANSWER=full: every sentence).
token_prefer="return=minimal"
[ "${ANSWER:-minimal}" = full ] && token_prefer=""
write_lua "$work/token.lua" "$token_body" "$token_prefer"
registration_body="$(registration_body)"
write_lua "$work/registration.lua" "$registration_body"

# Warm the status cache, the token cache and the key caches; check the answers are what we measure.
curl -sS -H 'Content-Type: application/json' --data-binary "$token_body" "$base/v1/token-decisions" | grep -q '"verdict":"allow"' \
  || { echo "the warm-up token decision was not an allow" >&2; exit 1; }
curl -sS -H 'Content-Type: application/json' --data-binary "$registration_body" "$base/v1/decisions" | grep -q '"verdict":"accept"' \
  || { echo "the warm-up registration decision was not an accept" >&2; exit 1; }

peak_rss() { awk '/VmHWM/ {print $2}' "/proc/$serve_pid/status"; }
# What the sandbox directory saw (its TLS handshakes and SCIM requests), read over mutual TLS.
sandbox_base="$(python3 -c "import json;print(json.load(open('$work/sandbox.json'))['tppUrl'].split('/scim')[0])")"
directory_counts() {
  curl -sS --cacert "$root/certs-fixtures/pki/ca-bundle.pem" --cert "$root/certs-fixtures/pki/as-transport.pem" \
    --key "$root/certs-fixtures/pki/as-transport.key.pem" "$sandbox_base/admin/counts"
}
echo "== ssa-verify serve, $connections connections, ${duration}s per run, wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}')"
# ROUNDS pairs of /healthz then token decisions, alternated: the figure is the median pair's
# ratio (and p99), so one slow moment of a shared machine does not make or break it.
rounds="${ROUNDS:-1}"
for round in $(seq "$rounds"); do
  run_wrk healthz "$base/healthz"
  run_wrk token-decisions "$base/v1/token-decisions" "$work/token.lua"
  cp "$work/healthz.result" "$work/round-$round-healthz.result"
  cp "$work/token-decisions.result" "$work/round-$round-token.result"
done
directory_counts >"$work/counts-before.json"
run_wrk registration-decisions "$base/v1/decisions" "$work/registration.lua"
directory_counts >"$work/counts-after.json"
echo "serve peak RSS: $(( $(peak_rss) / 1024 )) MiB"
python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
before, after = (json.load(open(f"{work}/counts-{n}.json")) for n in ("before", "after"))
rps = float(open(f"{work}/registration-decisions.result").read().split()[0])
delta = lambda k: int(after.get(k, 0)) - int(before.get(k, 0))
print(f"directory during the registration run: {delta('/scim')} SCIM requests, {delta('tls-handshakes')} TLS handshakes "
      f"({int(after.get('tls-handshakes', 0))} since the sandbox started; serve's cap is 8 per host)")
PY
# Every file of the log, the rotated ones (audit.log.<UTC time>) first: a long run rotates at 100 MiB.
if [ -f "$work/audit.log" ]; then
  mapfile -t rotated < <(find "$work" -maxdepth 1 -name 'audit.log.*' | sort)
  "$bin" audit verify "${rotated[@]}" "$work/audit.log" | head -1 || echo "audit verify did not find the log intact (above)"
fi

python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
def load(name):
    rps, p99, *_ = open(f"{work}/{name}.result").read().split()
    value = float(p99.rstrip("usm"))
    ms = value / 1000.0 if p99.endswith("us") else value if p99.endswith("ms") else value * 1000.0
    return float(rps), ms
import glob
rounds = sorted(int(p.split("round-")[1].split("-")[0]) for p in glob.glob(f"{work}/round-*-token.result"))
# Each round: the ratio, the token p99, /healthz's rate and /healthz's p99 (how busy the machine
# was in that round: a token p99 follows /healthz's).
pairs = sorted(((load(f"round-{r}-token")[0] / load(f"round-{r}-healthz")[0], load(f"round-{r}-token")[1], load(f"round-{r}-healthz")[0],
                 load(f"round-{r}-healthz")[1]) for r in rounds))
if len(pairs) > 1:
    print("rounds (token / healthz, token p99, healthz p99): " + ", ".join(f"{r:.2f} {p:.2f} ms ({h:.2f} ms)" for r, p, _, h in pairs))
ratio, token_p99, health, health_p99 = pairs[len(pairs) // 2]
registration, _ = load("registration-decisions")
# serve's CPU per call (from /proc), which wrk's share of a small machine does not move.
cpu = lambda name: float(open(f"{work}/{name}.result").read().split()[2])
costs = sorted(cpu(f"round-{r}-healthz") / cpu(f"round-{r}-token") for r in rounds if cpu(f"round-{r}-token") > 0)
if costs:
    print("serve CPU per /healthz call / per token decision: " + ", ".join(f"{c:.2f}" for c in costs))
print(f"token decisions / healthz: {ratio:.3f}  (goal >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")
print(f"token decisions p99: {token_p99:.2f} ms  (goal < 5 ms: {'met' if token_p99 < 5 else 'NOT met'}; /healthz p99 in the same round: {health_p99:.2f} ms)")
print(f"registration decisions / healthz: {registration / health:.3f}; {registration:.0f}/s  (goal >= 2000/s: {'met' if registration >= 2000 else 'NOT met'})")
PY
