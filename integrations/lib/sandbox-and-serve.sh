# Sourced by integrations/janssen/jython/run-jython-tests.sh and
# integrations/openapi/run-schemathesis.sh: the sandbox directory and `ssa-verify serve` on free
# loopback ports, stopped (and `work` removed) however the script ends.
#
# The caller sets `work` (a temporary folder), `bin` (ssa-verify) and `fixtures`, sources this
# file, then calls `start_sandbox_and_serve LABEL [SERVE_OPTION ...]`: afterwards `url` is serve's
# base URL, and `stop "$serve_pid"` stops serve early if the script needs that.

sandbox_pid=""
serve_pid=""

stop() { # stop PID: TERM, then KILL after 5 s; never waits longer
  local pid="$1"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop "$serve_pid"
  stop "$sandbox_pid"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for_line() { # wait_for_line FILE REGEX SECONDS PID: the first match, or fail
  local file="$1" regex="$2" seconds="$3" pid="$4" line
  for _ in $(seq 1 $((seconds * 10))); do
    line="$(grep -Eo "$regex" "$file" 2>/dev/null | head -n 1 || true)"
    if [ -n "$line" ]; then
      printf '%s\n' "$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

start_sandbox_and_serve() { # LABEL [SERVE_OPTION ...]: exits 2, saying why, when either does not start
  local label="$1"
  shift
  "$bin" sandbox --fixtures "$fixtures" --port 0 --write-config "$work/toolkit.json" >"$work/sandbox.log" 2>&1 &
  sandbox_pid=$!
  if ! wait_for_line "$work/sandbox.log" 'config ' 30 "$sandbox_pid" >/dev/null || [ ! -s "$work/toolkit.json" ]; then
    echo "$label: the sandbox did not start:" >&2
    cat "$work/sandbox.log" >&2
    exit 2
  fi
  "$bin" serve --config "$work/toolkit.json" --port 0 "$@" >"$work/serve.log" 2>&1 &
  serve_pid=$!
  if ! url="$(wait_for_line "$work/serve.log" 'http://127\.0\.0\.1:[0-9]+' 30 "$serve_pid")"; then
    echo "$label: the decision service did not start:" >&2
    cat "$work/serve.log" >&2
    exit 2
  fi
}
