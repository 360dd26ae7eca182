#!/usr/bin/env bash
# A real Docker engine for the tests of the Docker target, set up from Debian packages only (no Docker Hub):
#
#   * dockerd (Debian's docker.io) with overlay2 and the default bridge, so `-p 127.0.0.1:PORT:5001` works;
#   * a registry on 127.0.0.1 (Debian's docker-registry), on a free port chosen once and remembered;
#   * two base images built with mmdebstrap, never pulled (images.sh): Debian's python3 with pip and venv, and
#     the same system without python.
#
#   eval "$(tests/infra/docker/ensure.sh)"    then DOCKER_HOST, AMLDEPLOY_TEST_REGISTRY,
#                                              AMLDEPLOY_TEST_BASE_IMAGE and AMLDEPLOY_TEST_NOPY_IMAGE are set
#
# stdout is only the `export` lines (also written to $cache/env for tests/infra/docker_engine.py); progress,
# with timings, goes to stderr. Idempotent: a second call finds everything running and returns in well under a
# second. Everything lives OUTSIDE the clone, shared by every clone and worktree of this machine:
#   ${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/docker
# (the engine's data, the registry's storage, the saved images, logs, pid files). tests/infra/docker/stop.sh
# stops the engine and the registry by their pids and keeps the caches. Needs root (apt, dockerd).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/docker

t0=$(date +%s%N)
log() { printf 'docker ensure.sh [%6.2fs] %s\n' "$(( $(date +%s%N) - t0 ))e-9" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (apt-get and dockerd); run it as root"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 || die "could not lock $cache/.lock"

# Unix socket paths are limited to 108 bytes, and containerd puts longer names under the exec root: both go to
# a short folder of /tmp when the cache path is long (named by the cache's hash, so every caller agrees).
run=$cache/run
if [ ${#run} -gt 60 ]; then
  run=/tmp/amldeploy-docker-$(printf %s "$cache" | sha256sum | cut -c1-12)
fi
sock=$run/docker.sock
export DOCKER_HOST=unix://$sock
recipe=$(sha256sum "$here/images.sh" | cut -c1-16)
# The recipe is in the tags: clones of other revisions (another worktree, an older checkout) keep their own images
# instead of rebuilding the same tags back and forth.
py_tag=amldeploy-test/python:bookworm-$recipe
nopy_tag=amldeploy-test/nopython:bookworm-$recipe
archive=$cache/images-$recipe-tagged.tar.gz  # the images under the tags above

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
engine_up() { alive "$cache/dockerd.pid" && docker version >/dev/null 2>&1; }
registry_url() { echo "http://127.0.0.1:$(cat "$cache/registry.port")/v2/"; }
registry_up() {
  alive "$cache/registry.pid" && [ -s "$cache/registry.port" ] \
    && curl -fsS -m 2 -o /dev/null "$(registry_url)" 2>/dev/null
}
images_current() {
  local labels
  labels=$(docker image inspect -f '{{index .Config.Labels "org.amldeploy.test.recipe"}}' \
    "$py_tag" "$nopy_tag" 2>/dev/null) || return 1
  [ "$labels" = "$recipe"$'\n'"$recipe" ]
}
finish() {
  local env
  env=$(printf 'export %s=%s\n' DOCKER_HOST "$DOCKER_HOST" \
    AMLDEPLOY_TEST_REGISTRY "127.0.0.1:$(cat "$cache/registry.port")" \
    AMLDEPLOY_TEST_BASE_IMAGE "$py_tag" AMLDEPLOY_TEST_NOPY_IMAGE "$nopy_tag")
  [ "$(cat "$cache/env" 2>/dev/null)" = "$env" ] || printf '%s\n' "$env" >"$cache/env"
  printf '%s\n' "$env"
  exit 0
}

# ------------------------------------------------------------------------------------ fast path: all up
if command -v dockerd >/dev/null && engine_up && registry_up && images_current; then
  log "engine, registry and images already up"
  finish
fi

# ------------------------------------------------------------------------------------ Debian packages
# Only what is missing, with nothing recommended; apt-get upgrades nothing it was not asked for.
missing=()
for pkg in docker.io mmdebstrap docker-registry; do
  [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
done
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-o DPkg::Lock::Timeout=300 -q)
  apt-get "${apt_opts[@]}" update >&2
  apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >&2
  log "installed ${missing[*]}"
fi

# ------------------------------------------------------------------------------------ the engine
if ! engine_up; then
  if alive "$cache/dockerd.pid"; then
    die "dockerd (pid $(cat "$cache/dockerd.pid")) runs but does not answer on $sock; see $cache/dockerd.log"
  fi
  # A daemon that died leaves its netns mount, its socket and containerd's files behind.
  if mountpoint -q "$run/exec/netns/default" 2>/dev/null; then umount "$run/exec/netns/default"; fi
  rm -f "$sock" "$cache/dockerd.pid"
  mkdir -p "$run" "$cache/data"
  log "starting dockerd (overlay2, default bridge), socket $sock"
  # setsid + every fd redirected or closed: the daemon outlives this script and the test run that called it,
  # and holds neither the caller's pipes nor the lock (fd 9) open.
  setsid dockerd --data-root "$cache/data" --exec-root "$run/exec" --pidfile "$cache/dockerd.pid" \
    --host "unix://$sock" --storage-driver overlay2 \
    </dev/null >>"$cache/dockerd.log" 2>&1 9>&- &
  pid=$!
  for _ in $(seq 300); do
    docker version >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$cache/dockerd.log" >&2; die "dockerd exited; see $cache/dockerd.log"; }
    sleep 0.1
  done
  docker version >/dev/null 2>&1 || die "dockerd did not answer within 30 s; see $cache/dockerd.log"
  log "dockerd ready (pid $(cat "$cache/dockerd.pid"), $(docker info -f '{{.Driver}}'))"
fi

# ------------------------------------------------------------------------------------ the registry
# A free port below Linux's ephemeral range (32768 and up), so that no outgoing connection takes it later.
free_port() {
  python3 - <<'PY'
import random, socket
for port in random.sample(range(20000, 32000), 200):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
}
port_taken() {
  ! python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
if ! registry_up; then
  if alive "$cache/registry.pid"; then kill "$(cat "$cache/registry.pid")"; sleep 0.2; fi
  rm -f "$cache/registry.pid"
  port=$(cat "$cache/registry.port" 2>/dev/null || true)
  if [ -z "$port" ] || port_taken "$port"; then
    port=$(free_port)
    [ -n "$port" ] || die "no free port on 127.0.0.1 between 20000 and 32000"
    echo "$port" >"$cache/registry.port"
  fi
  mkdir -p "$cache/registry"
  cat >"$cache/registry.yml" <<YML
# written by tests/infra/docker/ensure.sh
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $cache/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YML
  log "starting the registry on 127.0.0.1:$port"
  setsid docker-registry serve "$cache/registry.yml" </dev/null >>"$cache/registry.log" 2>&1 9>&- &
  echo $! >"$cache/registry.pid"
  for _ in $(seq 100); do
    curl -fsS -m 1 -o /dev/null "$(registry_url)" 2>/dev/null && break
    alive "$cache/registry.pid" || { tail -n 20 "$cache/registry.log" >&2; die "the registry exited"; }
    sleep 0.1
  done
  registry_up || die "the registry did not answer within 10 s; see $cache/registry.log"
  log "registry ready (pid $(cat "$cache/registry.pid"))"
fi

# ------------------------------------------------------------------------------------ the base images
if ! images_current; then
  if [ -s "$archive" ]; then
    log "loading $py_tag and $nopy_tag from $archive"
    docker load -q -i "$archive" >/dev/null
  else
    log "building $py_tag and $nopy_tag with mmdebstrap (about half a minute)"
    "$here/images.sh" "$archive" "$py_tag" "$nopy_tag" "$recipe"
    for old in "$cache"/images-*.tar.gz; do
      [ "$old" = "$archive" ] || rm -f "$old"
    done
  fi
  images_current || die "the base images do not carry recipe $recipe after loading/building them"
  log "images ready: $py_tag ($(docker image inspect -f '{{.Size}}' "$py_tag") bytes), $nopy_tag"
fi

finish
