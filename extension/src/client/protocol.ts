// amldeploy's custom LSP methods: the mirror of server/amldeploy/lsp/protocol.py (a test keeps the two equal).
// The shapes are documented there; these types are what the extension reads of them.

// Requests (client → server)
export const DEPLOY = 'amldeploy/deploy';
export const PACKAGE = 'amldeploy/package';
export const SERVICES = 'amldeploy/services';
export const DELETE = 'amldeploy/delete';
export const SCORE = 'amldeploy/score';
export const KEYS = 'amldeploy/keys';
export const LOGS_START = 'amldeploy/logs/start';
export const LOGS_STOP = 'amldeploy/logs/stop';
export const CHOICES = 'amldeploy/choices';
export const CONFIGS = 'amldeploy/configs';
export const CHECK_NAME = 'amldeploy/checkName';
export const SWAGGER = 'amldeploy/swagger';
export const PROFILE = 'amldeploy/profile';
export const EXPORT_V2 = 'amldeploy/export/v2';
export const EXPORT_IOT_EDGE = 'amldeploy/export/iotEdge';
export const COMPUTE_TARGETS = 'amldeploy/computeTargets';
export const MODELS_LIST = 'amldeploy/models/list';
export const MODELS_REGISTER = 'amldeploy/models/register';
export const MODELS_DOWNLOAD = 'amldeploy/models/download';
export const MODELS_DELETE = 'amldeploy/models/delete';
export const MODELS_CHECK_NAME = 'amldeploy/models/checkName';

// Notifications (server → client)
export const LOG = 'amldeploy/log';
export const SERVICES_CHANGED = 'amldeploy/servicesChanged';
export const MODELS_CHANGED = 'amldeploy/modelsChanged';

export const REQUESTS = [DEPLOY, PACKAGE, SERVICES, DELETE, SCORE, KEYS, LOGS_START, LOGS_STOP, CHOICES, CONFIGS, CHECK_NAME, SWAGGER, PROFILE, EXPORT_V2, EXPORT_IOT_EDGE, COMPUTE_TARGETS, MODELS_LIST, MODELS_REGISTER, MODELS_DOWNLOAD, MODELS_DELETE, MODELS_CHECK_NAME] as const;
export const NOTIFICATIONS = [LOG, SERVICES_CHANGED, MODELS_CHANGED] as const;

export const CHOICE_SETTINGS = ['aci.subscription', 'kubernetes.context'] as const;
export type ChoiceSetting = (typeof CHOICE_SETTINGS)[number];

export const CONFIG_KINDS = ['inference', 'deployment', 'entryScript'] as const;
export type ConfigKind = (typeof CONFIG_KINDS)[number];

// LSP's "RequestFailed": the request was valid but the server could not carry it out.
export const REQUEST_FAILED = -32803;

export type State = 'Transitioning' | 'Healthy' | 'Unhealthy' | 'Unschedulable' | 'Failed';

export interface DetailRow {
  label: string;
  value: string;
}

export interface ServiceView {
  name: string;
  target: string;
  computeType: string;
  state: State;
  scoringUri: string | null;
  swaggerUri: string | null;
  authEnabled: boolean;
  error: string | null;
  createdTime?: string | null;
  models?: { path: string; name: string; version: string | number }[];
  configs?: { inference?: { path: string }; deployment?: { path: string } };
  rows: DetailRow[];
}

export interface TargetSetting {
  key: string;
  label: string;
  value: string | null;
}

export interface TargetView {
  name: string;
  label: string;
  description: string;
  available: boolean;
  reason?: string;
  canPackage: boolean;
  settings: TargetSetting[];
  services: ServiceView[];
  // A recorded compute target whose services cannot be listed (name `computeTarget:NAME`): its name, and the
  // target it deploys to (absent when its record cannot be read).
  computeTarget?: string;
  target?: string;
}

export interface ServicesSnapshot {
  root: string;
  targets: TargetView[];
}

export interface DeployParams {
  name: string;
  inferenceConfig?: string; // none: a no-code deploy of a registered model with a framework
  deploymentConfig?: string; // none (no-code only): computeType local
  models?: string[];
  target?: string;
  computeTarget?: string; // a compute target recorded by name (amldeploy target add, az ml computetarget attach)
  port?: number;
  isolated?: boolean;
  workDoneToken?: string;
}

export interface ComputeTargetView {
  name: string;
  type: 'kubernetes' | 'aci' | 'docker' | 'process';
  target: string;
  computeType: string;
  settings: Record<string, string>;
  resourceId?: string;
  description?: string;
  created: string;
  file: string;
}

export interface ComputeTargetsResult {
  root: string;
  computeTargets: ComputeTargetView[];
  errors: { message: string; hint: string }[];
}

export interface DeployResult {
  service: ServiceView;
  warnings: string[];
  notes?: string[]; // what amldeploy chose (a generated entry script for a no-code deploy)
}

export type PackageParams = Omit<DeployParams, 'port'>;

export interface PackageResult {
  target: string;
  [key: string]: unknown;
}

export interface DeleteParams {
  name: string;
  target?: string;
  workDoneToken?: string;
}

export interface ScoreParams {
  name: string;
  body: string;
  contentType?: string;
}

export interface ScoreResult {
  name: string;
  status: number;
  reason: string;
  runTimeMs: number | null;
  headers: Record<string, string>;
  body: unknown;
}

export interface KeysResult {
  primaryKey: string;
  secondaryKey: string;
}

export interface LogsStartParams {
  name: string;
  tail?: number;
}

export interface LogsStartResult {
  stream: string;
}

export interface LogNotification {
  stream: string;
  name: string;
  lines: string[];
  ended?: boolean;
}

export interface Choice {
  value: string;
  label: string;
  description?: string;
}

export interface ChoicesResult {
  choices: Choice[];
  source: string;
}

export interface ConfigView {
  path: string;
  kind: ConfigKind;
  errors: number;
  warnings: number;
  entryScript?: string;
}

export interface ConfigsResult {
  root: string;
  files: ConfigView[];
  truncated: boolean;
  exclude: string[];
}

export interface CheckNameResult {
  problem: string | null;
  suggestion: string;
}

export interface SwaggerResult {
  name: string;
  uri: string;
  document: unknown;
}

export interface ProfileEdit {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
  values: Record<string, number>;
}

export interface ProfileResult {
  name: string;
  target: string;
  computeType: string;
  concurrency: number;
  durationS: number;
  requests: number;
  throughputRps: number;
  errors: number;
  statuses: Record<string, number>;
  firstErrors: string[];
  latencyMs: { p50: number | null; p90: number | null; p99: number | null };
  cpuCores: { idle: number; steady: number; peak: number };
  memoryBytes: { idle: number; steady: number; peak: number };
  headroom: number;
  recommendation: Record<string, number>;
  edit?: ProfileEdit;
}

export interface ExportParams {
  inferenceConfig: string;
  deploymentConfig: string;
  models?: string[];
  outputDir: string;
}

export interface ExportV2Params extends ExportParams {
  endpoint?: string;
  deployment?: string;
  compute?: string;
}

export interface ExportIotEdgeParams extends ExportParams {
  name?: string;
  registry?: string;
  image?: string;
  port?: number;
}

// What became of one v1 key: `to` is where it went, null when it was dropped (`note` then says why).
export interface Fate {
  file: 'inference' | 'deployment';
  key: string;
  to: string | null;
  note: string;
}

export interface ExportResult {
  kind: 'v2' | 'iot-edge';
  outputDir: string;
  files: string[];
  mapped: Fate[];
  dropped: Fate[];
  notes: string[];
  warnings: string[];
  endpoint?: string;
  deployment?: string;
  deploymentKind?: 'managed' | 'kubernetes';
  module?: string;
  image?: string;
  contentTag?: string;
}

// The v1 frameworks a registered model may name (amldeploy.ops.registry.FRAMEWORKS); the first three deploy
// with no inference config ("no-code").
export const MODEL_FRAMEWORKS = ['ScikitLearn', 'Onnx', 'TensorFlow', 'PyTorch', 'Custom', 'Multi'] as const;
export const NO_CODE_FRAMEWORKS = ['ScikitLearn', 'Onnx', 'TensorFlow'] as const;

// One version of a registered model (RegisteredModel.to_json(), v1's shape).
export interface RegisteredModel {
  name: string;
  version: number;
  id: string; // NAME:VERSION
  tags: Record<string, string>;
  properties: Record<string, string>;
  description: string | null;
  framework: string | null;
  frameworkVersion: string | null;
  createdTime: string;
  resourceConfiguration: Record<string, number> | null;
  digest: string;
  assetName: string;
  path: string;
}

export interface ModelGroup {
  name: string;
  versions: RegisteredModel[]; // the latest first
}

export interface ModelsSnapshot {
  root: string;
  models: ModelGroup[];
  problems: string[]; // entries that could not be read
}

export interface ModelUse {
  service: string;
  folder: string;
  target: string;
  createdTime: string;
}

export interface RegisterModelParams {
  path: string;
  name?: string;
  framework?: string;
  frameworkVersion?: string;
  tags?: string[]; // KEY=VALUE
  properties?: string[];
  description?: string;
}

export interface DownloadModelParams {
  name: string;
  version: number;
  targetDir: string;
  overwrite?: boolean;
}

export interface DownloadModelResult {
  name: string;
  version: number;
  path: string;
}

export interface DeleteModelParams {
  name: string;
  version: number;
  force?: boolean;
}

export interface ModelNameCheck {
  problem: string | null; // why the name is not one v1 accepted
  defaultName: string | null; // the name the path registers under when none is given
}

export interface DeleteModelResult {
  name: string;
  version: number;
  id: string;
}

// `data` of a REQUEST_FAILED answer: the cause and the fix, plus what is known about the failure.
export interface FailureData {
  message?: string;
  hint?: string | null;
  problems?: { path: string; line: number; column: number; code: string; message: string }[];
  log?: string[];
  service?: ServiceView;
  uses?: ModelUse[]; // amldeploy/models/delete refused: the services that use the version
}
