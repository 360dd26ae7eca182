#!/usr/bin/env node
'use strict';
// End-to-end tests of the extension in a real VS Code host (code-server 4.100.3 + Debian's Chromium):
//   1. in-host tests (mocha inside the extension host, the extension loaded from source), with the tests' Docker
//      engine and Kubernetes cluster (tests/infra/kubernetes/ensure.sh full) for the Kubernetes target;
//   2. the UI path with the extension installed from the .vsix that `npm run package` builds, with the tests'
//      Docker engine answering (tests/infra/docker/ensure.sh), so that Deploy… takes the Docker target;
//   3. the same .vsix with no interpreter configured: it builds its private venv from the wheel it carries.
// Each phase runs its own code-server, killed by process group; services deployed by a failed test are
// deleted at the end. Screenshots land in .cache/artifacts/e2e (or $AMLDEPLOY_ARTIFACTS).
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const host = require('../../infra/vscode-host/host.js');
const { makeWorkspace, REPO } = require('./workspace.js');
const { scenario, cancelScenario, contextScenario } = require('./ui.js');

const PYTHON = process.env.AMLDEPLOY_PYTHON || path.join(REPO, '.venv', 'bin', 'python');
const PHASE_TIMEOUT_MS = 6 * 60 * 1000;
// The run's own amldeploy data folder (models, compute targets): the user's store is never read or written.
process.env.AMLDEPLOY_DATA_DIR = fs.mkdtempSync(path.join(require('os').tmpdir(), 'amldeploy-e2e-data-'));
process.on('exit', () => fs.rmSync(process.env.AMLDEPLOY_DATA_DIR, { recursive: true, force: true }));
const only = process.argv[2]; // 'in-host' | 'ui' | 'venv' | undefined (all)

function settings() {
  return {
    'amldeploy.server.python': PYTHON,
    'amldeploy.servicesPollMs': 1000,
    'files.autoSave': 'off',
    'workbench.editor.enablePreview': false,
  };
}

// The tests' Docker engine, registry and base image (started by tests/infra/docker/ensure.sh, cached outside the
// clone): its `export NAME=value` lines as an object. The machine's CA bundle lets pip through its TLS proxy.
let engine;
function dockerEngine() {
  if (engine === undefined) {
    const script = path.join(REPO, 'tests', 'infra', 'docker', 'ensure.sh');
    const started = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60 * 1000 });
    if (started.status !== 0) {
      throw new Error(`${path.relative(REPO, script)} failed (exit ${started.status}): the Docker target's UI test needs its engine`);
    }
    engine = Object.fromEntries([...started.stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  }
  return engine;
}
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

// The tests' Kubernetes cluster with its node (tests/infra/kubernetes/ensure.sh full, on the same engine): its
// `export` lines as an object (KUBECONFIG, DOCKER_HOST, AMLDEPLOY_TEST_REGISTRY, ...).
let kube;
function kubernetesCluster() {
  if (kube !== undefined) {
    return kube;
  }
  const script = path.join(REPO, 'tests', 'infra', 'kubernetes', 'ensure.sh');
  const started = spawnSync('bash', [script, 'full'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60 * 1000 });
  if (started.status !== 0) {
    throw new Error(`${path.relative(REPO, script)} full failed (exit ${started.status}): the Kubernetes target's in-host test needs its cluster`);
  }
  kube = Object.fromEntries([...started.stdout.matchAll(/^export ([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
  return kube;
}

// What the Docker target of the UI phase needs: the engine in the environment, the base image and CA as settings.
function dockerSettings() {
  const env = dockerEngine();
  return {
    env: { DOCKER_HOST: env.DOCKER_HOST },
    settings: { 'amldeploy.docker.defaultBaseImage': env.AMLDEPLOY_TEST_BASE_IMAGE, ...(fs.existsSync(CA_BUNDLE) ? { 'amldeploy.docker.caBundle': CA_BUNDLE } : {}) },
  };
}

function leftoverServices(ws) {
  // The Docker engine's and the cluster's services too, when a phase started them.
  const env = { ...process.env, ...(engine ? { DOCKER_HOST: engine.DOCKER_HOST } : {}), ...(kube ? { KUBECONFIG: kube.KUBECONFIG } : {}) };
  const result = spawnSync(PYTHON, ['-m', 'amldeploy', 'list', '--output', 'json'], { cwd: ws, encoding: 'utf8', env });
  let names = [];
  try {
    const listed = JSON.parse(result.stdout); // `amldeploy list --output json`: an array of services
    // Only the services these tests create (e2e-…, ui-…): the engine and the cluster are shared with other runs.
    names = (Array.isArray(listed) ? listed : listed.services || []).map((s) => s.name).filter((n) => /^(e2e|ui)-/.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    // Keep what it said: a service left behind by a failed test is evidence.
    const shown = spawnSync(PYTHON, ['-m', 'amldeploy', 'show', name], { cwd: ws, encoding: 'utf8', env });
    const logged = spawnSync(PYTHON, ['-m', 'amldeploy', 'logs', name], { cwd: ws, encoding: 'utf8', env });
    fs.mkdirSync(host.artifactsDir(), { recursive: true });
    fs.writeFileSync(path.join(host.artifactsDir(), `leftover-${name}.log`), `${shown.stdout}${shown.stderr}\n${logged.stdout}${logged.stderr}`);
    console.error(`e2e: deleting the leftover service ${name}`);
    spawnSync(PYTHON, ['-m', 'amldeploy', 'delete', name], { cwd: ws, stdio: 'inherit', env });
  }
}

function timeout(ms, what) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms).unref());
}

// The local Azure of tests/infra/aci (Entra ID and ARM over HTTPS, every request checked against Azure's spec),
// running the container groups' images on the tests' Docker engine: started as a process of its own for the
// in-host phase; `stop()` ends it and throws when a request the extension's server sent violated the spec.
async function fakeAzure(dockerHost) {
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'amldeploy-e2e-azure-'));
  const child = require('child_process').spawn(PYTHON, ['-m', 'tests.infra.aci.serve', dir], {
    cwd: REPO,
    env: { ...process.env, DOCKER_HOST: dockerHost },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const envFile = path.join(dir, 'env.json');
  const end = Date.now() + 60000;
  while (!fs.existsSync(envFile)) {
    if (child.exitCode !== null || Date.now() > end) {
      throw new Error(`the local Azure (tests/infra/aci/serve.py) did not start (exit ${child.exitCode})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const env = JSON.parse(fs.readFileSync(envFile, 'utf8'));
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    const violations = JSON.parse(fs.readFileSync(path.join(dir, 'violations.json'), 'utf8'));
    fs.rmSync(dir, { recursive: true, force: true });
    if (violations.length > 0) {
      throw new Error(`requests that violated Azure's spec:\n${violations.join('\n')}`);
    }
  };
  return { env, stop };
}

async function inHost(ws) {
  // The in-host tests deploy to the process target (named in each deploy) and to the Kubernetes target, whose
  // images are built on the tests' Docker engine and pushed to its registry for the node to pull.
  const cluster = kubernetesCluster();
  const docker = dockerSettings();
  const azure = await fakeAzure(docker.env.DOCKER_HOST);
  // REQUESTS_CA_BUNDLE is what the Azure SDK trusts; SSL_CERT_FILE would also take the system's CAs from others.
  const { resourceGroup, ...azureEnv } = azure.env;
  delete azureEnv.SSL_CERT_FILE;
  let server;
  try {
    server = await host.startCodeServer({
      workspace: ws,
      userSettings: {
        ...settings(),
        ...docker.settings,
        'amldeploy.kubernetes.registry': cluster.AMLDEPLOY_TEST_REGISTRY,
        'amldeploy.aci.subscription': azureEnv.AZURE_SUBSCRIPTION_ID,
        'amldeploy.aci.resourceGroup': resourceGroup,
        'amldeploy.aci.registry': `${cluster.AMLDEPLOY_TEST_REGISTRY}/e2e`,
        // The Models test's registry: beside the workspace, never the user's own store.
        'amldeploy.models.registry': path.join(path.dirname(ws), 'registry'),
      },
      env: { KUBECONFIG: cluster.KUBECONFIG, ...docker.env, ...azureEnv, AMLDEPLOY_ACI_POLL_INTERVAL_S: '0.5' },
    });
  } catch (error) {
    await azure.stop().catch(() => undefined);
    throw error;
  }
  let wb;
  try {
    wb = await host.openWorkbench({
      url: server.url,
      workspace: ws,
      extensionDevelopmentPath: REPO,
      extensionTestsPath: path.join(__dirname, 'suite', 'index.js'),
    });
    const code = await Promise.race([wb.exitCode, timeout(PHASE_TIMEOUT_MS, 'the in-host tests')]);
    await host.screenshot(wb.page, 'in-host-tests').catch(() => undefined);
    if (code !== 0) {
      throw new Error(`the in-host tests failed (extension host exit code ${code}); code-server log: ${server.logFile}`);
    }
  } finally {
    await wb?.close();
    await server.stop({ keepFiles: process.exitCode !== undefined && process.exitCode !== 0 });
    await azure.stop();
  }
}

let packaged;

function packageVsix() {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  const vsix = path.join(REPO, `amldeploy-${manifest.version}.vsix`);
  if (packaged === vsix) {
    return vsix;
  }
  const built = spawnSync('npm', ['run', '--silent', 'package'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, AMLDEPLOY_PYTHON: PYTHON } });
  if (built.status !== 0 || !fs.existsSync(vsix)) {
    throw new Error('npm run package failed');
  }
  packaged = vsix;
  return vsix;
}

// A fresh extensions folder with the .vsix installed the way a user installs it.
function installedExtension() {
  const vsix = packageVsix();
  const extensionsDir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'amldeploy-e2e-ext-'));
  const entry = path.join(host.hostDir(), 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const install = spawnSync(process.execPath, [entry, '--config', '/dev/null', '--extensions-dir', extensionsDir, '--install-extension', vsix], { encoding: 'utf8' });
  if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
    throw new Error(`installing ${path.basename(vsix)} failed:\n${install.stdout}${install.stderr}`);
  }
  return extensionsDir;
}

// No interpreter setting and no Python extension: the extension asks, builds its private venv from the wheel
// inside the .vsix (dependencies from the package index), and the server it starts there validates.
async function privateVenv(ws) {
  const extensionsDir = installedExtension();
  const userSettings = { ...settings() };
  delete userSettings['amldeploy.server.python'];
  const server = await host.startCodeServer({ workspace: ws, userSettings, extensionsDir });
  let wb;
  try {
    wb = await host.openWorkbench({ url: server.url, workspace: ws });
    const page = wb.page;
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'amldeploy needs a Python environment' });
    await dialog.waitFor({ timeout: 60000 });
    console.log(`  ✔ asked (${await host.screenshot(page, 'venv-1-asked')})`);
    await dialog.locator('.monaco-button', { hasText: 'Create Environment' }).click();
    await page.locator('.notification-list-item', { hasText: 'creating the Python environment' }).first().waitFor({ timeout: 30000 });
    console.log(`  ✔ building (${await host.screenshot(page, 'venv-2-building')})`);
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('broken/deploymentconfig.json');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'deploymentconfig.json' }).filter({ hasText: 'broken' }).first().click();
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 240000 });
    console.log(`  ✔ the server from the private venv validates (${await host.screenshot(page, 'venv-3-diagnostics')})`);
    const venv = path.join(server.userDataDir, 'User', 'globalStorage', 'amldeploy.amldeploy', 'venv', 'bin', 'python');
    if (!fs.existsSync(venv)) {
      throw new Error(`no private venv at ${venv}`);
    }
  } catch (error) {
    if (wb) {
      await host.screenshot(wb.page, 'venv-failed').catch(() => undefined);
    }
    throw error;
  } finally {
    await wb?.close();
    await server.stop();
    fs.rmSync(extensionsDir, { recursive: true, force: true });
  }
}

async function ui(ws, kubeconfig) {
  const docker = dockerSettings();
  const extensionsDir = installedExtension();
  const server = await host.startCodeServer({
    workspace: ws,
    userSettings: { ...settings(), ...docker.settings },
    extensionsDir,
    env: { KUBECONFIG: kubeconfig, ...docker.env },
  });
  let wb;
  let step = 'start';
  try {
    wb = await host.openWorkbench({ url: server.url, workspace: ws });
    const shot = async (name) => {
      step = name;
      console.log(`  ✔ ${name} (${await host.screenshot(wb.page, `ui-${name}`)})`);
    };
    const log = (line) => console.log(`    ${line}`);
    const both = async () => {
      await scenario(wb.page, shot, log, { group: 'Docker containers' });
      await cancelScenario(wb.page, shot, log, { leavesFailed: false });
      await contextScenario(wb.page, shot, log, path.join(ws, '.vscode', 'settings.json'));
    };
    await Promise.race([both(), timeout(PHASE_TIMEOUT_MS, 'the UI scenario')]);
  } catch (error) {
    if (wb) {
      await host.screenshot(wb.page, `ui-failed-after-${step}`).catch(() => undefined);
      // Notifications may be hidden in the screenshot: their texts say what went wrong.
      const notes = await wb.page.locator('.notification-list-item-message').allInnerTexts().catch(() => []);
      for (const note of notes) {
        console.error(`  notification: ${note.replace(/\s+/g, ' ')}`);
      }
    }
    throw error;
  } finally {
    await wb?.close();
    await server.stop();
    fs.rmSync(extensionsDir, { recursive: true, force: true });
  }
}

(async () => {
  const { root, ws, kubeconfig } = makeWorkspace();
  const started = Date.now();
  let failed = false;
  for (const [name, phase] of [['in-host', inHost], ['ui', ui], ['venv', privateVenv]]) {
    if (only !== undefined && only !== name) {
      continue;
    }
    const t0 = Date.now();
    console.log(`e2e ${name}:`);
    try {
      await phase(ws, kubeconfig);
      console.log(`e2e ${name}: passed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed = true;
      console.error(`e2e ${name}: FAILED: ${error.stack || error}`);
    } finally {
      leftoverServices(ws);
    }
  }
  console.log(`e2e: ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(REPO, host.artifactsDir()) || host.artifactsDir()}`);
  if (!failed) {
    fs.rmSync(root, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
})();
