// Commands on one service: Test Request…, Copy Scoring URI, Open Swagger, Copy Key, Delete.
import * as path from 'path';
import * as vscode from 'vscode';
import { DELETE, KEYS, KeysResult, SCORE, SWAGGER, ScoreResult, SwaggerResult } from '../client/protocol';
import { Context, serviceArgument } from './context';
import { showFailure, withServerProgress } from './progress';

async function requestBody(ctx: Context): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*{request,sample,input,payload}*.json', await ctx.configs.exclude(), 50);
  const typeIt = { label: '$(edit) Type JSON…', file: '' };
  const browse = { label: '$(folder-opened) From a file…', file: '' };
  const items = [
    typeIt,
    ...files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), file: uri.fsPath })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Test Request: the body to POST to /score', placeHolder: 'Type JSON or pick a file' });
  if (picked === undefined) {
    return undefined;
  }
  if (picked === typeIt) {
    return vscode.window.showInputBox({
      title: 'Test Request: JSON body',
      value: '{"data": []}',
      prompt: 'The request body, sent as application/json',
      validateInput: (text) => {
        try {
          JSON.parse(text);
          return undefined;
        } catch (error) {
          return `Not JSON: ${(error as Error).message}`;
        }
      },
    });
  }
  let file = picked.file;
  if (picked === browse) {
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, title: 'Request body' });
    if (chosen?.[0] === undefined) {
      return undefined;
    }
    file = chosen[0].fsPath;
  }
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.file(file));
  return Buffer.from(bytes).toString('utf8');
}

export async function testRequest(ctx: Context, arg: unknown, bodyArg?: string): Promise<ScoreResult | undefined> {
  const service = await serviceArgument(ctx, arg, 'Test Request');
  if (service === undefined) {
    return undefined;
  }
  const body = bodyArg ?? (await requestBody(ctx));
  if (body === undefined) {
    return undefined;
  }
  let result: ScoreResult;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `POST ${service.scoringUri ?? '/score'}` },
      () => ctx.server.request<ScoreResult>(SCORE, { name: service.name, body }),
    );
  } catch (error) {
    showFailure(ctx, error, service.name);
    return undefined;
  }
  const shown = {
    service: service.name,
    status: `${result.status} ${result.reason}`,
    runTimeMs: result.runTimeMs,
    body: result.body,
  };
  const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(shown, null, 2) + '\n' });
  await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  if (result.status >= 400) {
    void vscode.window.showWarningMessage(`${service.name} answered ${result.status} ${result.reason}`);
  }
  return result;
}

export async function copyScoringUri(ctx: Context, arg: unknown): Promise<void> {
  const service = await serviceArgument(ctx, arg, 'Copy Scoring URI');
  if (service?.scoringUri === undefined || service.scoringUri === null) {
    if (service !== undefined) {
      void vscode.window.showWarningMessage(`${service.name} has no scoring URI: it is ${service.state}.`);
    }
    return;
  }
  await vscode.env.clipboard.writeText(service.scoringUri);
  void vscode.window.showInformationMessage(`Copied ${service.scoringUri}`);
}

// The server fetches the document (with the key when auth is on): the extension sends no HTTP of its own.
export async function openSwagger(ctx: Context, arg: unknown): Promise<SwaggerResult | undefined> {
  const service = await serviceArgument(ctx, arg, 'Open Swagger');
  if (service === undefined) {
    return undefined;
  }
  let result: SwaggerResult;
  try {
    result = await ctx.server.request<SwaggerResult>(SWAGGER, { name: service.name });
  } catch (error) {
    showFailure(ctx, error, service.name);
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(result.document, null, 2) + '\n' });
  await vscode.window.showTextDocument(document, { preview: true });
  return result;
}

export async function copyKey(ctx: Context, arg: unknown): Promise<void> {
  const service = await serviceArgument(ctx, arg, 'Copy Key');
  if (service === undefined) {
    return;
  }
  if (!service.authEnabled) {
    void vscode.window.showInformationMessage(`${service.name} has no keys: its deployment config does not enable auth.`);
    return;
  }
  const which = await vscode.window.showQuickPick(['Primary key', 'Secondary key'], { title: `Copy a key of ${service.name}` });
  if (which === undefined) {
    return;
  }
  try {
    const keys = await ctx.server.request<KeysResult>(KEYS, { name: service.name });
    await vscode.env.clipboard.writeText(which === 'Primary key' ? keys.primaryKey : keys.secondaryKey);
    void vscode.window.showInformationMessage(`${which} of ${service.name} copied to the clipboard (send it as "Authorization: Bearer <key>").`);
  } catch (error) {
    showFailure(ctx, error, service.name);
  }
}

export async function deleteService(ctx: Context, arg: unknown, confirmed = false): Promise<boolean> {
  const service = await serviceArgument(ctx, arg, 'Delete');
  if (service === undefined) {
    return false;
  }
  if (!confirmed) {
    const answer = await vscode.window.showWarningMessage(
      `Delete ${service.name}?`,
      { modal: true, detail: `The ${service.target} service stops and its state and log are removed.` },
      'Delete',
    );
    if (answer !== 'Delete') {
      return false;
    }
  }
  await ctx.logs.stop(service.name);
  try {
    await withServerProgress(ctx, `Deleting ${service.name}`, DELETE, { name: service.name, target: service.target });
  } catch (error) {
    showFailure(ctx, error, service.name);
    return false;
  } finally {
    await ctx.refreshServices();
  }
  void vscode.window.showInformationMessage(`Deleted ${service.name}.`);
  return true;
}
