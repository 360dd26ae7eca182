#!/usr/bin/env bash
# A tiny TensorFlow SavedModel for the no-code deployment tests, made with tensorflow-cpu in a venv of its own
# (amldeploy's test venv never installs TensorFlow):
#
#   eval "$(tests/infra/tensorflow/ensure.sh)"   then AMLDEPLOY_TEST_TF_MODEL (the SavedModel's folder),
#                                                 AMLDEPLOY_TEST_TF_EXPECTED (expected.json: rows and the model's
#                                                 own outputs), AMLDEPLOY_TEST_TF_VERSION and
#                                                 AMLDEPLOY_TEST_TF_PYTHON are set
#
# Everything lives outside the clone, keyed by the recipe (this script, make_model.py, the interpreter and the
# TensorFlow version), so that the first run installs TensorFlow (a few minutes) and later runs answer at once:
#   ${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/tensorflow/<recipe>
# PYTHON chooses the interpreter (default python3); AMLDEPLOY_TEST_TF_PIN the tensorflow-cpu version.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-python3}
pin=${AMLDEPLOY_TEST_TF_PIN:-2.21.0}
root=${AMLDEPLOY_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amldeploy-tests}/tensorflow

t0=$(date +%s%N)
log() { printf 'tensorflow ensure.sh [%6.2fs] %s\n' "$(( $(date +%s%N) - t0 ))e-9" "$*" >&2; }
die() { log "error: $*"; exit 1; }

pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])') || die "no interpreter $python"
recipe=$(cat "$here/ensure.sh" "$here/make_model.py" <(echo "$pyver $pin") | sha256sum | cut -c1-16)
dir=$root/$recipe
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9 || die "could not lock $root/.lock"

if [ ! -f "$dir/.complete" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  log "creating a venv with tensorflow-cpu==$pin for python $pyver in $dir (first run: a few minutes)"
  "$python" -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "tensorflow-cpu==$pin" >&2 \
    || die "pip could not install tensorflow-cpu==$pin for python $pyver"
  log "saving the SavedModel"
  TF_CPP_MIN_LOG_LEVEL=2 "$dir/venv/bin/python" "$here/make_model.py" "$dir" >&2 || die "make_model.py failed"
  touch "$dir/.complete"
fi
version=$("$dir/venv/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["tensorflow"])' \
  "$dir/expected.json")
log "ready"
echo "export AMLDEPLOY_TEST_TF_MODEL=$dir/savedmodel"
echo "export AMLDEPLOY_TEST_TF_EXPECTED=$dir/expected.json"
echo "export AMLDEPLOY_TEST_TF_VERSION=$version"
echo "export AMLDEPLOY_TEST_TF_PYTHON=$dir/venv/bin/python"
