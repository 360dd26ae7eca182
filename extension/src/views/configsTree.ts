// The Configurations view: the workspace's inference and deployment configs with their problem counts, as the
// server lists them (`amldeploy/configs`: the file patterns, content detection and skipped folders of
// `amldeploy validate`, open editors counted with their unsaved text). The view decides nothing itself: it asks
// again, debounced, when files, diagnostics or settings change.
import * as path from 'path';
import * as vscode from 'vscode';
import { ConfigView, ConfigsResult } from '../client/protocol';
import { countsText } from '../common/problems';

export type ConfigKind = 'inference' | 'deployment';

export interface ConfigFile {
  uri: vscode.Uri;
  kind: ConfigKind;
  errors: number;
  warnings: number;
}

export const REFRESH_DELAY_MS = 300;
const COUNTED = /\.(json|ya?ml|py)$/i;

export type AskConfigs = () => Promise<ConfigsResult>;

export class ConfigsTreeProvider implements vscode.TreeDataProvider<ConfigFile>, vscode.Disposable {
  private files: ConfigFile[] = [];
  private answer: ConfigsResult | undefined;
  private loaded: Promise<ConfigsResult | undefined> | undefined;
  private asked = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<ConfigFile | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  lastError: string | undefined;

  constructor(private readonly ask: AskConfigs) {}

  // Coalesces a burst of events (a save fires a file event and new diagnostics) into one question.
  schedule(delayMs = REFRESH_DELAY_MS): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delayMs);
  }

  // Asks the server now; resolves with its answer once the view shows it (undefined when it could not answer).
  async refresh(): Promise<ConfigsResult | undefined> {
    const before = this.signature();
    this.loaded = this.load();
    const answer = await this.loaded;
    // Redraw only when the list or a count changed: a deploy's state files and every log line's diagnostics
    // trigger questions, and a redraw under a click can hand a row's command no element.
    if (this.signature() !== before || this.files.length === 0) {
      this.changed.fire(undefined);
    }
    return answer;
  }

  private signature(): string {
    return this.files.map((f) => `${f.kind}:${f.uri.fsPath}:${String(f.errors)}:${String(f.warnings)}`).join('\n');
  }

  async all(): Promise<ConfigFile[]> {
    this.loaded ??= this.load();
    await this.loaded;
    return this.files;
  }

  // The last answer (asking first when there is none): entry scripts, the folders searches skip.
  async result(): Promise<ConfigsResult | undefined> {
    this.loaded ??= this.load();
    await this.loaded;
    return this.answer;
  }

  // The server's skipped folders as one glob, for the extension's own searches (model files, request bodies).
  async exclude(): Promise<string | undefined> {
    const globs = (await this.result())?.exclude ?? [];
    return globs.length > 0 ? `{${globs.join(',')}}` : undefined;
  }

  private async load(): Promise<ConfigsResult | undefined> {
    const asked = ++this.asked;
    let answer: ConfigsResult;
    try {
      answer = await this.ask();
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      return this.answer;
    }
    if (asked !== this.asked) {
      return this.loaded; // a newer question was asked meanwhile: its answer wins
    }
    this.lastError = undefined;
    this.answer = answer;
    // Elements stay the same objects across reloads: a command run from a row during a refresh still gets its file.
    const known = new Map(this.files.map((f) => [`${f.kind}:${f.uri.fsPath}`, f]));
    this.files = answer.files.filter(isConfig).map((view) => {
      const kind = view.kind;
      const file = known.get(`${kind}:${view.path}`) ?? { uri: vscode.Uri.file(view.path), kind, errors: 0, warnings: 0 };
      file.errors = view.errors;
      file.warnings = view.warnings;
      return file;
    });
    return answer;
  }

  async getChildren(node?: ConfigFile): Promise<ConfigFile[]> {
    return node === undefined ? this.all() : [];
  }

  getTreeItem(file: ConfigFile): vscode.TreeItem {
    const item = new vscode.TreeItem(file.uri, vscode.TreeItemCollapsibleState.None);
    item.id = `${file.kind}:${file.uri.toString()}`;
    const dir = path.dirname(file.uri.fsPath);
    const folder = vscode.workspace.asRelativePath(dir, false);
    const summary = countsText(file.errors, file.warnings);
    item.description = `${folder === dir ? '' : `${folder} · `}${summary.text}`;
    item.tooltip = `${file.kind === 'inference' ? 'Inference' : 'Deployment'} config · ${summary.text}`;
    item.iconPath = new vscode.ThemeIcon(
      summary.errors > 0 ? 'error' : summary.warnings > 0 ? 'warning' : file.kind === 'inference' ? 'symbol-method' : 'settings-gear',
      summary.errors > 0 ? new vscode.ThemeColor('list.errorForeground') : undefined,
    );
    item.command = { command: 'vscode.open', title: 'Open', arguments: [file.uri] };
    item.contextValue = `config.${file.kind}`;
    return item;
  }

  dispose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
    }
    this.changed.dispose();
  }
}

function isConfig(view: ConfigView): view is ConfigView & { kind: ConfigKind } {
  return view.kind === 'inference' || view.kind === 'deployment';
}

// What makes the view ask again: files created, changed or deleted (a config's problems may come from a file it
// names), diagnostics published (edits in open editors), the amldeploy settings, and a server (re)start.
export function watchConfigs(tree: ConfigsTreeProvider): vscode.Disposable[] {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.{json,yml,yaml,py}');
  const again = (): void => {
    tree.schedule();
  };
  return [
    watcher,
    watcher.onDidCreate(again),
    watcher.onDidChange(again),
    watcher.onDidDelete(again),
    vscode.languages.onDidChangeDiagnostics((event) => {
      // Only configs and scripts change the counts (not the diagnostics of every other language).
      if (event.uris.some((uri) => COUNTED.test(uri.path))) {
        again();
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('amldeploy')) {
        again();
      }
    }),
  ];
}
