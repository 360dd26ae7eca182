// `npm run package`: amldeploy-<version>.vsix with the bundled extension and the Python wheel inside.
//   1. the wheel of the Python package (server/, schemas/) into extension/dist/python/
//   2. the extension bundle (esbuild) into extension/dist/extension.js
//   3. vsce package (no node_modules: the bundle carries vscode-languageclient)
// The Python that builds the wheel: $AMLDEPLOY_PYTHON, else the project's .venv, else python3.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const venvPython = path.join(root, '.venv', 'bin', 'python');
const python = process.env.AMLDEPLOY_PYTHON || (fs.existsSync(venvPython) ? venvPython : 'python3');
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: 'inherit' });

const wheels = path.join(root, 'extension', 'dist', 'python');
fs.rmSync(wheels, { recursive: true, force: true });
fs.mkdirSync(wheels, { recursive: true });
let hasHatchling = true;
try {
  execFileSync(python, ['-c', 'import hatchling'], { stdio: 'ignore' });
} catch {
  hasHatchling = false;
}
// With hatchling at hand the wheel builds offline; otherwise pip fetches it into an isolated build env.
run(python, ['-m', 'pip', 'wheel', '--quiet', '--no-deps', ...(hasHatchling ? ['--no-build-isolation'] : []), '-w', wheels, root]);
const wheel = fs.readdirSync(wheels).find((name) => name.endsWith('.whl'));
if (wheel === undefined) {
  throw new Error('no wheel was built');
}
const version = /^amldeploy-([^-]+)-/.exec(wheel)?.[1];
if (version !== manifest.version) {
  throw new Error(`the wheel is amldeploy ${version} but package.json says ${manifest.version}: keep the two versions equal`);
}
run(process.execPath, [path.join(root, 'extension', 'esbuild.mjs')]);
const out = path.join(root, `amldeploy-${manifest.version}.vsix`);
run(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', out]);
console.log(`packaged ${path.relative(root, out)} (with ${wheel})`);
