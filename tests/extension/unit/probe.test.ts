import * as assert from 'assert';
import { probe, versionAtLeast } from '../../../extension/src/python/probe';
import { findBasePython } from '../../../extension/src/python/venv';

const printing = (out: object) => () => Promise.resolve({ stdout: `some banner\n${JSON.stringify(out)}\n`, stderr: '' });

describe('probing an interpreter', () => {
  it('compares versions numerically', () => {
    assert.ok(versionAtLeast('3.10.0'));
    assert.ok(versionAtLeast('3.13.1'));
    assert.ok(versionAtLeast('4.0.0'));
    assert.ok(!versionAtLeast('3.9.18'));
    assert.ok(!versionAtLeast('2.7.18'));
  });

  it('accepts Python ≥ 3.10 that imports amldeploy, reading the last line it prints', async () => {
    const result = await probe('py', printing({ version: '3.11.7', amldeploy: '0.1.0' }));
    assert.deepStrictEqual(result, { python: 'py', ok: true, version: '3.11.7', amldeploy: '0.1.0' });
  });

  it('says which Python is too old', async () => {
    const result = await probe('/usr/bin/python3.9', printing({ version: '3.9.2' }));
    assert.strictEqual(result.ok, false);
    assert.strictEqual(result.problem, '/usr/bin/python3.9 is Python 3.9.2; amldeploy needs Python 3.10 or newer');
  });

  it('passes the import error on', async () => {
    const result = await probe('py', printing({ version: '3.12.0', importError: "ModuleNotFoundError: No module named 'amldeploy'" }));
    assert.match(result.problem ?? '', /cannot import amldeploy \(ModuleNotFoundError: No module named 'amldeploy'\)/);
  });

  it('names a missing interpreter', async () => {
    const missing = () => Promise.reject(Object.assign(new Error('spawn /x ENOENT'), { code: 'ENOENT' }));
    assert.strictEqual((await probe('/x/python', missing)).problem, '/x/python does not exist');
  });

  it('runs a real interpreter', async function () {
    this.timeout(20000);
    const result = await probe(process.env.AMLDEPLOY_TEST_PYTHON ?? 'python3');
    assert.match(result.version ?? '', /^3\.\d+\.\d+$/);
  });

  it('finds no base Python with a message that says what to install', async () => {
    const old = () => Promise.resolve({ stdout: JSON.stringify({ version: '3.8.10' }), stderr: '' });
    await assert.rejects(findBasePython([], old), /needs Python 3\.10 or newer and found none .*Install Python 3\.10\+/s);
  });
});
