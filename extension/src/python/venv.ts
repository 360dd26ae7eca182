// The private environment: a venv in the extension's global storage with the bundled amldeploy wheel.
import * as fs from 'fs';
import * as path from 'path';
import { spawn } from 'child_process';
import { probe, Runner, runFile } from './probe';

export function venvPython(storage: string): string {
  return process.platform === 'win32'
    ? path.join(storage, 'venv', 'Scripts', 'python.exe')
    : path.join(storage, 'venv', 'bin', 'python');
}

// The wheel that `npm run package` puts into the .vsix (extension/dist/python/amldeploy-X-py3-none-any.whl).
export function bundledWheel(extensionRoot: string): { path: string; version: string } | undefined {
  const folder = path.join(extensionRoot, 'extension', 'dist', 'python');
  let names: string[];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return undefined;
  }
  for (const name of names) {
    const match = /^amldeploy-([^-]+)-.*\.whl$/.exec(name);
    if (match?.[1] !== undefined) {
      return { path: path.join(folder, name), version: match[1] };
    }
  }
  return undefined;
}

// A Python ≥ 3.10 to build the venv with: the given candidates first, then the usual names on PATH.
export async function findBasePython(preferred: (string | undefined)[], run: Runner = runFile): Promise<string> {
  const names = process.platform === 'win32' ? ['py', 'python'] : ['python3', 'python'];
  const candidates = [...preferred.filter((p): p is string => p !== undefined && p !== ''), ...names];
  const tried: string[] = [];
  for (const candidate of candidates) {
    const result = await probe(candidate, run);
    if (result.version !== undefined && (result.ok || !(result.problem ?? '').includes('needs Python'))) {
      return candidate;
    }
    tried.push(result.problem ?? candidate);
  }
  throw new Error(
    `amldeploy needs Python 3.10 or newer and found none (${tried.join('; ')}). ` +
      'Install Python 3.10+ (python.org or your package manager), then run "amldeploy: Restart Server".',
  );
}

// Runs a command, feeding its output lines to `onLine`; rejects with the last lines when it fails.
export function runLogged(command: string, args: string[], onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { windowsHide: true });
    const tail: string[] = [];
    const take = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split(/\r?\n/)) {
        if (line.trim() !== '') {
          onLine(line);
          tail.push(line);
          if (tail.length > 15) {
            tail.shift();
          }
        }
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        resolve();
      } else {
        reject(new Error(`${path.basename(command)} ${args.slice(0, 3).join(' ')} failed (exit ${code ?? '?'}):\n${tail.join('\n')}`));
      }
    });
  });
}

export async function createVenv(
  storage: string,
  basePython: string,
  wheel: string,
  onLine: (line: string) => void,
  step: (message: string) => void,
): Promise<void> {
  const folder = path.join(storage, 'venv');
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(storage, { recursive: true });
  step('Creating the virtual environment');
  await runLogged(basePython, ['-m', 'venv', folder], onLine);
  step('Installing amldeploy and its dependencies');
  await runLogged(venvPython(storage), ['-m', 'pip', 'install', '--disable-pip-version-check', wheel], onLine);
}
