// Asks an interpreter what it is: its version, and whether (and which) amldeploy it can import.
import { execFile } from 'child_process';

export const MIN_PYTHON: readonly [number, number] = [3, 10];

export interface ProbeResult {
  python: string;
  ok: boolean; // runs, is new enough and imports amldeploy
  version?: string; // "3.11.7"
  amldeploy?: string; // amldeploy's version when importable
  problem?: string; // why it is not usable, in words a user can act on
}

const SCRIPT = [
  'import json, sys',
  'out = {"version": "%d.%d.%d" % sys.version_info[:3], "executable": sys.executable}',
  'try:',
  '    import amldeploy',
  '    out["amldeploy"] = amldeploy.__version__',
  'except Exception as exc:',
  '    out["importError"] = "%s: %s" % (type(exc).__name__, exc)',
  'print(json.dumps(out))',
].join('\n');

export type Runner = (command: string, args: string[]) => Promise<{ stdout: string; stderr: string }>;

export const runFile: Runner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 20000, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        reject(Object.assign(error as Error, { stderr }));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });

export function versionAtLeast(version: string, minimum: readonly [number, number] = MIN_PYTHON): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  return major > minimum[0] || (major === minimum[0] && minor >= minimum[1]);
}

export async function probe(python: string, run: Runner = runFile): Promise<ProbeResult> {
  let stdout: string;
  try {
    ({ stdout } = await run(python, ['-c', SCRIPT]));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const problem =
      code === 'ENOENT' ? `${python} does not exist` : `${python} did not run: ${(error as Error).message.trim()}`;
    return { python, ok: false, problem };
  }
  let info: { version?: string; amldeploy?: string; importError?: string };
  try {
    info = JSON.parse(stdout.trim().split('\n').pop() ?? '') as typeof info;
  } catch {
    return { python, ok: false, problem: `${python} is not a Python interpreter (it printed ${stdout.slice(0, 80)})` };
  }
  const version = info.version ?? '0.0.0';
  if (!versionAtLeast(version)) {
    return { python, ok: false, version, problem: `${python} is Python ${version}; amldeploy needs Python 3.10 or newer` };
  }
  if (info.amldeploy === undefined) {
    return {
      python,
      ok: false,
      version,
      problem: `${python} (Python ${version}) cannot import amldeploy (${info.importError ?? 'not installed'})`,
    };
  }
  return { python, ok: true, version, amldeploy: info.amldeploy };
}
