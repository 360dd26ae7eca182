// The Configurations view: the workspace's inference and deployment configs with their problem counts.
// Configs are found by the same file name patterns the server uses (`amldeploy.fileAssociations`); each is
// opened in the background once so the server validates it and the counts are real.
import * as path from 'path';
import * as vscode from 'vscode';
import { SECTION } from '../common/settings';

export type ConfigKind = 'inference' | 'deployment';

export interface ConfigFile {
  uri: vscode.Uri;
  kind: ConfigKind;
}

export const EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/.git/**,**/.amldeploy/**,**/.cache/**}';
const MAX_FILES = 200;
const IGNORED_SEGMENT = /[\\/](node_modules|\.venv|venv|\.git|\.amldeploy|\.cache)[\\/]/;

export function patternsOf(kind: ConfigKind, config = vscode.workspace.getConfiguration(SECTION)): string[] {
  const associations = config.get<Record<string, string[] | undefined>>('fileAssociations') ?? {};
  return associations[kind] ?? [];
}

export async function findConfigs(kind: ConfigKind): Promise<vscode.Uri[]> {
  const patterns = patternsOf(kind);
  if (patterns.length === 0) {
    return [];
  }
  // Patterns match file names case-insensitively (as on the server): search broadly, then filter.
  const found = await vscode.workspace.findFiles(`**/*.{json,yml,yaml}`, EXCLUDE, MAX_FILES * 5);
  const regexes = patterns.map(globToRegExp);
  return found
    .filter((uri) => regexes.some((r) => r.test(path.basename(uri.fsPath))))
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .slice(0, MAX_FILES);
}

// fnmatch-style (`*`, `?`, `[...]`), whole name, case-insensitive.
export function globToRegExp(pattern: string): RegExp {
  let out = '';
  for (const ch of pattern) {
    if (ch === '*') {
      out += '.*';
    } else if (ch === '?') {
      out += '.';
    } else if (ch === '[' || ch === ']') {
      out += ch;
    } else {
      out += ch.replace(/[.*+?^${}()|\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 'i');
}

export function problemSummary(diagnostics: readonly vscode.Diagnostic[]): { errors: number; warnings: number; text: string } {
  const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
  const warnings = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
  const parts: string[] = [];
  if (errors > 0) {
    parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  }
  if (warnings > 0) {
    parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  }
  return { errors, warnings, text: parts.length > 0 ? parts.join(', ') : 'no problems' };
}

export class ConfigsTreeProvider implements vscode.TreeDataProvider<ConfigFile>, vscode.Disposable {
  private files: ConfigFile[] = [];
  private loaded: Promise<void> | undefined;
  private readonly opened = new Set<string>();
  private readonly changed = new vscode.EventEmitter<ConfigFile | undefined>();
  private readonly disposables: vscode.Disposable[] = [];
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly serverReady: () => boolean) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{json,yml,yaml}');
    // Files under .amldeploy/ (a deploy's state and config snapshots), node_modules/, ... are not configs.
    const relevant = (uri: vscode.Uri): boolean => !IGNORED_SEGMENT.test(uri.fsPath);
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => {
        if (relevant(uri)) {
          this.refresh();
        }
      }),
      watcher.onDidDelete((uri) => {
        if (relevant(uri)) {
          this.refresh();
        }
      }),
      vscode.languages.onDidChangeDiagnostics((event) => {
        if (event.uris.some((uri) => this.files.some((f) => f.uri.toString() === uri.toString()))) {
          this.changed.fire(undefined);
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SECTION}.fileAssociations`)) {
          this.refresh();
        }
      }),
    );
  }

  refresh(): void {
    this.loaded = undefined;
    this.changed.fire(undefined);
  }

  async all(): Promise<ConfigFile[]> {
    this.loaded ??= this.load();
    await this.loaded;
    return this.files;
  }

  private async load(): Promise<void> {
    const [inference, deployment] = await Promise.all([findConfigs('inference'), findConfigs('deployment')]);
    // Elements stay the same objects across reloads: a command run from a row during a refresh still gets its file.
    const known = new Map(this.files.map((f) => [`${f.kind}:${f.uri.toString()}`, f]));
    const keep = (uri: vscode.Uri, kind: ConfigKind): ConfigFile => known.get(`${kind}:${uri.toString()}`) ?? { uri, kind };
    this.files = [...inference.map((uri) => keep(uri, 'inference')), ...deployment.map((uri) => keep(uri, 'deployment'))];
    if (this.serverReady()) {
      await this.openInBackground();
    }
  }

  // Opening a document (without showing it) makes the language server validate it.
  async openInBackground(): Promise<void> {
    for (const file of this.files) {
      const key = file.uri.toString();
      if (!this.opened.has(key)) {
        this.opened.add(key);
        await vscode.workspace.openTextDocument(file.uri).then(
          () => undefined,
          () => undefined,
        );
      }
    }
  }

  async getChildren(node?: ConfigFile): Promise<ConfigFile[]> {
    return node === undefined ? this.all() : [];
  }

  getTreeItem(file: ConfigFile): vscode.TreeItem {
    const item = new vscode.TreeItem(file.uri, vscode.TreeItemCollapsibleState.None);
    item.id = `${file.kind}:${file.uri.toString()}`;
    const folder = vscode.workspace.asRelativePath(path.dirname(file.uri.fsPath), false);
    const summary = problemSummary(vscode.languages.getDiagnostics(file.uri));
    item.description = `${folder === path.dirname(file.uri.fsPath) ? '' : `${folder} · `}${summary.text}`;
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
    this.changed.dispose();
    this.disposables.forEach((d) => {
      d.dispose();
    });
  }
}
