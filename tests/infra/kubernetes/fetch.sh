#!/usr/bin/env bash
# Fetches what the test cluster is built from, all from the Debian archive this machine's apt already uses (read
# from its apt sources, never written here): Debian's `kubernetes` SOURCE package (the full v1.20.2 tree with its
# vendor/ folder; bookworm ships no server binary), Go 1.19 to build it, etcd, and a few tools. Everything is
# unpacked into the cache, nothing is installed: a private APT_CONFIG keeps the system's apt state untouched.
#
#   fetch.sh CACHE     -> CACHE/src/kubernetes_*.orig.tar.gz, CACHE/root/ (the unpacked packages), CACHE/tools/
#
# Called by ensure.sh (which holds the lock); idempotent through CACHE/fetched (the hash of this file).
set -euo pipefail
cache=$1
stamp=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
[ "$(cat "$cache/fetched" 2>/dev/null)" = "$stamp" ] && exit 0

k8s_source_version=1.20.5+really1.20.2-1.1+deb12u1
packages=(
  golang-1.19-go golang-1.19-src        # the compiler (k8s 1.20 builds in GOPATH mode, CGO off)
  etcd-server                           # etcd 3.4
  rsync libpopt0                        # k8s's `make gen_openapi` copies with rsync
  busybox-static                        # the pause image (no pulls here)
  socat libwrap0                        # the dockershim's port-forward runs `nsenter ... socat`
  golang-github-modern-go-reflect2-dev  # reflect2 1.0.2 replaces the vendored 1.0.1 (crashes with Go >= 1.18)
)

mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
security=$(awk '/^URIs:/ { u = $2 } /^Suites:.*security/ { print u; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "fetch.sh: no Debian mirror found in the apt sources" >&2; exit 1; }
[ -n "$security" ] || security=${mirror%/debian}/debian-security

apt=$cache/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$cache/debs" "$cache/src" "$cache/tools"
key=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$apt/sources.list" <<SL
deb [signed-by=$key] $mirror bookworm main
deb-src [signed-by=$key] $mirror bookworm main
deb [signed-by=$key] $security bookworm-security main
SL
cat >"$apt/apt.conf" <<AC
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "/nonexistent";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
APT::Sandbox::User "root";
AC
export APT_CONFIG=$apt/apt.conf
apt-get -qq update
(cd "$cache/src" && apt-get -qq source --download-only "kubernetes=$k8s_source_version")
ls "$cache"/src/kubernetes_*.orig.tar.gz >/dev/null
rm -rf "$cache/debs" "$cache/root" && mkdir -p "$cache/debs" "$cache/root"
(cd "$cache/debs" && apt-get -qq download "${packages[@]}")
for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$cache/root"; done

# rsync and socat need a library that is only unpacked: wrappers set its path.
lib=$cache/root/usr/lib/x86_64-linux-gnu
for tool in rsync socat; do
  printf '#!/bin/sh\nLD_LIBRARY_PATH=%s exec %s "$@"\n' "$lib" "$cache/root/usr/bin/$tool" >"$cache/tools/$tool"
  chmod +x "$cache/tools/$tool"
done
"$cache/tools/rsync" --version >/dev/null
"$cache/tools/socat" -V >/dev/null
"$cache/root/usr/lib/go-1.19/bin/go" version >&2
"$cache/root/usr/bin/etcd" --version | sed -n 1p >&2
echo "$stamp" >"$cache/fetched"
