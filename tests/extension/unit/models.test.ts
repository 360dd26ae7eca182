import * as assert from 'assert';
import { ModelsSnapshot, RegisteredModel } from '../../../extension/src/client/protocol';
import { findModel, isNoCode, parseTags, referenceItems, tooltipLines, versionDescription } from '../../../extension/src/commands/modelPlan';
import { ModelsTreeProvider } from '../../../extension/src/views/modelsTree';
import * as vscode from './vscodeMock';

function model(name: string, version: number, extra: Partial<RegisteredModel> = {}): RegisteredModel {
  return {
    name,
    version,
    id: `${name}:${version}`,
    tags: {},
    properties: {},
    description: null,
    framework: null,
    frameworkVersion: null,
    createdTime: '2026-12-06T11:00:00+00:00',
    resourceConfiguration: null,
    digest: `sha256:${'ab'.repeat(32)}`,
    assetName: 'model.pkl',
    path: `/registry/${name}/${version}/model.pkl`,
    ...extra,
  };
}

const SNAPSHOT: ModelsSnapshot = {
  root: '/registry',
  problems: [],
  models: [
    {
      name: 'sklearn_mnist',
      versions: [
        model('sklearn_mnist', 2, { framework: 'ScikitLearn', frameworkVersion: '1.5', tags: { area: 'mnist', stage: '' }, description: 'retrained' }),
        model('sklearn_mnist', 1, { tags: { area: 'mnist' } }),
      ],
    },
    { name: 'torch-net', versions: [model('torch-net', 7, { framework: 'PyTorch' })] },
  ],
};

describe('tags', () => {
  it('reads key=value tags separated by commas, as --tag takes them; a tag with no key is refused', () => {
    assert.deepStrictEqual(parseTags(''), { tags: [] });
    assert.deepStrictEqual(parseTags(' area=mnist , stage = dev,,release='), { tags: ['area=mnist', 'stage=dev', 'release='] });
    assert.deepStrictEqual(parseTags('url=http://x/?a=b'), { tags: ['url=http://x/?a=b'] });
    assert.deepStrictEqual(parseTags('area=mnist, =oops'), { error: "'=oops' is not key=value: write key=value, separated by commas" });
    assert.deepStrictEqual(parseTags('release'), { error: "'release' is not key=value: write key=value, separated by commas" });
  });
});

describe('registered models', () => {
  it('deploy no-code only with the frameworks v1 deployed without an entry script', () => {
    const [v2, v1] = SNAPSHOT.models[0]?.versions ?? [];
    assert.ok(v2 !== undefined && v1 !== undefined);
    assert.strictEqual(isNoCode(v2), true);
    assert.strictEqual(isNoCode(v1), false);
    assert.strictEqual(isNoCode(model('m', 1, { framework: 'Onnx' })), true);
    assert.strictEqual(isNoCode(model('m', 1, { framework: 'TensorFlow' })), true);
    assert.strictEqual(isNoCode(model('m', 1, { framework: 'PyTorch' })), false);
  });

  it('offer NAME (latest) and every NAME:VERSION as -m references', () => {
    const items = referenceItems(SNAPSHOT);
    assert.deepStrictEqual(
      items.map((i) => [i.label, i.description]),
      [
        ['sklearn_mnist', 'latest (sklearn_mnist:2)'],
        ['sklearn_mnist:2', 'ScikitLearn 1.5 · area=mnist, stage'],
        ['sklearn_mnist:1', 'area=mnist'],
        ['torch-net', 'latest (torch-net:7)'],
        ['torch-net:7', 'PyTorch'],
      ],
    );
    assert.strictEqual(items[1]?.detail, 'retrained');
    assert.deepStrictEqual(referenceItems(undefined), []);
    assert.strictEqual(versionDescription(model('bare', 1)), '');
  });

  it('find the version a command is about: a row, NAME:VERSION, NAME (latest) or {name, version}', () => {
    assert.strictEqual(findModel(SNAPSHOT, 'sklearn_mnist:1')?.id, 'sklearn_mnist:1');
    assert.strictEqual(findModel(SNAPSHOT, 'sklearn_mnist')?.id, 'sklearn_mnist:2');
    assert.strictEqual(findModel(SNAPSHOT, { name: 'torch-net', version: 7 })?.id, 'torch-net:7');
    assert.strictEqual(findModel(SNAPSHOT, { name: 'torch-net', version: '7' })?.id, 'torch-net:7');
    assert.strictEqual(findModel(SNAPSHOT, { kind: 'version', model: model('sklearn_mnist', 1) })?.id, 'sklearn_mnist:1');
    assert.strictEqual(findModel(SNAPSHOT, 'sklearn_mnist:3'), undefined);
    assert.strictEqual(findModel(SNAPSHOT, 'nothing'), undefined);
    assert.strictEqual(findModel(undefined, 'sklearn_mnist'), undefined);
  });

  it('put the description, framework, tags, properties, digest and creation time in the tooltip', () => {
    const lines = tooltipLines(model('m', 3, { description: 'first', framework: 'Onnx', frameworkVersion: '1.17', tags: { a: 'b' }, properties: { accuracy: '0.9' } }));
    assert.deepStrictEqual(lines, [
      '**m:3**',
      'first',
      'Framework: `Onnx 1.17` (deploys with no inference config)',
      'Tags: `a=b`',
      'Properties: `accuracy=0.9`',
      `Digest: \`sha256:${'ab'.repeat(32)}\``,
      'Created: 2026-12-06T11:00:00+00:00',
    ]);
    assert.ok(tooltipLines(model('m', 1)).includes('Framework: none'));
  });
});

describe('the Models tree', () => {
  it('is empty before the first answer and with no models, so the welcome view shows', () => {
    const tree = new ModelsTreeProvider();
    assert.deepStrictEqual(tree.getChildren(), []);
    tree.update({ root: '/registry', models: [], problems: [] });
    assert.deepStrictEqual(tree.getChildren(), []);
  });

  it('shows names → versions (latest first) with framework and tags, and marks no-code versions', () => {
    const tree = new ModelsTreeProvider();
    let changes = 0;
    tree.onDidChangeTreeData(() => (changes += 1));
    tree.update(SNAPSHOT);
    assert.strictEqual(changes, 1);
    const [mnist, torch] = tree.getChildren();
    assert.ok(mnist !== undefined && torch !== undefined);
    const group = tree.getTreeItem(mnist);
    assert.deepStrictEqual([group.label, group.description, group.contextValue], ['sklearn_mnist', '2 versions', 'model']);
    assert.strictEqual(tree.getTreeItem(torch).description, '1 version');
    const rows = tree.getChildren(mnist).map((n) => tree.getTreeItem(n));
    assert.deepStrictEqual(
      rows.map((r) => [r.label, r.description, r.contextValue]),
      [
        ['sklearn_mnist:2', 'ScikitLearn 1.5 · area=mnist, stage', 'modelVersion.noCode'],
        ['sklearn_mnist:1', 'area=mnist', 'modelVersion'],
      ],
    );
    assert.match((rows[0]?.tooltip as vscode.MarkdownString).value, /Digest: `sha256:ab/);
    assert.strictEqual(tree.versions().length, 3);
  });

  it('lists the entries it could not read after the models', () => {
    const tree = new ModelsTreeProvider();
    tree.update({ ...SNAPSHOT, problems: ['the model registry entry m:2 is damaged: /registry/models/m/2.json — not JSON'] });
    const nodes = tree.getChildren();
    assert.strictEqual(nodes.length, 3);
    const last = nodes[2];
    assert.ok(last !== undefined);
    const item = tree.getTreeItem(last);
    assert.deepStrictEqual([item.label, item.description], ['1 damaged entry skipped', 'the model registry entry m:2 is damaged: /registry/models/m/2.json — not JSON']);
  });

  it('says why when the registry cannot be read, and empties when the server stops', () => {
    const tree = new ModelsTreeProvider();
    tree.update(SNAPSHOT);
    tree.fail('the model registry at /registry is corrupted');
    const [message] = tree.getChildren();
    assert.ok(message !== undefined);
    assert.deepStrictEqual([tree.getTreeItem(message).label, tree.getTreeItem(message).description], ['Models unavailable', 'the model registry at /registry is corrupted']);
    tree.clear();
    assert.deepStrictEqual(tree.getChildren(), []);
    assert.strictEqual(tree.snapshot, undefined);
  });
});
