// What every command needs: the server, the views, the log streams.
import * as vscode from 'vscode';
import { ServerManager } from '../client/server';
import { ServiceView } from '../client/protocol';
import { ConfigsTreeProvider } from '../views/configsTree';
import { ModelsTreeProvider } from '../views/modelsTree';
import { ServicesNode, ServicesTreeProvider } from '../views/servicesTree';
import { LogStreams } from './logs';

export interface Context {
  server: ServerManager;
  services: ServicesTreeProvider;
  configs: ConfigsTreeProvider;
  logs: LogStreams;
  log: vscode.LogOutputChannel;
  models: ModelsTreeProvider;
  refreshServices(): Promise<void>;
  refreshModels(): Promise<void>;
}

// The service a command is about: the tree item it was run on, a name passed by another command or a test,
// or one the user picks.
export async function serviceArgument(ctx: Context, arg: unknown, purpose: string): Promise<ServiceView | undefined> {
  if (typeof arg === 'string') {
    await ctx.refreshServices();
    const found = ctx.services.find(arg);
    if (found === undefined) {
      void vscode.window.showErrorMessage(`There is no service named '${arg}'.`);
    }
    return found;
  }
  const node = arg as ServicesNode | undefined;
  if (node?.kind === 'service' || node?.kind === 'detail') {
    return node.service;
  }
  await ctx.refreshServices();
  const services = ctx.services.services();
  if (services.length === 0) {
    const choice = await vscode.window.showInformationMessage('There are no services yet.', 'Deploy…');
    if (choice === 'Deploy…') {
      await vscode.commands.executeCommand('amldeploy.deploy');
    }
    return undefined;
  }
  if (services.length === 1) {
    return services[0];
  }
  const picked = await vscode.window.showQuickPick(
    services.map((service) => ({
      label: service.name,
      description: `${service.state} · ${service.target}`,
      detail: service.scoringUri ?? undefined,
      service,
    })),
    { title: purpose, placeHolder: 'Pick a service' },
  );
  return picked?.service;
}
