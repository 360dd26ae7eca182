'use strict';
// A real VS Code host for the extension's end-to-end tests: a private code-server
// (VS Code 1.100.3 in the browser, extensions in a Node extension host on the server)
// driven by Debian's headless Chromium through playwright-core.
//
// Both are installed by ./ensure.sh into a cache folder outside the clone; this module
// finds that folder itself (same recipe as ensure.sh) and runs ensure.sh when it is missing.
//
//   const host = require('<repo>/tests/infra/vscode-host/host.js');
//   const server = await host.startCodeServer({ workspace: '/abs/ws' });
//   const wb = await host.openWorkbench({ url: server.url, workspace: '/abs/ws',
//     extensionDevelopmentPath: '/abs/ext', extensionTestsPath: '/abs/ext/test/index.js' });
//   const code = await wb.exitCode;          // in-host tests: 0 = passed
//   await host.screenshot(wb.page, 'after-tests');
//   await wb.browser.close(); await server.stop();
//
// See README.md next to this file.

const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const util = require('util');

const HERE = __dirname;
const REPO_ROOT = path.resolve(HERE, '..', '..', '..');
const CODE_SERVER_ENTRY = path.join('node_modules', 'code-server', 'out', 'node', 'entry.js');

/** User settings every session starts from (merged with the caller's userSettings). */
const QUIET_SETTINGS = Object.freeze({
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'remote.autoForwardPorts': false,
  'chat.disableAIFeatures': true,
});

const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]);

// ------------------------------------------------------------------ install folder

function cacheRoot() {
  if (process.env.AMLDEPLOY_CACHE_DIR) return path.resolve(process.env.AMLDEPLOY_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'amldeploy');
}

/** The folder ensure.sh installs into (it may not exist yet). Same recipe as ensure.sh. */
function hostDir() {
  const lock = fs.readFileSync(path.join(HERE, 'package-lock.json'));
  const hash = crypto.createHash('sha256').update(lock).digest('hex').slice(0, 16);
  return path.join(cacheRoot(), `vscode-host-${hash}`);
}

function isInstalled(dir = hostDir()) {
  return fs.existsSync(path.join(dir, '.ensure-complete'));
}

/**
 * Returns the install folder, running ensure.sh first if it is not complete
 * (takes about a minute the first time on a machine; its progress goes to stderr).
 */
function ensureHost() {
  const dir = hostDir();
  if (isInstalled(dir)) return dir;
  const r = spawnSync('bash', [path.join(HERE, 'ensure.sh'), '--print-dir'],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tests/infra/vscode-host/ensure.sh failed (exit ${r.status})`);
  const printed = r.stdout.trim();
  if (printed !== dir || !isInstalled(dir)) {
    throw new Error(`ensure.sh installed into ${printed}, expected ${dir}`);
  }
  return dir;
}

function chromiumPath() {
  return process.env.CHROMIUM_BIN || '/usr/bin/chromium';
}

function loadPlaywright() {
  return require(path.join(ensureHost(), 'node_modules', 'playwright-core'));
}

// ------------------------------------------------------------------ process groups

const liveGroups = new Map(); // pgid -> temp dir, for code-servers not stopped yet

// True while a process of the group is still running. Zombies do not count: the leader
// stays a zombie until Node reaps it, which cannot happen inside a synchronous wait.
function groupAlive(pgid) {
  try { process.kill(-pgid, 0); } catch (e) { return e.code === 'EPERM'; }
  let pids;
  try { pids = fs.readdirSync('/proc').filter(n => /^\d+$/.test(n)); } catch { return true; }
  for (const pid of pids) {
    let stat;
    try { stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // state ppid pgrp ...
    if (Number(f[2]) === pgid && f[0] !== 'Z' && f[0] !== 'X') return true;
  }
  return false;
}

function killGroup(pgid, signal) {
  try { process.kill(-pgid, signal); } catch { /* already gone */ }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// SIGTERM is repeated during the grace period: while a browser is still connected,
// code-server starts a fresh extension host right after the first SIGTERM, and that one
// would otherwise outlive it. Whatever is left after graceMs gets SIGKILL.
const TERM_GRACE_MS = 3000;

async function stopGroup(pgid) {
  const end = Date.now() + TERM_GRACE_MS;
  let next = 0;
  while (groupAlive(pgid) && Date.now() < end) {
    if (Date.now() >= next) { killGroup(pgid, 'SIGTERM'); next = Date.now() + 250; }
    await new Promise(r => setTimeout(r, 50));
  }
  const end2 = Date.now() + 2000;
  while (groupAlive(pgid) && Date.now() < end2) {
    killGroup(pgid, 'SIGKILL');
    await new Promise(r => setTimeout(r, 50));
  }
}

// Synchronous: for exit/signal handlers, where nothing asynchronous runs any more.
function killAllGroupsSync(graceMs) {
  const groups = [...liveGroups.keys()];
  const dirs = [...liveGroups.values()];
  liveGroups.clear();
  if (groups.length) {
    const end = Date.now() + graceMs;
    let next = 0;
    while (graceMs && Date.now() < end && groups.some(groupAlive)) {
      if (Date.now() >= next) { for (const g of groups) killGroup(g, 'SIGTERM'); next = Date.now() + 250; }
      sleepSync(50);
    }
    for (const g of groups) killGroup(g, 'SIGKILL');
  }
  if (!process.env.AMLDEPLOY_E2E_KEEP_TMP) {
    for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* best effort */ } }
  }
}

let handlersInstalled = false;
function installCleanupHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => killAllGroupsSync(0));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    const onSignal = () => {
      killAllGroupsSync(TERM_GRACE_MS);
      // Having a listener disables Node's default "die on this signal". Once ours is the
      // only one left (playwright-core removes its own after closing its browsers), remove
      // it and re-raise, so the runner dies as if we were never here. A runner with its own
      // handler that keeps it alive for longer than 5 s is left alone.
      const end = Date.now() + 5000;
      const reraise = () => {
        if (process.listenerCount(sig) === 1) {
          process.removeListener(sig, onSignal);
          process.kill(process.pid, sig);
        } else if (Date.now() < end) {
          setTimeout(reraise, 50);
        }
      };
      reraise();
    };
    process.on(sig, onSignal);
  }
}

// ------------------------------------------------------------------ code-server

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 30) {
  try { return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n'); } catch { return ''; }
}

// The code-server group leader runs this shell first: it forks a watchdog that kills the
// whole group when the test runner disappears without running its handlers (SIGKILL,
// crash) or when code-server itself exits, then execs code-server (so pid == pgid).
// The watchdog removes the temp dir only when the runner is gone (else the runner
// still wants the log).
const WATCHDOG = [
  'runner=$1; tmp=$2; shift 2',
  '( while kill -0 "$runner" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done',
  "  trap '' TERM; kill -TERM 0 2>/dev/null; sleep 1; kill -TERM 0 2>/dev/null; sleep 2",
  '  if ! kill -0 "$runner" 2>/dev/null && [ -z "${AMLDEPLOY_E2E_KEEP_TMP:-}" ]; then rm -rf "$tmp"; fi',
  '  kill -KILL 0 ) </dev/null >/dev/null 2>&1 &',
  'exec "$@"',
].join('\n');

/**
 * Starts a private code-server on a free 127.0.0.1 port.
 * @param {object} opts
 * @param {string} [opts.workspace]      folder opened when the URL names none
 * @param {object} [opts.userSettings]   merged over QUIET_SETTINGS into User/settings.json
 * @param {string} [opts.extensionsDir]  default: fresh temp folder
 * @param {object} [opts.env]            extra environment (reaches the extension host)
 * @param {string[]} [opts.args]         extra code-server arguments
 * @param {number} [opts.timeoutMs=60000] how long to wait for /healthz
 * @returns {Promise<{url:string, port:number, pid:number, logFile:string, userDataDir:string,
 *   extensionsDir:string, tmpDir:string, startupMs:number, stop:(o?:{keepFiles?:boolean})=>Promise<void>}>}
 */
async function startCodeServer(opts = {}) {
  const { workspace, userSettings = {}, env = {}, args = [], timeoutMs = 60000 } = opts;
  if (Number(process.versions.node.split('.')[0]) !== 20) {
    throw new Error(`code-server 4.100.3 needs Node 20; this is Node ${process.versions.node}`);
  }
  const dir = ensureHost();
  installCleanupHandlers();

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'amldeploy-code-server-'));
  const userDataDir = path.join(tmpDir, 'user-data');
  const extensionsDir = opts.extensionsDir ? path.resolve(opts.extensionsDir) : path.join(tmpDir, 'extensions');
  const logFile = path.join(tmpDir, 'code-server.log');
  const configFile = path.join(tmpDir, 'config.yaml'); // else ~/.config/code-server/config.yaml
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...userSettings }, null, 2) + '\n');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  const t0 = Date.now();
  let lastError;
  for (let attempt = 1; attempt <= 3; attempt++) { // the free port can be taken in between
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const csArgs = [
      path.join(dir, CODE_SERVER_ENTRY),
      '--config', configFile, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
      '--disable-getting-started-override', ...args,
      ...(workspace ? [path.resolve(workspace)] : []),
    ];
    const logFd = fs.openSync(logFile, 'a');
    const child = spawn('/bin/sh', ['-c', WATCHDOG, 'code-server', String(process.pid), tmpDir, process.execPath, ...csArgs], {
      cwd: workspace ? path.resolve(workspace) : tmpDir,
      env: { ...process.env, ...env },
      stdio: ['ignore', logFd, logFd],
      detached: true, // own process group: server, extension host, language servers
    });
    fs.closeSync(logFd);
    const pgid = child.pid;
    liveGroups.set(pgid, tmpDir);
    let exited = null;
    child.on('exit', (code, signal) => { exited = { code, signal }; });
    child.unref(); // a forgotten server must not keep the test runner alive

    const stop = async ({ keepFiles = !!process.env.AMLDEPLOY_E2E_KEEP_TMP } = {}) => {
      liveGroups.delete(pgid);
      await stopGroup(pgid);
      if (!keepFiles) fs.rmSync(tmpDir, { recursive: true, force: true });
    };

    const end = Date.now() + timeoutMs;
    while (Date.now() < end && !exited) {
      try {
        const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
        if (r.ok) {
          return { url, port, pid: pgid, logFile, userDataDir, extensionsDir, tmpDir,
            startupMs: Date.now() - t0, stop };
        }
      } catch { /* not listening yet */ }
      await new Promise(r => setTimeout(r, 100));
    }
    const log = tail(logFile);
    await stop({ keepFiles: true });
    lastError = new Error(exited
      ? `code-server exited (${exited.code ?? exited.signal}) before /healthz answered; ${logFile}:\n${log}`
      : `code-server did not answer ${url}/healthz within ${timeoutMs} ms; ${logFile}:\n${log}`);
    if (!(exited && /EADDRINUSE/.test(log))) break;
  }
  throw lastError;
}

// ------------------------------------------------------------------ browser

/**
 * Opens the workbench in headless Chromium.
 * @param {object} opts
 * @param {string} opts.url                       code-server base URL (from startCodeServer)
 * @param {string} [opts.workspace]               folder to open (server-side absolute path); none: empty window
 * @param {string|string[]} [opts.extensionDevelopmentPath]  extension source folder(s), loaded as in an
 *                                                Extension Development Host
 * @param {string} [opts.extensionTestsPath]      module exporting run(); its result becomes exitCode
 * @param {(type:string, text:string)=>void} [opts.onLog]  extension-host console (default: relay to stdout/stderr)
 * @param {(code:number)=>void} [opts.onExit]     called with the extension host's exit code
 * @param {number} [opts.timeoutMs=60000]         how long to wait for .monaco-workbench
 * @returns {Promise<{browser, page, exitCode: Promise<number>, workbenchMs: number, close: () => Promise<void>}>}
 */
async function openWorkbench(opts) {
  const { url, workspace, extensionTestsPath, onExit, timeoutMs = 60000 } = opts;
  if (!url) throw new Error('openWorkbench: url is required');
  const devPaths = [].concat(opts.extensionDevelopmentPath || []);
  const onLog = opts.onLog || ((type, text) => (type === 'error' ? process.stderr : process.stdout).write(text + '\n'));

  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    let settle;
    const exitCode = new Promise((resolve, reject) => { settle = { resolve, reject }; });
    exitCode.catch(() => {}); // rejection only matters to callers that await it
    browser.on('disconnected', () => settle.reject(new Error('browser closed before the extension host exited')));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      onLog(type, Array.isArray(args) ? util.format(...args) : String(args));
    });
    await page.exposeFunction('codeAutomationExit', (code) => {
      const n = typeof code === 'number' ? code : 1;
      if (onExit) onExit(n);
      settle.resolve(n);
    });

    const authority = new URL(url).host; // payload paths must use the page's own host:port
    const payload = devPaths.map(p => ['extensionDevelopmentPath', `vscode-remote://${authority}${path.resolve(p)}`]);
    if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${authority}${path.resolve(extensionTestsPath)}`]);
    const q = new URLSearchParams();
    if (workspace) q.set('folder', path.resolve(workspace)); else q.set('ew', 'true');
    if (payload.length) q.set('payload', JSON.stringify(payload));

    const t0 = Date.now();
    await page.goto(`${url.replace(/\/$/, '')}/?${q}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: timeoutMs });
    return { browser, page, exitCode, workbenchMs: Date.now() - t0, close: () => browser.close().catch(() => {}) };
  } catch (e) {
    await browser.close().catch(() => {});
    throw e;
  }
}

// ------------------------------------------------------------------ artifacts

function artifactsDir() {
  return process.env.AMLDEPLOY_ARTIFACTS
    ? path.resolve(process.env.AMLDEPLOY_ARTIFACTS)
    : path.join(REPO_ROOT, '.cache', 'artifacts', 'e2e');
}

/** Saves a PNG of the page as <artifacts>/<name>.png and returns its path. */
async function screenshot(page, name) {
  const dir = artifactsDir();
  fs.mkdirSync(dir, { recursive: true });
  const base = String(name).replace(/\.png$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_') || 'screenshot';
  const file = path.join(dir, `${base}.png`);
  await page.screenshot({ path: file });
  return file;
}

module.exports = {
  startCodeServer,
  openWorkbench,
  screenshot,
  ensureHost,
  hostDir,
  isInstalled,
  artifactsDir,
  chromiumPath,
  QUIET_SETTINGS,
  CHROMIUM_ARGS,
  REPO_ROOT,
};
