// The real world behind the interpreter chain: settings, the Python extension's API, the private venv.
import * as vscode from 'vscode';
import { launchSettings } from '../common/settings';
import { Environment } from './interpreter';
import { probe } from './probe';
import { bundledWheel, createVenv, findBasePython, venvPython } from './venv';

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
    resolveEnvironment(env: { path: string }): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
}

export async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (extension === undefined) {
    return undefined;
  }
  try {
    return extension.isActive ? extension.exports : await extension.activate();
  } catch {
    return undefined;
  }
}

export function realEnvironment(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Environment {
  const storage = context.globalStorageUri.fsPath;
  const resource = vscode.workspace.workspaceFolders?.[0]?.uri;
  let selected: string | undefined;
  return {
    settingPython: () => launchSettings().python,
    pythonExtensionInterpreter: async () => {
      const api = (await pythonExtensionApi())?.environments;
      if (api === undefined) {
        return undefined;
      }
      const active = api.getActiveEnvironmentPath(resource);
      selected = (await api.resolveEnvironment(active))?.executable.uri?.fsPath ?? active.path;
      return selected;
    },
    probe: (python) => probe(python),
    privateVenvPython: () => venvPython(storage),
    bundledWheelVersion: () => bundledWheel(context.extensionPath)?.version,
    confirmCreateVenv: async (reasons) => {
      log.info(`No interpreter with amldeploy: ${reasons.join('; ')}`);
      const answer = await vscode.window.showInformationMessage(
        'amldeploy needs a Python environment for its language server. Create a private one now ' +
          '(a venv in the extension\'s storage with the bundled amldeploy wheel; its dependencies come from your package index)?',
        { modal: true, detail: reasons.join('\n') },
        'Create Environment',
      );
      return answer === 'Create Environment';
    },
    createVenv: async () => {
      const wheel = bundledWheel(context.extensionPath);
      if (wheel === undefined) {
        throw new Error('this build of the extension carries no amldeploy wheel');
      }
      const base = await findBasePython([selected]);
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'amldeploy: creating the Python environment' },
        (progress) =>
          createVenv(
            storage,
            base,
            wheel.path,
            (line) => {
              log.info(line);
            },
            (message) => {
              progress.report({ message });
            },
          ),
      );
    },
    log: (message) => {
      log.info(message);
    },
  };
}
