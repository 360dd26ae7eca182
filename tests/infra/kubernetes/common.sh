# What ensure.sh and stop.sh share (sourced, with $cache set and the lock held): where the run state is, how a
# program started from the cache is recognised, and how the cluster is stopped.

# Unix socket paths are limited to 108 bytes and the kubelet makes sockets deep under its root folder: the run
# state goes to a short folder of the temporary directory when the cache path is long (named by the cache's hash, so
# every caller agrees).
run=$cache/run
if [ ${#run} -gt 60 ]; then
  run=$(dirname "$(mktemp -u)")/amldeploy-k8s-$(printf %s "$cache" | sha256sum | cut -c1-12)
fi
context=amldeploy-test
# The apiserver reaches the kubelet at the node's Hostname address, which is its name: it must resolve to 127.0.0.1.
node_name=localhost
# Paths kubelet 1.20 uses whatever --root-dir says.
kubelet_host_paths="/var/lib/kubelet /var/lib/dockershim /var/log/pods /var/log/containers"

# running PID: the process exists and is not a zombie (one that exited but was not reaped yet).
running() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}
# argv0 NAME: the program of the process in $run/NAME.pid when it is alive and was started from this cache.
argv0() {
  local pid exe
  pid=$(cat "$run/$1.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && running "$pid" || return 1
  exe=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n 1p) || return 1
  case $exe in "$cache"/*) echo "$exe" ;; *) return 1 ;; esac
}
alive() { argv0 "$1" >/dev/null; }

token() { awk -F, -v u="$1" '$3 == u "-uid" { print $1 }' "$cache/pki/tokens.csv"; }
# api PATH CURL-ARGS...: the API server as the admin (a non-curl User-Agent: no pretty-printed replies).
api() {
  local path=$1
  shift
  curl -sk -m 5 -A amldeploy-tests -H "Authorization: Bearer $(token admin)" "$@" "https://127.0.0.1:$(cat "$cache/ports/apiserver")$path"
}

# SO_REUSEADDR, as the servers bind: a port whose last connections are in TIME_WAIT is free for them.
port_free() {
  python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}
# choose_port NAME: the port NAME had last time if it is free, else a free one below Linux's ephemeral range
# (32768 and up, so that no outgoing connection takes it later); remembered in $cache/ports/NAME.
choose_port() {
  local port
  port=$(cat "$cache/ports/$1" 2>/dev/null || true)
  if [ -z "$port" ] || ! port_free "$port"; then
    port=$(python3 - "$cache/ports" <<'PY'
import os, random, socket, sys
taken = {open(os.path.join(sys.argv[1], f)).read().strip() for f in os.listdir(sys.argv[1])}
for port in random.sample(range(20000, 32000), 200):
    if str(port) in taken:
        continue
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
PY
    )
    [ -n "$port" ] || { echo "no free port on 127.0.0.1 between 20000 and 32000" >&2; return 1; }
    echo "$port" >"$cache/ports/$1"
  fi
  echo "$port"
}

# stop_one NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS (15), the process of $run/NAME.pid if it is ours.
stop_one() {
  local pid wait=${2:-15}
  if alive "$1"; then
    pid=$(cat "$run/$1.pid")
    echo "kubernetes: stopping $1 (pid $pid)" >&2
    kill "$pid" 2>/dev/null || true
    for _ in $(seq $(( wait * 10 ))); do alive "$1" || break; sleep 0.1; done
    if alive "$1"; then
      echo "kubernetes: $1 (pid $pid) still runs after $wait s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 50); do alive "$1" || break; sleep 0.1; done
    fi
  fi
  rm -f "$run/$1.pid"
}

other_kubelet() {
  local pid
  for pid in $(pgrep -x kubelet || true); do
    [ "$(cat "$run/kubelet.pid" 2>/dev/null)" != "$pid" ] && running "$pid" && { echo "$pid"; return 0; }
  done
  return 1
}

# The test engine's socket (the kubelet's pods are containers there), from its ensure.sh's env file.
engine() {
  if [ -z "${DOCKER_HOST:-}" ]; then
    DOCKER_HOST=$(sed -n 's/^export DOCKER_HOST=//p' "$cache/../docker/env" 2>/dev/null || true)
    export DOCKER_HOST
  fi
  [ -n "$DOCKER_HOST" ] && docker version >/dev/null 2>&1
}

# stop_node: the kubelet, its pods (the dockershim's k8s_* containers, and only those: the engine is shared), its
# mounts and the host paths it created, then the scheduler and the controller-manager. When another kubelet runs
# (another cache's, or the machine's), the k8s_* containers and /var/lib/kubelet are its own: left alone.
stop_node() {
  local mounts other
  stop_one kubelet
  if other=$(other_kubelet); then
    [ ! -s "$run/host-paths" ] || echo "kubernetes: another kubelet runs (pid $other): k8s_* containers and host paths left alone" >&2
  else
    if [ -d "$run" ] && engine; then
      docker ps -aq --filter label=io.kubernetes.docker.type --filter name='^/?k8s_' | xargs -r docker rm -f >/dev/null 2>&1 || true
    fi
    if [ -s "$run/host-paths" ]; then
      mounts=$(awk 'index($5, "/var/lib/kubelet/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
      for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
      xargs -r rm -rf <"$run/host-paths"
    fi
  fi
  rm -f "$run/host-paths"
  # The kubelet mounts tmpfs for secret volumes and bind-mounts its root folder onto itself: deepest first.
  mounts=$(awk -v r="$run/kubelet" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  for m in $mounts; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  stop_one sched
  stop_one kcm
  rm -rf "$run/kubelet" "$run/kcm-volume-plugins"
}

# stop_api: the API server, then etcd, whose data goes (a restarted cluster starts empty).
stop_api() {
  stop_one apiserver 5  # it waits for etcd when etcd is gone
  stop_one etcd
  rm -rf "$run/etcd-data"
}
