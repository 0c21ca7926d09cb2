#!/usr/bin/env bash
# Decisions per second through `ssa-verify serve` with the shared PostgreSQL state store beside
# the single-node defaults (in-memory replay cache, group-commit audit file), in one run, and
# the cost of the audit-chain design the store uses (one chain per node) against the alternative
# (one global chain, serialised) measured with pgbench on the same database.
#
#   Benchmarks/load-shared-state.sh [SSA_VERIFY_BINARY]
#
# Starts a throwaway PostgreSQL (integrations/postgres/test-postgres.sh; TLS verify-full),
# `ssa-verify sandbox`, and two `serve` processes: "memory" (auditLog file, group commit) and
# "postgres" (stateStore). Runs wrk (2 threads, CONNECTIONS connections, default 16, DURATION
# seconds, default 10) on token and registration decisions against each, alternating, and
# prints requests/s, p50, p99 and the ratio postgres/memory. Every decision writes one audit
# record; registration decisions here are plain JSON metadata, so the replay store is not on
# their path (pgbench measures the replay claim on its own below).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration="${DURATION:-10}"
connections="${CONNECTIONS:-16}"
pgscript="$root/integrations/postgres/test-postgres.sh"

source "$root/Benchmarks/lib/decision-load.sh"
ensure_wrk
"$pgscript" install
bin="$(release_binary "${1:-}")"

work="$(mktemp -d)"
pgdir="/tmp/ssa-bench-pg-$$"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; "$pgscript" remove "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

url="$("$pgscript" start "$pgdir")"
export SSA_PG_PASSWORD=ssa-test-password PGPASSWORD=ssa-test-password
store="${url/@127.0.0.1:/@localhost:}?sslmode=verify-full&sslrootcert=$pgdir/tls/ca.pem"

start_sandbox "$bin"

start_serve() {  # name, extra --set arguments...
  local name=$1; shift
  "$bin" serve --config "$work/sandbox.json" --port 0 "$@" --max-connections 256 --log-level error >"$work/$name.out" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do grep -q "health" "$work/$name.out" 2>/dev/null && break; sleep 0.1; done
  grep -o 'http://127.0.0.1:[0-9]*' "$work/$name.out" | head -1
}
mapfile -t checkpointing < <(checkpoint_args)
memory="$(start_serve memory --set "auditLog=$work/audit.log" "${checkpointing[@]}")"
postgres="$(start_serve postgres --set "stateStore=$store" --set "stateStorePassword=env:SSA_PG_PASSWORD" --set "stateStoreNode=bench" "${checkpointing[@]}")"
[ -n "$memory" ] && [ -n "$postgres" ] || { echo "serve did not start" >&2; exit 2; }

registration_body="$(registration_body)"
write_lua "$work/token.lua" "$token_body"
write_lua "$work/registration.lua" "$registration_body"
for base in "$memory" "$postgres"; do
  curl -sS -H 'Content-Type: application/json' --data-binary "$token_body" "$base/v1/token-decisions" | grep -q '"verdict":"allow"' \
    || { echo "the warm-up token decision at $base was not an allow" >&2; exit 1; }
  curl -sS -H 'Content-Type: application/json' --data-binary "$registration_body" "$base/v1/decisions" | grep -q '"verdict":"accept"' \
    || { echo "the warm-up registration decision at $base was not an accept" >&2; exit 1; }
done

echo "== decisions through serve: $connections connections, ${duration}s per run, wrk $(wrk --version 2>&1 | head -1 | awk '{print $2}')"
run_wrk token/memory "$memory/v1/token-decisions" "$work/token.lua"
run_wrk token/postgres "$postgres/v1/token-decisions" "$work/token.lua"
run_wrk registration/memory "$memory/v1/decisions" "$work/registration.lua"
run_wrk registration/postgres "$postgres/v1/decisions" "$work/registration.lua"
python3 - "$work" <<'PY'
import sys
w = sys.argv[1]
r = lambda n: float(open(f"{w}/{n.replace('/', '-')}.result").read().split()[0])
for kind in ("token", "registration"):
    print(f"{kind} decisions: postgres / memory = {r(kind + '/postgres') / r(kind + '/memory'):.2f}")
PY
"$bin" audit verify "$work/audit.log" | head -1
cat >"$work/verify.json" <<JSON
{"stateStore": "$store", "stateStorePassword": "env:SSA_PG_PASSWORD"}
JSON
"$bin" audit verify --config "$work/verify.json" | head -1

# The audit-chain design, and the replay claim, on their own: pgbench on the same database,
# 16 clients, each transaction one record or one claim, as serve writes them.
pgbench="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pgbench"
line="$(printf 'x%.0s' $(seq 400))"
cat >"$work/per-node.sql" <<SQL
\set n random(1, 1000000000)
INSERT INTO bench_per_node (node, seq, line) VALUES (:client_id, :n, convert_to('$line', 'UTF8'));
SQL
cat >"$work/global.sql" <<SQL
BEGIN;
SELECT pg_advisory_xact_lock(1);
INSERT INTO bench_global (seq, line) SELECT coalesce(max(seq), 0) + 1, convert_to('$line', 'UTF8') FROM bench_global;
COMMIT;
SQL
cat >"$work/replay.sql" <<SQL
\set n random(1, 1000000000)
INSERT INTO ssa_replay (issuer, jti, expires_at) VALUES ('bench'::bytea, convert_to(:client_id || '-' || :n, 'UTF8'), now() + interval '5 minutes')
  ON CONFLICT (issuer, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE ssa_replay.expires_at <= now() RETURNING 1;
SQL
# The bench tables are made by the schema's owner (the service's role may not create tables).
owner_url="${url/postgres:\/\/ssa@/postgres://ssa_owner@}"
psql "$owner_url?sslmode=disable" -q -X -c "CREATE TABLE bench_per_node (node int, seq bigint, line bytea, PRIMARY KEY (node, seq) ); CREATE TABLE bench_global (seq bigint PRIMARY KEY, line bytea);" >/dev/null
echo "== pgbench, 16 clients, ${duration}s each (transactions/s)"
for script in per-node global replay; do
  tps=$("$pgbench" -n -c 16 -j 2 -T "$duration" -f "$work/$script.sql" "$owner_url?sslmode=disable" 2>"$work/pgbench.err" | awk '/^tps/ {print $3; exit}') \
    || { cat "$work/pgbench.err" >&2; exit 1; }
  printf '%-30s %10s\n' "$script" "$tps"
done
