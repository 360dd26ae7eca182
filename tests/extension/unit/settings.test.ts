import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { launchSettings, resolveVariables, serverSettings } from '../../../extension/src/common/settings';
import { globToRegExp, patternsOf, problemSummary } from '../../../extension/src/views/configsTree';
import { serviceNameProblem, suggestName } from '../../../extension/src/common/naming';
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
    assert.deepStrictEqual(Object.keys(sent).sort(), ['aci', 'debounceMs', 'detectByContent', 'disabledRules', 'fileAssociations', 'kubernetes', 'servicesPollMs', 'severityOverrides']);
    assert.strictEqual(sent.debounceMs, 0);
    assert.strictEqual(sent.servicesPollMs, 3000);
    assert.deepStrictEqual(sent.aci, { subscription: null, resourceGroup: null, region: null });
    assert.deepStrictEqual(sent.kubernetes, { context: null, namespace: null });
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

  it('matches config file names like the server (fnmatch, case-insensitive)', () => {
    const inference = patternsOf('inference').map(globToRegExp);
    const matches = (name: string) => inference.some((r) => r.test(name));
    assert.ok(matches('inferenceconfig.json'));
    assert.ok(matches('InferenceConfig.prod.YML'));
    assert.ok(matches('my_inference_config.yaml'));
    assert.ok(!matches('deploymentconfig.json'));
    assert.ok(!matches('inferenceconfig.json.bak'));
  });
});

describe('problem counts and names', () => {
  it('sums errors and warnings in words', () => {
    const d = (severity: number) => ({ severity }) as never;
    assert.strictEqual(problemSummary([]).text, 'no problems');
    assert.strictEqual(problemSummary([d(0), d(0), d(1)]).text, '2 errors, 1 warning');
    assert.strictEqual(problemSummary([d(1), d(2)]).text, '1 warning');
  });

  it('checks service names with the v1 rule', () => {
    assert.strictEqual(serviceNameProblem('sklearn-demo'), undefined);
    assert.match(serviceNameProblem('ab') ?? '', /3 to 32 characters \(this one has 2\)/);
    assert.match(serviceNameProblem('Sklearn') ?? '', /lowercase/);
    assert.match(serviceNameProblem('demo-') ?? '', /end with a letter or number/);
    assert.match(serviceNameProblem('1demo') ?? '', /start with a letter/);
  });

  it('suggests a valid name from a folder name', () => {
    for (const folder of ['sklearn', 'My Model_v2', '42', 'x', 'a'.repeat(40) + '--']) {
      const name = suggestName(folder);
      assert.strictEqual(serviceNameProblem(name), undefined, `${folder} → ${name}`);
    }
    assert.strictEqual(suggestName('My Model_v2'), 'my-model-v2');
  });
});
