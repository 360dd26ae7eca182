import * as assert from 'assert';
import { Environment, InterpreterError, resolveInterpreter } from '../../../extension/src/python/interpreter';
import { ProbeResult } from '../../../extension/src/python/probe';

// A machine described by which interpreters exist and what they can import.
interface Machine {
  setting?: string;
  selected?: string;
  interpreters: Record<string, { version: string; amldeploy?: string }>;
  wheel?: string;
  agree?: boolean;
  venvInstalls?: string; // the amldeploy version createVenv puts into the private venv
}

const VENV = '/storage/venv/bin/python';

function environment(machine: Machine): Environment & { asked: string[][]; created: number } {
  const env = {
    asked: [] as string[][],
    created: 0,
    settingPython: () => machine.setting ?? '',
    pythonExtensionInterpreter: () => Promise.resolve(machine.selected),
    probe: (python: string): Promise<ProbeResult> => {
      const found = machine.interpreters[python];
      if (found === undefined) {
        return Promise.resolve({ python, ok: false, problem: `${python} does not exist` });
      }
      const tooOld = Number(found.version.split('.')[1]) < 10 && found.version.startsWith('3.');
      if (tooOld) {
        return Promise.resolve({ python, ok: false, version: found.version, problem: 'needs Python 3.10' });
      }
      if (found.amldeploy === undefined) {
        return Promise.resolve({ python, ok: false, version: found.version, problem: 'cannot import amldeploy' });
      }
      return Promise.resolve({ python, ok: true, version: found.version, amldeploy: found.amldeploy });
    },
    privateVenvPython: () => VENV,
    bundledWheelVersion: () => machine.wheel,
    confirmCreateVenv: (reasons: string[]) => {
      env.asked.push(reasons);
      return Promise.resolve(machine.agree ?? false);
    },
    createVenv: () => {
      env.created += 1;
      machine.interpreters[VENV] = { version: '3.11.7', amldeploy: machine.venvInstalls ?? machine.wheel };
      return Promise.resolve();
    },
    log: () => undefined,
  };
  return env;
}

describe('the interpreter chain', () => {
  it('uses amldeploy.server.python when it can import amldeploy, before anything else', async () => {
    const env = environment({
      setting: '/opt/py/bin/python',
      selected: '/usr/bin/python3',
      interpreters: { '/opt/py/bin/python': { version: '3.12.1', amldeploy: '0.1.0' }, '/usr/bin/python3': { version: '3.11.2', amldeploy: '0.1.0' } },
    });
    const chosen = await resolveInterpreter(env);
    assert.deepStrictEqual(chosen, { python: '/opt/py/bin/python', source: 'setting', version: '3.12.1', amldeploy: '0.1.0' });
  });

  it('reports a broken setting instead of silently using another interpreter', async () => {
    const env = environment({ setting: '/nope/python', selected: '/usr/bin/python3', interpreters: { '/usr/bin/python3': { version: '3.11.2', amldeploy: '0.1.0' } } });
    await assert.rejects(resolveInterpreter(env), (error: unknown) => {
      assert.ok(error instanceof InterpreterError);
      assert.match(error.message, /amldeploy\.server\.python: \/nope\/python does not exist/);
      assert.deepStrictEqual(error.actions, ['openSettings']);
      return true;
    });
  });

  it("takes the Python extension's interpreter when it imports amldeploy", async () => {
    const env = environment({ selected: '/proj/.venv/bin/python', interpreters: { '/proj/.venv/bin/python': { version: '3.10.0', amldeploy: '0.1.0' } }, wheel: '0.1.0' });
    const chosen = await resolveInterpreter(env);
    assert.strictEqual(chosen.source, 'python-extension');
    assert.strictEqual(env.asked.length, 0);
  });

  it('falls back to an existing private venv with the bundled version, without asking', async () => {
    const env = environment({ selected: '/usr/bin/python3', interpreters: { '/usr/bin/python3': { version: '3.11.2' }, [VENV]: { version: '3.11.2', amldeploy: '0.1.0' } }, wheel: '0.1.0' });
    const chosen = await resolveInterpreter(env);
    assert.strictEqual(chosen.source, 'private-venv');
    assert.strictEqual(env.asked.length, 0);
    assert.strictEqual(env.created, 0);
  });

  it('asks before creating the private venv, says why, and uses it once built', async () => {
    const env = environment({ selected: '/usr/bin/python3', interpreters: { '/usr/bin/python3': { version: '3.11.2' } }, wheel: '0.1.0', agree: true });
    const chosen = await resolveInterpreter(env);
    assert.strictEqual(chosen.source, 'private-venv');
    assert.strictEqual(chosen.python, VENV);
    assert.strictEqual(env.created, 1);
    assert.match(env.asked[0]?.join(' ') ?? '', /amldeploy\.server\.python is not set.*cannot import amldeploy/);
  });

  it('rebuilds a private venv that holds another amldeploy version than the wheel', async () => {
    const env = environment({ interpreters: { [VENV]: { version: '3.11.2', amldeploy: '0.0.9' } }, wheel: '0.1.0', agree: true });
    const chosen = await resolveInterpreter(env);
    assert.strictEqual(chosen.amldeploy, '0.1.0');
    assert.match(env.asked[0]?.join(' ') ?? '', /has amldeploy 0\.0\.9, this extension ships 0\.1\.0/);
  });

  it('explains what to do when the user declines', async () => {
    const env = environment({ interpreters: {}, wheel: '0.1.0', agree: false });
    await assert.rejects(resolveInterpreter(env), (error: unknown) => {
      assert.ok(error instanceof InterpreterError);
      assert.deepStrictEqual(error.actions, ['createVenv', 'selectInterpreter', 'openSettings']);
      return true;
    });
    assert.strictEqual(env.created, 0);
  });

  it('without a bundled wheel (a development build) names the setting to use', async () => {
    const env = environment({ interpreters: {} });
    await assert.rejects(resolveInterpreter(env), /carries no amldeploy wheel.*amldeploy\.server\.python/s);
  });

  it('refuses a private venv that still cannot import amldeploy after it was built', async () => {
    const env = environment({ interpreters: {}, wheel: '0.1.0', agree: true });
    env.createVenv = () => Promise.resolve(); // the install "succeeded" but left nothing importable
    await assert.rejects(resolveInterpreter(env), /created but does not work/);
  });
});
