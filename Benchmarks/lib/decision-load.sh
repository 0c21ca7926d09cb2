# Shared by the load scripts in Benchmarks/: wrk, the decision call bodies, and one wrk run.
# Source it after setting `root` (the repository) and `work` (a temporary folder).

# release_binary [GIVEN]: the ssa-verify binary to measure: GIVEN, or the release build
# (`make release`: .build-release/release/ssa-verify), built when none is given.
release_binary() {
  if [ -n "${1:-}" ]; then printf '%s\n' "$1"; return 0; fi
  make -C "$root" --no-print-directory release >/dev/null
  printf '%s\n' "$root/.build-release/release/ssa-verify"
}

# start_sandbox BIN: `BIN sandbox` on a free port, writing $work/sandbox.json and the TPP
# certificate it issued ($work/tpp.pem); appends its pid to `pids` and returns once it listens.
# With FRAMEWORK=open-finance-brasil or cdr-au, the configuration trusts all three directories the
# sandbox is (--scheme all).
start_sandbox() {
  local scheme=()
  [ "${FRAMEWORK:-openbanking-uk}" = openbanking-uk ] || scheme=(--scheme all)
  "$1" sandbox --port 0 --fixtures "$root/certs-fixtures" --write-config "$work/sandbox.json" --write-certificate "$work/tpp.pem" "${scheme[@]}" >"$work/sandbox.out" 2>/dev/null &
  sandbox_pid=$!
  pids+=("$sandbox_pid")
  for _ in $(seq 100); do grep -q "config " "$work/sandbox.out" 2>/dev/null && break; sleep 0.1; done
}

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

# A registration decision: the fixture's plain JSON metadata with the TPP's certificate (an accept),
# or the one sandbox_bodies made.
registration_override=""
registration_body() {
  [ -n "$registration_override" ] && { printf '%s\n' "$registration_override"; return 0; }
  python3 -c "
import json
req = json.load(open('$root/certs-fixtures/registration/request-plain.json'))
print(json.dumps({'registration_request': req, 'client_certificate': open('$root/certs-fixtures/registration/tpp-transport.pem').read()}))"
}

# sandbox_bodies SANDBOX_JSON CERTIFICATE_FILE: with REVOCATION=on (the default), the bodies
# above with the certificate the sandbox's CA issued (it names the sandbox's OCSP responder and
# is published in the software key set), the token call naming that key set, and the
# registration made with a software statement the sandbox issues now (its key set reachable), so
# both decisions run certificate_revocation and transport_key as the toolkit's defaults do.
# Prints the serve options that restore those defaults over the sandbox's relaxed configuration
# (call it with its output redirected to a file, not in a subshell: it sets token_body and
# registration_override). With REVOCATION=off: revocationCheck=off and the fixture certificate.
sandbox_bodies() {
  if [ "${FRAMEWORK:-openbanking-uk}" != openbanking-uk ]; then
    framework_bodies "$1"
    return 0
  fi
  if [ "${REVOCATION:-on}" = off ]; then
    printf '%s\n' --set revocationCheck=off
    return 0
  fi
  local sandbox_base ssa
  sandbox_base="$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['tokenUrl'].rsplit('/token', 1)[0])" "$1")"
  ssa="$(curl -sS --cacert "$root/certs-fixtures/pki/ca-bundle.pem" --cert "$root/certs-fixtures/pki/as-transport.pem" \
    --key "$root/certs-fixtures/pki/as-transport.key.pem" -H 'Content-Type: application/json' --data-binary '{}' "$sandbox_base/admin/software-statements" \
    | python3 -c "import json,sys;print(json.load(sys.stdin)['software_statement'])")"
  token_body="$(printf '%s' "$token_body" | python3 -c "
import json, sys
body = json.load(sys.stdin)
body['client_certificate'] = open(sys.argv[1]).read()
body['software_jwks_endpoint'] = sys.argv[2] + '/software/4ZUKbHjbA2ZqxCxTsQPkTY/jwks'
print(json.dumps(body, separators=(',', ':')))" "$2" "$sandbox_base")"
  registration_override="$(python3 -c "
import json, sys
req = json.load(open(sys.argv[1]))
req['software_statement'] = sys.argv[2]
print(json.dumps({'registration_request': req, 'client_certificate': open(sys.argv[3]).read()}))" \
    "$root/certs-fixtures/registration/request-plain.json" "$ssa" "$2")"
  printf '%s\n' --set revocationWhenUnpublished=reject --set transportKeyBinding=directory
}

# framework_bodies SANDBOX_JSON: with FRAMEWORK=open-finance-brasil or cdr-au, a token call and a
# registration of that framework's sandbox participant, with a certificate in its profile the
# sandbox's CA issued (revocation checked through the sandbox's OCSP responder) and, for the
# registration, an SSA the sandbox issues now. Sets token_body and registration_override.
framework_bodies() {
  local sandbox_base admin certificate ssa
  sandbox_base="$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['tokenUrl'].rsplit('/token', 1)[0])" "$1")"
  admin() { curl -sS --cacert "$root/certs-fixtures/pki/ca-bundle.pem" --cert "$root/certs-fixtures/pki/as-transport.pem" \
    --key "$root/certs-fixtures/pki/as-transport.key.pem" -H 'Content-Type: application/json' --data-binary "$2" "$sandbox_base$1"; }
  local profile=brasil-transport; [ "$FRAMEWORK" = cdr-au ] && profile=cdr-transport
  admin /admin/certificates "{\"profile\": \"$profile\"}" | python3 -c "import json,sys;open(sys.argv[1],'w').write(json.load(sys.stdin)['certificate'])" "$work/framework.pem"
  ssa="$(admin /admin/software-statements "{\"framework\": \"$FRAMEWORK\"}" | python3 -c "import json,sys;print(json.load(sys.stdin)['software_statement'])")"
  token_body="$(python3 - "$FRAMEWORK" "$work/framework.pem" "$sandbox_base" <<'PY'
import json, sys
framework, pem, base = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
if framework == "open-finance-brasil":
    software = "b7e1a8c2-3f4d-4e5a-9b6c-7d8e9f0a1b2c"
    body = {"org_id": "74e929d9-33b6-4d85-8ba7-c146c867a817", "scope": "openid accounts payments",
            "ssa_issuer": "Open Finance Open Finance Brasil sandbox SSA issuer", "software_jwks_endpoint": base + "/software/" + software + "/jwks"}
else:
    software = "9f8e7d6c-3333-4333-8333-333333333333"
    body = {"org_id": "2a3b4c5d-2222-4222-8222-222222222222", "scope": "openid bank:accounts.basic:read bank:transactions:read", "ssa_issuer": "cdr-register",
            "legal_entity_id": "8e5f2d1c-1111-4111-8111-111111111111",
            "ssa_scope": "openid profile bank:accounts.basic:read bank:accounts.detail:read bank:transactions:read common:customer.basic:read"}
body.update({"client_id": software, "software_id": software, "grant_type": "authorization_code", "user_id": "user-1",
             "token_endpoint_auth_method": "private_key_jwt", "client_certificate": pem})
print(json.dumps(body, separators=(",", ":")))
PY
)"
  registration_override="$(python3 - "$FRAMEWORK" "$work/framework.pem" "$ssa" <<'PY'
import json, sys
framework, pem, ssa = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
brasil = framework == "open-finance-brasil"
request = {"software_statement": ssa, "token_endpoint_auth_method": "private_key_jwt",
           "redirect_uris": ["https://www.fintech-exemplo.com.br/callback" if brasil else "https://budgeting.example.com.au/callback"],
           "grant_types": ["authorization_code"], "response_types": ["code"],
           "scope": "openid accounts payments" if brasil else "openid bank:accounts.basic:read"}
print(json.dumps({"registration_request": request, "client_certificate": pem}))
PY
)"
}

# write_lua FILE BODY [PREFER]: a wrk script that POSTs BODY as JSON (with a Prefer header when given).
write_lua() {
  python3 - "$1" "$2" "${3:-}" <<'PY'
import json, sys
prefer = 'wrk.headers["Prefer"] = %s\n' % json.dumps(sys.argv[3]) if sys.argv[3] else ""
open(sys.argv[1], "w").write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n%swrk.body = %s\n' % (prefer, json.dumps(sys.argv[2])))
PY
}

# cpu_ticks PID: the user and system CPU time a process has used so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# context_switches PID: the context switches (voluntary and not) of every thread of a process so far.
context_switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n + 0}'; }

# run_wrk LABEL URL [LUA]: prints requests/s, p50, p99 and non-2xx answers, and writes
# "requests/s p99" to $work/LABEL.result (a '/' in LABEL becomes '-'). When serve_pid is set it
# also prints serve's CPU time per call (user + system, from /proc: a cost wrk's own share of
# the cores does not move, unlike requests/s on a machine the load generator shares) and its
# threads' context switches per call (voluntary ones, a thread sleeping until woken, and
# involuntary ones, a thread preempted).
run_wrk() {
  local out rps p50 p99 non2xx calls before="" cpu="" switches_before="" switches=""
  [ -n "${serve_pid:-}" ] && before=$(cpu_ticks "$serve_pid") && switches_before=$(context_switches "$serve_pid")
  if [ -n "${3:-}" ]; then out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$3" "$2")
  else out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "$2"); fi
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
  calls=$(echo "$out" | awk '/requests in/ {print $1}')
  if [ -n "$before" ] && [ "${calls:-0}" -gt 0 ]; then
    cpu=$(( ($(cpu_ticks "$serve_pid") - before) * 1000000 / $(getconf CLK_TCK) / calls ))
    switches=$(awk -v a="$switches_before" -v b="$(context_switches "$serve_pid")" -v n="$calls" 'BEGIN {printf "%.2f", (b - a) / n}')
  fi
  printf '%-30s %10s req/s   p50 %8s   p99 %8s   non-2xx %s%s%s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:-0}" "${cpu:+   serve CPU ${cpu} us/call}" "${switches:+, ${switches} switches/call}"
  echo "$rps $p99 ${cpu:-0}" >"$work/${1//\//-}.result"
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
