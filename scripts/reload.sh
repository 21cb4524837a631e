#!/usr/bin/env bash
# Load new code into a running gunicorn without dropping a request (`make reload`).
#
# SIGHUP is not enough: the app is preloaded in the master (gunicorn.conf.py), so new
# workers fork with the *old* code. Instead:
#   USR2   the old master starts a new master (a fresh interpreter: the code on disk),
#          which inherits the listening socket and boots its own workers;
#   WINCH  once the new master answers, the old master stops its workers gracefully
#          (each finishes the request it is serving);
#   TERM   the old master exits.
# Both sets of workers accept connections on the same socket while they overlap, so no
# connection is refused and none is cut off.
#
# Usage: scripts/reload.sh PIDFILE [PORT]   (`make serve` writes the pidfile)
set -euo pipefail
pidfile="${1:?usage: scripts/reload.sh PIDFILE [PORT]}"
port="${2:-8000}"
timeout="${RELOAD_TIMEOUT:-60}"

old=$(cat "$pidfile")
kill -0 "$old"
kill -USR2 "$old"

# The new master writes <pidfile>.2 once it has started, and renames it to <pidfile>
# when the old master has gone ("Master has been promoted").
deadline=$((SECONDS + timeout))
new=""
while [ "$SECONDS" -lt "$deadline" ]; do
    if [ -f "$pidfile.2" ]; then
        candidate=$(cat "$pidfile.2" 2>/dev/null || true)
        if [ -n "$candidate" ] && [ "$candidate" != "$old" ] && kill -0 "$candidate" 2>/dev/null; then
            new="$candidate"
            break
        fi
    fi
    sleep 0.2
done
[ -n "$new" ] || { echo "reload: no new master after ${timeout}s; the old one keeps serving" >&2; exit 1; }

# Wait until the new master has a worker booted (it has children), then a little for
# them to be accepting.
while [ "$SECONDS" -lt "$deadline" ] && [ -z "$(pgrep -P "$new" || true)" ]; do sleep 0.2; done
[ -n "$(pgrep -P "$new" || true)" ] || { echo "reload: new master $new has no workers; stopping it" >&2; kill -TERM "$new"; exit 1; }
sleep 1

kill -WINCH "$old"
kill -TERM "$old"
# Done when the new master has taken over the pidfile (`make serve` waits on it).
while [ "$SECONDS" -lt "$deadline" ] && [ "$(cat "$pidfile" 2>/dev/null || true)" != "$new" ]; do sleep 0.2; done
echo "reload: master $old replaced by $new on port $port"
