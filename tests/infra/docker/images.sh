#!/usr/bin/env bash
# Builds the two base images of the Docker tests from Debian packages, with no registry pull, and loads them
# into the engine at $DOCKER_HOST. Called by ensure.sh (which holds the lock and caches the result):
#
#   images.sh OUT.tar.gz PYTHON_TAG NOPYTHON_TAG RECIPE
#
# PYTHON_TAG   Debian bookworm's python3 (3.11) with pip, venv and the Mozilla CA bundle, and the C++ runtime and
#              OpenMP (libstdc++6, libgomp1) that numpy's and scikit-learn's wheels link against: what the base
#              image of a model server gives a build. The machine's own CAs (such as a TLS-intercepting proxy's) are NOT added:
#              a build behind such a proxy has to bring that CA itself (the product's --ca-bundle).
# NOPYTHON_TAG the same root file system without any python: a base the product must refuse at its first step.
# RECIPE       a label value (the hash of this file) that ensure.sh compares to find stale images.
#
# mmdebstrap --variant=extract only unpacks the packages (no maintainer scripts, about 80 MB), so the few
# things those scripts would do are done here: /etc/passwd and /etc/group, the CA bundle, ld.so.cache.
# The packages come from the Debian mirror this machine's apt uses, read from its sources at run time.
set -euo pipefail
shopt -s nullglob
out=$1 py_tag=$2 nopy_tag=$3 recipe=$4

mirror=${AMLDEPLOY_TEST_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
fi
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "images.sh: no Debian mirror found in the apt sources" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/amldeploy-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

packages=python3,python3-venv,python3-pip,ca-certificates,bash,dash,coreutils,base-files,base-passwd,libc-bin
packages+=,grep,sed,findutils,tar,gzip,procps,libstdc++6,libgomp1
mmdebstrap --quiet --variant=extract --include="$packages" \
  --aptopt='APT::Install-Recommends "false"' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  bookworm "$root" "$mirror" >&2

cp "$root/usr/share/base-passwd/passwd.master" "$root/etc/passwd"
cp "$root/usr/share/base-passwd/group.master" "$root/etc/group"
mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
# The public CAs only (what update-ca-certificates would write on a fresh Debian); never the host's local ones.
for crt in "$root"/usr/share/ca-certificates/mozilla/*.crt; do
  cat "$crt"
  [ -z "$(tail -c1 "$crt")" ] || echo
done >"$root/etc/ssl/certs/ca-certificates.crt"
[ -s "$root/etc/ssl/certs/ca-certificates.crt" ] || { echo "images.sh: empty CA bundle" >&2; exit 1; }
# apt sources would name this machine's mirror inside the image; the image has no apt anyway.
rm -rf "$root/etc/apt/sources.list.d" "$root/etc/apt/sources.list" "$root/var/lib/apt/lists" "$root/var/cache/apt"
chroot "$root" /sbin/ldconfig

common=(-c 'ENV LANG=C.UTF-8' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        -c "LABEL org.amldeploy.test.recipe=$recipe")
tar -C "$root" --numeric-owner -c . | docker import "${common[@]}" -c 'CMD ["python3"]' - "$py_tag" >/dev/null
tar -C "$root" --numeric-owner \
  --exclude='./usr/bin/python3*' --exclude='./usr/bin/pydoc3*' --exclude='./usr/bin/pip*' \
  --exclude='./usr/lib/python3*' --exclude='./usr/lib/python3' --exclude='./usr/share/python*' \
  --exclude='./usr/local/lib/python3*' --exclude='./usr/lib/x86_64-linux-gnu/libpython3*' \
  --exclude='./usr/lib/aarch64-linux-gnu/libpython3*' \
  -c . | docker import "${common[@]}" -c 'CMD ["/bin/bash"]' - "$nopy_tag" >/dev/null

docker save "$py_tag" "$nopy_tag" | gzip -1 >"$out.partial"
mv "$out.partial" "$out"
