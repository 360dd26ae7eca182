'use strict';
/* global document, window, MutationObserver -- in functions that page.evaluate runs in the browser */
// The user's path through the real UI (code-server 4.100.3 in headless Chromium, the extension installed
// from the .vsix): Problems panel, completion, Deploy… through its quick picks, the Services tree, Tail
// Logs, Test Request…, Delete. A screenshot after each step lands in the artifacts folder.
const assert = require('assert');

const NAME = 'ui-sklearn';

async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  // The row whose label starts with the title ("Tail Logs" also fuzzy-matches "Stop Tailing Logs").
  const row = page.locator(`.quick-input-list .monaco-list-row[aria-label^="${title}"]`).first();
  await row.waitFor();
  await row.click();
}

async function quickPick(page, text, { title } = {}) {
  const widget = page.locator('.quick-input-widget');
  if (title) {
    await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30000 });
  }
  const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: text }).first();
  await row.waitFor({ timeout: 30000 });
  await row.click();
}

async function openFile(page, relative, contains) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(relative);
  // The row of this very file: its name and its folder (a recently opened namesake may be listed first).
  const [folder, name] = relative.split('/');
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).filter({ hasText: folder }).first();
  await row.waitFor();
  await row.click();
  await page.locator('.monaco-editor .view-lines', { hasText: contains }).first().waitFor();
}

async function servicesView(page) {
  const container = page.locator('.activitybar a.action-label[aria-label^="amldeploy"]');
  await container.waitFor();
  const open = await page.locator('.pane-header', { hasText: 'Services' }).count();
  if (open === 0) {
    await container.click();
  }
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Services' }) });
}

// The label of the top-level row (a target: "Docker containers", "Local processes") above the row `label` starts with.
async function groupOf(pane, label) {
  return pane.evaluate((el, wanted) => {
    let group;
    for (const row of el.querySelectorAll('.monaco-list-row')) {
      const aria = row.getAttribute('aria-label') || '';
      if (row.getAttribute('aria-level') === '1') {
        group = aria;
      } else if (aria.startsWith(wanted)) {
        return group;
      }
    }
    return undefined;
  }, label);
}

// `group`: the target the deploy is expected to take, as the Services tree titles it.
async function scenario(page, shot, log, { group } = {}) {
  // 1. Diagnostics: the broken config's error in the Problems panel, at line 3.
  await openFile(page, 'broken/deploymentconfig.json', '"eighty"');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 90000 });
  await page.keyboard.press('Control+Shift+M');
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'port must be an integer' }).first();
  await problem.waitFor({ timeout: 30000 });
  const problemText = (await problem.innerText()).replace(/\s+/g, ' ');
  log(`problems panel: ${problemText}`);
  assert.match(problemText, /DC002/);
  assert.match(problemText, /\[Ln 3, Col 11\]/);
  await shot('1-problems-panel');

  // 2. Completion: ACI keys inside an ACI deployment config.
  await openFile(page, 'completion/deploymentconfig.json', '"ACI"');
  await page.locator('.monaco-editor .view-line').nth(2).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Control+Space');
  const suggest = page.locator('.editor-widget.suggest-widget .monaco-list-row');
  await suggest.filter({ hasText: 'containerResourceRequirements' }).first().waitFor({ timeout: 30000 });
  const labels = await suggest.allInnerTexts();
  log(`completion: ${labels.map((l) => l.split('\n')[0]).join(', ')}`);
  assert.ok(!labels.some((l) => l.startsWith('autoScaler')), 'AKS keys are not offered for ACI');
  await shot('2-completion');
  await page.keyboard.press('Escape');

  // 3. Deploy… through its four quick picks; the Services tree then shows the service Healthy.
  await runCommand(page, 'amldeploy: Deploy…');
  await quickPick(page, 'inferenceconfig.json', { title: 'the inference config' });
  await quickPick(page, 'deploymentconfig.json', { title: 'the deployment config' }); // sklearn's: listed first
  const models = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'model.joblib' }).first();
  await models.waitFor({ timeout: 30000 });
  assert.strictEqual(await models.getAttribute('aria-checked'), 'true', 'the model next to the config is picked');
  await page.keyboard.press('Enter');
  // The name box offers the server's suggestion (the folder's name) and checks what is typed with the server.
  const nameInput = page.locator('.quick-input-widget input');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'service name' }).waitFor();
  await page.waitForFunction(() => document.querySelector('.quick-input-widget input')?.value === 'sklearn', null, { timeout: 15000 });
  await nameInput.fill('UI_Sklearn');
  const refusal = page.locator('.quick-input-widget .quick-input-message', { hasText: 'is invalid' });
  await refusal.waitFor({ timeout: 15000 });
  log(`name check: ${(await refusal.innerText()).replace(/\s+/g, ' ')}`);
  await shot('3a-name-refused');
  await nameInput.fill(NAME);
  await page.waitForFunction(() => !(document.querySelector('.quick-input-widget .quick-input-message')?.textContent ?? '').includes('is invalid'), null, { timeout: 15000 });
  // Progress notifications come and go: note every notification text from now on, to look for it afterwards.
  await page.evaluate(() => {
    window.amldeploySeen = new Set();
    const note = () => document.querySelectorAll('.notification-list-item-message').forEach((e) => window.amldeploySeen.add(e.textContent));
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.keyboard.press('Enter');
  await page.locator('.notifications-toasts .notification-list-item', { hasText: `Deploying ${NAME}` }).first().waitFor({ timeout: 30000 })
    .then(() => shot('3b-deploy-progress'), () => log('the deploy progress was gone before its screenshot'));
  const pane = await servicesView(page);
  const row = pane.locator('.monaco-list-row[aria-label^="' + NAME + ', Healthy"]');
  await row.waitFor({ timeout: 120000 });
  assert.match(await row.innerText(), /http:\/\/127\.0\.0\.1:\d+\/score/);
  if (group) {
    const shownUnder = await groupOf(pane, `${NAME}, Healthy`);
    log(`services tree: ${NAME} under ${shownUnder}`);
    assert.ok(shownUnder && shownUnder.startsWith(group), `${NAME} is listed under ${group}, not ${shownUnder}`);
  }
  await page.locator('.notification-list-item', { hasText: `${NAME} is Healthy` }).first().waitFor({ timeout: 30000 });
  const seen = await page.evaluate(() => [...window.amldeploySeen]);
  assert.ok(seen.some((t) => t.includes(`Deploying ${NAME}`)), `a progress notification was shown: ${seen.join(' | ')}`);
  await shot('3c-services-tree-healthy');

  // 4. Tail Logs: the output channel shows what score.py printed in init().
  await runCommand(page, 'amldeploy: Tail Logs');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(async () => {
    await quickPick(page, NAME); // several services: pick ours
  });
  await page.locator('.part.panel .view-lines', { hasText: 'model loaded from' }).first().waitFor({ timeout: 60000 });
  await shot('4-tail-logs');

  // 5. Test Request… with the workspace's sample request: the answer opens in an editor.
  await runCommand(page, 'amldeploy: Test Request…');
  await quickPick(page, 'sample-request.json', { title: 'Test Request' });
  const answer = page.locator('.monaco-editor .view-lines', { hasText: '"status": "200 OK"' }).first();
  await answer.waitFor({ timeout: 60000 });
  const answerText = (await answer.innerText()).replace(/\s+/g, ' '); // the editor renders spaces as U+00A0
  log(`test request: ${answerText}`);
  assert.match(answerText, /"body": \[ -?\d+\.\d+ \]/);
  await shot('5-test-request');

  // 5b. Open Swagger: the server fetches the document; it opens in an editor.
  await runCommand(page, 'amldeploy: Open Swagger');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5000 }).catch(async () => {
    await quickPick(page, NAME); // several services: pick ours
  });
  const swagger = page.locator('.monaco-editor .view-lines', { hasText: '"swagger": "2.0"' }).first();
  await swagger.waitFor({ timeout: 30000 });
  const swaggerText = (await swagger.innerText()).replace(/\s+/g, ' ');
  log(`swagger: ${swaggerText.slice(0, 160)}`);
  assert.match(swaggerText, /"paths": \{/);
  await shot('5b-open-swagger');

  // 6. Delete… from the tree's context menu, confirmed in the modal dialog: the service leaves the tree.
  await servicesView(page);
  await row.click({ button: 'right' });
  const item = page.locator('.context-view .action-label', { hasText: 'Delete…' }).first();
  await item.waitFor();
  await page.waitForTimeout(300); // a menu ignores a click that lands while it still opens
  await item.click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 3000 }).catch(async () => {
    await item.hover();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ timeout: 10000 });
  });
  await shot('6a-delete-confirmation');
  await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
  await row.waitFor({ state: 'detached', timeout: 60000 });
  await page.locator('.notification-list-item', { hasText: `Deleted ${NAME}` }).first().waitFor({ timeout: 30000 });
  await shot('6b-deleted');
}

// 7. Deploy with this Config (Configurations view) a service whose init() sleeps, then Cancel in the progress
//    notification: the deploy stops. The process target leaves the service Failed, its process stopped
//    (`leavesFailed`); the Docker target removes the container it started, so nothing is left to list.
async function cancelScenario(page, shot, log, { leavesFailed = true } = {}) {
  const slowName = 'ui-slow';
  await servicesView(page);
  const configs = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Configurations' }) });
  // The server's counts: the broken config has its one error, the others none.
  const broken = configs.locator('.monaco-list-row', { hasText: 'deploymentconfig.json' }).filter({ hasText: 'broken' }).first();
  await broken.waitFor({ timeout: 30000 });
  const brokenText = (await broken.innerText()).replace(/\s+/g, ' ');
  log(`configurations: ${brokenText}`);
  assert.match(brokenText, /broken · 1 error/);
  await configs.locator('.monaco-list-row', { hasText: 'inferenceconfig.json' }).filter({ hasText: 'sklearn · no problems' }).first().waitFor({ timeout: 30000 });
  const row = configs.locator('.monaco-list-row', { hasText: 'inferenceconfig.json' }).filter({ hasText: 'slow' }).first();
  await row.waitFor({ timeout: 30000 });
  await row.hover();
  await row.locator('.action-label[aria-label="Deploy with this Config"]').click();
  await quickPick(page, 'deploymentconfig.json', { title: 'the deployment config' }); // slow's own: listed first
  await page.locator('.quick-input-widget .quick-input-title', { hasText: '(3/4): models' }).waitFor();
  await page.keyboard.press('Enter'); // no model
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'service name' }).waitFor();
  await page.locator('.quick-input-widget input').fill(slowName);
  await page.keyboard.press('Enter');
  const toast = page.locator('.notification-toast', { hasText: `Deploying ${slowName}` }).first();
  await toast.locator('.notification-list-item-message', { hasText: 'answer GET /' }).waitFor({ timeout: 60000 });
  log(`progress: ${(await toast.locator('.notification-list-item-message').innerText()).replace(/\s+/g, ' ')}`);
  await shot('7a-deploy-in-progress');
  await toast.locator('.monaco-button', { hasText: 'Cancel' }).click();
  const cancelled = page.locator('.notification-list-item', { hasText: `deploy of ${slowName} was cancelled` }).first();
  await cancelled.waitFor({ timeout: 30000 });
  const pane = await servicesView(page);
  if (leavesFailed) {
    await pane.locator(`.monaco-list-row[aria-label^="${slowName}, Failed"]`).waitFor({ timeout: 30000 });
  } else {
    // Past the next refresh of the tree (servicesPollMs is 1 s in these tests), nothing of it is listed.
    await page.waitForTimeout(2500);
    assert.strictEqual(await pane.locator(`.monaco-list-row[aria-label^="${slowName}"]`).count(), 0, `nothing of ${slowName} is left`);
  }
  await shot('7b-deploy-cancelled');
}

// 8. Select Kubernetes Context: the kubeconfig's contexts in a quick pick, then the namespace; both land in the
//    workspace settings, where the Kubernetes target reads them.
async function contextScenario(page, shot, log, settingsFile) {
  await runCommand(page, 'amldeploy: Select Kubernetes Context');
  const dev = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'dev' }).first();
  await dev.waitFor({ timeout: 30000 });
  const rows = await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allInnerTexts();
  log(`contexts: ${rows.map((r) => r.replace(/\s+/g, ' ')).join(' | ')}`);
  assert.ok(rows.some((r) => /dev/.test(r) && /current/.test(r)), 'the current context is marked');
  await shot('8a-kubernetes-contexts');
  await quickPick(page, 'staging');
  await page.locator('.quick-input-widget .quick-input-message', { hasText: 'Namespace' }).waitFor({ timeout: 10000 });
  await page.locator('.quick-input-widget input').fill('ml-serving');
  await page.keyboard.press('Enter');
  const end = Date.now() + 15000;
  let settings = {};
  while (Date.now() < end) {
    try {
      settings = JSON.parse(require('fs').readFileSync(settingsFile, 'utf8'));
    } catch {
      settings = {};
    }
    if (settings['amldeploy.kubernetes.namespace'] !== undefined) {
      break;
    }
    await page.waitForTimeout(200);
  }
  log(`workspace settings: ${JSON.stringify(settings)}`);
  assert.strictEqual(settings['amldeploy.kubernetes.context'], 'staging');
  assert.strictEqual(settings['amldeploy.kubernetes.namespace'], 'ml-serving');
  await shot('8b-kubernetes-context-selected');
}

module.exports = { scenario, cancelScenario, contextScenario, NAME };
