#!/usr/bin/env bash
# The main job (`make demo`): validate the example, deploy it (a local process without Docker; the Docker target when
# an engine answers), score it, show the log tail, delete it. The deploy's last line names the target it used. Runs from a temporary working folder so no state is left in the checkout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
amldeploy="${AMLDEPLOY:-amldeploy}"
example="$here/sklearn"
work="$(mktemp -d)"
name="demo-sklearn"
cleanup() { (cd "$work" && "$amldeploy" delete "$name" >/dev/null 2>&1) || true; rm -rf "$work"; }
trap cleanup EXIT

echo "== amldeploy validate examples/sklearn (the example project: clean)"
"$amldeploy" validate "$example"
echo
echo "== amldeploy validate examples/broken (a broken copy: every problem at once, exit status 1)"
status=0; "$amldeploy" validate "$here/broken" || status=$?
[ "$status" -eq 1 ] || { echo "expected exit status 1, got $status"; exit 1; }
echo
# A free port, so that the demo never collides with something already listening on 8890.
port="$("${PYTHON:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cd "$work"
echo "== amldeploy deploy $name (computeType local → the Docker target when an engine answers, else the process target)"
"$amldeploy" deploy "$name" --ic "$example/inferenceconfig.json" --dc "$example/deploymentconfig.json" \
  --model "$example/model/model.joblib:sklearn-diabetes:1" --port "$port"
echo
echo "== amldeploy score $name --file examples/sklearn/sample-request.json"
"$amldeploy" score "$name" --file "$example/sample-request.json"
echo
echo "== amldeploy logs $name --tail 10"
"$amldeploy" logs "$name" --tail 10
echo
echo "== amldeploy delete $name"
"$amldeploy" delete "$name"
echo
if [ -n "${AMLDEPLOY:-}" ]; then
  shown="${AMLDEPLOY#"$(dirname "$here")/"}"  # relative to the checkout when it lies inside it
  echo "== done. The command line is $shown; to type just 'amldeploy', run: source ${shown%/amldeploy}/activate"
fi
