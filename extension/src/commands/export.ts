// Export to Azure ML v2… / Export IoT Edge Manifest…: ask for what is missing (the configs, the models, the
// output folder, for IoT Edge the registry), let the server write the export, then open what it wrote.
import * as path from 'path';
import * as vscode from 'vscode';
import { EXPORT_IOT_EDGE, EXPORT_V2, ExportIotEdgeParams, ExportResult, ExportV2Params } from '../client/protocol';
import { Context } from './context';
import { pickConfig, pickModels } from './deploy';
import { ExportArgs, ExportKind, defaultOutputDir, exportArgsFrom, exportSummary, filesToOpen } from './exportPlan';
import { showFailure } from './progress';

const TITLES: Record<ExportKind, string> = { v2: 'Export to Azure ML v2', 'iot-edge': 'Export IoT Edge Manifest' };

async function gather(ctx: Context, kind: ExportKind, given: ExportArgs): Promise<ExportV2Params | ExportIotEdgeParams | undefined> {
  const title = TITLES[kind];
  const deploymentConfig = given.deploymentConfig ?? (await pickConfig(ctx, 'deployment', given.inferenceConfig, `${title}: the deployment config`));
  if (deploymentConfig === undefined) {
    return undefined;
  }
  const inferenceConfig = given.inferenceConfig ?? (await pickConfig(ctx, 'inference', deploymentConfig, `${title}: the inference config`));
  if (inferenceConfig === undefined) {
    return undefined;
  }
  const models = given.models ?? (await pickModels(ctx, inferenceConfig, `${title}: model files`));
  if (models === undefined) {
    return undefined;
  }
  const outputDir =
    given.outputDir ??
    (await vscode.window.showInputBox({
      title: `${title}: output folder`,
      prompt: 'A new or empty folder, or an earlier export (it is replaced)',
      value: defaultOutputDir(kind, deploymentConfig),
    }));
  if (outputDir === undefined || outputDir.trim() === '') {
    return undefined;
  }
  const params = { inferenceConfig, deploymentConfig, models, outputDir: outputDir.trim() };
  if (kind === 'v2') {
    return params;
  }
  const registry =
    given.registry ??
    (await vscode.window.showInputBox({
      title: `${title}: registry`,
      prompt: 'HOST[/NAMESPACE] the device pulls the image from, e.g. myacr.azurecr.io (empty: none)',
      value: '',
    }));
  if (registry === undefined) {
    return undefined;
  }
  return registry.trim() === '' ? params : { ...params, registry: registry.trim() };
}

export async function exportService(ctx: Context, kind: ExportKind, arg?: unknown): Promise<ExportResult | undefined> {
  const params = await gather(ctx, kind, exportArgsFrom(arg));
  if (params === undefined) {
    return undefined;
  }
  let result: ExportResult | undefined;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${TITLES[kind]}…` }, () =>
      ctx.server.request<ExportResult>(kind === 'v2' ? EXPORT_V2 : EXPORT_IOT_EDGE, params),
    );
  } catch (error) {
    showFailure(ctx, error);
    return undefined;
  }
  for (const fate of result.dropped) {
    ctx.log.info(`export ${kind}: dropped ${fate.file} ${fate.key}: ${fate.note}`);
  }
  for (const warning of result.warnings) {
    ctx.log.warn(`export ${kind}: ${warning}`);
  }
  const { editors, migration } = filesToOpen(result);
  for (const [i, file] of editors.entries()) {
    await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false, preserveFocus: i > 0 });
  }
  const open = migration !== undefined ? ['Open MIGRATION.md'] : [];
  void vscode.window.showInformationMessage(exportSummary(result), ...open, 'Reveal Folder').then(async (choice) => {
    if (choice === 'Open MIGRATION.md' && migration !== undefined) {
      await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(migration));
    } else if (choice === 'Reveal Folder') {
      await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path.resolve(result.outputDir)));
    }
  });
  return result;
}
