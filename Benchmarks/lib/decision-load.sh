# Shared by the load scripts in Benchmarks/: wrk, the decision call bodies, and one wrk run.
# Source it after setting `root` (the repository) and `work` (a temporary folder).

# wrk from Debian's packages when missing.
ensure_wrk() {
  command -v wrk >/dev/null && return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
}

# A token decision of the sandbox's active TPP, with an intent and the TPP's transport certificate
# (every token is certificate-bound: requireClientCertificate): an allow on a warm cache, the
# certificate's chain verified once and then taken from the cache.
token_body=$(python3 -c "
import json
print(json.dumps({'client_id': '4ZUKbHjbA2ZqxCxTsQPkTY', 'software_id': '4ZUKbHjbA2ZqxCxTsQPkTY', 'org_id': '0015800001041REAAY',
  'grant_type': 'authorization_code', 'scope': 'openid accounts payments', 'user_id': 'user-1', 'token_endpoint_auth_method': 'tls_client_auth',
  'tls_client_auth_subject_dn': 'organizationIdentifier=PSDGB-FCA-123456,CN=4ZUKbHjbA2ZqxCxTsQPkTY,OU=0015800001041REAAY,O=Acme Budgeting Ltd,C=GB',
  'claims': {'id_token': {'openbanking_intent_id': {'value': 'urn-alphabank-intent-58923', 'essential': True}}},
  'client_certificate': open('$root/certs-fixtures/registration/tpp-transport.pem').read()}, separators=(',', ':')))")

# A registration decision: the fixture's plain JSON metadata with the TPP's certificate (an accept).
registration_body() {
  python3 -c "
import json
req = json.load(open('$root/certs-fixtures/registration/request-plain.json'))
print(json.dumps({'registration_request': req, 'client_certificate': open('$root/certs-fixtures/registration/tpp-transport.pem').read()}))"
}

# write_lua FILE BODY: a wrk script that POSTs BODY as JSON.
write_lua() {
  python3 - "$1" "$2" <<'PY'
import json, sys
open(sys.argv[1], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n' % json.dumps(sys.argv[2]))
PY
}

# run_wrk LABEL URL [LUA]: prints requests/s, p50, p99 and non-2xx answers, and writes
# "requests/s p99" to $work/LABEL.result (a '/' in LABEL becomes '-').
run_wrk() {
  local out rps p50 p99 non2xx
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$3" "$2")
  else out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$2"); fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  printf '%-30s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps $p99" >"$work/${1//\//-}.result"
}

# checkpoint_args: with CHECKPOINT=1, the serve options that sign audit checkpoints every second
# (an Ed25519 key made here; auditCheckpointSeconds=1, sixty times the default, to make the cost
# visible); nothing otherwise. Needs `work`.
checkpoint_args() {
  [ "${CHECKPOINT:-0}" = 1 ] || return 0
  mkdir -p "$work/checkpoints"
  [ -f "$work/checkpoint.key" ] || { openssl genpkey -algorithm ED25519 -out "$work/checkpoint.key" 2>/dev/null && chmod 600 "$work/checkpoint.key"; }
  printf '%s\n' --set "auditCheckpointKey=file:$work/checkpoint.key" --set "auditCheckpointDirectory=$work/checkpoints" --set auditCheckpointSeconds=1
}
