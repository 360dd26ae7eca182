// Deploy… / Package… / Redeploy: pick the configs, the model files and a name, check the configs, then run
// the operation in the server with a cancellable progress notification.
import * as path from 'path';
import * as vscode from 'vscode';
import { CHECK_NAME, CheckNameResult, COMPUTE_TARGETS, ComputeTargetsResult, DEPLOY, DeployParams, DeployResult, PACKAGE, PackageResult, ServiceView } from '../client/protocol';
import { computeTargetItems } from './computeTargetPlan';
import { ConfigFile, ConfigKind } from '../views/configsTree';
import { countsText, problemSummary } from '../common/problems';
import { referenceItems } from './modelPlan';
import { Context, serviceArgument } from './context';
import { showFailure, withServerProgress } from './progress';

export const MODEL_FILES = '**/*.{pkl,pickle,joblib,onnx,pt,pth,h5,keras,pb,bin,safetensors,model,cbm,ubj,sav}';

// Optional arguments that skip the pickers (from the Configurations view, Redeploy, or tests).
export interface DeployArgs {
  inferenceConfig?: string;
  deploymentConfig?: string;
  models?: string[];
  preselectModels?: string[]; // registered references (NAME:VERSION) checked in the model step
  name?: string;
  target?: string;
  computeTarget?: string; // a recorded compute target's name (skips the compute target step)
}

function argsFrom(arg: unknown): DeployArgs {
  if (arg === undefined || arg === null || typeof arg !== 'object') {
    return {};
  }
  const config = arg as Partial<ConfigFile>;
  if (config.uri instanceof vscode.Uri && config.kind !== undefined) {
    return config.kind === 'inference' ? { inferenceConfig: config.uri.fsPath } : { deploymentConfig: config.uri.fsPath };
  }
  const node = arg as { kind?: string; target?: { name?: unknown; computeTarget?: unknown } };
  if (node.kind !== undefined) {
    // A Services tree node: Deploy… on a target deploys to that target, whatever the computeType says; on a
    // recorded compute target, with that record.
    if (node.kind === 'target' && typeof node.target?.computeTarget === 'string') {
      return { computeTarget: node.target.computeTarget };
    }
    return node.kind === 'target' && typeof node.target?.name === 'string' ? { target: node.target.name } : {};
  }
  const given = arg as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof given[key] === 'string' ? given[key] : undefined);
  const strings = (key: string): string[] | undefined => {
    const value = given[key];
    return Array.isArray(value) ? value.filter((m): m is string => typeof m === 'string') : undefined;
  };
  return {
    inferenceConfig: text('inferenceConfig'),
    deploymentConfig: text('deploymentConfig'),
    models: strings('models'),
    preselectModels: strings('preselectModels'),
    name: text('name'),
    target: text('target'),
    computeTarget: text('computeTarget'),
  };
}

// The config of `kind` to use; with `none` (its label), that item answers '' (no config).
export async function pickConfig(ctx: Context, kind: ConfigKind, near?: string, title?: string, none?: string): Promise<string | undefined> {
  const files = (await ctx.configs.all()).filter((f) => f.kind === kind);
  const label = kind === 'inference' ? 'inference config' : 'deployment config';
  const browse = { label: '$(folder-opened) Browse…', path: '' };
  const items = files.map((file) => {
    const summary = countsText(file.errors, file.warnings);
    return {
      label: path.basename(file.uri.fsPath),
      description: vscode.workspace.asRelativePath(path.dirname(file.uri.fsPath)),
      detail: summary.errors + summary.warnings > 0 ? summary.text : undefined,
      path: file.uri.fsPath,
    };
  });
  // Configs next to the other one come first.
  if (near !== undefined) {
    const dir = path.dirname(near);
    items.sort((a, b) => Number(path.dirname(b.path) === dir) - Number(path.dirname(a.path) === dir));
  }
  const noneItem = { label: none ?? '', path: '' };
  const picked = await vscode.window.showQuickPick([...(none !== undefined ? [noneItem] : []), ...items, browse], {
    title: title ?? `Deploy (${kind === 'inference' ? 1 : 2}/4): the ${label}`,
    placeHolder: `Pick the ${label}`,
    matchOnDescription: true,
  });
  if (picked === undefined) {
    return undefined;
  }
  if (picked === browse) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Config: ['json', 'yml', 'yaml'] }, title: `The ${label}` });
    return chosen?.[0]?.fsPath;
  }
  return picked.path;
}

// The model step: the workspace's model files, the registered models as `-m` references (`NAME:VERSION`, and
// `NAME` for its latest version) and Browse…; `preselected` references start checked.
export async function pickModels(ctx: Context, inferenceConfig: string, title?: string, preselected: string[] = []): Promise<string[] | undefined> {
  const [found] = await Promise.all([vscode.workspace.findFiles(MODEL_FILES, await ctx.configs.exclude(), 200), ctx.refreshModels()]);
  const dir = path.dirname(inferenceConfig);
  // Files in the inference config's folder or below it are most likely its model: pre-selected, unless a
  // registered model was chosen already.
  const near = (file: string): boolean => !path.relative(dir, file).startsWith('..');
  type Item = vscode.QuickPickItem & { value: string };
  const files: Item[] = found
    .map((uri) => uri.fsPath)
    .sort()
    .map((file) => ({
      label: vscode.workspace.asRelativePath(file),
      description: near(file) ? 'next to the inference config' : undefined,
      picked: preselected.length === 0 && near(file),
      value: file,
    }));
  const registered: Item[] = referenceItems(ctx.models.snapshot).map((ref) => ({
    label: ref.label,
    description: ref.description,
    detail: ref.detail,
    iconPath: new vscode.ThemeIcon('package'),
    picked: preselected.includes(ref.label),
    value: ref.label,
  }));
  const separator = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator, value: '' });
  const browse: Item = { label: '$(folder-opened) Browse for files or folders…', value: '' };
  const items = [
    ...(files.length > 0 ? [separator('Model files'), ...files] : []),
    ...(registered.length > 0 ? [separator('Registered models (-m NAME:VERSION)'), ...registered] : []),
    separator(''),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: title ?? 'Deploy (3/4): models',
    placeHolder: 'Files or folders, or registered models, deployed as models (AZUREML_MODEL_DIR); none is fine',
    canPickMany: true,
    matchOnDescription: true,
  });
  if (picked === undefined) {
    return undefined;
  }
  const models = picked.filter((p) => p !== browse).map((p) => p.value);
  if (picked.includes(browse)) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFiles: true, canSelectFolders: true, title: 'Model files or folders' });
    models.push(...(chosen ?? []).map((u) => u.fsPath));
  }
  return models;
}

// The compute target step, shown only when targets are recorded by name (`amldeploy target add`, `az ml
// computetarget attach`): '' for "as the deployment config says", a record's name, or undefined (cancelled).
export async function pickComputeTarget(ctx: Context, title?: string): Promise<string | undefined> {
  let answer: ComputeTargetsResult;
  try {
    answer = await ctx.server.request<ComputeTargetsResult>(COMPUTE_TARGETS, {});
  } catch {
    return ''; // the deploy itself names what is wrong with the server
  }
  if (answer.computeTargets.length === 0) {
    return '';
  }
  const picked = await vscode.window.showQuickPick(computeTargetItems(answer.computeTargets), {
    title: title ?? 'Deploy: where (compute target)',
    placeHolder: 'A compute target recorded by name (as --ct NAME), or where the deployment config says',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return picked === undefined ? undefined : (picked.name ?? '');
}

// Opens the configs so the server checks them; refuses to deploy configs with errors.
export async function configsHaveErrors(ctx: Context, files: string[]): Promise<boolean> {
  const uris = files.map((f) => vscode.Uri.file(f));
  await Promise.all(uris.map((uri) => vscode.workspace.openTextDocument(uri).then(() => undefined, () => undefined)));
  const deadline = Date.now() + 5000;
  // Diagnostics arrive shortly after a document opens; wait until the server has spoken for each.
  const published = (uri: vscode.Uri): boolean => ctx.server.current?.diagnostics?.has(uri) === true;
  while (Date.now() < deadline && ctx.server.current !== undefined && !uris.every(published)) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const broken = uris.filter((uri) => problemSummary(vscode.languages.getDiagnostics(uri)).errors > 0);
  if (broken.length === 0) {
    return false;
  }
  const names = broken.map((u) => `${path.basename(u.fsPath)} (${problemSummary(vscode.languages.getDiagnostics(u)).text})`);
  void vscode.window.showErrorMessage(`Not deployed: ${names.join(' and ')} — fix the errors first.`, 'Show Problems', 'Open').then(async (choice) => {
    if (choice === 'Show Problems') {
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    } else if (choice === 'Open' && broken[0] !== undefined) {
      await vscode.window.showTextDocument(broken[0]);
    }
  });
  return true;
}

// The server's verdict on a service name (v1's rule) and a valid name made from it; undefined when the server
// cannot answer (the deploy itself then says what is wrong).
export async function checkName(ctx: Context, name: string): Promise<CheckNameResult | undefined> {
  try {
    return await ctx.server.request<CheckNameResult>(CHECK_NAME, { name });
  } catch {
    return undefined;
  }
}

async function gather(ctx: Context, given: DeployArgs, askName: boolean): Promise<(DeployParams & { inferenceConfig: string; deploymentConfig: string }) | undefined> {
  const inferenceConfig = given.inferenceConfig ?? (await pickConfig(ctx, 'inference', given.deploymentConfig));
  if (inferenceConfig === undefined) {
    return undefined;
  }
  const deploymentConfig = given.deploymentConfig ?? (await pickConfig(ctx, 'deployment', inferenceConfig));
  if (deploymentConfig === undefined) {
    return undefined;
  }
  const models = given.models ?? (await pickModels(ctx, inferenceConfig, undefined, given.preselectModels));
  if (models === undefined) {
    return undefined;
  }
  const computeTarget = given.computeTarget ?? (given.target === undefined ? await pickComputeTarget(ctx) : '');
  if (computeTarget === undefined) {
    return undefined;
  }
  let name = given.name;
  if (name === undefined && askName) {
    name = await vscode.window.showInputBox({
      title: 'Deploy (4/4): service name',
      prompt: 'Lowercase letters, numbers and dashes (3–32); an existing service of that name is replaced',
      value: (await checkName(ctx, path.basename(path.dirname(inferenceConfig))))?.suggestion,
      validateInput: async (value) => (await checkName(ctx, value))?.problem ?? undefined,
    });
    if (name === undefined) {
      return undefined;
    }
  }
  return {
    name: name ?? '',
    inferenceConfig,
    deploymentConfig,
    models,
    ...(given.target !== undefined ? { target: given.target } : {}),
    ...(computeTarget !== '' ? { computeTarget } : {}),
  };
}

export async function deploy(ctx: Context, arg?: unknown): Promise<ServiceView | undefined> {
  const params = await gather(ctx, argsFrom(arg), true);
  if (params === undefined || (await configsHaveErrors(ctx, [params.inferenceConfig, params.deploymentConfig]))) {
    return undefined;
  }
  return runDeploy(ctx, params);
}

export async function runDeploy(ctx: Context, params: DeployParams): Promise<ServiceView | undefined> {
  let result: DeployResult | undefined;
  try {
    result = await withServerProgress<DeployResult>(ctx, `Deploying ${params.name}`, DEPLOY, params);
  } catch (error) {
    showFailure(ctx, error, params.name);
    await ctx.refreshServices();
    return undefined;
  }
  if (result === undefined) {
    return undefined;
  }
  for (const warning of result.warnings) {
    ctx.log.warn(`${params.name}: ${warning}`);
  }
  for (const note of result.notes ?? []) {
    ctx.log.info(`${params.name}: ${note}`);
  }
  await ctx.refreshServices();
  const service = result.service;
  const more = result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} in the server log)` : '';
  void vscode.window
    .showInformationMessage(`${service.name} is ${service.state} at ${service.scoringUri ?? '?'}${more}`, 'Test Request…', 'Tail Logs', 'Copy Scoring URI')
    .then(async (choice) => {
      const commands: Record<string, string> = { 'Test Request…': 'amldeploy.testRequest', 'Tail Logs': 'amldeploy.tailLogs', 'Copy Scoring URI': 'amldeploy.copyScoringUri' };
      const command = commands[choice ?? ''];
      if (command !== undefined) {
        await vscode.commands.executeCommand(command, service.name);
      }
    });
  return service;
}

export async function redeploy(ctx: Context, arg: unknown): Promise<ServiceView | undefined> {
  const service = await serviceArgument(ctx, arg, 'Redeploy');
  if (service === undefined) {
    return undefined;
  }
  const inference = service.configs?.inference?.path;
  const deployment = service.configs?.deployment?.path;
  const models = (service.models ?? []).map((m) => `${m.path}:${m.name}:${String(m.version)}`);
  return deploy(ctx, { inferenceConfig: inference, deploymentConfig: deployment, models: inference !== undefined ? models : undefined, name: service.name, target: service.target });
}

export async function packageImage(ctx: Context, arg?: unknown): Promise<PackageResult | undefined> {
  const params = await gather(ctx, argsFrom(arg), true);
  if (params === undefined || (await configsHaveErrors(ctx, [params.inferenceConfig, params.deploymentConfig]))) {
    return undefined;
  }
  try {
    const result = await withServerProgress<PackageResult>(ctx, `Packaging ${params.name}`, PACKAGE, params);
    if (result !== undefined) {
      const summary = Object.entries(result).filter(([k]) => k !== 'target').map(([k, v]) => `${k}: ${String(v)}`).join(', ');
      void vscode.window.showInformationMessage(`Packaged ${params.name} for the ${result.target} target. ${summary}`);
    }
    return result;
  } catch (error) {
    showFailure(ctx, error, params.name);
    return undefined;
  }
}
