// The decisions of Export to Azure ML v2… / Export IoT Edge Manifest… that need no editor: which configs a
// command was run on, where the export goes by default, what to open afterwards and how to sum it up.
import * as path from 'path';
import { ExportResult } from '../client/protocol';

export type ExportKind = 'v2' | 'iot-edge';

export interface ExportArgs {
  inferenceConfig?: string;
  deploymentConfig?: string;
  models?: string[];
  outputDir?: string;
  registry?: string;
}

// A Configurations view row ({uri: {fsPath}, kind}), a URI of an open config (editor title, explorer), or
// explicit arguments (tests, other commands).
export function exportArgsFrom(arg: unknown): ExportArgs {
  if (arg === undefined || arg === null || typeof arg !== 'object') {
    return {};
  }
  const row = arg as { uri?: { fsPath?: unknown }; kind?: unknown };
  if (typeof row.uri?.fsPath === 'string' && (row.kind === 'inference' || row.kind === 'deployment')) {
    return row.kind === 'inference' ? { inferenceConfig: row.uri.fsPath } : { deploymentConfig: row.uri.fsPath };
  }
  const uri = arg as { scheme?: unknown; fsPath?: unknown };
  if (uri.scheme === 'file' && typeof uri.fsPath === 'string') {
    return { deploymentConfig: uri.fsPath };
  }
  const given = arg as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof given[key] === 'string' ? given[key] : undefined);
  const models = Array.isArray(given.models) ? given.models.filter((m): m is string => typeof m === 'string') : undefined;
  return {
    inferenceConfig: text('inferenceConfig'),
    deploymentConfig: text('deploymentConfig'),
    models,
    outputDir: text('outputDir'),
    registry: text('registry'),
  };
}

// A folder beside the deployment config, named for the kind of export.
export function defaultOutputDir(kind: ExportKind, deploymentConfig: string): string {
  return path.join(path.dirname(deploymentConfig), kind === 'v2' ? 'azureml-v2' : 'iot-edge');
}

// The main files first (the YAML or the manifest), then MIGRATION.md; nothing else (conda files, models).
export function filesToOpen(result: ExportResult): { editors: string[]; migration: string | undefined } {
  const main = result.kind === 'v2' ? ['deployment.yml', 'endpoint.yml'] : ['deployment.json'];
  const byName = (name: string): string | undefined => result.files.find((f) => path.basename(f) === name && path.dirname(f) === result.outputDir);
  const editors = main.map(byName).filter((f): f is string => f !== undefined);
  return { editors, migration: byName('MIGRATION.md') };
}

export function exportSummary(result: ExportResult): string {
  const what = result.kind === 'v2' ? `Azure ML v2 (${result.deploymentKind ?? 'managed'} deployment)` : 'IoT Edge';
  const dropped = result.dropped.length;
  const keys = `${result.mapped.length} key${result.mapped.length === 1 ? '' : 's'} mapped, ${dropped} dropped`;
  return `Exported to ${what} in ${path.basename(result.outputDir)}: ${keys}${dropped > 0 ? ' (MIGRATION.md says why)' : ''}.`;
}
