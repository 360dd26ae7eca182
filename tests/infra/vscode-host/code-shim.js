#!/usr/bin/env node
'use strict';
// Stands in for a VS Code executable so that unmodified @vscode/test-electron and
// @vscode/test-cli run in-host (mocha) extension tests against code-server:
//
//   // .vscode-test.mjs
//   useInstallation: { fromPath: '<repo>/tests/infra/vscode-host/code-shim.js' }
//
// It accepts the Electron-style command line those tools build
//   --extensionDevelopmentPath=DIR (repeatable)  --extensionTestsPath=FILE
//   --extensions-dir=DIR  --user-data-dir=DIR  [workspace folder]  (plus flags it ignores)
// starts a private code-server (host.js), opens it in headless Chromium with the
// extension loaded as in an Extension Development Host, relays the extension host's
// console to stdout/stderr, and exits with the tests' exit code (0 = passed). The
// code-server process group is always killed before exiting.
//
// Environment:
//   SHIM_SETTINGS     JSON object merged into the user settings
//   SHIM_SCREENSHOT   after the run, save a screenshot: a path (contains '/' or ends in .png)
//                     or a name for host.screenshot() (goes to $AMLDEPLOY_ARTIFACTS)
//   SHIM_TIMEOUT_MS   give up waiting for the tests after this long (default 300000)
//   SHIM_QUIET=1      do not print the shim's own progress lines
// Everything else in the environment (e.g. test-cli's VSCODE_TEST_OPTIONS) reaches the
// extension host, because code-server passes its environment on.
//
// The --user-data-dir it is given is not used: every run gets a fresh one, so runs
// cannot leak state into each other. --extensions-dir is honoured.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const host = require('./host.js');

const VALUE_FLAGS = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'extensions-dir', 'user-data-dir',
  'install-extension', 'uninstall-extension', 'locale', 'log', 'profile']);
const CLI_ONLY = ['--version', '-v', '--help', '-h', '--list-extensions', '--install-extension', '--uninstall-extension'];

function parseArgs(argv) {
  const opts = {};
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(a);
    if (!m) { if (!a.startsWith('-')) positional.push(a); continue; }
    const [, name, inline] = m;
    let value = inline;
    if (value === undefined && VALUE_FLAGS.has(name) && i + 1 < argv.length) value = argv[++i];
    (opts[name] = opts[name] || []).push(value === undefined ? true : value);
  }
  return { opts, positional };
}

function say(msg) {
  if (!process.env.SHIM_QUIET) process.stderr.write(`code-shim: ${msg}\n`);
}

async function main() {
  const argv = process.argv.slice(2);

  // Pure CLI calls (test-cli's installExtensions, --version probes): hand to code-server's CLI.
  if (argv.some(a => CLI_ONLY.includes(a.split('=')[0]))) {
    // A throwaway user data dir and config, so nothing is written under $HOME.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'amldeploy-code-cli-'));
    fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\ncert: false\n'); // else it prints "Wrote default config"
    const passthrough = argv.filter((a, i) => !/^--user-data-dir(=|$)/.test(a) && argv[i - 1] !== '--user-data-dir');
    const r = spawnSync(process.execPath, [path.join(host.ensureHost(), 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
      '--config', path.join(tmp, 'config.yaml'), '--user-data-dir', path.join(tmp, 'user-data'), ...passthrough],
    { stdio: 'inherit' });
    fs.rmSync(tmp, { recursive: true, force: true });
    return r.status ?? 1;
  }

  const { opts, positional } = parseArgs(argv);
  const devPaths = (opts.extensionDevelopmentPath || []).filter(v => v !== true);
  const testsPath = (opts.extensionTestsPath || []).find(v => v !== true);
  const extensionsDir = (opts['extensions-dir'] || []).find(v => v !== true);
  const workspace = positional[0] ? path.resolve(positional[0]) : undefined;
  const userSettings = process.env.SHIM_SETTINGS ? JSON.parse(process.env.SHIM_SETTINGS) : {};
  const timeoutMs = Number(process.env.SHIM_TIMEOUT_MS || 300000);

  let server;
  let wb;
  let code = 1;
  try {
    server = await host.startCodeServer({ workspace, userSettings, extensionsDir });
    say(`code-server ${server.url} (pid ${server.pid}) up in ${server.startupMs} ms; log ${server.logFile}`);
    wb = await host.openWorkbench({ url: server.url, workspace, extensionDevelopmentPath: devPaths,
      extensionTestsPath: testsPath });
    say(`workbench loaded in ${wb.workbenchMs} ms`);
    if (testsPath) {
      let timer;
      const timeout = new Promise(r => { timer = setTimeout(() => r('timeout'), timeoutMs); });
      const result = await Promise.race([wb.exitCode, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') say(`no test result after ${timeoutMs} ms`);
      else code = result;
    } else {
      say('no --extensionTestsPath given: nothing to run');
      code = 0;
    }
    if (process.env.SHIM_SCREENSHOT) {
      const s = process.env.SHIM_SCREENSHOT;
      try {
        if (s.includes('/') || /\.png$/i.test(s)) await wb.page.screenshot({ path: path.resolve(s) });
        else await host.screenshot(wb.page, s);
      } catch (e) { say(`screenshot failed: ${e.message}`); }
    }
  } catch (e) {
    process.stderr.write(`code-shim: ${e.stack || e}\n`);
    if (server) process.stderr.write(`code-shim: code-server log: ${server.logFile}\n`);
    code = 1;
  } finally {
    if (wb) await wb.browser.close().catch(() => {});
    if (server) await server.stop({ keepFiles: code !== 0 || !!process.env.AMLDEPLOY_E2E_KEEP_TMP });
  }
  return code;
}

main().then(code => process.exit(code), e => { process.stderr.write(`code-shim: ${e.stack || e}\n`); process.exit(1); });
