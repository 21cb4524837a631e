#!/usr/bin/env bash
# `make serve`'s server: gunicorn with gunicorn.conf.py (the same configuration as the
# systemd unit), plus the task worker under scripts/keep-running.sh unless
# RUN_TASK_WORKER=0. Ctrl-C, or TERM to this script, stops them gracefully.
#
#   GUNICORN_PIDFILE=.venv-prod/gunicorn-8000.pid PORT=8000 scripts/serve.sh .venv-prod/bin
#
# Why not `trap 'kill 0'`: Ctrl-C sends INT to the whole foreground group at once, and
# INT is gunicorn's *quick* shutdown, which cuts requests in flight. So both children run
# in sessions of their own (setsid), out of the terminal's reach; on INT or TERM this
# script sends TERM to gunicorn's master, which stops accepting and lets each worker
# finish its request (graceful_timeout), and waits for it. After `make reload` the
# master is a new process (the pid file says which), and it is the one stopped.
set -u
bin="${1:-.venv-prod/bin}"
pidfile="${GUNICORN_PIDFILE:?set GUNICORN_PIDFILE (make serve does)}"
worker=0
gunicorn=0

masters() {
  local file pid
  for file in "$pidfile" "$pidfile.2"; do
    pid="$(cat "$file" 2>/dev/null)" || continue
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
  done
  [ "$gunicorn" -ne 0 ] && kill -0 "$gunicorn" 2>/dev/null && echo "$gunicorn"
}

stop() {
  trap '' INT TERM  # a second signal (make passes one on) must not cut the stop short
  echo "Stopping: requests in flight may finish (up to ${GUNICORN_GRACEFUL_TIMEOUT:-30} s)." >&2
  local pid
  for pid in $(masters | sort -u); do kill -TERM "$pid" 2>/dev/null; done
  [ "$worker" -ne 0 ] && kill -TERM "$worker" 2>/dev/null
  while [ -n "$(masters)" ]; do sleep 0.2; done
  sleep 0.5  # a master being promoted has no pid file for an instant (running(), below)
  for pid in $(masters); do kill -TERM "$pid" 2>/dev/null; done
  while [ -n "$(masters)" ]; do sleep 0.2; done
  [ "$worker" -ne 0 ] && wait "$worker" 2>/dev/null
  exit 0
}
trap stop INT TERM

if [ "${RUN_TASK_WORKER:-1}" != 0 ]; then
  setsid scripts/keep-running.sh "$bin/python" manage.py task_worker --interval 2 &
  worker=$!
fi
setsid "$bin/gunicorn" --config gunicorn.conf.py &
gunicorn=$!
# Serve on while a master lives (after `make reload`, the new one). Gone means gone on
# two looks a second apart: a promoted master moves its pid file from .pid.2 to .pid, and
# for an instant neither exists. `sleep & wait`, so a signal is handled at once.
running() {
  [ -n "$(masters)" ] && return 0
  sleep 1 &
  wait $!
  [ -n "$(masters)" ]
}
while running; do
  sleep 1 &
  wait $!
done
[ "$worker" -ne 0 ] && kill -TERM "$worker" 2>/dev/null && wait "$worker"
echo "gunicorn exited." >&2
exit 1
