'use strict';
// The fixture workspace of the end-to-end tests, built fresh in a temporary folder for each run:
//   sklearn/      the example service (score.py, inferenceconfig.json, model, sample request) with a
//                 deploymentconfig.json that lets the process target choose a free port, and an ACI config
//                 with auth (deployed with the process target chosen explicitly)
//   slow/         a service whose init() takes two minutes (to cancel its deploy)
//   broken/       a deployment config with an error on line 3 (a quoted port)
//   completion/   a deployment config for ACI, where completion is asked for
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..', '..');
const EXAMPLE = path.join(REPO, 'examples', 'sklearn');

function makeWorkspace() {
  const model = path.join(EXAMPLE, 'model', 'model.joblib');
  if (!fs.existsSync(model)) {
    throw new Error(`${path.relative(REPO, model)} is missing: run 'make examples/sklearn/model/model.joblib' first`);
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'amldeploy-e2e-'));
  const ws = path.join(root, 'workspace');
  const sklearn = path.join(ws, 'sklearn');
  fs.mkdirSync(path.join(sklearn, 'model'), { recursive: true });
  for (const file of ['score.py', 'inferenceconfig.json', 'environment.yml', 'sample-request.json']) {
    fs.copyFileSync(path.join(EXAMPLE, file), path.join(sklearn, file));
  }
  fs.copyFileSync(model, path.join(sklearn, 'model', 'model.joblib'));
  fs.writeFileSync(path.join(sklearn, 'deploymentconfig.json'), '{\n  "computeType": "local"\n}\n');
  fs.writeFileSync(path.join(sklearn, 'deploymentconfig.auth.json'), '{\n  "computeType": "ACI",\n  "authEnabled": true\n}\n');
  const slow = path.join(ws, 'slow');
  fs.mkdirSync(slow);
  fs.writeFileSync(path.join(slow, 'score.py'), 'import time\n\n\ndef init():\n    print("warming up for two minutes", flush=True)\n    time.sleep(120)\n\n\ndef run(data):\n    return data\n');
  fs.writeFileSync(path.join(slow, 'inferenceconfig.json'), '{\n  "entryScript": "score.py"\n}\n');
  fs.writeFileSync(path.join(slow, 'deploymentconfig.json'), '{\n  "computeType": "local"\n}\n');
  fs.mkdirSync(path.join(ws, 'broken'));
  fs.writeFileSync(path.join(ws, 'broken', 'deploymentconfig.json'), '{\n  "computeType": "local",\n  "port": "eighty"\n}\n');
  fs.mkdirSync(path.join(ws, 'completion'));
  fs.writeFileSync(path.join(ws, 'completion', 'deploymentconfig.json'), '{\n  "computeType": "ACI",\n  \n}\n');
  // A kubeconfig with two contexts, for Select Kubernetes Context (the server reads $KUBECONFIG).
  const kubeconfig = path.join(root, 'kubeconfig.yaml');
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: dev',
      'clusters:',
      '- name: dev-cluster',
      '  cluster: {server: "https://127.0.0.1:6443"}',
      '- name: staging-cluster',
      '  cluster: {server: "https://127.0.0.1:7443"}',
      'users:',
      '- name: me',
      '  user: {}',
      'contexts:',
      '- name: dev',
      '  context: {cluster: dev-cluster, user: me}',
      '- name: staging',
      '  context: {cluster: staging-cluster, user: me, namespace: ml}',
      '',
    ].join('\n'),
  );
  return { root, ws, kubeconfig };
}

module.exports = { makeWorkspace, REPO };
