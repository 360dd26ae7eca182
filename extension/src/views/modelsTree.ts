// The Models view: the local model registry's names → their versions (latest first), each version with its
// framework and tags, and a tooltip with the rest. A projection of `amldeploy/models/list` and of
// `amldeploy/modelsChanged`, which the server sends when the store changes (whoever changed it).
import * as vscode from 'vscode';
import { ModelGroup, ModelsSnapshot, RegisteredModel } from '../client/protocol';
import { isNoCode, tooltipLines, versionDescription } from '../commands/modelPlan';

export type ModelsNode =
  | { kind: 'model'; group: ModelGroup }
  | { kind: 'version'; model: RegisteredModel }
  | { kind: 'message'; label: string; detail?: string };

export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private current: ModelsSnapshot | undefined;
  private failure: string | undefined;
  private readonly changed = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  update(snapshot: ModelsSnapshot): void {
    this.current = snapshot;
    this.failure = undefined;
    this.changed.fire(undefined);
  }

  fail(message: string): void {
    this.failure = message;
    this.changed.fire(undefined);
  }

  clear(): void {
    this.current = undefined;
    this.failure = undefined;
    this.changed.fire(undefined);
  }

  get snapshot(): ModelsSnapshot | undefined {
    return this.current;
  }

  // Every registered version, the latest of each name first.
  versions(): RegisteredModel[] {
    return this.current?.models.flatMap((g) => g.versions) ?? [];
  }

  getChildren(node?: ModelsNode): ModelsNode[] {
    if (node === undefined) {
      if (this.failure !== undefined) {
        return [{ kind: 'message', label: 'Models unavailable', detail: this.failure }];
      }
      // No models (or no answer yet): empty, so that the welcome content (Register Model…) shows.
      const nodes: ModelsNode[] = (this.current?.models ?? []).map((group) => ({ kind: 'model', group }));
      const problems = this.current?.problems ?? [];
      if (problems.length > 0) {
        const label = `${problems.length} damaged entr${problems.length === 1 ? 'y' : 'ies'} skipped`;
        nodes.push({ kind: 'message', label, detail: problems.join('\n') });
      }
      return nodes;
    }
    if (node.kind === 'model') {
      return node.group.versions.map((model) => ({ kind: 'version', model }));
    }
    return [];
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'model':
        return modelItem(node.group, this.current?.root);
      case 'version':
        return versionItem(node.model);
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.detail;
        item.tooltip = node.detail;
        item.iconPath = new vscode.ThemeIcon('warning');
        item.contextValue = 'message';
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function modelItem(group: ModelGroup, root: string | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(group.name, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `model:${group.name}`;
  const count = group.versions.length;
  item.description = `${count} version${count === 1 ? '' : 's'}`;
  item.tooltip = `${group.name}: ${count} version${count === 1 ? '' : 's'}${root !== undefined ? ` in ${root}` : ''}`;
  item.iconPath = new vscode.ThemeIcon('package');
  item.contextValue = 'model';
  return item;
}

export function versionItem(model: RegisteredModel): vscode.TreeItem {
  const item = new vscode.TreeItem(model.id, vscode.TreeItemCollapsibleState.None);
  item.id = `model:${model.id}`;
  item.description = versionDescription(model);
  const tooltip = new vscode.MarkdownString(tooltipLines(model).join('\n\n'));
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon(model.framework !== null ? 'symbol-constructor' : 'file-binary');
  // "modelVersion" or "modelVersion.noCode": menus match /^modelVersion/.
  item.contextValue = `modelVersion${isNoCode(model) ? '.noCode' : ''}`;
  item.accessibilityInformation = { label: `${model.id}${item.description !== '' ? `, ${item.description}` : ''}` };
  return item;
}
