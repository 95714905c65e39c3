#!/usr/bin/env bash
# Runs a command with the test services up on loopback, then stops them:
#
#   scripts/services.sh CMD...
#
#   PostgreSQL (Debian's) → MEGABOX_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable
#   versitygw (S3)        → MEGABOX_TEST_S3=http://127.0.0.1:PORT with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
#   stripe-mock (Stripe)  → MEGABOX_TEST_STRIPE=http://127.0.0.1:PORT
#   Mailpit (SMTP)        → MEGABOX_TEST_SMTP=smtp://127.0.0.1:PORT (no TLS), and its REST API at
#                           MEGABOX_TEST_MAILPIT=http://127.0.0.1:PORT (/api/v1/messages)
#
# They live in one temp dir that is removed afterwards, also when CMD fails
# or the script is interrupted. A service whose variable is already set is
# reused, not started. MEGABOX_REQUIRE_SERVICES=1 makes the tests fail
# instead of skipping when a service is missing. The exit status is CMD's.
#
# The cluster runs with fsync=off: it holds test data only. Benchmarks set
# MEGABOX_PG_FSYNC=on to measure it with the durability it has in use.
set -euo pipefail

# The whole script is one block, parsed before it runs: bash reads a script
# as it goes, and an edit to this file during a long test run would
# otherwise change what the clean-up executes.
{
if [ $# -eq 0 ]; then
  echo "usage: $0 CMD..." >&2
  exit 2
fi

root="$(cd "$(dirname "$0")/.." && pwd)"
versitygw="$root/build/tools/versitygw"
stripe_mock="$root/build/tools/stripe-mock"
mailpit="$root/build/tools/mailpit"
deadline_s=30

tmp="$(mktemp -d)"
pids=()
stop_signals=()

# alive tells whether a process runs: kill -0 also succeeds on a child that
# has exited but is not yet reaped.
alive() {
  local state
  read -r _ _ state _ 2>/dev/null <"/proc/$1/stat" && [ "$state" != Z ]
}

# stop ends the services, each with the signal in stop_signals: PostgreSQL's
# fast shutdown is SIGINT (its SIGTERM waits for every client to leave);
# stripe-mock gets SIGTERM, since a background job starts with SIGINT
# ignored and it installs no handler; so does Mailpit. A service still up
# after 10 s is killed.
stop() {
  local i pid
  for i in "${!pids[@]}"; do kill "-${stop_signals[$i]:-INT}" "${pids[$i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 500); do alive "$pid" || break; sleep 0.02; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# port_free tells whether nothing listens on a loopback port.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

random_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p"; then echo "$p"; return; fi
  done
}

# wait_ready PID NAME LOG CHECK...: polls CHECK until it succeeds, the
# process dies (1) or the deadline passes (2).
wait_ready() {
  local pid=$1 name=$2 log=$3; shift 3
  local end=$((SECONDS + deadline_s))
  while ! "$@" >/dev/null 2>&1; do
    if ! alive "$pid"; then return 1; fi
    if [ "$SECONDS" -ge "$end" ]; then
      echo "services: $name not ready after ${deadline_s}s; its log:" >&2
      tail -n 20 "$log" >&2
      return 2
    fi
    sleep 0.02
  done
}

# serve NAME DIR SIGNAL CHECK... -- CMD...: starts CMD in the background on
# a free loopback port (every "{port}" in CHECK's and CMD's words is that
# port) and waits until CHECK succeeds; the port is then in $port, and the
# clean-up stops the service with SIGNAL. A port lost to another program
# meanwhile is tried again with another, five times.
serve() {
  local name=$1 dir=$2 signal=$3 check=() pid try
  shift 3
  while [ "$1" != "--" ]; do check+=("$1"); shift; done
  shift
  for try in 1 2 3 4 5; do
    port="$(random_port)"
    "${@//\{port\}/$port}" >"$dir/server.log" 2>&1 &
    pid=$!
    if wait_ready "$pid" "$name" "$dir/server.log" "${check[@]//\{port\}/$port}"; then
      stop_signals[${#pids[@]}]=$signal
      pids+=("$pid")
      return
    elif [ $? -eq 2 ]; then
      kill -KILL "$pid" 2>/dev/null || true
      exit 1
    fi
    wait "$pid" 2>/dev/null || true
  done
  echo "services: $name did not start; its log:" >&2
  tail -n 20 "$dir/server.log" >&2
  exit 1
}

# as_postgres prefixes PostgreSQL's commands: as root, they run as the
# postgres user (the server refuses to run as root). setpriv execs, so a
# background job's PID is the server's own; a shell function would leave a
# wrapper holding that PID. --pdeathsig stops a server whose script was
# killed outright (SIGKILL runs no trap): INT is PostgreSQL's fast shutdown.
as_postgres=(setpriv --pdeathsig INT)
if [ "$(id -u)" -eq 0 ]; then
  as_postgres+=(--reuid=postgres --regid=postgres --clear-groups)
fi
as_postgres+=(--)

start_postgres() {
  local bin dir
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  if [ -z "$bin" ]; then
    echo "services: PostgreSQL is not installed (.ci/deps test installs it)" >&2
    exit 1
  fi
  dir="$tmp/pg"
  mkdir "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$tmp"
    chown postgres: "$dir"
  fi
  "${as_postgres[@]}" "$bin/initdb" --no-sync -A trust -U postgres -D "$dir/data" >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  serve postgres "$dir" INT "$bin/pg_isready" -q -h 127.0.0.1 -p "{port}" -- \
    "${as_postgres[@]}" "$bin/postgres" -D "$dir/data" -p "{port}" -k "$dir" \
    -c listen_addresses=127.0.0.1 -c fsync="${MEGABOX_PG_FSYNC:-off}" -c full_page_writes="${MEGABOX_PG_FSYNC:-off}" -c max_connections=300
  export MEGABOX_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
}

s3_up() { curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$1/"; }

start_s3() {
  local dir
  if [ ! -x "$versitygw" ]; then
    echo "services: $versitygw is missing (.ci/deps test installs it)" >&2
    exit 1
  fi
  dir="$tmp/s3"
  mkdir -p "$dir/data"
  export AWS_ACCESS_KEY_ID=megabox-test AWS_SECRET_ACCESS_KEY=megabox-test-secret AWS_REGION=us-east-1
  serve versitygw "$dir" INT s3_up "{port}" -- setpriv --pdeathsig TERM -- \
    env ROOT_ACCESS_KEY="$AWS_ACCESS_KEY_ID" ROOT_SECRET_KEY="$AWS_SECRET_ACCESS_KEY" \
    "$versitygw" --quiet --port "127.0.0.1:{port}" posix "$dir/data"
  export MEGABOX_TEST_S3="http://127.0.0.1:$port"
}

stripe_up() { curl -s --max-time 2 -o /dev/null -u sk_test_megabox: "http://127.0.0.1:$1/v1/balance"; }

# start_stripe runs stripe-mock on loopback. It listens for HTTPS too, on
# every address, unless told where: a socket in the temp dir keeps that
# side off the network.
start_stripe() {
  local dir
  if [ ! -x "$stripe_mock" ]; then
    echo "services: $stripe_mock is missing (.ci/deps test installs it)" >&2
    exit 1
  fi
  dir="$tmp/stripe"
  mkdir -p "$dir"
  serve stripe-mock "$dir" TERM stripe_up "{port}" -- \
    setpriv --pdeathsig TERM -- "$stripe_mock" -http-addr "127.0.0.1:{port}" -https-unix "$dir/https.sock"
  export MEGABOX_TEST_STRIPE="http://127.0.0.1:$port"
}

mailpit_up() { curl -sf --max-time 2 -o /dev/null "http://127.0.0.1:$1/api/v1/info"; }

# start_mailpit runs Mailpit: its SMTP side on one loopback port, found by
# serve, and its web and REST side on another, picked here first. A
# program taking that second port meanwhile makes the start fail and
# serve try again with new ones. --max 0 keeps every message: tests count
# what they sent, and Mailpit's default (500) prunes the oldest mid-test.
start_mailpit() {
  local dir http
  if [ ! -x "$mailpit" ]; then
    echo "services: $mailpit is missing (.ci/deps test installs it)" >&2
    exit 1
  fi
  dir="$tmp/mail"
  mkdir -p "$dir"
  http="$(random_port)"
  serve mailpit "$dir" TERM mailpit_up "$http" -- setpriv --pdeathsig TERM -- \
    "$mailpit" --smtp "127.0.0.1:{port}" --listen "127.0.0.1:$http" --database "$dir/mail.db" --max 0 --disable-version-check
  export MEGABOX_TEST_SMTP="smtp://127.0.0.1:$port?tls=none" MEGABOX_TEST_MAILPIT="http://127.0.0.1:$http"
}

[ -n "${MEGABOX_TEST_S3:-}" ] || start_s3
[ -n "${MEGABOX_TEST_STRIPE:-}" ] || start_stripe
[ -n "${MEGABOX_TEST_POSTGRES:-}" ] || start_postgres
[ -n "${MEGABOX_TEST_SMTP:-}" ] || start_mailpit
export MEGABOX_REQUIRE_SERVICES=1

status=0
"$@" || status=$?
exit "$status"
}
