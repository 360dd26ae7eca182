// Every command of the palette and the views, wired to its implementation.
import * as vscode from 'vscode';
import { ServiceView } from '../client/protocol';
import { Context } from './context';
import { deploy, packageImage, redeploy } from './deploy';
import { exportService } from './export';
import { copyKey, copyScoringUri, deleteService, openSwagger, testRequest } from './service';
import { serviceArgument } from './context';
import { showFailure } from './progress';
import { newFromTemplate, selectTargetSetting, validateWorkspace } from './workspace';
import { profileOptions, profileService } from './profile';
import { deleteModel, deployModel, downloadModel, registerModel } from './models';

export function registerCommands(ctx: Context, extensionRoot: string): vscode.Disposable[] {
  const command = (id: string, run: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(`amldeploy.${id}`, async (...args: unknown[]) => {
      try {
        return await run(...args);
      } catch (error) {
        showFailure(ctx, error);
        return undefined;
      }
    });
  return [
    command('deploy', (arg) => deploy(ctx, arg)),
    command('deployWithConfig', (arg) => deploy(ctx, arg)),
    command('redeploy', (arg) => redeploy(ctx, arg)),
    command('package', (arg) => packageImage(ctx, arg)),
    command('exportV2', (arg) => exportService(ctx, 'v2', arg)),
    command('exportIotEdge', (arg) => exportService(ctx, 'iot-edge', arg)),
    command('tailLogs', async (arg) => {
      const service: ServiceView | undefined = await serviceArgument(ctx, arg, 'Tail Logs');
      if (service !== undefined) {
        await ctx.logs.start(service.name);
      }
    }),
    command('stopLogs', async (arg) => {
      const names = ctx.logs.following();
      if (typeof arg !== 'string' && names.length === 0) {
        void vscode.window.showInformationMessage('No service log is being followed.');
        return;
      }
      const name = typeof arg === 'string' ? arg : names.length === 1 ? names[0] : await vscode.window.showQuickPick(names, { title: 'Stop Tailing Logs' });
      if (name !== undefined) {
        await ctx.logs.stop(name);
      }
    }),
    command('testRequest', (arg, body) => testRequest(ctx, arg, typeof body === 'string' ? body : undefined)),
    command('profileService', (arg, options) => profileService(ctx, arg, profileOptions(options))),
    command('copyScoringUri', (arg) => copyScoringUri(ctx, arg)),
    command('openSwagger', (arg) => openSwagger(ctx, arg)),
    command('copyKey', (arg) => copyKey(ctx, arg)),
    command('delete', (arg, confirmed) => deleteService(ctx, arg, confirmed === true)),
    command('refreshServices', () => ctx.refreshServices()),
    command('registerModel', (arg) => registerModel(ctx, arg)),
    command('deployModel', (arg) => deployModel(ctx, arg)),
    command('downloadModel', (arg, targetDir) => downloadModel(ctx, arg, targetDir)),
    command('deleteModel', (arg, confirmed, force) => deleteModel(ctx, arg, confirmed === true, force === true)),
    command('refreshModels', () => ctx.refreshModels()),
    command('validateWorkspace', () => validateWorkspace(ctx)),
    command('newInferenceConfig', (arg) => newFromTemplate(extensionRoot, 'inference', arg)),
    command('newDeploymentConfig', (arg, computeType) => newFromTemplate(extensionRoot, 'deployment', arg, typeof computeType === 'string' ? computeType : undefined)),
    command('newEntryScript', (arg) => newFromTemplate(extensionRoot, 'entryScript', arg)),
    command('selectAzureSubscription', () => selectTargetSetting(ctx, 'aci.subscription')),
    command('selectKubernetesContext', () => selectTargetSetting(ctx, 'kubernetes.context')),
    command('restartServer', () => ctx.server.restart('requested')),
    command('showServerLog', () => {
      ctx.log.show();
    }),
  ];
}
