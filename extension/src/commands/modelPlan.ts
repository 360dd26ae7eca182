// The pure parts of the model commands: `key=value` tags, the `-m` references a model step
// offers, and what a command was run on. No VS Code calls here, so that they are unit-tested as they are.
import { ModelsSnapshot, NO_CODE_FRAMEWORKS, RegisteredModel } from '../client/protocol';

// `area=mnist, stage = dev` → ['area=mnist', 'stage=dev'] (as `--tag KEY=VALUE`); a value may be empty.
export function parseTags(text: string): { tags: string[] } | { error: string } {
  const tags: string[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') {
      continue;
    }
    const at = item.indexOf('=');
    const key = at < 0 ? '' : item.slice(0, at).trim();
    if (key === '') {
      return { error: `'${item}' is not key=value: write key=value, separated by commas` };
    }
    tags.push(`${key}=${item.slice(at + 1).trim()}`);
  }
  return { tags };
}

export function isNoCode(model: RegisteredModel): boolean {
  return model.framework !== null && (NO_CODE_FRAMEWORKS as readonly string[]).includes(model.framework);
}

export function frameworkText(model: RegisteredModel): string | undefined {
  if (model.framework === null) {
    return undefined;
  }
  return model.frameworkVersion !== null && model.frameworkVersion !== '' ? `${model.framework} ${model.frameworkVersion}` : model.framework;
}

export function tagsText(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join(', ');
}

// What a version row says after its label: the framework, then the tags.
export function versionDescription(model: RegisteredModel): string {
  return [frameworkText(model), tagsText(model.tags)].filter((s) => s !== undefined && s !== '').join(' · ');
}

export interface ReferenceItem {
  label: string; // the reference, as `-m` takes it
  description: string;
  detail?: string;
}

// The registered models as `-m` references: for each name `NAME` (its latest version) then every `NAME:VERSION`.
export function referenceItems(snapshot: ModelsSnapshot | undefined): ReferenceItem[] {
  const items: ReferenceItem[] = [];
  for (const group of snapshot?.models ?? []) {
    const latest = group.versions[0];
    if (latest === undefined) {
      continue;
    }
    items.push({ label: group.name, description: `latest (${latest.id})` });
    for (const model of group.versions) {
      const detail = model.description ?? undefined;
      items.push({ label: model.id, description: versionDescription(model) || 'registered model', ...(detail !== undefined ? { detail } : {}) });
    }
  }
  return items;
}

// The model version a command is about: a Models view row, `NAME:VERSION` / `NAME` (latest), or `{name, version}`.
export function findModel(snapshot: ModelsSnapshot | undefined, arg: unknown): RegisteredModel | undefined {
  if (arg === undefined || arg === null) {
    return undefined;
  }
  let name: string | undefined;
  let version: number | undefined;
  if (typeof arg === 'string') {
    const at = arg.lastIndexOf(':');
    const tail = at < 0 ? '' : arg.slice(at + 1);
    if (/^[0-9]+$/.test(tail)) {
      name = arg.slice(0, at);
      version = Number(tail);
    } else {
      name = arg;
    }
  } else if (typeof arg === 'object') {
    const node = arg as { kind?: unknown; model?: unknown; name?: unknown; version?: unknown };
    if (node.kind === 'version' && typeof node.model === 'object' && node.model !== null) {
      const model = node.model as RegisteredModel;
      name = model.name;
      version = model.version;
    } else if (typeof node.name === 'string') {
      name = node.name;
      version = typeof node.version === 'number' ? node.version : typeof node.version === 'string' && /^[0-9]+$/.test(node.version) ? Number(node.version) : undefined;
    }
  }
  const group = snapshot?.models.find((g) => g.name === name);
  if (group === undefined) {
    return undefined;
  }
  return version === undefined ? group.versions[0] : group.versions.find((m) => m.version === version);
}

// The lines of a version's tooltip (markdown): description, framework, tags, properties, digest, created.
export function tooltipLines(model: RegisteredModel): string[] {
  const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
  const lines = [`**${model.id}**`];
  if (model.description !== null && model.description !== '') {
    lines.push(model.description);
  }
  const framework = frameworkText(model);
  lines.push(`Framework: ${framework !== undefined ? code(framework) : 'none'}${isNoCode(model) ? ' (deploys with no inference config)' : ''}`);
  const tags = Object.entries(model.tags);
  if (tags.length > 0) {
    lines.push(`Tags: ${tags.map(([k, v]) => code(v === '' ? k : `${k}=${v}`)).join(' ')}`);
  }
  const properties = Object.entries(model.properties);
  if (properties.length > 0) {
    lines.push(`Properties: ${properties.map(([k, v]) => code(`${k}=${v}`)).join(' ')}`);
  }
  lines.push(`Digest: ${code(model.digest)}`, `Created: ${model.createdTime}`);
  return lines;
}
