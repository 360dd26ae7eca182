'use strict';
// In a real VS Code host (code-server 4.100.3): the extension starts the Python server, shows diagnostics,
// completes keys, and deploys / tails / scores / profiles / deletes a service on the process target and one on
// the Kubernetes target (the tests' cluster) and one on the ACI target (the local Azure of tests/infra/aci);
// it registers, deploys, downloads and deletes a model of the local model registry.
const assert = require('assert');
const path = require('path');
const vscode = require('vscode');

const ws = () => vscode.workspace.workspaceFolders[0].uri.fsPath;

async function waitFor(what, probe, timeoutMs = 60000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await probe();
    if (last) {
      return last;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}


// Collects the error messages the extension shows while `work` runs (it may watch them as they come).
async function shownErrors(work) {
  const errors = [];
  const original = vscode.window.showErrorMessage;
  vscode.window.showErrorMessage = (message, ...rest) => {
    errors.push(message);
    return original(message, ...rest);
  };
  try {
    return { result: await work(errors), errors };
  } finally {
    vscode.window.showErrorMessage = original;
  }
}

// Answers the prompts the extension shows while `work` runs, in order: each answer names the kind of prompt it
// expects ('quickPick', 'inputBox', 'openDialog', 'warning') and picks from what it is shown. A prompt nobody
// expected fails the test.
async function answering(answers, work) {
  const window = vscode.window;
  const saved = { showQuickPick: window.showQuickPick, showInputBox: window.showInputBox, showOpenDialog: window.showOpenDialog, showWarningMessage: window.showWarningMessage };
  const unexpected = [];
  const next = async (kind, question) => {
    const answer = answers.shift();
    if (answer === undefined || answer.kind !== kind) {
      unexpected.push(`${kind} ${JSON.stringify(question.title ?? question.message)} (expected ${answer ? answer.kind : 'nothing'})`);
      return undefined;
    }
    return answer.answer(question);
  };
  window.showQuickPick = async (items, options) => next('quickPick', { ...options, items: await items });
  window.showInputBox = async (options) => next('inputBox', options);
  window.showOpenDialog = async (options) => next('openDialog', options);
  window.showWarningMessage = async (message, ...rest) => {
    const options = typeof rest[0] === 'object' ? rest.shift() : {};
    return next('warning', { message, ...options, buttons: rest });
  };
  try {
    const result = await work();
    assert.deepStrictEqual(unexpected, [], 'no prompt came unexpected');
    assert.deepStrictEqual(answers.map((a) => a.kind), [], 'every expected prompt came');
    return result;
  } finally {
    Object.assign(window, saved);
  }
}

const label = (item) => (typeof item.label === 'string' ? item.label : item.label.label);

suite('amldeploy in VS Code', () => {
  let api;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension('amldeploy.amldeploy');
    assert.ok(extension, 'the extension is installed');
    api = await extension.activate();
    await api.ready;
    assert.ok(api.ctx.server.current, `the language server runs (${api.ctx.server.lastError})`);
  });

  test('diagnostics of a broken config appear at the right line', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'broken', 'deploymentconfig.json'));
    await vscode.window.showTextDocument(uri);
    const diagnostics = await waitFor('diagnostics', () => {
      const found = vscode.languages.getDiagnostics(uri);
      return found.length > 0 ? found : undefined;
    });
    const error = diagnostics.find((d) => d.code === 'DC002');
    assert.ok(error, `DC002 among ${JSON.stringify(diagnostics.map((d) => d.code))}`);
    assert.strictEqual(error.severity, vscode.DiagnosticSeverity.Error);
    assert.strictEqual(error.range.start.line, 2); // line 3: "port": "eighty"
    assert.strictEqual(error.range.start.character, 10);
    assert.match(error.message, /port must be an integer/);
  });

  test('completion offers the keys of the config computeType', async () => {
    const uri = vscode.Uri.file(path.join(ws(), 'completion', 'deploymentconfig.json'));
    await vscode.window.showTextDocument(uri);
    const list = await waitFor('completion items', async () => {
      const result = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, new vscode.Position(2, 2));
      return result && result.items.length > 0 ? result : undefined;
    });
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('containerResourceRequirements'), labels.join(', '));
    assert.ok(labels.includes('location'), labels.join(', '));
    assert.ok(!labels.includes('autoScaler'), 'an AKS-only key is not offered for ACI');
    assert.ok(!labels.includes('computeType'), 'a key already present is not offered again');
  });

  test('deploy → Healthy in the tree → tail logs → test request → delete', async () => {
    const name = 'e2e-sklearn';
    const dir = path.join(ws(), 'sklearn');
    const { result: service, errors } = await shownErrors(() =>
      vscode.commands.executeCommand('amldeploy.deploy', {
        inferenceConfig: path.join(dir, 'inferenceconfig.json'),
        deploymentConfig: path.join(dir, 'deploymentconfig.json'),
        models: [path.join(dir, 'model', 'model.joblib')],
        name,
        target: 'process',
      }),
    );
    let passed = false;
    try {
      assert.deepStrictEqual(errors, [], 'no error message was shown');
      assert.ok(service, 'the deploy returned the service');
      assert.strictEqual(service.state, 'Healthy');
      const tree = api.ctx.services;
      const shown = await waitFor('the service in the tree', () => tree.find(name));
      assert.strictEqual(shown.state, 'Healthy');
      const [target] = tree.getChildren().filter((n) => n.kind === 'target' && n.target.services.some((s) => s.name === name));
      const node = tree.getChildren(target).find((n) => n.service && n.service.name === name);
      const item = tree.getTreeItem(node);
      assert.strictEqual(item.iconPath.id, 'pass-filled');
      assert.match(item.description, /^http:\/\/127\.0\.0\.1:\d+\/score$/);

      const lines = [];
      const listening = api.ctx.logs.onDidReceive((note) => lines.push(...note.lines));
      await vscode.commands.executeCommand('amldeploy.tailLogs', name);
      await waitFor('the line score.py printed in init()', () => lines.some((l) => l.includes('model loaded from')));
      listening.dispose();

      const body = JSON.stringify({ data: [[0.038, 0.051, 0.062, 0.022, -0.044, -0.035, -0.043, -0.003, 0.02, -0.018]] });
      const answer = await vscode.commands.executeCommand('amldeploy.testRequest', name, body);
      assert.strictEqual(answer.status, 200);
      assert.ok(Array.isArray(answer.body) && typeof answer.body[0] === 'number', JSON.stringify(answer.body));
      const shownAnswer = vscode.window.activeTextEditor.document.getText();
      assert.match(shownAnswer, /"status": "200 OK"/);

      await vscode.commands.executeCommand('amldeploy.openSwagger', name);
      const swagger = JSON.parse(vscode.window.activeTextEditor.document.getText());
      assert.strictEqual(swagger.swagger, '2.0');
      assert.ok(swagger.paths['/score'], 'the swagger document describes /score');

      // Profile Service…: a short load; the report opens, and the size goes into the (unsaved) config.
      const config = path.join(dir, 'deploymentconfig.json');
      const profile = await vscode.commands.executeCommand('amldeploy.profileService', name, {
        samples: [path.join(dir, 'sample-request.json')],
        durationS: 2,
        concurrency: 2,
        deploymentConfig: config,
        apply: true,
      });
      assert.ok(profile && profile.requests > 0 && profile.errors === 0, JSON.stringify(profile));
      const report = vscode.workspace.textDocuments.find((d) => d.languageId === 'markdown' && d.getText().startsWith(`# Profile of ${name}`));
      assert.ok(report, 'the report opened');
      assert.match(report.getText(), /\*\*Recommended `containerResourceRequirements`\*\* \(30 % headroom\): `cpu`: [\d.]+, `memoryInGB`: [\d.]+/);
      const edited = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === config);
      assert.ok(edited && edited.isDirty, 'the recommendation is an unsaved edit of the config');
      assert.deepStrictEqual(JSON.parse(edited.getText()), { computeType: 'local', containerResourceRequirements: profile.edit.values });
      await vscode.window.showTextDocument(edited);
      await vscode.commands.executeCommand('workbench.action.files.revert');
      passed = true;
    } finally {
      const deleted = await vscode.commands.executeCommand('amldeploy.delete', name, true);
      if (passed) {
        assert.strictEqual(deleted, true, 'Delete reports success');
      }
    }
    assert.strictEqual(api.ctx.services.find(name), undefined, 'the tree no longer lists the service');
  });

  // A target that runs the image elsewhere, from Deploy to Delete: `config` is written beside the example, the
  // service must be Healthy under `label` in the tree, its log must show init()'s line (`logLine`), Test Request
  // must answer 200 (`how` it got there), and Delete must leave the tree without it.
  async function remoteTargetScenario({ name, target, label, config, check, logLine, how }) {
    const dir = path.join(ws(), 'sklearn');
    const file = path.join(dir, `deploymentconfig.${target}.json`);
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from(JSON.stringify(config, null, 2) + '\n'));
    let passed = false;
    try {
      const { result: service, errors } = await shownErrors(() =>
        vscode.commands.executeCommand('amldeploy.deploy', {
          inferenceConfig: path.join(dir, 'inferenceconfig.json'),
          deploymentConfig: file,
          models: [path.join(dir, 'model', 'model.joblib')],
          name,
        }),
      );
      assert.deepStrictEqual(errors, [], 'no error message was shown');
      assert.ok(service, 'the deploy returned the service');
      assert.strictEqual(service.target, target);
      assert.strictEqual(service.state, 'Healthy');
      assert.ok(service.authEnabled, 'key auth');
      check(service);
      const tree = api.ctx.services;
      await waitFor('the service in the tree', () => tree.find(name));
      const [group] = tree.getChildren().filter((n) => n.kind === 'target' && n.target.name === target);
      assert.strictEqual(tree.getTreeItem(group).label, label);
      const node = tree.getChildren(group).find((n) => n.service && n.service.name === name);
      assert.ok(node, `listed under ${label}`);
      assert.strictEqual(tree.getTreeItem(node).iconPath.id, 'pass-filled');

      const lines = [];
      const listening = api.ctx.logs.onDidReceive((note) => lines.push(...note.lines));
      await vscode.commands.executeCommand('amldeploy.tailLogs', name);
      await waitFor("init()'s line in the log", () => lines.some((l) => logLine.test(l)), 120000);
      listening.dispose();
      await vscode.commands.executeCommand('amldeploy.stopLogs', name);

      const body = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(dir, 'sample-request.json')));
      const answer = await vscode.commands.executeCommand('amldeploy.testRequest', name, Buffer.from(body).toString('utf8'));
      assert.strictEqual(answer.status, 200, `scored ${how}, with the key`);
      assert.ok(Array.isArray(answer.body) && typeof answer.body[0] === 'number', JSON.stringify(answer.body));
      passed = true;
    } finally {
      const deleted = await vscode.commands.executeCommand('amldeploy.delete', name, true);
      if (passed) {
        assert.strictEqual(deleted, true, 'Delete reports success');
      }
      await vscode.workspace.fs.delete(vscode.Uri.file(file));
    }
    assert.strictEqual(api.ctx.services.find(name), undefined, 'the tree no longer lists the service');
  }

  test('Kubernetes: an AKS config deploys to the cluster → Healthy under Kubernetes → tail logs → test request (key, port-forward) → delete', async function () {
    this.timeout(600000); // a first image build and push, then the node pulls it
    await remoteTargetScenario({
      name: 'e2e-aks',
      target: 'kubernetes',
      label: 'Kubernetes',
      config: { computeType: 'AKS', numReplicas: 1, containerResourceRequirements: { cpu: 0.2, memoryInGB: 0.5 } },
      check: (service) => assert.strictEqual(service.scoringUri, null, 'a ClusterIP: reached through a port-forward'),
      logLine: /^\[e2e-aks-[a-z0-9-]+\] .*model loaded from/, // prefixed by its pod's name
      how: 'through a port-forward',
    });
  });

  test('ACI: an ACI config deploys a container group (local Azure) → Healthy under Azure Container Instances → tail logs → test request (key) → delete', async function () {
    this.timeout(600000);
    await remoteTargetScenario({
      name: 'e2e-aci',
      target: 'aci',
      label: 'Azure Container Instances',
      config: { computeType: 'ACI', authEnabled: true, containerResourceRequirements: { cpu: 0.5, memoryInGB: 1 } },
      check: (service) => assert.match(service.scoringUri, /^http:\/\/[a-z0-9-]+\.westeurope\.azurecontainer\.io:5001\/score$/),
      logLine: /model loaded from/,
      how: 'over its FQDN',
    });
  });

  test('auth keys are sent for you; Redeploy replaces the process; Package builds the image; templates; Validate Workspace', async () => {
    const name = 'e2e-auth';
    const dir = path.join(ws(), 'sklearn');
    const body = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(dir, 'sample-request.json')));
    const first = await vscode.commands.executeCommand('amldeploy.deploy', {
      inferenceConfig: path.join(dir, 'inferenceconfig.json'),
      deploymentConfig: path.join(dir, 'deploymentconfig.auth.json'),
      models: [path.join(dir, 'model', 'model.joblib')],
      name,
      target: 'process',
    });
    try {
      assert.ok(first && first.authEnabled, 'deployed with auth');
      const item = api.ctx.services.getTreeItem({ kind: 'service', service: api.ctx.services.find(name) });
      assert.strictEqual(item.contextValue, 'service.Healthy.auth', 'Copy Key is offered');
      assert.ok(!JSON.stringify(first).includes('Bearer'), 'no key in what the tree holds');
      const answer = await vscode.commands.executeCommand('amldeploy.testRequest', name, Buffer.from(body).toString('utf8'));
      assert.strictEqual(answer.status, 200, 'the key was sent');
      const swagger = await vscode.commands.executeCommand('amldeploy.openSwagger', name);
      assert.ok(swagger, 'the server fetched the swagger of a service with auth (with its key)');
      assert.strictEqual(JSON.parse(vscode.window.activeTextEditor.document.getText()).swagger, '2.0');

      const pid = (svc) => svc.rows.find((r) => r.label === 'PID').value;
      const again = await vscode.commands.executeCommand('amldeploy.redeploy', name);
      assert.ok(again, 'Redeploy needed no questions: the configs and models came from the service');
      assert.strictEqual(again.state, 'Healthy');
      assert.notStrictEqual(pid(again), pid(first), 'a new process serves it');

      // The watcher notices a service that dies outside the editor, and the tree says so.
      const pidNumber = Number(pid(again));
      process.kill(pidNumber, 'SIGKILL');
      const failed = await waitFor('the tree to show the killed service Failed', () => {
        const now = api.ctx.services.find(name);
        return now && now.state === 'Failed' ? now : undefined;
      }, 30000);
      assert.match(failed.error, /gone|crashed|stopped/);

      const packaged = await shownErrors(() =>
        vscode.commands.executeCommand('amldeploy.package', { inferenceConfig: path.join(dir, 'inferenceconfig.json'), deploymentConfig: path.join(dir, 'deploymentconfig.json'), models: [], name }),
      );
      // An engine answers: Package builds the service image on it (the Docker target packages local configs).
      assert.deepStrictEqual(packaged.errors, []);
      assert.strictEqual(packaged.result.target, 'docker');
      assert.match(packaged.result.image, new RegExp(`^${name}:[0-9a-f]{12}$`));
    } finally {
      await vscode.commands.executeCommand('amldeploy.delete', name, true);
    }

    const created = await vscode.commands.executeCommand('amldeploy.newDeploymentConfig', vscode.Uri.file(ws()), 'local');
    try {
      assert.strictEqual(path.basename(created.fsPath), 'deploymentconfig.json');
      const text = (await vscode.workspace.openTextDocument(created)).getText();
      assert.match(text, /"computeType": "local"/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(created);
    }

    const summary = await vscode.commands.executeCommand('amldeploy.validateWorkspace');
    assert.ok(summary.files >= 5, `validated ${summary.files} files`);
    assert.ok(summary.errors >= 1, 'the broken config counts');
  });

  test('Export to Azure ML v2… and Export IoT Edge Manifest… write their files and open them', async () => {
    const dir = path.join(ws(), 'sklearn');
    const common = {
      inferenceConfig: path.join(dir, 'inferenceconfig.json'),
      deploymentConfig: path.join(dir, 'deploymentconfig.auth.json'), // ACI with key auth
      models: [path.join(dir, 'model', 'model.joblib')],
    };
    const v2Dir = path.join(ws(), 'exported-v2');
    const edgeDir = path.join(ws(), 'exported-edge');
    try {
      const v2 = await vscode.commands.executeCommand('amldeploy.exportV2', { ...common, outputDir: v2Dir });
      assert.ok(v2, 'the export answered');
      assert.strictEqual(v2.kind, 'v2');
      assert.strictEqual(v2.deploymentKind, 'managed');
      const opened = vscode.workspace.textDocuments.map((d) => path.relative(ws(), d.uri.fsPath));
      for (const file of ['deployment.yml', 'endpoint.yml']) {
        assert.ok(opened.includes(path.join('exported-v2', file)), `${file} was opened: ${opened.join(', ')}`);
      }
      const deployment = (await vscode.workspace.openTextDocument(path.join(v2Dir, 'deployment.yml'))).getText();
      assert.match(deployment, /^\$schema: https:\/\/azuremlschemas\.azureedge\.net\/latest\/managedOnlineDeployment\.schema\.json/m);
      const endpoint = (await vscode.workspace.openTextDocument(path.join(v2Dir, 'endpoint.yml'))).getText();
      assert.match(endpoint, /^auth_mode: key$/m);
      const migration = await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(v2Dir, 'MIGRATION.md')));
      assert.match(Buffer.from(migration).toString('utf8'), /authEnabled/);

      const edge = await vscode.commands.executeCommand('amldeploy.exportIotEdge', { ...common, outputDir: edgeDir, registry: 'myregistry.azurecr.io' });
      assert.ok(edge, 'the IoT Edge export answered');
      assert.strictEqual(edge.kind, 'iot-edge');
      const manifest = JSON.parse((await vscode.workspace.openTextDocument(path.join(edgeDir, 'deployment.json'))).getText());
      const modules = manifest.modulesContent.$edgeAgent['properties.desired'].modules;
      const [module] = Object.values(modules);
      assert.match(module.settings.image, /^myregistry\.azurecr\.io\/[a-z0-9-]+:[0-9a-f]{12}$/);
      assert.strictEqual(module.settings.image, edge.image);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      for (const folder of [v2Dir, edgeDir]) {
        await vscode.workspace.fs.delete(vscode.Uri.file(folder), { recursive: true }).then(undefined, () => undefined);
      }
    }
  });

  test('Deploy… offers the compute targets recorded by name (amldeploy target add) and deploys to the one picked', async function () {
    this.timeout(180000);
    const python = api.ctx.server.interpreter.python;
    const amldeploy = (...args) => require('child_process').spawnSync(python, ['-m', 'amldeploy', ...args], { encoding: 'utf8', cwd: ws() });
    const added = amldeploy('target', 'add', 'e2elocal', '--type', 'process', '--description', 'this machine');
    assert.strictEqual(added.status, 0, added.stderr);
    const name = 'e2e-ct';
    let passed = false;
    try {
      const service = await answering(
        [
          { kind: 'quickPick', answer: (q) => q.items.find((i) => label(i) === 'inferenceconfig.json' && i.description === 'sklearn') },
          { kind: 'quickPick', answer: (q) => q.items.find((i) => label(i) === 'deploymentconfig.json' && i.description === 'sklearn') },
          { kind: 'quickPick', answer: (q) => q.items.filter((i) => label(i) === 'sklearn/model/model.joblib') },
          {
            kind: 'quickPick',
            answer: (q) => {
              assert.deepStrictEqual(q.items.map(label), ['As the deployment config says', 'e2elocal']);
              assert.strictEqual(q.items[1].description, 'process (Local)');
              assert.strictEqual(q.items[1].detail, 'this machine');
              return q.items[1];
            },
          },
          { kind: 'inputBox', answer: () => name },
        ],
        () => vscode.commands.executeCommand('amldeploy.deploy'),
      );
      assert.ok(service, 'the deploy returned the service');
      assert.strictEqual(service.state, 'Healthy');
      assert.strictEqual(service.target, 'process', 'the record chose the process target over computeType local');
      passed = true;
    } finally {
      const gone = await vscode.commands.executeCommand('amldeploy.delete', name, true);
      if (passed) {
        assert.strictEqual(gone, true, 'the service was deleted');
      }
      amldeploy('target', 'remove', 'e2elocal');
    }
  });

  test('Models: Register Model… (its prompts) → the Models view → the watcher sees a register from outside → Deploy with the model preselected → Download → Delete (refused while used, then anyway)', async function () {
    this.timeout(300000);
    const dir = path.join(ws(), 'sklearn');
    const original = path.join(dir, 'model', 'model.joblib');
    const tree = api.ctx.models;
    const registered = await answering(
      [
        { kind: 'quickPick', answer: (q) => q.items.find((i) => label(i) === 'model.joblib' && i.description === 'sklearn/model') },
        {
          kind: 'inputBox',
          answer: async (q) => {
            assert.strictEqual(q.value, 'model', 'the name defaults to the file stem');
            assert.match(await q.validateInput('bad name'), /model name 'bad name' is invalid/, 'the server checks the name');
            assert.strictEqual(await q.validateInput('e2e_sklearn'), undefined);
            return 'e2e_sklearn';
          },
        },
        { kind: 'quickPick', answer: (q) => q.items.find((i) => i.label === 'None') },
        {
          kind: 'inputBox',
          answer: (q) => {
            assert.ok(q.validateInput('area'), 'a tag must be key=value');
            return 'area=diabetes, stage=e2e';
          },
        },
      ],
      () => vscode.commands.executeCommand('amldeploy.registerModel'),
    );
    assert.ok(registered, 'Register Model… answered');
    assert.strictEqual(registered.id, 'e2e_sklearn:1');
    const root = tree.snapshot.root;
    assert.strictEqual(path.basename(root), 'registry', 'the amldeploy.models.registry setting names the store');
    const rows = () => {
      const group = tree.getChildren().find((n) => n.kind === 'model' && n.group.name === 'e2e_sklearn');
      return group ? tree.getChildren(group).map((n) => tree.getTreeItem(n)) : [];
    };
    assert.deepStrictEqual(rows().map((r) => [r.label, r.description, r.contextValue]), [['e2e_sklearn:1', 'area=diabetes, stage=e2e', 'modelVersion']]);
    assert.match(rows()[0].tooltip.value, /Digest: `[0-9a-f]{64}`/);

    // Another process registers version 2 (with a framework) into the same folder: the view follows by itself.
    const python = api.ctx.server.interpreter.python;
    const code = 'import sys; from pathlib import Path; from amldeploy.ops.registry import ModelRegistry; ModelRegistry(Path(sys.argv[1])).register("e2e_sklearn", Path(sys.argv[2]), framework="ScikitLearn", framework_version="1.5")';
    const done = require('child_process').spawnSync(python, ['-c', code, root, original], { encoding: 'utf8' });
    assert.strictEqual(done.status, 0, done.stderr);
    await waitFor('the view to show version 2 without a refresh', () => rows().length === 2, 30000);
    assert.deepStrictEqual(rows().map((r) => [r.label, r.description, r.contextValue]), [
      ['e2e_sklearn:2', 'ScikitLearn 1.5', 'modelVersion.noCode'],
      ['e2e_sklearn:1', 'area=diabetes, stage=e2e', 'modelVersion'],
    ]);

    // Deploy on version 1 (no framework): Deploy… with the model checked in its model step, next to the files.
    const name = 'e2e-model';
    let passed = false;
    try {
      const service = await answering(
        [
          { kind: 'quickPick', answer: (q) => q.items.find((i) => label(i) === 'inferenceconfig.json' && i.description === 'sklearn') },
          { kind: 'quickPick', answer: (q) => q.items.find((i) => label(i) === 'deploymentconfig.json' && i.description === 'sklearn') },
          {
            kind: 'quickPick',
            answer: (q) => {
              const offered = q.items.map(label);
              for (const ref of ['e2e_sklearn', 'e2e_sklearn:2', 'e2e_sklearn:1', 'sklearn/model/model.joblib']) {
                assert.ok(offered.includes(ref), `${ref} is offered: ${offered.join(', ')}`);
              }
              const picked = q.items.filter((i) => i.picked);
              assert.deepStrictEqual(picked.map(label), ['e2e_sklearn:1'], 'only the model deployed from is checked');
              return picked;
            },
          },
          { kind: 'inputBox', answer: () => name },
        ],
        () => vscode.commands.executeCommand('amldeploy.deployModel', { name: 'e2e_sklearn', version: 1, target: 'process' }),
      );
      assert.ok(service, 'the deploy returned the service');
      assert.strictEqual(service.state, 'Healthy');
      assert.deepStrictEqual(service.models.map((m) => [m.name, Number(m.version)]), [['e2e_sklearn', 1]]);

      const target = path.join(ws(), 'downloaded');
      const downloaded = await answering(
        [{ kind: 'openDialog', answer: (q) => (assert.ok(q.canSelectFolders && !q.canSelectFiles), [vscode.Uri.file(target)]) }],
        () => vscode.commands.executeCommand('amldeploy.downloadModel', { name: 'e2e_sklearn', version: 1 }),
      );
      assert.strictEqual(downloaded.path, path.join(target, 'model.joblib'));
      const bytes = async (file) => Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(file)));
      assert.ok((await bytes(downloaded.path)).equals(await bytes(original)), 'the download is the registered bytes');
      await vscode.workspace.fs.delete(vscode.Uri.file(target), { recursive: true });

      const version1 = tree.getChildren(tree.getChildren().find((n) => n.kind === 'model' && n.group.name === 'e2e_sklearn')).find((n) => n.model.version === 1);
      const deleted = await answering(
        [
          { kind: 'warning', answer: (q) => (assert.ok(q.modal), assert.strictEqual(q.message, 'Delete e2e_sklearn:1?'), 'Delete') },
          { kind: 'warning', answer: (q) => (assert.match(q.message, /e2e_sklearn:1 is used by e2e-model/), assert.deepStrictEqual(q.buttons, ['Delete Anyway']), 'Delete Anyway') },
        ],
        () => vscode.commands.executeCommand('amldeploy.deleteModel', version1), // as from the view's context menu
      );
      assert.ok(deleted, 'deleted anyway');
      assert.strictEqual(deleted.id, 'e2e_sklearn:1');
      assert.deepStrictEqual(rows().map((r) => r.label), ['e2e_sklearn:2'], 'the view no longer lists version 1');
      passed = true;
    } finally {
      const gone = await vscode.commands.executeCommand('amldeploy.delete', name, true);
      if (passed) {
        assert.strictEqual(gone, true, 'the service was deleted');
      }
      for (const row of rows()) {
        await vscode.commands.executeCommand('amldeploy.deleteModel', row.label, true, true);
      }
    }
    assert.deepStrictEqual(rows(), [], 'no e2e_sklearn left in the view');
  });

  test('a broken amldeploy.server.python stops the server with the reason; fixing it restarts the server', async () => {
    const config = vscode.workspace.getConfiguration('amldeploy');
    const good = config.get('server.python');
    try {
      await shownErrors(async (errors) => {
        await config.update('server.python', '/nonexistent/bin/python', vscode.ConfigurationTarget.Global);
        await waitFor('the server to stop', () => api.ctx.server.current === undefined && api.ctx.server.lastError, 30000);
        assert.match(api.ctx.server.lastError, /amldeploy\.server\.python: \/nonexistent\/bin\/python does not exist/);
        await waitFor('the error notification', () => errors.some((e) => /\/nonexistent\/bin\/python does not exist/.test(e)), 10000);
        const stale = vscode.languages.getDiagnostics(vscode.Uri.file(path.join(ws(), 'broken', 'deploymentconfig.json')));
        assert.deepStrictEqual(stale.filter((d) => d.code === 'DC002'), [], 'a stopped server leaves no diagnostics behind');
      });
    } finally {
      await config.update('server.python', good, vscode.ConfigurationTarget.Global);
    }
    await waitFor('the server to come back', () => api.ctx.server.current, 60000);
    const uri = vscode.Uri.file(path.join(ws(), 'broken', 'deploymentconfig.json'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.insert(new vscode.Position(0, 1), ' '));
    await waitFor('diagnostics from the restarted server', () => vscode.languages.getDiagnostics(uri).some((d) => d.code === 'DC002'));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test('a deploy of a config with errors is refused before it starts', async () => {
    const dir = ws();
    await api.ctx.refreshServices();
    const before = api.ctx.services.services().map((s) => s.name);
    const requests = [];
    const request = api.ctx.server.request.bind(api.ctx.server);
    api.ctx.server.request = (method, ...rest) => {
      requests.push(method);
      return request(method, ...rest);
    };
    let shown;
    try {
      shown = await shownErrors(() =>
        vscode.commands.executeCommand('amldeploy.deploy', {
          inferenceConfig: path.join(dir, 'sklearn', 'inferenceconfig.json'),
          deploymentConfig: path.join(dir, 'broken', 'deploymentconfig.json'),
          models: [],
          name: 'e2e-broken',
        }),
      );
    } finally {
      api.ctx.server.request = request;
    }
    assert.strictEqual(shown.result, undefined);
    assert.deepStrictEqual(shown.errors, ['Not deployed: deploymentconfig.json (1 error) — fix the errors first.']);
    assert.ok(!requests.includes('amldeploy/deploy'), `no deploy was asked for (${requests.join(', ')})`);
    await api.ctx.refreshServices();
    assert.deepStrictEqual(api.ctx.services.services().map((s) => s.name), before);
  });

  test('the Configurations view shows the server counts and follows unsaved edits', async () => {
    const configs = api.ctx.configs;
    const broken = path.join(ws(), 'broken', 'deploymentconfig.json');
    const row = async () => (await configs.getChildren()).find((f) => f.uri.fsPath === broken);
    await configs.refresh();
    const files = await configs.getChildren();
    const names = files.map((f) => `${path.basename(path.dirname(f.uri.fsPath))}/${path.basename(f.uri.fsPath)}:${f.kind}`).sort();
    assert.ok(names.includes('sklearn/inferenceconfig.json:inference'), names.join(', '));
    assert.ok(names.includes('sklearn/deploymentconfig.auth.json:deployment'), names.join(', '));
    assert.ok(!names.some((n) => n.includes('sample-request') || n.includes('environment')), names.join(', '));
    assert.strictEqual(configs.getTreeItem(await row()).description, 'broken · 1 error');

    // Fixing the port without saving: the view asks again when the diagnostics change, and shows no problems.
    const doc = await vscode.workspace.openTextDocument(broken);
    const editor = await vscode.window.showTextDocument(doc);
    const line = doc.lineAt(2);
    await editor.edit((e) => e.replace(line.range, '  "port": 8080'));
    try {
      await waitFor('the view to show the unsaved fix', async () => {
        const file = await row();
        return file && file.errors === 0 ? file : undefined;
      }, 15000);
      assert.strictEqual(configs.getTreeItem(await row()).description, 'broken · no problems');
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
    await waitFor('the view to show the error again', async () => ((await row()).errors === 1 ? true : undefined), 15000);
  });

  test('JSON syntax is reported once, by VS Code: a comment, a duplicate key, a trailing comma; the view still counts them', async () => {
    const dir = path.join(ws(), 'syntax');
    const file = path.join(dir, 'deploymentconfig.json');
    const text = '{\n  "computeType": "local",\n  // local only\n  "port": 80,\n  "port": "81",\n}\n';
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), Buffer.from(text));
    const uri = vscode.Uri.file(file);
    try {
      await vscode.window.showTextDocument(uri);
      // amldeploy has spoken (the quoted port) and so has VS Code's JSON service (the trailing comma).
      const found = await waitFor('both diagnostics', () => {
        const all = vscode.languages.getDiagnostics(uri);
        return all.some((d) => d.code === 'DC002') && all.some((d) => d.source === 'json' && d.range.start.line === 4) ? all : undefined;
      });
      const shown = JSON.stringify(found.map((d) => [d.source, d.code, d.range.start.line, d.message]));
      const ours = found.filter((d) => d.source === 'amldeploy').map((d) => d.code);
      assert.deepStrictEqual(ours, ['DC002'], `amldeploy leaves the JSON syntax to VS Code: ${shown}`);
      // VS Code's JSON service: json(519) the comma, json(520) the duplicate key, 521 (with no source) the comment.
      const theirs = new Set(found.filter((d) => d.source !== 'amldeploy').map((d) => d.range.start.line));
      for (const [line, what] of [[2, 'the comment'], [3, 'the duplicate key'], [4, 'the trailing comma']]) {
        assert.ok(theirs.has(line), `VS Code reports ${what} (line ${line + 1}): ${shown}`);
      }
      const counted = await waitFor('the view to list the new config', async () => {
        await api.ctx.configs.refresh();
        return (await api.ctx.configs.getChildren()).find((f) => f.uri.fsPath === file);
      }, 15000);
      // The server still counts what it leaves to VS Code: the comment, the comma, the port; the duplicate key.
      assert.deepStrictEqual([counted.errors, counted.warnings], [3, 1]);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      await vscode.workspace.fs.delete(vscode.Uri.file(dir), { recursive: true });
    }
  });
});
