// amldeploy for VS Code: a thin shell over the Python language server. Every operation runs in the server
// (custom requests in client/protocol.ts); this file only wires the pieces together.
import * as vscode from 'vscode';
import { CONFIGS, ConfigsResult, LOG, LogNotification, MODELS_CHANGED, MODELS_LIST, ModelsSnapshot, SERVICES, SERVICES_CHANGED, ServicesSnapshot } from './client/protocol';
import { LanguageClient } from 'vscode-languageclient/node';
import { ServerManager } from './client/server';
import { Context } from './commands/context';
import { LogStreams } from './commands/logs';
import { registerCommands } from './commands/register';
import { errorText } from './common/log';
import { affectsRestart } from './common/settings';
import { InterpreterError, resolveInterpreter } from './python/interpreter';
import { pythonExtensionApi, realEnvironment } from './python/environment';
import { ConfigsTreeProvider, watchConfigs } from './views/configsTree';
import { ServicesTreeProvider } from './views/servicesTree';
import { ModelsTreeProvider } from './views/modelsTree';

export interface Api {
  ctx: Context;
  ready: Promise<void>; // resolves once the server has started (or failed to)
}

export function activate(context: vscode.ExtensionContext): Api {
  const log = vscode.window.createOutputChannel('amldeploy', { log: true });
  const server = new ServerManager(log, () => resolveInterpreter(realEnvironment(context, log)), (error) => {
    void showStartFailure(error);
  });
  const services = new ServicesTreeProvider();
  const configs = new ConfigsTreeProvider(() => server.request<ConfigsResult>(CONFIGS, {}));
  const logs = new LogStreams(server);
  const refreshServices = async (): Promise<void> => {
    try {
      services.update(await server.request<ServicesSnapshot>(SERVICES, {}));
    } catch (error) {
      services.fail(errorText(error));
    }
  };
  const models = new ModelsTreeProvider();
  const refreshModels = async (): Promise<void> => {
    try {
      models.update(await server.request<ModelsSnapshot>(MODELS_LIST, {}));
    } catch (error) {
      models.fail(errorText(error));
    }
  };
  const modelsView = vscode.window.createTreeView('amldeploy.models', { treeDataProvider: models, showCollapseAll: true });
  const ctx: Context = { server, services, configs, logs, log, models, refreshServices, refreshModels };
  const wired = new WeakSet<LanguageClient>();
  context.subscriptions.push(
    log,
    server,
    services,
    configs,
    logs,
    vscode.window.createTreeView('amldeploy.services', { treeDataProvider: services, showCollapseAll: true }),
    vscode.window.createTreeView('amldeploy.configurations', { treeDataProvider: configs }),
    models,
    modelsView,
    // The server's watcher may be off (servicesPollMs 0): look again when the view shows.
    modelsView.onDidChangeVisibility((event) => {
      if (event.visible && server.current !== undefined) {
        void refreshModels();
      }
    }),
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused && modelsView.visible && server.current !== undefined) {
        void refreshModels();
      }
    }),
    ...watchConfigs(configs),
    ...registerCommands(ctx, context.extensionPath),
    server.onDidStart((client) => {
      // A client keeps its handlers across its own restarts: register them once per client.
      if (!wired.has(client)) {
        wired.add(client);
        context.subscriptions.push(
          client.onNotification(SERVICES_CHANGED, (snapshot: ServicesSnapshot) => {
            services.update(snapshot);
          }),
          client.onNotification(MODELS_CHANGED, (snapshot: ModelsSnapshot) => {
            models.update(snapshot);
          }),
          client.onNotification(LOG, (note: LogNotification) => {
            logs.handle(note);
          }),
        );
      }
      void refreshServices();
      void refreshModels();
      configs.schedule(0);
    }),
    server.onDidStop(() => {
      services.clear(); // the welcome view then says the server is not running
      models.clear();
      logs.serverStopped();
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (affectsRestart(event)) {
        server.scheduleRestart('the interpreter settings changed');
      } else if (event.affectsConfiguration('amldeploy.models.registry')) {
        // The server reads the new folder once it has the setting: ask a moment later.
        setTimeout(() => void refreshModels(), 1000);
      }
    }),
  );
  void pythonExtensionApi().then((api) => {
    const changed = api?.environments?.onDidChangeActiveEnvironmentPath;
    if (changed !== undefined) {
      context.subscriptions.push(
        changed(() => {
          server.scheduleRestart('the Python extension selected another interpreter');
        }),
      );
    }
  });
  const ready = server.ensure().then(() => undefined);
  return { ctx, ready };

  async function showStartFailure(error: unknown): Promise<void> {
    const actions = error instanceof InterpreterError ? error.actions : [];
    const buttons: Record<string, () => Thenable<unknown>> = {};
    if (actions.includes('createVenv')) {
      buttons['Create Environment'] = () => server.restart('creating the private environment');
    }
    if (actions.includes('selectInterpreter')) {
      buttons['Select Interpreter'] = () => vscode.commands.executeCommand('python.setInterpreter');
    }
    if (actions.includes('openSettings')) {
      buttons['Open Settings'] = () => vscode.commands.executeCommand('workbench.action.openSettings', 'amldeploy.server.python');
    }
    buttons['Show Log'] = () => {
      log.show();
      return Promise.resolve();
    };
    const choice = await vscode.window.showErrorMessage(errorText(error), ...Object.keys(buttons));
    if (choice !== undefined) {
      await buttons[choice]?.();
    }
  }
}

export function deactivate(): void {
  // The ServerManager, registered in context.subscriptions, stops the server.
}
