#!/usr/bin/env bash
# Throwaway PostgreSQL server for tests (Debian packages, 127.0.0.1, scram + TLS).
# Usage: test-postgres.sh install | start DIR [PORT] [--bare] | stop DIR | kill DIR | restart DIR | remove DIR
#
# start makes two roles, as a bank would: ssa_owner owns the database and its schema, ssa is the
# service's role. Unless --bare, it applies schema.sql (beside this script) as ssa_owner for the
# service role ssa: ssa may then only INSERT and SELECT audit rows.
set -Eeuo pipefail  # -E: ERR trap also fires inside functions

# Close every descriptor inherited from the caller except stdio (and bash's own 255): the server
# this starts would keep them open for its whole life, and a caller that learns of this script's
# exit from one of them (Foundation's Process does) would wait for the server instead.
for fd in /proc/$$/fd/*; do
  n=${fd##*/}
  case $n in 0|1|2|255) ;; *) eval "exec $n>&-" 2>/dev/null || true ;; esac
done

usage() { echo "usage: $0 install | start DIR [PORT] | stop|kill|restart|remove DIR" >&2; exit 2; }
die() { echo "test-postgres: $*" >&2; exit 1; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Highest installed /usr/lib/postgresql/*/bin (empty if none).
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true; }

cmd_install() {
  [ -n "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null || true)" ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get install -y -q --no-install-recommends postgresql)
  if ! $SUDO env DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    $SUDO env DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
  fi
  [ -n "$(pg_bin)" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin found"
}

[ $# -ge 1 ] || usage
CMD=$1; shift
if [ "$CMD" = install ]; then cmd_install; exit 0; fi
[ $# -ge 1 ] || usage
DIR=$(realpath -m -- "$1"); PORT_ARG=${2:-}; BARE=""
if [ "$PORT_ARG" = "--bare" ]; then PORT_ARG=""; BARE=1; fi
if [ "${3:-}" = "--bare" ]; then BARE=1; fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=$(pg_bin); [ -n "$BIN" ] || die "PostgreSQL not installed (run: $0 install)"
DATA=$DIR/data
cd /  # the server user may not be able to access the caller's cwd

# As root, server processes run as the 'postgres' system user.
RUN=(); OWNER=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  OWNER=postgres; RUN=(runuser -u postgres --)
fi
run() { "${RUN[@]}" "$@"; }
pgctl() { run "$BIN/pg_ctl" -D "$DATA" "$@"; }
running() { [ -d "$DATA" ] && pgctl status >/dev/null 2>&1; }
show_log() { [ -f "$DIR/server.log" ] && { echo "--- $DIR/server.log ---"; cat "$DIR/server.log"; } >&2 || true; }
wait_ready() {  # wait up to ~30s for TCP connections
  local i
  for i in $(seq 1 300); do
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$1" && return 0; sleep 0.1
  done
  return 1
}

cmd_start() {
  if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR")" ]; then die "$DIR is not empty"; fi
  if [ "$OWNER" = postgres ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
  mkdir -p "$DIR/tls"; chmod 700 "$DIR"; chown -R "$OWNER": "$DIR"
  run test -w "$DIR" || die "$OWNER cannot access $DIR (check parent directory permissions)"
  trap 'show_log' ERR
  local port=$PORT_ARG
  if [ -z "$port" ]; then
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
      || echo $((20000 + RANDOM % 20000)))
  fi
  # Throwaway CA + server cert (SAN: IP 127.0.0.1, DNS localhost).
  local t=$DIR/tls
  openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 30 \
    -subj "/CN=ssa-test-ca" -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
  openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
    -subj "/CN=127.0.0.1" -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -days 30 -out "$t/server.pem" -extfile <(printf '%s\n' "basicConstraints=CA:FALSE" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost") 2>/dev/null
  rm -f "$t/server.csr" "$t/ca.key"
  chmod 600 "$t/server.key"; chmod 644 "$t/ca.pem" "$t/server.pem"; chown -R "$OWNER": "$t"
  # Cluster: superuser 'postgres' (socket trust only), everything over TCP needs scram.
  local out
  out=$(run "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale --no-sync --no-instructions \
        --auth-local=trust --auth-host=scram-sha-256 2>&1) || { echo "$out" >&2; exit 1; }
  run tee -a "$DATA/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DIR'
password_encryption = 'scram-sha-256'
ssl = on
ssl_cert_file = '$t/server.pem'
ssl_key_file = '$t/server.key'
CONF
  run tee "$DATA/pg_hba.conf" >/dev/null <<HBA
local   all  postgres                trust
hostssl all  all       127.0.0.1/32  scram-sha-256
host    all  all       127.0.0.1/32  scram-sha-256
HBA
  echo "$port" > "$DIR/port"; chown "$OWNER": "$DIR/port"
  pgctl start -w -t 30 -l "$DIR/server.log" >/dev/null
  run "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$port" -U postgres -d postgres \
    -v pw="${SSA_PG_PASSWORD:-ssa-test-password}" >/dev/null <<'SQL'
CREATE ROLE ssa_owner LOGIN PASSWORD :'pw';
CREATE ROLE ssa LOGIN PASSWORD :'pw';
CREATE DATABASE ssa OWNER ssa_owner;
SQL
  if [ -z "$BARE" ]; then
    run env PGOPTIONS=--client-min-messages=warning "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$port" -U postgres -d ssa -v service_role=ssa \
      -c 'SET ROLE ssa_owner' -f - <"$HERE/schema.sql" >/dev/null
  fi
  wait_ready "$port"
  trap - ERR
  echo "postgres://ssa@127.0.0.1:$port/ssa"
}

case "$CMD" in
  start) cmd_start ;;
  stop) if running; then pgctl stop -w -m fast >/dev/null; fi ;;
  kill) if running; then pgctl stop -w -m immediate >/dev/null; fi ;;
  restart)
    [ -f "$DIR/port" ] || die "$DIR/port missing (was the cluster started?)"
    PORT=$(cat "$DIR/port")
    if ! running; then pgctl start -w -t 30 -l "$DIR/server.log" >/dev/null || { show_log; exit 1; }; fi
    wait_ready "$PORT" || { show_log; die "server on port $PORT not ready"; } ;;
  remove) if running; then pgctl stop -w -m fast >/dev/null || true; fi; rm -rf -- "$DIR" ;;
  *) usage ;;
esac
