// Validate Workspace, New … from templates, and the target settings pickers.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { CHOICES, ChoiceSetting, ChoicesResult } from '../client/protocol';
import { SECTION } from '../common/settings';
import { Context } from './context';
import { showFailure } from './progress';

// The server lists and counts the workspace's configs and the scripts they name (as `amldeploy validate .`
// would); opening them fills the Problems panel with the details.
export async function validateWorkspace(ctx: Context): Promise<{ files: number; errors: number; warnings: number } | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Validating the workspace' }, async () => {
    const answer = await ctx.configs.refresh();
    if (answer === undefined) {
      void vscode.window.showErrorMessage(`Validate Workspace: ${ctx.configs.lastError ?? 'the amldeploy language server did not answer.'}`);
      return undefined;
    }
    for (const file of answer.files) {
      await vscode.workspace.openTextDocument(vscode.Uri.file(file.path)).then(
        () => undefined,
        () => undefined,
      );
    }
    const errors = answer.files.reduce((sum, f) => sum + f.errors, 0);
    const warnings = answer.files.reduce((sum, f) => sum + f.warnings, 0);
    const count = answer.files.length;
    const more = answer.truncated ? ' (only the first configs: the workspace has more)' : '';
    const text = `${count} file${count === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}${more}`;
    if (errors + warnings > 0) {
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      void vscode.window.showWarningMessage(text);
    } else {
      void vscode.window.showInformationMessage(text);
    }
    return { files: count, errors, warnings };
  });
}

type Template = 'inference' | 'deployment' | 'entryScript';

interface Snippet {
  prefix: string;
  body: string[];
}

function snippetBody(root: string, file: string, prefix: string): string {
  const snippets = JSON.parse(fs.readFileSync(path.join(root, 'snippets', file), 'utf8')) as Record<string, Snippet>;
  const found = Object.values(snippets).find((s) => s.prefix === prefix);
  if (found === undefined) {
    throw new Error(`the snippet ${prefix} is missing from snippets/${file}`);
  }
  return found.body.join('\n') + '\n';
}

function freeName(folder: string, base: string, ext: string): string {
  for (let i = 1; ; i++) {
    const candidate = path.join(folder, i === 1 ? `${base}${ext}` : `${base}-${i}${ext}`);
    if (!fs.existsSync(candidate)) {
      return candidate;
    }
  }
}

function targetFolder(arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri) {
    return fs.statSync(arg.fsPath).isDirectory() ? arg.fsPath : path.dirname(arg.fsPath);
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && vscode.workspace.getWorkspaceFolder(active) !== undefined) {
    return path.dirname(active.fsPath);
  }
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

// Creates the file from the matching whole-file snippet (snippets/) and leaves the cursor on its first field.
export async function newFromTemplate(extensionRoot: string, kind: Template, arg?: unknown, computeType?: string): Promise<vscode.Uri | undefined> {
  const folder = targetFolder(arg);
  if (folder === undefined) {
    void vscode.window.showErrorMessage('Open a folder first: the new file goes into the workspace.');
    return undefined;
  }
  let file: string;
  let body: string;
  if (kind === 'inference') {
    file = freeName(folder, 'inferenceconfig', '.json');
    body = snippetBody(extensionRoot, 'json.code-snippets', 'amldeploy-inferenceconfig');
  } else if (kind === 'deployment') {
    const type =
      computeType ??
      (
        await vscode.window.showQuickPick(
          [
            { label: 'local', description: 'a local process or container (no Azure needed)' },
            { label: 'ACI', description: 'Azure Container Instances' },
            { label: 'AKS', description: 'Kubernetes: AKS or any cluster' },
          ],
          { title: 'New Deployment Config: computeType' },
        )
      )?.label;
    if (type === undefined) {
      return undefined;
    }
    file = freeName(folder, 'deploymentconfig', '.json');
    body = snippetBody(extensionRoot, 'json.code-snippets', `amldeploy-deploymentconfig-${type.toLowerCase()}`);
  } else {
    file = freeName(folder, 'score', '.py');
    body = snippetBody(extensionRoot, 'python.code-snippets', 'amldeploy-score');
  }
  const uri = vscode.Uri.file(file);
  await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  const editor = await vscode.window.showTextDocument(uri);
  await editor.insertSnippet(new vscode.SnippetString(body), new vscode.Position(0, 0));
  await editor.document.save();
  return uri;
}

const PICKERS: Record<ChoiceSetting, { title: string; follow: { key: string; prompt: string } }> = {
  'aci.subscription': { title: 'Azure subscription for ACI', follow: { key: 'aci.resourceGroup', prompt: 'Resource group for ACI deployments' } },
  'kubernetes.context': { title: 'Kubernetes context', follow: { key: 'kubernetes.namespace', prompt: 'Namespace for Kubernetes deployments (empty: the context\'s)' } },
};

export async function selectTargetSetting(ctx: Context, setting: ChoiceSetting): Promise<string | undefined> {
  let result: ChoicesResult;
  try {
    result = await ctx.server.request<ChoicesResult>(CHOICES, { setting });
  } catch (error) {
    showFailure(ctx, error);
    return undefined;
  }
  const picker = PICKERS[setting];
  if (result.choices.length === 0) {
    void vscode.window.showWarningMessage(`${picker.title}: nothing to choose from. ${result.source}`);
    return undefined;
  }
  const config = vscode.workspace.getConfiguration(SECTION);
  const current = config.get<string | null>(setting);
  const picked = await vscode.window.showQuickPick(
    result.choices.map((c) => ({ label: c.label, description: [c.value === current ? 'selected' : undefined, c.description].filter(Boolean).join(' · '), value: c.value })),
    { title: picker.title, placeHolder: result.source },
  );
  if (picked === undefined) {
    return undefined;
  }
  const scope = vscode.workspace.workspaceFolders !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(setting, picked.value, scope);
  const follow = await vscode.window.showInputBox({ title: picker.title, prompt: picker.follow.prompt, value: config.get<string | null>(picker.follow.key) ?? '' });
  if (follow !== undefined) {
    await config.update(picker.follow.key, follow === '' ? null : follow, scope);
  }
  await ctx.refreshServices();
  return picked.value;
}
