import * as assert from 'assert';
import { ExportResult } from '../../../extension/src/client/protocol';
import { defaultOutputDir, exportArgsFrom, exportSummary, filesToOpen } from '../../../extension/src/commands/exportPlan';
import * as vscode from './vscodeMock';

const result = (over: Partial<ExportResult>): ExportResult => ({
  kind: 'v2',
  outputDir: '/ws/app/azureml-v2',
  files: [],
  mapped: [],
  dropped: [],
  notes: [],
  warnings: [],
  ...over,
});

describe('the export commands', () => {
  it('take the config they were run on: a Configurations row, an open file, or explicit arguments', () => {
    assert.deepStrictEqual(exportArgsFrom({ uri: vscode.Uri.file('/ws/app/deploymentconfig.json'), kind: 'deployment', errors: 0, warnings: 0 }), {
      deploymentConfig: '/ws/app/deploymentconfig.json',
    });
    assert.deepStrictEqual(exportArgsFrom({ uri: vscode.Uri.file('/ws/app/inferenceconfig.json'), kind: 'inference' }), { inferenceConfig: '/ws/app/inferenceconfig.json' });
    assert.deepStrictEqual(exportArgsFrom(vscode.Uri.file('/ws/app/deploymentconfig.aks.yml')), { deploymentConfig: '/ws/app/deploymentconfig.aks.yml' });
    assert.deepStrictEqual(exportArgsFrom({ inferenceConfig: 'i.json', deploymentConfig: 'd.json', models: ['m.pkl', 3], outputDir: 'out', registry: 'r.io' }), {
      inferenceConfig: 'i.json',
      deploymentConfig: 'd.json',
      models: ['m.pkl'],
      outputDir: 'out',
      registry: 'r.io',
    });
    assert.deepStrictEqual(exportArgsFrom(undefined), {});
    assert.deepStrictEqual(exportArgsFrom('deploymentconfig.json'), {});
  });

  it('suggest a folder beside the deployment config, named for the kind of export', () => {
    assert.strictEqual(defaultOutputDir('v2', '/ws/app/deploymentconfig.json'), '/ws/app/azureml-v2');
    assert.strictEqual(defaultOutputDir('iot-edge', '/ws/app/deploymentconfig.json'), '/ws/app/iot-edge');
  });

  it('open the YAML or the manifest, and offer MIGRATION.md', () => {
    const v2 = result({
      files: ['/ws/app/azureml-v2/endpoint.yml', '/ws/app/azureml-v2/deployment.yml', '/ws/app/azureml-v2/environment/conda.yml', '/ws/app/azureml-v2/MIGRATION.md'],
    });
    assert.deepStrictEqual(filesToOpen(v2), {
      editors: ['/ws/app/azureml-v2/deployment.yml', '/ws/app/azureml-v2/endpoint.yml'],
      migration: '/ws/app/azureml-v2/MIGRATION.md',
    });
    const edge = result({ kind: 'iot-edge', outputDir: '/ws/edge', files: ['/ws/edge/deployment.json', '/ws/edge/MIGRATION.md'] });
    assert.deepStrictEqual(filesToOpen(edge), { editors: ['/ws/edge/deployment.json'], migration: '/ws/edge/MIGRATION.md' });
  });

  it('sum up what was mapped and dropped', () => {
    const fate = { file: 'deployment' as const, key: 'dnsNameLabel', to: null, note: 'why' };
    const mapped = { file: 'deployment' as const, key: 'authEnabled', to: 'endpoint.yml: auth_mode', note: '' };
    assert.strictEqual(
      exportSummary(result({ deploymentKind: 'kubernetes', mapped: [mapped, mapped], dropped: [fate] })),
      'Exported to Azure ML v2 (kubernetes deployment) in azureml-v2: 2 keys mapped, 1 dropped (MIGRATION.md says why).',
    );
    assert.strictEqual(exportSummary(result({ kind: 'iot-edge', outputDir: '/ws/edge', mapped: [mapped] })), 'Exported to IoT Edge in edge: 1 key mapped, 0 dropped.');
  });
});
