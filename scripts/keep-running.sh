#!/usr/bin/env bash
# Run a command for ever: when it exits (crash, kill -9, out of memory), wait
# KEEP_RUNNING_DELAY seconds (default 2) and start it again. `make serve` runs the task
# worker under this, so a dead worker is back within seconds and never silently gone.
# SIGTERM/SIGINT stop the loop and the command together.
set -u
delay="${KEEP_RUNNING_DELAY:-2}"
child=0
stop() {
    trap - TERM INT
    if [ "$child" -ne 0 ]; then kill -TERM "$child" 2>/dev/null; wait "$child"; fi
    exit 0
}
trap stop TERM INT
while true; do
    "$@" &
    child=$!
    wait "$child"
    status=$?
    child=0
    printf '{"level": "WARNING", "logger": "keep-running", "message": "process exited; restarting", "status": %d, "event": "keep_running.restart"}\n' "$status" >&2
    sleep "$delay" &
    wait $!
done
