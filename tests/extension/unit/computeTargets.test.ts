import * as assert from 'assert';
import { ComputeTargetView } from '../../../extension/src/client/protocol';
import { computeTargetItems, settingsText } from '../../../extension/src/commands/computeTargetPlan';

function target(name: string, type: ComputeTargetView['type'], settings: Record<string, string>, extra: Partial<ComputeTargetView> = {}): ComputeTargetView {
  return { name, type, target: type, computeType: type === 'aci' ? 'ACI' : type === 'kubernetes' ? 'AKS' : 'local', settings, created: '2026-12-06T11:00:00+00:00', file: `/data/${name}.json`, ...extra };
}

describe('compute target step', () => {
  it('offers the config\'s own choice first, then the records by name with what they point at', () => {
    const items = computeTargetItems([
      target('myaks', 'kubernetes', { 'kubernetes.context': 'prod-aks', 'kubernetes.namespace': 'ml', 'kubernetes.kubeconfig': '/k' }, { description: 'production' }),
      target('aci-west', 'aci', { 'aci.subscription': 'sub-1', 'aci.resourceGroup': 'rg', 'aci.region': 'westeurope' }),
    ]);
    assert.deepStrictEqual(
      items.map((i) => [i.label, i.name]),
      [
        ['As the deployment config says', undefined],
        ['aci-west', 'aci-west'],
        ['myaks', 'myaks'],
      ],
    );
    assert.strictEqual(items[1]?.description ?? '', 'aci (ACI)');
    assert.strictEqual(items[1]?.detail, 'subscription sub-1 · resourceGroup rg · region westeurope');
    assert.strictEqual(items[2]?.detail, 'production — context prod-aks · namespace ml');
  });

  it('leaves out settings a record does not have', () => {
    assert.strictEqual(settingsText(target('local', 'docker', {})), '');
    assert.strictEqual(computeTargetItems([target('local', 'docker', {})])[1]?.detail, undefined);
  });
});
