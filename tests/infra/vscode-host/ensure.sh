#!/usr/bin/env bash
# Makes sure a real VS Code host (code-server) and a browser to drive it (Debian's
# Chromium + playwright-core) are installed for the extension's end-to-end tests.
#
#   tests/infra/vscode-host/ensure.sh              install if needed, then print one status line
#   tests/infra/vscode-host/ensure.sh --print-dir  same, but stdout is only the install folder
#                                                  (progress goes to stderr), for other scripts:
#                                                  dir=$(tests/infra/vscode-host/ensure.sh --print-dir)
#
# Idempotent and fast once done: a second run only checks dpkg and a stamp file.
# The npm packages go to a cache folder OUTSIDE the clone, keyed by the hash of
# package-lock.json, so fresh clones and worktrees reuse one install:
#   ${AMLDEPLOY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy}/vscode-host-<hash>
# host.js computes the same folder (keep the hash recipe in sync: the first 16 hex
# characters of the SHA-256 of package-lock.json). See README.md for the why.
set -euo pipefail

print_dir=0
for arg in "$@"; do
  case "$arg" in
    --print-dir) print_dir=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ensure.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# With --print-dir, keep stdout for the folder alone: everything else goes to stderr.
exec 3>&1
if [ "$print_dir" = 1 ]; then exec 1>&2; fi

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${AMLDEPLOY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy}"
lock_hash="$(sha256sum "$here/package-lock.json" | cut -c1-16)"
dir="$cache_root/vscode-host-$lock_hash"
stamp="$dir/.ensure-complete"
chromium_bin="${CHROMIUM_BIN:-/usr/bin/chromium}"

log() { echo "ensure.sh: $*"; }
die() { echo "ensure.sh: error: $*" >&2; exit 1; }

# code-server 4.100.3 is the last release that runs on Node 20; its postinstall refuses
# any other major, and the native modules it builds are tied to this Node's ABI.
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" \
  || die "node is not on PATH (Node 20 is required)"
[ "$node_major" = 20 ] || die "Node 20 is required for code-server 4.100.3, found Node $node_major"

# ---------------------------------------------------------------- Debian packages
# chromium: the browser playwright-core drives (no browser download: no internet).
# libkrb5-dev, pkg-config: code-server's native `kerberos` module builds against them.
# ripgrep: its rg pre-seeds @vscode/ripgrep's download cache (see below) and is search.
# fonts-dejavu-core: readable text in screenshots.
missing_pkgs() {
  local want=(libkrb5-dev pkg-config ripgrep fonts-dejavu-core)
  # A Chromium given through CHROMIUM_BIN replaces the Debian package.
  if [ -z "${CHROMIUM_BIN:-}" ]; then want+=(chromium); fi
  # Compilers for node-gyp, only when absent (they usually are installed already).
  command -v make >/dev/null 2>&1 || want+=(make)
  command -v g++ >/dev/null 2>&1 || want+=(g++)
  command -v python3 >/dev/null 2>&1 || want+=(python3)
  local p status
  for p in "${want[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
    [ "$status" = "install ok installed" ] || echo "$p"
  done
}

mapfile -t pkgs < <(missing_pkgs)
if [ "${#pkgs[@]}" -gt 0 ]; then
  log "installing Debian packages: ${pkgs[*]}"
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo; install these first: ${pkgs[*]}"
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi
[ -x "$chromium_bin" ] || die "no Chromium at $chromium_bin"
command -v rg >/dev/null 2>&1 || die "ripgrep (rg) is missing"

# ---------------------------------------------------------------- npm packages
finish() {
  if [ "$print_dir" = 1 ]; then echo "$dir" >&3; else log "vscode-host ready: $dir"; fi
  exit 0
}

[ -f "$stamp" ] && finish

mkdir -p "$cache_root"
# Serialise concurrent runs (parallel test jobs, several clones): the first one installs,
# the others wait and then find the stamp.
exec 9>"$cache_root/.vscode-host.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9 || die "could not lock $cache_root/.vscode-host.lock"
fi
[ -f "$stamp" ] && finish

started=$SECONDS
log "installing code-server + playwright-core into $dir (about a minute)"
rm -rf "$dir"   # leftovers of an interrupted install have no stamp: start over
mkdir -p "$dir/.tmp"
cp "$here/package.json" "$here/package-lock.json" "$dir/"

# @vscode/ripgrep (a dependency of VS Code inside code-server) downloads rg from GitHub
# in its postinstall unless <os.tmpdir()>/vscode-ripgrep-cache-<its version>/ already
# holds the release archive. Seed that cache with Debian's rg, in a private TMPDIR so
# nothing is left in /tmp and concurrent installs do not meet.
rg_pkg_version=1.15.11   # from code-server 4.100.3's lib/vscode/npm-shrinkwrap.json
rg_asset=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
case "$(uname -m)" in
  x86_64) ;;
  aarch64) rg_asset=ripgrep-v13.0.0-10-aarch64-unknown-linux-musl.tar.gz ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
mkdir -p "$dir/.tmp/vscode-ripgrep-cache-$rg_pkg_version" "$dir/.tmp/rg"
cp "$(command -v rg)" "$dir/.tmp/rg/rg"
tar czf "$dir/.tmp/vscode-ripgrep-cache-$rg_pkg_version/$rg_asset" -C "$dir/.tmp/rg" rg

# npm_config_yes=true: node-pty's install script runs `npx node-gyp ...`, which npx
#   cancels when the npm config says yes=false (it does on this kind of machine).
# --unsafe-perm: code-server's postinstall.sh exits when run as root without it (it checks
#   $npm_config_unsafe_perm; npm 11 calls the flag unknown but still exports it; the
#   variable is set as well in case a later npm stops doing that).
install_log="$dir/install.log"
if ! (cd "$dir" && TMPDIR="$dir/.tmp" npm_config_yes=true npm_config_unsafe_perm=true \
        npm ci --unsafe-perm --no-audit --no-fund >"$install_log" 2>&1); then
  tail -n 40 "$install_log" >&2
  die "npm ci failed after $((SECONDS - started)) s; full log: $install_log"
fi

# Smoke checks before declaring success.
# (--config: otherwise the first call writes ~/.config/code-server/config.yaml)
cs_out="$(cd "$dir" && node node_modules/code-server/out/node/entry.js \
  --config "$dir/.tmp/config.yaml" --version 2>&1)" \
  || die "installed code-server does not start: $cs_out"
cs_version="$(grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+ [0-9a-f]+ with Code [0-9.]+' <<<"$cs_out" || true)"
case "$cs_version" in 4.100.3*) ;; *) die "unexpected code-server --version output: $cs_out" ;; esac
[ -x "$dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ] \
  || die "VS Code's ripgrep is missing; see $install_log"
(cd "$dir" && node -e 'require("playwright-core")') || die "playwright-core does not load"

rm -rf "$dir/.tmp"
date -u +%Y-%m-%dT%H:%M:%SZ >"$stamp"
log "installed in $((SECONDS - started)) s: code-server $cs_version"

# Drop installs made from older lockfiles.
for old in "$cache_root"/vscode-host-*; do
  [ -d "$old" ] && [ "$old" != "$dir" ] || continue
  log "removing old install $old"
  rm -rf "$old"
done

finish
