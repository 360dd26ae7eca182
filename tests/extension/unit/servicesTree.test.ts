import * as assert from 'assert';
import { ServiceView, ServicesSnapshot, TargetView } from '../../../extension/src/client/protocol';
import { ServicesNode, ServicesTreeProvider } from '../../../extension/src/views/servicesTree';
import * as vscode from './vscodeMock';

function service(name: string, state: ServiceView['state'], extra: Partial<ServiceView> = {}): ServiceView {
  return {
    name,
    target: 'process',
    computeType: 'local',
    state,
    scoringUri: state === 'Failed' ? null : `http://127.0.0.1:8890/score`,
    swaggerUri: null,
    authEnabled: false,
    error: state === 'Failed' ? 'the service process has crashed' : null,
    rows: [
      { label: 'State', value: state },
      { label: 'PID', value: '4242' },
    ],
    ...extra,
  };
}

function target(name: string, services: ServiceView[], extra: Partial<TargetView> = {}): TargetView {
  return { name, label: name === 'process' ? 'Local processes' : name, description: '', available: true, canPackage: false, settings: [], services, ...extra };
}

const snapshot = (...targets: TargetView[]): ServicesSnapshot => ({ root: '/ws', targets });

describe('the Services tree', () => {
  it('is empty before the first snapshot, so the welcome view shows', () => {
    assert.deepStrictEqual(new ServicesTreeProvider().getChildren(), []);
  });

  it('shows targets → services → detail rows, and fires a change on each snapshot', () => {
    const tree = new ServicesTreeProvider();
    let changes = 0;
    tree.onDidChangeTreeData(() => (changes += 1));
    tree.update(snapshot(target('process', [service('sklearn-demo', 'Healthy')]), target('aci', [], { settings: [{ key: 'subscription', label: 'Subscription', value: 'Pay-As-You-Go' }] })));
    assert.strictEqual(changes, 1);
    const [local, aci] = tree.getChildren();
    assert.ok(local !== undefined && aci !== undefined);
    assert.strictEqual(tree.getTreeItem(local).label, 'Local processes');
    assert.strictEqual(tree.getTreeItem(aci).description, 'Subscription: Pay-As-You-Go');
    const [svc] = tree.getChildren(local);
    assert.ok(svc !== undefined);
    const item = tree.getTreeItem(svc);
    assert.strictEqual(item.label, 'sklearn-demo');
    assert.strictEqual(item.description, 'http://127.0.0.1:8890/score');
    assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'pass-filled');
    assert.strictEqual(item.contextValue, 'service.Healthy');
    const rows = tree.getChildren(svc).map((n) => tree.getTreeItem(n));
    assert.deepStrictEqual(rows.map((r) => [r.label, r.description]), [['State', 'Healthy'], ['PID', '4242']]);
    const empty = tree.getChildren(aci)[0] as ServicesNode;
    assert.strictEqual(tree.getTreeItem(empty).label, 'No services');
  });

  it('gives each state its own icon and marks services with keys for Copy Key', () => {
    const tree = new ServicesTreeProvider();
    const states: ServiceView['state'][] = ['Healthy', 'Transitioning', 'Unhealthy', 'Unschedulable', 'Failed'];
    tree.update(snapshot(target('process', states.map((s, i) => service(`svc-${i}`, s, { authEnabled: s === 'Unhealthy' })))));
    const [local] = tree.getChildren();
    assert.ok(local !== undefined);
    const items = tree.getChildren(local).map((n) => tree.getTreeItem(n));
    const icons = items.map((i) => (i.iconPath as vscode.ThemeIcon).id);
    assert.strictEqual(new Set(icons).size, states.length);
    assert.strictEqual(icons[1], 'loading~spin');
    assert.strictEqual(items.at(2)?.contextValue, 'service.Unhealthy.auth');
    assert.strictEqual(items.at(2)?.description, 'Unhealthy · http://127.0.0.1:8890/score');
    assert.strictEqual(items.at(4)?.description, 'Failed'); // no URI: the state instead
    const failed = items.at(4);
    assert.ok(failed);
    assert.match((failed.tooltip as vscode.MarkdownString).value, /crashed/);
  });

  it('replaces its content with the newest snapshot (a deleted service disappears)', () => {
    const tree = new ServicesTreeProvider();
    tree.update(snapshot(target('process', [service('a-one', 'Healthy'), service('b-two', 'Healthy')])));
    tree.update(snapshot(target('process', [service('b-two', 'Healthy')])));
    assert.deepStrictEqual(tree.services().map((s) => s.name), ['b-two']);
    assert.strictEqual(tree.find('a-one'), undefined);
  });

  it('shows why services are unavailable when the server fails, and recovers', () => {
    const tree = new ServicesTreeProvider();
    tree.fail('The amldeploy language server is not running.');
    const [message] = tree.getChildren();
    assert.ok(message !== undefined);
    assert.strictEqual(tree.getTreeItem(message).description, 'The amldeploy language server is not running.');
    tree.update(snapshot(target('process', [])));
    assert.strictEqual(tree.getChildren()[0]?.kind, 'target');
  });

  it('marks an unavailable target with its reason', () => {
    const tree = new ServicesTreeProvider();
    tree.update(snapshot(target('docker', [], { available: false, reason: 'no Docker engine answers' })));
    const [docker] = tree.getChildren();
    assert.ok(docker !== undefined);
    const item = tree.getTreeItem(docker);
    assert.strictEqual(item.description, 'unavailable');
    assert.match((item.tooltip as vscode.MarkdownString).value, /no Docker engine answers/);
  });

  it('shows a recorded compute target that cannot be listed as a target of its own, next to the same target', () => {
    const tree = new ServicesTreeProvider();
    const recorded = service('team-svc', 'Healthy', { target: 'kubernetes', rows: [{ label: 'State', value: 'Healthy' }, { label: 'Compute target', value: 'teamaks' }] });
    const dead = target('computeTarget:deadaks', [], { label: 'Kubernetes · compute target deadaks', available: false, reason: 'the Kubernetes of compute target deadaks cannot be reached', computeTarget: 'deadaks', target: 'kubernetes' });
    tree.update(snapshot(target('kubernetes', [recorded]), dead));
    const [kubernetes, record] = tree.getChildren();
    assert.ok(kubernetes !== undefined && record !== undefined);
    assert.notStrictEqual(tree.getTreeItem(kubernetes).id, tree.getTreeItem(record).id);
    assert.strictEqual(tree.getTreeItem(record).description, 'unavailable');
    const [why] = tree.getChildren(record);
    assert.ok(why !== undefined);
    assert.match(String(tree.getTreeItem(why).description), /cannot be reached/);
    const [svc] = tree.getChildren(kubernetes);
    assert.ok(svc !== undefined);
    const rows = tree.getChildren(svc).map((n) => tree.getTreeItem(n));
    assert.deepStrictEqual(rows.map((r) => [r.label, r.description]), [['State', 'Healthy'], ['Compute target', 'teamaks']]);
  });
});
