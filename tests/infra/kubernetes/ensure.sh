#!/usr/bin/env bash
# A real Kubernetes v1.20.2 for the tests of the Kubernetes target, built from Debian's source package (no image or
# binary is downloaded from anywhere but the Debian archive) and run on 127.0.0.1 only:
#
#   eval "$(tests/infra/kubernetes/ensure.sh)"        etcd + kube-apiserver: KUBECONFIG is set
#   eval "$(tests/infra/kubernetes/ensure.sh full)"   (or FULL=1) also kube-controller-manager, kube-scheduler and
#                                                     a kubelet whose pods run on the test Docker engine
#                                                     (tests/infra/docker/ensure.sh), until the node is Ready
#
# stdout is only `export` lines (also written to $cache/env for tests/infra/kube_cluster.py): KUBECONFIG (an admin
# kubeconfig in the cache), AMLDEPLOY_TEST_K8S_CONTEXT, AMLDEPLOY_TEST_K8S_FULL (1 when the node runs), and when it
# does, AMLDEPLOY_TEST_K8S_PAUSE_IMAGE and the Docker engine's lines (DOCKER_HOST, AMLDEPLOY_TEST_REGISTRY, ...).
# Progress, with timings, goes to stderr. Idempotent: a second call finds everything running and returns in well
# under a second; `full` after an API-only call starts the node's three programs without restarting the API server.
#
# Pods see the images of the test Docker engine (the kubelet runs them there, as k8s_* containers), so an image
# built there or pushed to its registry on 127.0.0.1 runs with imagePullPolicy IfNotPresent (or Always, for the
# registry). Pods get Docker-bridge addresses the host reaches; there is no kube-proxy (ClusterIPs do not route)
# and no cluster DNS. Port-forward, logs and exec work through the API server.
#
# Everything lives OUTSIDE the clone, shared by every clone and worktree of this machine:
#   ${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/kubernetes
# the fetched Debian packages, the Go caches, the binaries (bin-<hash of fetch.sh, build.sh and kubelet.patch>: a
# changed recipe rebuilds, in about a minute with the Go caches warm; cold: about 5 minutes on 2 cores), the
# certificates, the chosen ports, the run state (etcd's data, logs, pid files). tests/infra/kubernetes/stop.sh stops
# it all by pid and keeps the caches. Needs root. The kubelet never changes host sysctls (kubelet.patch).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/kubernetes
full=${FULL:-0}
case "${1:-}" in
  full) full=1 ;;
  api | "") ;;
  *) echo "usage: $0 [api|full]" >&2; exit 2 ;;
esac
[ "$full" = 1 ] || full=0

t0=$(date +%s%N)
# Progress to stderr, and to $cache/ensure.log with the date and pid (the cluster is shared: who restarted what).
log() {
  local line
  line=$(printf 'kubernetes ensure.sh [%6.2fs] %s' "$(( $(date +%s%N) - t0 ))e-9" "$*")
  printf '%s\n' "$line" >&2
  if [ -d "$cache" ]; then printf '%s %s %s\n' "$(date -u +%FT%TZ)" "$$" "$line" >>"$cache/ensure.log"; fi
}
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (the kubelet mounts volumes and runs pods on the test Docker engine)"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 || die "could not lock $cache/.lock"

# shellcheck source=tests/infra/kubernetes/common.sh
. "$here/common.sh"

recipe=$(cat "$here/fetch.sh" "$here/build.sh" "$here/kubelet.patch" | sha256sum | cut -c1-16)
bin=$cache/bin-$recipe
etcd_bin=$cache/root/usr/bin/etcd
pause_tag=amldeploy-test/k8s-pause:1  # a new tag when the image made below changes
declare -A program=(
  [etcd]=$etcd_bin [apiserver]=$bin/kube-apiserver [kcm]=$bin/kube-controller-manager
  [sched]=$bin/kube-scheduler [kubelet]=$bin/kubelet
)

current() { [ "$(argv0 "$1")" = "${program[$1]}" ]; }  # alive, and runs this recipe's binary
api_up() {
  current etcd && current apiserver && [ -s "$cache/ports/apiserver" ] && [ "$(api /readyz -o /dev/null -w '%{http_code}')" = 200 ]
}
node_ready() { api /api/v1/nodes/$node_name | grep -q '"type":"Ready","status":"True"'; }
node_up() { current kcm && current sched && current kubelet && node_ready; }

finish() {
  local env
  env=$(
    printf 'export %s=%s\n' KUBECONFIG "$cache/kubeconfig" AMLDEPLOY_TEST_K8S_CONTEXT "$context" AMLDEPLOY_TEST_K8S_FULL "$full"
    if [ "$full" = 1 ]; then
      printf 'export %s=%s\n' AMLDEPLOY_TEST_K8S_PAUSE_IMAGE "$pause_tag"
      printf '%s\n' "$docker_env"
    fi
  )
  [ "$(cat "$cache/env" 2>/dev/null)" = "$env" ] || printf '%s\n' "$env" >"$cache/env"
  printf '%s\n' "$env"
  exit 0
}

# ------------------------------------------------------------------------------------ fast path: all up
# A node already running counts as asked for: the env then says so (and carries the engine's settings).
if [ "$full" = 0 ] && api_up && node_up; then full=1; fi
docker_env=
if [ "$full" = 1 ]; then
  if ! current kubelet && other=$(other_kubelet); then
    die "another kubelet runs (pid $other): kubelet 1.20 would share $kubelet_host_paths with it"
  fi
  docker_env=$("$here/../docker/ensure.sh") || die "the test Docker engine did not start (tests/infra/docker/ensure.sh)"
  eval "$docker_env"
  export DOCKER_HOST
fi
if api_up && { [ "$full" = 0 ] || node_up; }; then
  log "already up$([ "$full" = 1 ] && echo ", with the node Ready")"
  finish
fi

# ------------------------------------------------------------------------------------ fetch and build
# The tools the scripts use that a minimal Debian may lack, from its packages of the same names (pgrep: procps).
missing=()
for tool in curl openssl patch python3 pgrep; do
  command -v "$tool" >/dev/null || missing+=("$([ "$tool" = pgrep ] && echo procps || echo "$tool")")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  apt_opts=(-o DPkg::Lock::Timeout=300 -q)
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update >&2
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >&2
fi
if [ "$(cat "$cache/fetched" 2>/dev/null)" != "$(sha256sum "$here/fetch.sh" | cut -c1-16)" ]; then
  log "fetching Debian's kubernetes 1.20.2 source, Go 1.19 and etcd (about 20 s)"
  "$here/fetch.sh" "$cache" </dev/null >"$cache/fetch.log" 2>&1 || { tail -n 20 "$cache/fetch.log" >&2; die "fetch.sh failed; see $cache/fetch.log"; }
  log "fetched"
fi
if [ ! -x "$bin/kubelet" ]; then
  log "building kube-apiserver, kube-controller-manager, kube-scheduler, kubelet into $bin" \
    "($( [ -d "$cache/gocache" ] && echo "Go caches warm: about a minute" || echo "cold: about 5 minutes on 2 cores"); log in $cache/build.log)"
  "$here/build.sh" "$cache" "$bin" </dev/null >"$cache/build.log" 2>&1 || { tail -n 30 "$cache/build.log" >&2; die "build.sh failed; see $cache/build.log"; }
  for old in "$cache"/bin-*; do [ "$old" = "$bin" ] || rm -rf "$old"; done
  log "built"
fi

# ------------------------------------------------------------------------------------ certificates, tokens
pki=$cache/pki
if [ ! -s "$pki/tokens.csv" ]; then
  rm -rf "$pki.tmp" && mkdir -p "$pki.tmp"
  (
    cd "$pki.tmp"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=amldeploy-test-ca"
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver"
    printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" \
      "extendedKeyUsage=serverAuth" >san.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3650 -extfile san.ext
    openssl genrsa -out sa.key 2048
    openssl rsa -in sa.key -pubout -out sa.pub
    # Static tokens, random per machine: the admin, the node (its user name must be system:node:<node name>), and
    # the controller-manager and scheduler.
    for user in admin,system:masters node,system:nodes kcm,system:masters sched,system:masters; do
      name=${user%%,*}
      case $name in
        node) subject=system:node:$node_name ;; kcm) subject=system:kube-controller-manager ;;
        sched) subject=system:kube-scheduler ;; *) subject=$name ;;
      esac
      echo "$(openssl rand -hex 20),$subject,$name-uid,${user#*,}" >>tokens.csv
    done
  ) >/dev/null 2>&1 || die "openssl failed to make the cluster's certificates"
  chmod 600 "$pki.tmp"/*.key "$pki.tmp/tokens.csv"
  rm -rf "$pki" && mv "$pki.tmp" "$pki"
  log "certificates and tokens made in $pki"
fi

# kubeconfig FILE USER: a kubeconfig for one of the tokens, pointing at the API server's current port.
kubeconfig() {
  local file=$1 user=$2 tmp
  tmp=$(mktemp "$file.XXXXXX")
  cat >"$tmp" <<KC
apiVersion: v1
kind: Config
clusters:
- name: $context
  cluster:
    server: https://127.0.0.1:$(cat "$cache/ports/apiserver")
    certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
- name: $context-$user
  user:
    token: $(token "$user")
contexts:
- name: $context
  context: {cluster: $context, user: $context-$user}
current-context: $context
KC
  chmod 600 "$tmp"
  if cmp -s "$tmp" "$file"; then rm -f "$tmp"; else mv "$tmp" "$file"; fi
}

# start NAME ARGS...: runs the program in its own session, detached from this script (every fd redirected or
# closed, so it outlives the caller and holds neither its pipes nor the lock), logging to $run/NAME.log.
start() {
  local name=$1
  shift
  (cd "$run" && exec setsid "${program[$name]}" "$@" </dev/null >"$run/$name.log" 2>&1 9>&-) &
  echo $! >"$run/$name.pid"
}
# wait_for NAME SECONDS CHECK...: polls CHECK every 0.1 s while NAME runs.
wait_for() {
  local name=$1 deadline=$(( $(date +%s) + $2 ))
  shift 2
  until "$@" 2>/dev/null; do
    alive "$name" || { tail -n 15 "$run/$name.log" >&2; die "$name exited; see $run/$name.log"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -n 15 "$run/$name.log" >&2; die "$name not ready in time; see $run/$name.log"; }
    sleep 0.1
  done
}

# settle SECONDS CHECK...: whether CHECK passes within SECONDS. The cluster is shared: a restart loses everything
# in it (the API server's) or every pod (the node's), so one that runs but does not answer gets a while first.
settle() {
  local deadline=$(( $(date +%s) + $1 ))
  shift
  until "$@" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}
state() {  # what runs of NAME..., for the log
  local name out=
  for name in "$@"; do current "$name" && out+=", $name up" || out+=", $name not running"; done
  echo "${out#, }"
}

# ------------------------------------------------------------------------------------ etcd + API server
if ! api_up && current etcd && current apiserver; then
  log "etcd and kube-apiserver run but /readyz does not answer 200: waiting up to 60 s before restarting them"
  settle 60 api_up || true
fi
if ! api_up; then
  log "starting etcd and kube-apiserver ($(state etcd apiserver); a restarted cluster is empty)"
  stop_node
  stop_api
  mkdir -p "$run" "$cache/ports"
  etcd_port=$(choose_port etcd) etcd_peer=$(choose_port etcd-peer) api_port=$(choose_port apiserver)
  start etcd --name amldeploy-test --data-dir "$run/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "amldeploy-test=http://127.0.0.1:$etcd_peer"
  wait_for etcd 30 curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$etcd_port/health"
  log "etcd ready on 127.0.0.1:$etcd_port (pid $(cat "$run/etcd.pid"))"
  start apiserver --etcd-servers="http://127.0.0.1:$etcd_port" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
    --secure-port="$api_port" --insecure-port=0 --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" --authorization-mode=Node,RBAC \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local --service-cluster-ip-range=10.0.0.0/24 \
    --allow-privileged=true --kubelet-preferred-address-types=Hostname,InternalIP --profiling=false \
    --enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass,DefaultTolerationSeconds,ResourceQuota,NodeRestriction
  wait_for apiserver 90 api_up
  log "kube-apiserver v1.20.2 ready on 127.0.0.1:$api_port (pid $(cat "$run/apiserver.pid"))"
fi
kubeconfig "$cache/kubeconfig" admin

# ------------------------------------------------------------------------------------ the node
if [ "$full" = 1 ] && ! node_up && current kcm && current sched && current kubelet; then
  log "the node's programs run but the node is not Ready: waiting up to 60 s before restarting them"
  settle 60 node_up || true
fi
if [ "$full" = 1 ] && ! node_up; then
  log "starting the node ($(state kcm sched kubelet), node $(node_ready && echo Ready || echo not Ready))"
  stop_node
  if other=$(other_kubelet); then
    die "another kubelet runs (pid $other): kubelet 1.20 would share $kubelet_host_paths with it"
  fi
  mkdir -p "$run/kubelet"
  # The sandbox ("pause") image, from Debian's busybox-static: nothing is pulled. It exits on SIGTERM, so deleting
  # a pod does not wait for the grace period because of it.
  if ! docker image inspect "$pause_tag" >/dev/null 2>&1; then
    img=$run/pause-rootfs
    rm -rf "$img" && mkdir -p "$img/bin" "$img/etc" "$img/tmp" "$img/proc" "$img/sys" "$img/dev"
    cp "$cache/root/bin/busybox" "$img/bin/"
    ln -s busybox "$img/bin/sh" && ln -s busybox "$img/bin/sleep"
    echo 'root:x:0:0:root:/root:/bin/sh' >"$img/etc/passwd"
    tar -C "$img" -c . | docker import --change 'ENV PATH=/bin' --change 'LABEL org.amldeploy.test=k8s-pause' \
      --change 'ENTRYPOINT ["/bin/sh", "-c", "trap \"exit 0\" TERM INT; while :; do sleep 2147483647 & wait $!; done"]' \
      - "$pause_tag" >/dev/null || die "could not import the pause image $pause_tag"
    rm -rf "$img"
    log "pause image $pause_tag imported"
  fi
  kcm_port=$(choose_port kcm) sched_port=$(choose_port sched) kubelet_port=$(choose_port kubelet) kubelet_hz=$(choose_port kubelet-healthz)
  for user in kcm sched node; do kubeconfig "$run/$user.kubeconfig" "$user"; done
  start kcm --kubeconfig="$run/kcm.kubeconfig" --authentication-kubeconfig="$run/kcm.kubeconfig" \
    --authorization-kubeconfig="$run/kcm.kubeconfig" --bind-address=127.0.0.1 --secure-port="$kcm_port" --port=0 --leader-elect=false \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" --service-cluster-ip-range=10.0.0.0/24 \
    --cluster-signing-cert-file="$pki/ca.crt" --cluster-signing-key-file="$pki/ca.key" \
    --flex-volume-plugin-dir="$run/kcm-volume-plugins" --profiling=false
  start sched --kubeconfig="$run/sched.kubeconfig" --authentication-kubeconfig="$run/sched.kubeconfig" \
    --authorization-kubeconfig="$run/sched.kubeconfig" --bind-address=127.0.0.1 --secure-port="$sched_port" --port=0 \
    --leader-elect=false --profiling=false
  # Paths kubelet 1.20 uses whatever --root-dir says: those it creates are removed by stop.sh.
  : >"$run/host-paths"
  for path in $kubelet_host_paths; do [ -e "$path" ] || echo "$path" >>"$run/host-paths"; done
  # A stale Node object (from a kubelet that died) would look Ready until its lease runs out.
  api "/api/v1/nodes/$node_name" -X DELETE -o /dev/null || true
  # The kubelet, on the test engine through its built-in dockershim. No network plugin: each sandbox gets Docker's
  # default bridge and that address is the pod IP. Never garbage-collects images (the engine is shared), never
  # evicts for disk, never sets negative OOM scores. Its in-tree ECR credential code would call the EC2 metadata
  # address on the first image pull: AWS_EC2_METADATA_DISABLED. socat (from the cache) is on its PATH for
  # port-forward.
  (
    export AWS_EC2_METADATA_DISABLED=true PATH=$cache/tools:$PATH
    start kubelet --kubeconfig="$run/node.kubeconfig" --hostname-override="$node_name" \
      --address=127.0.0.1 --port="$kubelet_port" --read-only-port=0 --healthz-bind-address=127.0.0.1 --healthz-port="$kubelet_hz" \
      --container-runtime=docker --docker-endpoint="$DOCKER_HOST" --pod-infra-container-image="$pause_tag" \
      --container-runtime-endpoint="unix://$run/dockershim.sock" --image-service-endpoint="unix://$run/dockershim.sock" \
      --root-dir="$run/kubelet" --cert-dir="$run/kubelet/pki" --volume-plugin-dir="$run/kubelet/volume-plugins" \
      --cgroup-driver=cgroupfs --cgroups-per-qos=false --enforce-node-allocatable= --fail-swap-on=false --oom-score-adj=0 \
      --anonymous-auth=true --authorization-mode=AlwaysAllow --authentication-token-webhook=false --make-iptables-util-chains=false \
      --image-gc-high-threshold=100 --image-gc-low-threshold=99 --eviction-hard='memory.available<1Mi' --resolv-conf=/etc/resolv.conf \
      --network-plugin= --hairpin-mode=none --node-status-update-frequency=2s
  )
  log "kube-controller-manager, kube-scheduler and kubelet started (pids $(cat "$run/kcm.pid") $(cat "$run/sched.pid") $(cat "$run/kubelet.pid"))"
  wait_for kubelet 120 node_up
  log "node $node_name Ready"
fi

finish
