// Profile Service…: a bounded load on a running service (the server's `amldeploy/profile`), its figures as a
// report, and the recommended size offered as an edit of the deployment config.
import * as path from 'path';
import * as vscode from 'vscode';
import { PROFILE, ProfileResult } from '../client/protocol';
import { Context, serviceArgument } from './context';
import { showFailure, withServerProgress } from './progress';

// What a test (or another command) may pass instead of answering the questions.
export interface ProfileOptions {
  samples?: string[];
  durationS?: number;
  concurrency?: number;
  deploymentConfig?: string | null; // null: no config to size
  apply?: boolean; // apply the recommendation without asking
}

// The options another command passes, read field by field (anything else is ignored).
export function profileOptions(value: unknown): ProfileOptions {
  if (typeof value !== 'object' || value === null) {
    return {};
  }
  const v = value as Record<string, unknown>;
  const options: ProfileOptions = {};
  if (Array.isArray(v.samples) && v.samples.every((s) => typeof s === 'string')) {
    options.samples = v.samples;
  }
  if (typeof v.durationS === 'number') {
    options.durationS = v.durationS;
  }
  if (typeof v.concurrency === 'number') {
    options.concurrency = v.concurrency;
  }
  if (typeof v.deploymentConfig === 'string' || v.deploymentConfig === null) {
    options.deploymentConfig = v.deploymentConfig;
  }
  if (typeof v.apply === 'boolean') {
    options.apply = v.apply;
  }
  return options;
}

const DEFAULT_LOAD = { label: '15 s from 4 connections', description: 'default', durationS: 15, concurrency: 4 };
const LOADS = [
  DEFAULT_LOAD,
  { label: '30 s from 8 connections', description: '', durationS: 30, concurrency: 8 },
  { label: '60 s from 16 connections', description: 'a busy service', durationS: 60, concurrency: 16 },
];

async function pickSamples(ctx: Context): Promise<string[] | undefined> {
  const files = await vscode.workspace.findFiles('**/*{request,sample,input,payload}*.json', await ctx.configs.exclude(), 50);
  const browse = { label: '$(folder-opened) Other files…', file: '', picked: false };
  const items = [
    ...files.map((uri, i) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(path.dirname(uri.fsPath)), file: uri.fsPath, picked: i === 0 })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Profile Service: the sample requests to send (in turn)', canPickMany: true });
  if (picked === undefined || picked.length === 0) {
    return undefined;
  }
  const chosen = picked.filter((p) => p !== browse).map((p) => p.file);
  if (picked.includes(browse)) {
    const more = await vscode.window.showOpenDialog({ canSelectMany: true, title: 'Sample requests' });
    chosen.push(...(more ?? []).map((uri) => uri.fsPath));
  }
  return chosen.length > 0 ? chosen : undefined;
}

async function pickConfig(ctx: Context, own: string | undefined): Promise<string | null | undefined> {
  const configs = (await ctx.configs.all()).filter((f) => f.kind === 'deployment').map((f) => f.uri.fsPath);
  const ordered = own !== undefined ? [own, ...configs.filter((c) => c !== own)] : configs;
  const none = { label: '$(close) None', description: 'only the report', file: null as string | null };
  const items = [
    ...ordered.map((file): { label: string; description: string; file: string | null } => ({ label: path.basename(file), description: vscode.workspace.asRelativePath(path.dirname(file)) + (file === own ? ' · the service\'s own' : ''), file })),
    none,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Profile Service: the deployment config to size' });
  return picked === undefined ? undefined : picked.file;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

export function profileReport(result: ProfileResult): string {
  const statuses = Object.entries(result.statuses).map(([status, n]) => `${status} ×${n}`).join(', ') || 'none';
  const values = Object.entries(result.recommendation).map(([k, v]) => `\`${k}\`: ${v}`).join(', ');
  const lines = [
    `# Profile of ${result.name}`,
    '',
    `${result.target} target · computeType ${result.computeType} · ${result.durationS} s from ${result.concurrency} connection${result.concurrency > 1 ? 's' : ''}`,
    '',
    '| | |',
    '|---|---|',
    `| Requests | ${result.requests} (${result.throughputRps}/s) |`,
    `| Answers | ${statuses} |`,
    `| Errors | ${result.errors} |`,
    `| Latency | p50 ${result.latencyMs.p50 ?? '-'} ms · p90 ${result.latencyMs.p90 ?? '-'} ms · p99 ${result.latencyMs.p99 ?? '-'} ms |`,
    `| CPU (cores) | at rest ${result.cpuCores.idle} · steady ${result.cpuCores.steady} · peak ${result.cpuCores.peak} |`,
    `| Memory | at rest ${megabytes(result.memoryBytes.idle)} · steady ${megabytes(result.memoryBytes.steady)} · peak ${megabytes(result.memoryBytes.peak)} |`,
    '',
    `**Recommended \`containerResourceRequirements\`** (${Math.round(result.headroom * 100)} % headroom): ${values}`,
  ];
  for (const error of result.firstErrors) {
    lines.push('', `> ${error}`);
  }
  return lines.join('\n') + '\n';
}

export async function applyProfileEdit(result: ProfileResult): Promise<boolean> {
  if (result.edit === undefined) {
    return false;
  }
  const { uri, range, newText } = result.edit;
  const target = vscode.Uri.parse(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(target, new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character), newText);
  const applied = await vscode.workspace.applyEdit(edit);
  if (applied) {
    await vscode.window.showTextDocument(target, { preview: false });
  }
  return applied;
}

export async function profileService(ctx: Context, arg: unknown, options: ProfileOptions = {}): Promise<ProfileResult | undefined> {
  const service = await serviceArgument(ctx, arg, 'Profile Service');
  if (service === undefined) {
    return undefined;
  }
  if (service.state !== 'Healthy') {
    void vscode.window.showWarningMessage(`${service.name} is ${service.state}: only a Healthy service can be profiled.`);
    return undefined;
  }
  const samples = options.samples ?? (await pickSamples(ctx));
  if (samples === undefined) {
    return undefined;
  }
  let load = { durationS: options.durationS ?? DEFAULT_LOAD.durationS, concurrency: options.concurrency ?? DEFAULT_LOAD.concurrency };
  if (options.durationS === undefined && options.concurrency === undefined) {
    const picked = await vscode.window.showQuickPick(LOADS, { title: `Profile Service: the load on ${service.name}` });
    if (picked === undefined) {
      return undefined;
    }
    load = picked;
  }
  const config = options.deploymentConfig !== undefined ? options.deploymentConfig : await pickConfig(ctx, service.configs?.deployment?.path);
  if (config === undefined) {
    return undefined;
  }
  let result: ProfileResult | undefined;
  try {
    result = await withServerProgress<ProfileResult>(ctx, `Profiling ${service.name}`, PROFILE, {
      name: service.name,
      samples,
      durationS: load.durationS,
      concurrency: load.concurrency,
      ...(config !== null ? { deploymentConfig: config } : {}),
    });
  } catch (error) {
    showFailure(ctx, error, service.name);
    return undefined;
  }
  if (result === undefined) {
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: profileReport(result) });
  await vscode.window.showTextDocument(document, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  if (result.edit !== undefined) {
    const file = path.basename(vscode.Uri.parse(result.edit.uri).fsPath);
    const values = Object.entries(result.edit.values).map(([k, v]) => `${k} ${v}`).join(', ');
    const button = `Apply to ${file}`;
    if (options.apply === true) {
      await applyProfileEdit(result);
    } else {
      // Not awaited: the command ends with the report; the button stays usable while the message is up.
      void vscode.window.showInformationMessage(`${service.name} needs ${values}.`, button).then(async (choice) => {
        if (choice === button) {
          await applyProfileEdit(result);
        }
      });
    }
  }
  return result;
}
