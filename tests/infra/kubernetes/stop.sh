#!/usr/bin/env bash
# Stops the test cluster that tests/infra/kubernetes/ensure.sh started, by the pids it recorded: the kubelet, then
# its pods (the k8s_* containers of the test Docker engine, and nothing else there: the engine is shared and keeps
# running), its mounts and the host paths it created, the scheduler, the controller-manager, the API server and
# etcd (its data goes: the next start is an empty cluster). The caches (Debian packages, Go caches, binaries,
# certificates, ports) stay for the next ensure.sh.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/kubernetes
[ -d "$cache" ] || exit 0
exec 9>"$cache/.lock"
flock 9
# shellcheck source=tests/infra/kubernetes/common.sh
. "$here/common.sh"
stop_node
stop_api
rm -f "$cache/env"
