// The Models view's commands: Register Model…, Deploy (no-code when the model has a framework), Download…,
// Delete…. The registry is the server's (`amldeploy/models/*`): the one `amldeploy ml model` uses.
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DeleteModelResult,
  DownloadModelResult,
  ModelNameCheck,
  MODELS_CHECK_NAME,
  MODELS_DELETE,
  MODELS_DOWNLOAD,
  MODELS_REGISTER,
  RegisterModelParams,
  RegisteredModel,
  ServiceView,
} from '../client/protocol';
import { OperationError } from '../client/server';
import { Context } from './context';
import { MODEL_FILES, checkName, configsHaveErrors, deploy, pickConfig, runDeploy } from './deploy';
import { findModel, isNoCode, parseTags } from './modelPlan';
import { showFailure } from './progress';

const FRAMEWORK_CHOICES = ['ScikitLearn', 'Onnx', 'TensorFlow'] as const;

// Given by a test or another command instead of the prompts: everything left out is not asked for.
interface RegisterArgs {
  path: string;
  name?: string;
  framework?: string;
  frameworkVersion?: string;
  tags?: string[] | string;
  description?: string;
}

function registerArgs(arg: unknown): RegisterArgs | undefined {
  if (arg instanceof vscode.Uri) {
    return undefined; // from the Explorer: the path is given, the rest is asked
  }
  if (typeof arg !== 'object' || arg === null || typeof (arg as { path?: unknown }).path !== 'string') {
    return undefined;
  }
  return arg as RegisterArgs;
}

async function pickAsset(ctx: Context): Promise<string | undefined> {
  const found = await vscode.workspace.findFiles(MODEL_FILES, await ctx.configs.exclude(), 200);
  type Item = vscode.QuickPickItem & { fsPath?: string; browse?: 'file' | 'folder' };
  const items: Item[] = [
    ...found
      .map((uri) => uri.fsPath)
      .sort()
      .map((fsPath) => ({ label: path.basename(fsPath), description: vscode.workspace.asRelativePath(path.dirname(fsPath)), fsPath })),
    { label: '$(file) Browse for a file…', browse: 'file' },
    { label: '$(folder-opened) Browse for a folder…', browse: 'folder' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Register Model (1/4): the model file or folder', placeHolder: 'Pick the file or folder to register', matchOnDescription: true });
  if (picked === undefined) {
    return undefined;
  }
  if (picked.fsPath !== undefined) {
    return picked.fsPath;
  }
  const folder = picked.browse === 'folder';
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, canSelectFiles: !folder, canSelectFolders: folder, title: folder ? 'The model folder' : 'The model file', openLabel: 'Register' });
  return chosen?.[0]?.fsPath;
}

// The server's verdict on a model name (v1's rule) and the name a path registers under by default; undefined
// when it cannot answer (the register itself then says what is wrong).
async function checkModelName(ctx: Context, params: { name?: string; path?: string }): Promise<ModelNameCheck | undefined> {
  try {
    return await ctx.server.request<ModelNameCheck>(MODELS_CHECK_NAME, params);
  } catch {
    return undefined;
  }
}

// `presetName`: Register Model… on a name in the Models view adds a version of that name.
async function askRegistration(ctx: Context, explorerUri: vscode.Uri | undefined, presetName?: string): Promise<RegisterModelParams | undefined> {
  const asset = explorerUri?.fsPath ?? (await pickAsset(ctx));
  if (asset === undefined) {
    return undefined;
  }
  const name = await vscode.window.showInputBox({
    title: 'Register Model (2/4): name',
    prompt: 'The model name; registering a name again adds a version (v1 rule: letters, numbers, - . _)',
    value: presetName ?? (await checkModelName(ctx, { path: asset }))?.defaultName ?? undefined,
    validateInput: async (value) => (await checkModelName(ctx, { name: value.trim() }))?.problem ?? undefined,
  });
  if (name === undefined) {
    return undefined;
  }
  const none = { label: 'None', description: 'deployed with an inference config (entry script)', framework: undefined };
  const frameworks = FRAMEWORK_CHOICES.map((framework) => ({ label: framework, description: 'no-code deployment: no entry script needed', framework }));
  const picked = await vscode.window.showQuickPick([none, ...frameworks], { title: 'Register Model (3/4): framework', placeHolder: 'The model framework (optional)' });
  if (picked === undefined) {
    return undefined;
  }
  let frameworkVersion: string | undefined;
  if (picked.framework !== undefined) {
    frameworkVersion = await vscode.window.showInputBox({ title: `Register Model (3/4): ${picked.framework} version`, prompt: `The ${picked.framework} version the model was made with, e.g. 1.5 (empty: not recorded)` });
    if (frameworkVersion === undefined) {
      return undefined;
    }
  }
  const tagsText = await vscode.window.showInputBox({
    title: 'Register Model (4/4): tags',
    prompt: 'key=value, separated by commas (empty: none)',
    placeHolder: 'area=mnist, type=classification',
    validateInput: (value) => {
      const parsed = parseTags(value);
      return 'error' in parsed ? parsed.error : undefined;
    },
  });
  if (tagsText === undefined) {
    return undefined;
  }
  const tags = parseTags(tagsText);
  return {
    path: asset,
    name: name.trim(),
    ...(picked.framework !== undefined ? { framework: picked.framework } : {}),
    ...(frameworkVersion !== undefined && frameworkVersion.trim() !== '' ? { frameworkVersion: frameworkVersion.trim() } : {}),
    tags: 'tags' in tags ? tags.tags : [],
  };
}

function paramsFrom(given: RegisterArgs): RegisterModelParams {
  const tags = typeof given.tags === 'string' ? parseTags(given.tags) : { tags: given.tags ?? [] };
  if ('error' in tags) {
    throw new Error(tags.error);
  }
  const optional = (value: string | undefined): string | undefined => (value !== undefined && value.trim() !== '' ? value.trim() : undefined);
  const params: RegisterModelParams = { path: given.path, tags: tags.tags };
  const fields = { name: optional(given.name), framework: optional(given.framework), frameworkVersion: optional(given.frameworkVersion), description: optional(given.description) };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) {
      (params as unknown as Record<string, string>)[key] = value;
    }
  }
  return params;
}

export async function registerModel(ctx: Context, arg?: unknown): Promise<RegisteredModel | undefined> {
  const given = registerArgs(arg);
  const group = typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'model' ? (arg as { group: { name: string } }).group.name : undefined;
  const params = given !== undefined ? paramsFrom(given) : await askRegistration(ctx, arg instanceof vscode.Uri ? arg : undefined, group);
  if (params === undefined) {
    return undefined;
  }
  let model: RegisteredModel;
  try {
    model = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Registering ${path.basename(params.path)}` }, () =>
      ctx.server.request<RegisteredModel>(MODELS_REGISTER, params),
    );
  } catch (error) {
    showFailure(ctx, error);
    return undefined;
  } finally {
    await ctx.refreshModels();
  }
  void vscode.window.showInformationMessage(`Registered ${model.id}${model.framework !== null ? ` (${model.framework})` : ''}.`, 'Deploy…').then(async (choice) => {
    if (choice === 'Deploy…') {
      await vscode.commands.executeCommand('amldeploy.deployModel', model.id);
    }
  });
  return model;
}

// The model version a command was run on, or one the user picks.
async function modelArgument(ctx: Context, arg: unknown, purpose: string): Promise<RegisteredModel | undefined> {
  await ctx.refreshModels();
  if (arg !== undefined && arg !== null) {
    const found = findModel(ctx.models.snapshot, arg);
    if (found === undefined) {
      const named = typeof arg === 'string' ? arg : ((arg as { model?: RegisteredModel }).model?.id ?? JSON.stringify(arg));
      void vscode.window.showErrorMessage(`There is no registered model ${named}.`);
    }
    return found;
  }
  const versions = ctx.models.versions();
  if (versions.length === 0) {
    const choice = await vscode.window.showInformationMessage('No model is registered yet.', 'Register Model…');
    if (choice === 'Register Model…') {
      await vscode.commands.executeCommand('amldeploy.registerModel');
    }
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    versions.map((model) => ({ label: model.id, description: model.framework ?? undefined, model })),
    { title: purpose, placeHolder: 'Pick a registered model version' },
  );
  return picked?.model;
}

// No-code (a framework v1 deployed without an entry script): the deployment config and a name, no inference
// config; otherwise Deploy… with this model checked in its model step.
export async function deployModel(ctx: Context, arg?: unknown): Promise<ServiceView | undefined> {
  const model = await modelArgument(ctx, arg, 'Deploy Model');
  if (model === undefined) {
    return undefined;
  }
  // `{name, version, target?, deploymentConfig?, serviceName?}` (from a test or another command) skips those prompts.
  const given = typeof arg === 'object' && arg !== null ? (arg as { deploymentConfig?: unknown; serviceName?: unknown; target?: unknown }) : {};
  const target = typeof given.target === 'string' ? { target: given.target } : {};
  if (!isNoCode(model)) {
    return deploy(ctx, { preselectModels: [model.id], ...target });
  }
  const deploymentConfig =
    typeof given.deploymentConfig === 'string'
      ? given.deploymentConfig
      : await pickConfig(ctx, 'deployment', undefined, `Deploy ${model.id} (no-code, 1/2): the deployment config`, '$(vm) None: a local process (computeType local)');
  if (deploymentConfig === undefined || (deploymentConfig !== '' && (await configsHaveErrors(ctx, [deploymentConfig])))) {
    return undefined;
  }
  let name = typeof given.serviceName === 'string' ? given.serviceName : undefined;
  if (name === undefined) {
    name = await vscode.window.showInputBox({
      title: `Deploy ${model.id} (no-code, 2/2): service name`,
      prompt: `${model.framework ?? ''}: amldeploy writes the entry script and environment. An existing service of that name is replaced`,
      value: (await checkName(ctx, model.name))?.suggestion,
      validateInput: async (value) => (await checkName(ctx, value))?.problem ?? undefined,
    });
    if (name === undefined) {
      return undefined;
    }
  }
  // No inferenceConfig: the server generates the entry script and environment from the model's framework.
  return runDeploy(ctx, { name, ...(deploymentConfig !== '' ? { deploymentConfig } : {}), models: [model.id], ...target });
}

export async function downloadModel(ctx: Context, arg?: unknown, targetDir?: unknown): Promise<DownloadModelResult | undefined> {
  const model = await modelArgument(ctx, arg, 'Download Model');
  if (model === undefined) {
    return undefined;
  }
  let folder = typeof targetDir === 'string' ? targetDir : undefined;
  if (folder === undefined) {
    const chosen = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      title: `Download ${model.id} into…`,
      openLabel: 'Download Here',
      ...(vscode.workspace.workspaceFolders?.[0] !== undefined ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
    });
    folder = chosen?.[0]?.fsPath;
    if (folder === undefined) {
      return undefined;
    }
  }
  let result: DownloadModelResult;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${model.id}` }, () =>
      ctx.server.request<DownloadModelResult>(MODELS_DOWNLOAD, { name: model.name, version: model.version, targetDir: folder }),
    );
  } catch (error) {
    showFailure(ctx, error);
    return undefined;
  }
  void vscode.window.showInformationMessage(`Downloaded ${model.id} to ${result.path}`, 'Reveal').then(async (choice) => {
    if (choice === 'Reveal') {
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.path));
    }
  });
  return result;
}

// Delete…: asks first (unless `confirmed`); when services still use the version the server refuses and says
// which, and "Delete Anyway" forces it.
export async function deleteModel(ctx: Context, arg: unknown, confirmed = false, forceIfUsed = false): Promise<DeleteModelResult | undefined> {
  const model = await modelArgument(ctx, arg, 'Delete Model');
  if (model === undefined) {
    return undefined;
  }
  if (!confirmed) {
    const answer = await vscode.window.showWarningMessage(
      `Delete ${model.id}?`,
      { modal: true, detail: 'The version is removed from the model registry; its number is never reused. Services already deployed keep their copy.' },
      'Delete',
    );
    if (answer !== 'Delete') {
      return undefined;
    }
  }
  const request = (force: boolean): Promise<DeleteModelResult> => ctx.server.request<DeleteModelResult>(MODELS_DELETE, { name: model.name, version: model.version, force });
  try {
    let result: DeleteModelResult;
    try {
      result = await request(false);
    } catch (error) {
      if (!(error instanceof OperationError) || (error.data.uses ?? []).length === 0) {
        throw error;
      }
      const hint = error.hint !== undefined && error.hint !== '' ? ` ${error.hint}` : '';
      const answer = forceIfUsed ? 'Delete Anyway' : await vscode.window.showWarningMessage(error.message, { modal: true, detail: `Deleting it anyway leaves those services running with their copy.${hint}` }, 'Delete Anyway');
      if (answer !== 'Delete Anyway') {
        return undefined;
      }
      result = await request(true);
    }
    void vscode.window.showInformationMessage(`Deleted ${result.id}.`);
    return result;
  } catch (error) {
    showFailure(ctx, error);
    return undefined;
  } finally {
    await ctx.refreshModels();
  }
}
