#!/usr/bin/env bash
# Stops the engine and the registry that tests/infra/docker/ensure.sh started, by the pids it recorded, and
# unmounts what dockerd leaves mounted. The caches (images, engine data, registry storage) stay for the next
# ensure.sh. Containers still running are stopped by the engine as it shuts down.
set -uo pipefail
cache=${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/docker
run=$cache/run
if [ ${#run} -gt 60 ]; then
  run=/tmp/amldeploy-docker-$(printf %s "$cache" | sha256sum | cut -c1-12)
fi
[ -d "$cache" ] || exit 0
exec 9>"$cache/.lock"
flock 9

stop_pid() {  # NAME PIDFILE
  [ -s "$2" ] || return 0
  local pid
  pid=$(cat "$2")
  if kill "$pid" 2>/dev/null; then
    echo "docker stop.sh: stopping $1 (pid $pid)" >&2
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "docker stop.sh: $1 (pid $pid) still runs after 15 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -f "$2"
}
stop_pid registry "$cache/registry.pid"
stop_pid dockerd "$cache/dockerd.pid"
if mountpoint -q "$run/exec/netns/default" 2>/dev/null; then umount "$run/exec/netns/default"; fi
rm -f "$run/docker.sock" "$cache/env"
