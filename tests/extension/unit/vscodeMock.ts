// The parts of the `vscode` API the unit-tested modules touch, with state tests can set.

type Listener<T> = (value: T) => void;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.push(listener);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };
  fire(value: T): void {
    this.listeners.forEach((l) => {
      l(value);
    });
  }
  dispose(): void {
    this.listeners = [];
  }
}

export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}

export class ThemeColor {
  constructor(readonly id: string) {}
}

export class MarkdownString {
  supportThemeIcons = false;
  constructor(public value = '') {}
  appendMarkdown(text: string): this {
    this.value += text;
    return this;
  }
  appendText(text: string): this {
    this.value += text;
    return this;
  }
}

export class Uri {
  readonly scheme = 'file';
  private constructor(readonly fsPath: string) {}
  static file(path: string): Uri {
    return new Uri(path);
  }
  toString(): string {
    return `file://${this.fsPath}`;
  }
}

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: unknown;
  accessibilityInformation?: unknown;
  constructor(
    readonly label: string | Uri,
    readonly collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}

export enum LogLevel {
  Off = 0,
  Trace = 1,
  Debug = 2,
  Info = 3,
  Warning = 4,
  Error = 5,
}

// Settings as `WorkspaceConfiguration.get` sees them; tests fill `settings` (keys without the section).
export const state: { settings: Record<string, unknown>; folders: { name: string; uri: Uri }[] | undefined } = {
  settings: {},
  folders: undefined,
};

export const workspace = {
  getConfiguration(section?: string) {
    const prefix = section === undefined ? '' : `${section}.`;
    const lookup = (key: string): unknown => {
      if (key in state.settings) {
        return state.settings[key];
      }
      // Nested objects, as VS Code merges `amldeploy.aci.subscription` into `aci: {subscription}`.
      const nested: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(state.settings)) {
        if (k.startsWith(`${key}.`)) {
          nested[k.slice(key.length + 1)] = v;
        }
      }
      return Object.keys(nested).length > 0 ? nested : undefined;
    };
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const value = lookup(key) as T | undefined;
        return value === undefined ? fallback : value;
      },
      prefix,
    };
  },
  get workspaceFolders() {
    return state.folders;
  },
  // Like VS Code: relative to the workspace folder that holds the path, else the path itself.
  asRelativePath(path: string): string {
    const folder = state.folders?.find((f) => path === f.uri.fsPath || path.startsWith(`${f.uri.fsPath}/`));
    return folder === undefined ? path : path.slice(folder.uri.fsPath.length + 1) || path;
  },
};
