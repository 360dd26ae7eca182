import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initializationOptions, launchSettings, resolveVariables, serverSettings } from '../../../extension/src/common/settings';
import { countsText, problemSummary } from '../../../extension/src/common/problems';
import * as vscode from './vscodeMock';

interface Property {
  default?: unknown;
}
const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Property> } };
};

// The defaults VS Code would report: read from package.json, so the tests cannot drift from the manifest.
function manifestDefaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(manifest.contributes.configuration.properties)) {
    out[key.replace(/^amldeploy\./, '')] = property.default;
  }
  return out;
}

describe('settings', () => {
  beforeEach(() => {
    vscode.state.settings = manifestDefaults();
    vscode.state.folders = [{ name: 'ws', uri: vscode.Uri.file('/home/me/ws') }];
  });

  it('sends the server every server-side setting of package.json with its default', () => {
    const sent = serverSettings();
    assert.deepStrictEqual(Object.keys(sent).sort(), ['aci', 'debounceMs', 'detectByContent', 'disabledRules', 'docker', 'fileAssociations', 'kubernetes', 'models', 'servicesPollMs', 'severityOverrides']);
    assert.strictEqual(sent.debounceMs, 0);
    assert.strictEqual(sent.servicesPollMs, 3000);
    assert.deepStrictEqual(sent.aci, { subscription: null, resourceGroup: null, region: null, registry: null, armEndpoint: null });
    assert.deepStrictEqual(sent.kubernetes, { context: null, namespace: null, registry: null });
    assert.deepStrictEqual(sent.docker, { defaultBaseImage: null, caBundle: null });
    assert.deepStrictEqual(sent.models, { registry: null });
  });

  it('leaves the syntax of JSON documents to VS Code at start-up, and sends the settings with it', () => {
    const options = initializationOptions() as { amldeploy: Record<string, unknown> };
    assert.strictEqual(options.amldeploy.jsonSyntax, false);
    assert.deepStrictEqual({ ...options.amldeploy, jsonSyntax: undefined }, { ...serverSettings(), jsonSyntax: undefined });
  });

  it('covers every setting of package.json either in the launch or in what the server gets', () => {
    const launch = ['server.python', 'server.extraArgs'];
    const sent = Object.keys(serverSettings());
    for (const key of Object.keys(manifestDefaults())) {
      const top = key.split('.')[0] ?? key;
      assert.ok(launch.includes(key) || sent.includes(top), `${key} is neither a launch setting nor sent to the server`);
    }
  });

  it('launches with no interpreter setting by default, and resolves variables in it', () => {
    assert.deepStrictEqual(launchSettings(), { python: '', extraArgs: [] });
    vscode.state.settings['server.python'] = '${workspaceFolder}/.venv/bin/python';
    assert.strictEqual(launchSettings().python, '/home/me/ws/.venv/bin/python');
  });

  it('resolves ${workspaceFolder:name}, ${userHome} and ${env:X}; leaves unknown variables alone', () => {
    const folders = [
      { name: 'a', uri: { fsPath: '/a' } },
      { name: 'b', uri: { fsPath: '/b' } },
    ];
    assert.strictEqual(resolveVariables('${workspaceFolder:b}/x', folders, {}, '/h'), '/b/x');
    assert.strictEqual(resolveVariables('${userHome}/py', folders, {}, '/h'), '/h/py');
    assert.strictEqual(resolveVariables('${env:PYBIN}/python', folders, { PYBIN: '/opt/bin' }, '/h'), '/opt/bin/python');
    assert.strictEqual(resolveVariables('${nope}', folders, {}, '/h'), '${nope}');
  });
});

describe('problem counts', () => {
  it('sums the errors and warnings of diagnostics in words', () => {
    const d = (severity: number) => ({ severity }) as never;
    assert.strictEqual(problemSummary([]).text, 'no problems');
    assert.strictEqual(problemSummary([d(0), d(0), d(1)]).text, '2 errors, 1 warning');
    assert.strictEqual(problemSummary([d(1), d(2), d(3)]).text, '1 warning');
  });

  it('words the counts the server gives', () => {
    assert.deepStrictEqual(countsText(1, 0), { errors: 1, warnings: 0, text: '1 error' });
    assert.strictEqual(countsText(0, 3).text, '3 warnings');
  });
});
