#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler and kubelet v1.20.2 from the source fetch.sh
# fetched, with the Go 1.19 it unpacked, offline (GOPATH mode and vendor/, as k8s 1.20's own scripts build):
#
#   build.sh CACHE OUT    -> OUT/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet}
#
# Before building: the vendored reflect2 1.0.1 is replaced by Debian's 1.0.2 (1.0.1 does not match Go >= 1.18's
# map layout, and a kube-apiserver built with it dies with SIGSEGV on any pretty-printed reply holding a map), and
# kubelet.patch is applied. The source is unpacked afresh each time; the Go caches (CACHE/gocache) stay, so a
# rebuild after a change here recompiles only what changed. Cold: about 4-5 minutes on 2 cores.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=$1 out=$2
root=$cache/root
tree=$cache/build/kubernetes-1.20.2

t0=$(date +%s)
step() { echo "build.sh [$(( $(date +%s) - t0 ))s] $*" >&2; }

rm -rf "$cache/build" && mkdir -p "$cache/build"
tar -C "$cache/build" -xzf "$(ls "$cache"/src/kubernetes_*.orig.tar.gz | head -n 1)"
step "source unpacked"

vendored=$tree/vendor/github.com/modern-go/reflect2 debian=$root/usr/share/gocode/src/github.com/modern-go/reflect2
[ -f "$debian/go_above_118.go" ] || { echo "build.sh: Debian's reflect2 (1.0.2) is missing from $root" >&2; exit 1; }
rm -f "$vendored"/*.go "$vendored"/*.s
cp "$debian"/*.go "$debian"/*.s "$vendored/"
(cd "$tree" && patch -p1 --quiet --forward <"$here/kubelet.patch")
step "reflect2 1.0.2 vendored, kubelet.patch applied"

export GOROOT=$root/usr/lib/go-1.19 GOPATH=$cache/gopath GOCACHE=$cache/gocache
export GO111MODULE=off CGO_ENABLED=0 GOPROXY=off GOFLAGS=
export PATH=$GOROOT/bin:$cache/tools:$PATH
mkdir -p "$GOPATH/src/k8s.io"
ln -sfn "$tree" "$GOPATH/src/k8s.io/kubernetes"
cd "$GOPATH/src/k8s.io/kubernetes"
make gen_openapi >&2   # pkg/generated/openapi is not in the source package
step "OpenAPI definitions generated"

ldflags="-s -w"
for pkg in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=v1.20.2 -X $pkg.gitMajor=1 -X $pkg.gitMinor=20 -X $pkg.gitTreeState=clean"
done
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
go build -ldflags "$ldflags" -o "$out.tmp/" \
  k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet
"$out.tmp/kube-apiserver" --version >&2
rm -rf "$out" && mv "$out.tmp" "$out"
rm -rf "$cache/build"   # the unpacked tree (1.5 GB with the generated files); the Go caches stay
step "built into $out"
