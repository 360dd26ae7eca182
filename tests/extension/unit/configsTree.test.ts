import * as assert from 'assert';
import { ConfigView, ConfigsResult } from '../../../extension/src/client/protocol';
import { ConfigsTreeProvider } from '../../../extension/src/views/configsTree';
import * as vscode from './vscodeMock';

const view = (path: string, kind: ConfigView['kind'], errors = 0, warnings = 0): ConfigView => ({ path, kind, errors, warnings });
const answer = (...files: ConfigView[]): ConfigsResult => ({ root: '/ws', files, truncated: false, exclude: ['**/node_modules/**', '**/.*/**'] });

// A server stand-in that answers what a test sets and counts the questions.
function server(first: ConfigsResult): { ask: () => Promise<ConfigsResult>; asked: () => number; set(next: ConfigsResult | Error): void } {
  let next: ConfigsResult | Error = first;
  let asked = 0;
  return {
    ask: () => {
      asked += 1;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    asked: () => asked,
    set: (value) => {
      next = value;
    },
  };
}

describe('the Configurations tree', () => {
  beforeEach(() => {
    vscode.state.folders = [{ name: 'ws', uri: vscode.Uri.file('/ws') }];
  });

  it('lists the configs the server found, not the entry scripts, with the counts it gave', async () => {
    const fake = server(answer(view('/ws/app/inferenceconfig.json', 'inference'), view('/ws/app/deploymentconfig.json', 'deployment', 2, 1), view('/ws/app/score.py', 'entryScript', 1)));
    const tree = new ConfigsTreeProvider(fake.ask);
    const files = await tree.getChildren();
    assert.deepStrictEqual(files.map((f) => [f.uri.fsPath, f.kind]), [
      ['/ws/app/inferenceconfig.json', 'inference'],
      ['/ws/app/deploymentconfig.json', 'deployment'],
    ]);
    const [inference, deployment] = files.map((f) => tree.getTreeItem(f)) as unknown as [vscode.TreeItem, vscode.TreeItem];
    assert.strictEqual(inference.description, 'app · no problems');
    assert.strictEqual((inference.iconPath as vscode.ThemeIcon).id, 'symbol-method');
    assert.strictEqual(deployment.description, 'app · 2 errors, 1 warning');
    assert.strictEqual((deployment.iconPath as vscode.ThemeIcon).id, 'error');
    assert.strictEqual(deployment.contextValue, 'config.deployment');
    assert.strictEqual(await tree.exclude(), '{**/node_modules/**,**/.*/**}');
    tree.dispose();
  });

  it('asks once for a burst of events, keeps its rows as objects, and shows the new counts', async () => {
    const fake = server(answer(view('/ws/deploymentconfig.json', 'deployment', 1)));
    const tree = new ConfigsTreeProvider(fake.ask);
    const [before] = await tree.getChildren();
    let changes = 0;
    tree.onDidChangeTreeData(() => (changes += 1));
    fake.set(answer(view('/ws/deploymentconfig.json', 'deployment', 0)));
    for (let i = 0; i < 5; i++) {
      tree.schedule(20);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.strictEqual(fake.asked(), 2, 'one question at first, one for the burst');
    assert.strictEqual(changes, 1);
    const [after] = await tree.getChildren();
    assert.strictEqual(after, before, 'the same row object');
    assert.strictEqual(after?.errors, 0);
    tree.dispose();
  });

  it('keeps what it showed when the server cannot answer, and says why', async () => {
    const fake = server(answer(view('/ws/inferenceconfig.json', 'inference')));
    const tree = new ConfigsTreeProvider(fake.ask);
    await tree.getChildren();
    fake.set(new Error('The amldeploy language server is not running.'));
    assert.strictEqual((await tree.refresh())?.files.length, 1);
    assert.strictEqual((await tree.getChildren()).length, 1);
    assert.match(tree.lastError ?? '', /not running/);
    tree.dispose();
  });
});
