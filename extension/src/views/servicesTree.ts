// The Services view: targets → services (state icon, scoring URI) → the detail rows the server words.
// A pure projection of the server's snapshots (`amldeploy/services`, `amldeploy/servicesChanged`): the
// extension knows no target by name, so new targets appear here without extension changes.
import * as vscode from 'vscode';
import { SnapshotTree } from './snapshotTree';
import { ServiceView, ServicesSnapshot, State, TargetView } from '../client/protocol';

export type ServicesNode =
  | { kind: 'target'; target: TargetView }
  | { kind: 'service'; target: TargetView; service: ServiceView }
  | { kind: 'detail'; service: ServiceView; label: string; value: string }
  | { kind: 'message'; label: string; detail?: string };

const STATE_ICONS: Record<State, [string, string | undefined]> = {
  Healthy: ['pass-filled', 'testing.iconPassed'],
  Transitioning: ['loading~spin', undefined],
  Unhealthy: ['warning', 'list.warningForeground'],
  Unschedulable: ['circle-slash', 'list.warningForeground'],
  Failed: ['error', 'testing.iconFailed'],
};

export class ServicesTreeProvider extends SnapshotTree<ServicesSnapshot, ServicesNode> {
  services(): ServiceView[] {
    return this.current?.targets.flatMap((t) => t.services) ?? [];
  }

  find(name: string): ServiceView | undefined {
    return this.services().find((s) => s.name === name);
  }

  targets(): TargetView[] {
    return this.current?.targets ?? [];
  }

  getChildren(node?: ServicesNode): ServicesNode[] {
    if (node === undefined) {
      if (this.failure !== undefined) {
        return [{ kind: 'message', label: 'Services unavailable', detail: this.failure }];
      }
      // Before the first snapshot the view is empty, so its welcome content (Deploy…, server state) shows.
      return (this.current?.targets ?? []).map((target) => ({ kind: 'target', target }));
    }
    if (node.kind === 'target') {
      if (node.target.services.length === 0) {
        return [{ kind: 'message', label: 'No services', detail: node.target.available ? 'Deploy… starts one' : node.target.reason }];
      }
      return node.target.services.map((service) => ({ kind: 'service', target: node.target, service }));
    }
    if (node.kind === 'service') {
      return node.service.rows.map((row) => ({ kind: 'detail', service: node.service, label: row.label, value: row.value }));
    }
    return [];
  }

  getTreeItem(node: ServicesNode): vscode.TreeItem {
    switch (node.kind) {
      case 'target':
        return targetItem(node.target);
      case 'service':
        return serviceItem(node.service);
      case 'detail': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.value;
        item.tooltip = `${node.label}: ${node.value}`;
        item.contextValue = 'detail';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.detail;
        item.tooltip = node.detail;
        item.iconPath = node.label === 'No services' ? undefined : new vscode.ThemeIcon('warning');
        item.contextValue = 'message';
        return item;
      }
    }
  }

}

function targetItem(target: TargetView): vscode.TreeItem {
  const item = new vscode.TreeItem(target.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = `target:${target.name}`;
  const settings = target.settings.filter((s) => s.value !== null && s.value !== '').map((s) => `${s.label}: ${s.value ?? ''}`);
  item.description = target.available ? settings.join(' · ') || `${target.services.length}` : 'unavailable';
  const tooltip = new vscode.MarkdownString(`**${target.label}** (\`${target.name}\`)\n\n${target.description}`);
  if (!target.available && target.reason !== undefined) {
    tooltip.appendMarkdown(`\n\n$(warning) ${target.reason}`);
  }
  for (const s of target.settings) {
    tooltip.appendMarkdown(`\n\n${s.label}: \`${s.value ?? 'not set'}\``);
  }
  tooltip.supportThemeIcons = true;
  item.tooltip = tooltip;
  item.iconPath = new vscode.ThemeIcon(target.available ? 'server' : 'debug-disconnect');
  item.contextValue = `target.${target.name}`;
  return item;
}

export function serviceItem(service: ServiceView): vscode.TreeItem {
  const item = new vscode.TreeItem(service.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `service:${service.target}:${service.name}`;
  // The URI while it serves (or may again); a Failed service only says so.
  item.description =
    service.state === 'Healthy' ? (service.scoringUri ?? service.state)
    : service.state === 'Failed' || service.scoringUri === null ? service.state
    : `${service.state} · ${service.scoringUri}`;
  const [icon, color] = STATE_ICONS[service.state];
  item.iconPath = new vscode.ThemeIcon(icon, color === undefined ? undefined : new vscode.ThemeColor(color));
  const tooltip = new vscode.MarkdownString(`**${service.name}** — ${service.state}\n\n`);
  tooltip.appendMarkdown(`${service.target} target · computeType \`${service.computeType}\``);
  if (service.scoringUri !== null) {
    tooltip.appendMarkdown(`\n\nScoring URI: ${service.scoringUri}`);
  }
  if (service.error !== null && service.error !== '') {
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(service.error);
  }
  item.tooltip = tooltip;
  // e.g. "service.Healthy.auth": menus match /^service/ and /\.auth/ (Copy Key only when keys exist).
  item.contextValue = `service.${service.state}${service.authEnabled ? '.auth' : ''}`;
  item.accessibilityInformation = { label: `${service.name}, ${service.state}` };
  return item;
}
