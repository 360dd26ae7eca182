'use strict';
// In a real VS Code host (code-server 4.100.3): the extension starts the Python server, shows diagnostics,
// completes keys, and deploys / tails / scores / deletes a service on the process target.
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
    const errors = [];
    const showError = vscode.window.showErrorMessage;
    vscode.window.showErrorMessage = (message, ...rest) => {
      errors.push(message);
      return showError(message, ...rest);
    };
    let service;
    try {
      service = await vscode.commands.executeCommand('amldeploy.deploy', {
        inferenceConfig: path.join(dir, 'inferenceconfig.json'),
        deploymentConfig: path.join(dir, 'deploymentconfig.json'),
        models: [path.join(dir, 'model', 'model.joblib')],
        name,
      });
    } finally {
      vscode.window.showErrorMessage = showError;
    }
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
      passed = true;
    } finally {
      const deleted = await vscode.commands.executeCommand('amldeploy.delete', name, true);
      if (passed) {
        assert.strictEqual(deleted, true, 'Delete reports success');
      }
    }
    assert.strictEqual(api.ctx.services.find(name), undefined, 'the tree no longer lists the service');
  });

  test('a deploy of a config with errors is refused before it starts', async () => {
    const dir = ws();
    const before = api.ctx.services.services().length;
    const service = await vscode.commands.executeCommand('amldeploy.deploy', {
      inferenceConfig: path.join(dir, 'sklearn', 'inferenceconfig.json'),
      deploymentConfig: path.join(dir, 'broken', 'deploymentconfig.json'),
      models: [],
      name: 'e2e-broken',
    });
    assert.strictEqual(service, undefined);
    await api.ctx.refreshServices();
    assert.strictEqual(api.ctx.services.services().length, before);
  });
});
