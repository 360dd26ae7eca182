// What the Services and Models views share: each shows the latest snapshot the server sent (or why there is
// none), and tells VS Code to redraw whenever that changes.
import * as vscode from 'vscode';

export abstract class SnapshotTree<S, N> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  protected current: S | undefined;
  protected failure: string | undefined;
  private readonly changed = new vscode.EventEmitter<N | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  update(snapshot: S): void {
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

  dispose(): void {
    this.changed.dispose();
  }

  abstract getChildren(node?: N): N[];
  abstract getTreeItem(node: N): vscode.TreeItem;
}
