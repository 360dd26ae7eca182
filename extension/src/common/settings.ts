// Typed access to the `amldeploy.*` settings. Defaults come from package.json (contributes.configuration),
// so the extension, its tests and the server's tests read one definition.
import * as os from 'os';
import * as vscode from 'vscode';

export const SECTION = 'amldeploy';

// Settings whose change needs a new server process (the interpreter and its arguments).
export const RESTART_KEYS = ['server.python', 'server.extraArgs'] as const;

export interface ServerLaunchSettings {
  python: string;
  extraArgs: string[];
}

export function launchSettings(config = vscode.workspace.getConfiguration(SECTION)): ServerLaunchSettings {
  return {
    python: resolveVariables(config.get<string>('server.python', '').trim()),
    extraArgs: config.get<string[]>('server.extraArgs', []).map((arg) => resolveVariables(arg)),
  };
}

// The whole `amldeploy` section as plain JSON, as the server reads it (initializationOptions and
// workspace/didChangeConfiguration): nested keys like `aci.subscription` become objects.
export function serverSettings(config = vscode.workspace.getConfiguration(SECTION)): Record<string, unknown> {
  const keys = [
    'fileAssociations',
    'detectByContent',
    'severityOverrides',
    'disabledRules',
    'debounceMs',
    'servicesPollMs',
    'aci',
    'kubernetes',
    'docker',
    'models',
  ];
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value: unknown = config.get(key);
    if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

// What the server gets at start-up: the settings, plus what VS Code does itself. Its JSON service reports the
// syntax of JSON documents (json(519) is a trailing comma): the server leaves that to it, so it is said once.
export function initializationOptions(config = vscode.workspace.getConfiguration(SECTION)): Record<string, unknown> {
  return { [SECTION]: { ...serverSettings(config), jsonSyntax: false } };
}

export function affectsRestart(event: vscode.ConfigurationChangeEvent): boolean {
  return RESTART_KEYS.some((key) => event.affectsConfiguration(`${SECTION}.${key}`));
}

// ${workspaceFolder}, ${workspaceFolder:name}, ${userHome} and ${env:NAME}, like VS Code's own settings.
export function resolveVariables(
  value: string,
  folders: readonly { name: string; uri: { fsPath: string } }[] = vscode.workspace.workspaceFolders ?? [],
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'workspaceFolder') {
      return folders[0]?.uri.fsPath ?? whole;
    }
    if (name.startsWith('workspaceFolder:')) {
      const wanted = name.slice('workspaceFolder:'.length);
      return folders.find((f) => f.name === wanted)?.uri.fsPath ?? whole;
    }
    if (name === 'userHome') {
      return home;
    }
    if (name.startsWith('env:')) {
      return env[name.slice(4)] ?? '';
    }
    return whole;
  });
}
