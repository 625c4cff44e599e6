#!/usr/bin/env bash
# Starts, stops or restarts the cognitod under test, as set up by run.sh:
#
#   server.sh start|stop|restart
#
# Reads COGNITOD_SERVE_CMD (the command line), COGNITOD_ENDPOINT and COGNITOD_E2E_DIR (where
# the pid file and the server log live). `stop` sends SIGTERM and waits for a clean exit.
set -euo pipefail

dir="${COGNITOD_E2E_DIR:?COGNITOD_E2E_DIR is not set}"
pid_file="$dir/server.pid"
log="$dir/server.log"

# A process that exited but was not reaped yet still answers `kill -0`: look at its state.
alive() {
  local state
  state="$(ps -o stat= -p "$1" 2>/dev/null || true)"
  [ -n "$state" ] && [[ "$state" != Z* ]]
}

start() {
  # shellcheck disable=SC2086 # the command line is a list of words without spaces
  $COGNITOD_SERVE_CMD </dev/null >>"$log" 2>&1 &
  local pid=$!
  echo "$pid" >"$pid_file"
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null "$COGNITOD_ENDPOINT/health/ready" 2>/dev/null; then
      return 0
    fi
    alive "$pid" || break
    sleep 0.1
  done
  echo "cognitod did not become ready at $COGNITOD_ENDPOINT" >&2
  return 1
}

stop() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid="$(cat "$pid_file")"
  rm -f "$pid_file"
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    alive "$pid" || return 0
    sleep 0.1
  done
  echo "cognitod ignored SIGTERM for 10 s; killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  *) echo "usage: server.sh start|stop|restart" >&2; exit 2 ;;
esac
