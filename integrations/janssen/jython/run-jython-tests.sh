#!/usr/bin/env bash
# The Janssen scripts (client registration and update token) under real Jython 2.7 on the JVM,
# against a real decision service.
#
#   integrations/janssen/jython/run-jython-tests.sh BIN FIXTURES_DIR
#
# BIN is an ssa-verify binary, FIXTURES_DIR the certs-fixtures folder. Needs java, javac, curl,
# Jython (/usr/share/java/jython.jar) and BouncyCastle (/usr/share/java/bcprov.jar):
# `make jython-deps`. JANSSEN_SCRIPT=FILE tests another copy of the registration script (default:
# ../client_registration.py), JANSSEN_TOKEN_SCRIPT=FILE another copy of the Update Token script
# (default: ../update_token.py); JYTHON_TEST_VERBOSE=1 also prints what the scripts logged when
# everything passed.
#
# Compiles the Janssen stand-ins (stubs/) and JanssenHost.java (one host, two modes: `registration`
# drives client_registration.py, `token` drives update_token.py) into a temporary folder, starts
# `BIN sandbox` and `BIN serve` on free loopback ports, then runs, each phase in its own JVM:
#   1. registration scenarios (JanssenHost registration live), which also register the token
#      client;
#   2. token requests with the software active (JanssenHost token allow): issued with the TPP's
#      transport certificate in X-ClientCert; refused without one (by the service, 401
#      invalid_client), and, without any call, for the auth method TLS_Client_Auth (401), the grant
#      type password (400) and a scope with a tab (400);
#   3. the software's roles cut to AISP through the sandbox's admin route (JanssenHost token aisp);
#   4. the software made inactive through the admin route (JanssenHost token deny);
#   5. the decision service stopped: registration and token scenarios (JanssenHost registration
#      stopped, JanssenHost token stopped).
# Prints one line per scenario and last `jython: N passed, M failed`; exits 1 when any failed (2
# when it could not run). Every step has a time limit; a trap stops the processes it started on
# any exit.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 BIN FIXTURES_DIR" >&2
  exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fixtures="$(cd "$2" && pwd)"
script="${JANSSEN_SCRIPT:-$here/../client_registration.py}"
script="$(cd "$(dirname "$script")" && pwd)/$(basename "$script")"
token_script="${JANSSEN_TOKEN_SCRIPT:-$here/../update_token.py}"
token_script="$(cd "$(dirname "$token_script")" && pwd)/$(basename "$token_script")"
jython_jar="${JYTHON_JAR:-/usr/share/java/jython.jar}"
bc_jar="${BCPROV_JAR:-/usr/share/java/bcprov.jar}"

for tool in java javac timeout curl; do
  command -v "$tool" >/dev/null || { echo "jython: $tool is missing (make jython-deps)" >&2; exit 2; }
done
for file in "$jython_jar" "$bc_jar" "$bin" "$script" "$token_script"; do
  [ -r "$file" ] || { echo "jython: $file is missing (make jython-deps)" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/janssen-jython.XXXXXX")"
. "$here/../../lib/sandbox-and-serve.sh"

# 1. compile the stand-ins and the host (never kept: the temporary folder goes on exit). HostBoot
#    alone is on the JVM's class path; it loads the rest in a child class loader (see HostBoot.java).
mkdir -p "$work/classes" "$work/boot"
if ! { timeout 120 javac -nowarn -encoding UTF-8 -d "$work/classes" -cp "$jython_jar:$bc_jar" \
         $(find "$here/stubs" -name '*.java') "$here/JanssenHost.java" &&
       timeout 60 javac -nowarn -encoding UTF-8 -d "$work/boot" "$here/HostBoot.java"; } >"$work/javac.log" 2>&1; then
  cat "$work/javac.log" >&2
  echo "jython: 0 passed, 1 failed"
  exit 1
fi

# 2. the sandbox directory and the decision service, on free loopback ports (port 0)
# statusCacheSeconds=0: the token phases change the directory between requests (admin route) and
# must see each change at once.
start_sandbox_and_serve jython --set statusCacheSeconds=0
healthz() { # GET /healthz over bash's /dev/tcp (no HTTP client needed), at most 3 s. The Host
  # header names the listening address with its port: serve answers only callers that name it (421).
  local port="${url##*:}"
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" &&
    printf "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n" "$1" >&3 && cat <&3' \
    healthz "$port" 2>/dev/null || true
}
healthy=""
for _ in $(seq 1 50); do
  case "$(healthz)" in *'"ok"'*) healthy=1; break ;; esac
  sleep 0.2
done
if [ -z "$healthy" ]; then
  echo "jython: $url/healthz never answered ok" >&2
  exit 2
fi

run_host() { # run_host MODE PHASE ARGS...: the scenarios of one phase of JanssenHost MODE
  # (registration or token), PASS/FAIL lines in results.txt
  local mode="$1" phase="$2" status=0 failed_before
  shift 2
  failed_before="$(grep -c '^FAIL ' "$work/results.txt" || true)"
  timeout -k 5 180 java -cp "$jython_jar:$bc_jar:$work/boot" HostBoot "$work/classes" JanssenHost "$mode" \
      --url "$url" --fixtures "$fixtures" --phase "$phase" --time-limit 170 "$@" \
      >>"$work/results.txt" 2>>"$work/host-stderr.log" || status=$?
  if [ "$status" -ne 0 ] && [ "$(grep -c '^FAIL ' "$work/results.txt" || true)" -eq "$failed_before" ]; then
    echo "FAIL JanssenHost $mode phase $phase ended with status $status and no scenario failed: $(tail -n 3 "$work/host-stderr.log" | tr '\n' ' ')" >>"$work/results.txt"
  fi
}
host() { # host PHASE: registration scenarios
  run_host registration "$1" --script "$script" --log "$work/script.log" --client-file "$work/client.properties"
}
token() { # token PHASE: token scenarios (the client registered by `host live`)
  run_host token "$1" --script "$token_script" --log "$work/token.log" --client-file "$work/client.properties"
}

# The sandbox's HTTPS base URL: tokenUrl of the configuration it wrote, minus /token (else the
# URL it printed).
sandbox_url="$(grep -Eo '"tokenUrl"[[:space:]]*:[[:space:]]*"https://[^"]+/token"' "$work/toolkit.json" | grep -Eo 'https://[^"]+' | head -n 1 || true)"
sandbox_url="${sandbox_url%/token}"
if [ -z "$sandbox_url" ]; then
  sandbox_url="$(grep -Eo 'https://127\.0\.0\.1:[0-9]+' "$work/sandbox.log" | head -n 1 || true)"
fi
admin() { # admin PATH JSON: the sandbox's admin route (mutual TLS with the fixture PKI); FAIL line unless HTTP 200
  local path="$1" body="$2" code
  code="$(curl -sS -o "$work/admin.out" -w '%{http_code}' --max-time 10 \
      --cacert "$fixtures/pki/ca-bundle.pem" --cert "$fixtures/pki/as-transport.pem" --key "$fixtures/pki/as-transport.key.pem" \
      -H 'Content-Type: application/json' -d "$body" "$sandbox_url$path" 2>"$work/admin.err" || true)"
  if [ "$code" != "200" ]; then
    echo "FAIL sandbox admin POST $path $body answered ${code:-nothing}: $(cat "$work/admin.out" "$work/admin.err" 2>/dev/null | head -c 300 | tr '\n' ' ')" >>"$work/results.txt"
    return 1
  fi
}

# 3. scenarios with the service running, the software changed between token phases, then with
#    the service stopped
: >"$work/results.txt"
host live
token allow
if admin "/admin/software/4ZUKbHjbA2ZqxCxTsQPkTY" '{"roles": ["AISP"]}'; then
  token aisp
fi
if admin "/admin/software/4ZUKbHjbA2ZqxCxTsQPkTY" '{"active": false}'; then
  token deny
fi
stop "$serve_pid"
serve_pid=""
host stopped
token stopped

# 4. report
passed="$(grep -c '^PASS ' "$work/results.txt" || true)"
failed="$(grep -c '^FAIL ' "$work/results.txt" || true)"
while IFS= read -r line; do
  case "$line" in
    PASS\ *) echo "ok    ${line#PASS }" ;;
    FAIL\ *) echo "FAIL  ${line#FAIL }" ;;
  esac
done <"$work/results.txt"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ] || [ -n "${JYTHON_TEST_VERBOSE:-}" ]; then
  echo "--- what the registration script logged:"
  sed 's/^/    /' "$work/script.log" 2>/dev/null | tail -n 40 || true
  echo "--- what the Update Token script logged:"
  sed 's/^/    /' "$work/token.log" 2>/dev/null | tail -n 40 || true
  if [ -s "$work/host-stderr.log" ]; then
    echo "--- host stderr:"
    tail -n 20 "$work/host-stderr.log" | sed 's/^/    /'
  fi
fi
[ "$passed" -gt 0 ] || failed=$((failed + 1))
echo "jython: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
