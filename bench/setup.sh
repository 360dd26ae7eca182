#!/bin/sh
# Tools of bench/runtime.py: wrk from Debian's archive when apt-get is usable (as root, or through passwordless sudo).
# Exits 0 when wrk is available afterwards, 1 otherwise; the bench then uses its own load generator (bench/loadgen.py).
set -u
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "bench/setup.sh: no apt-get here; wrk not installed" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "bench/setup.sh: not root and no passwordless sudo; wrk not installed" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq wrk >/dev/null 2>&1 || { $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq wrk >/dev/null; }
command -v wrk >/dev/null 2>&1
