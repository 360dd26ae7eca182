// Which Python runs the language server: the `amldeploy.server.python` setting, else the interpreter
// selected in the Python extension when it can import amldeploy, else a private venv in the extension's
// global storage, created (after asking) from the wheel shipped inside the .vsix.
import { ProbeResult } from './probe';

export type Source = 'setting' | 'python-extension' | 'private-venv';

export interface Interpreter {
  python: string;
  source: Source;
  version: string;
  amldeploy: string;
}

// What the chain needs from the outside world; extension.ts wires the real ones, tests pass fakes.
export interface Environment {
  settingPython(): string; // '' when unset
  pythonExtensionInterpreter(): Promise<string | undefined>;
  probe(python: string): Promise<ProbeResult>;
  privateVenvPython(): string; // where the private venv's interpreter is (may not exist yet)
  bundledWheelVersion(): string | undefined; // the version of the wheel inside the .vsix, if any
  // Asks the user to create the private venv; true when they agreed.
  confirmCreateVenv(reasons: string[]): Promise<boolean>;
  createVenv(): Promise<void>; // builds (or rebuilds) the private venv; throws with a clear message
  log(message: string): void;
}

export class InterpreterError extends Error {
  constructor(
    message: string,
    readonly actions: ('openSettings' | 'selectInterpreter' | 'createVenv' | 'installPython')[],
  ) {
    super(message);
  }
}

export async function resolveInterpreter(env: Environment): Promise<Interpreter> {
  const reasons: string[] = ['amldeploy.server.python is not set'];
  const fromSetting = env.settingPython();
  if (fromSetting !== '') {
    const result = await env.probe(fromSetting);
    if (result.ok) {
      return usable(result, 'setting');
    }
    // An explicit choice that does not work is reported, not silently replaced by another interpreter.
    throw new InterpreterError(
      `amldeploy.server.python: ${result.problem ?? 'not usable'}. ` +
        `Install amldeploy into it (${fromSetting} -m pip install amldeploy) or clear the setting.`,
      ['openSettings'],
    );
  }
  const selected = await env.pythonExtensionInterpreter();
  if (selected !== undefined) {
    const result = await env.probe(selected);
    if (result.ok) {
      return usable(result, 'python-extension');
    }
    reasons.push(`the Python extension's interpreter: ${result.problem ?? 'not usable'}`);
    env.log(`Not using the Python extension's interpreter: ${result.problem ?? 'not usable'}`);
  } else {
    reasons.push('no interpreter is selected in the Python extension (or it is not installed)');
  }
  const venv = env.privateVenvPython();
  const existing = await env.probe(venv);
  const wheel = env.bundledWheelVersion();
  if (existing.ok && (wheel === undefined || existing.amldeploy === wheel)) {
    return usable(existing, 'private-venv');
  }
  if (wheel === undefined) {
    throw new InterpreterError(
      'amldeploy cannot start its language server: ' +
        `${reasons.join('; ')}, and this build of the extension carries no amldeploy wheel to install. ` +
        'Set amldeploy.server.python to a Python ≥ 3.10 with amldeploy installed (pip install amldeploy).',
      ['openSettings', 'selectInterpreter'],
    );
  }
  if (existing.ok) {
    reasons.push(`the private environment has amldeploy ${existing.amldeploy ?? '?'}, this extension ships ${wheel}`);
  }
  if (!(await env.confirmCreateVenv(reasons))) {
    throw new InterpreterError(
      'amldeploy has no Python environment to run its language server. ' +
        'Create the private one, select an interpreter with amldeploy installed, or set amldeploy.server.python.',
      ['createVenv', 'selectInterpreter', 'openSettings'],
    );
  }
  await env.createVenv();
  const created = await env.probe(venv);
  if (!created.ok) {
    throw new InterpreterError(
      `The private environment was created but does not work: ${created.problem ?? 'unknown problem'}`,
      ['openSettings'],
    );
  }
  return usable(created, 'private-venv');
}

function usable(result: ProbeResult, source: Source): Interpreter {
  return { python: result.python, source, version: result.version ?? '?', amldeploy: result.amldeploy ?? '?' };
}
