// Service names as v1 accepted them (mirrors server/amldeploy/ops/naming.py; a test runs both on one table).
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

// The v1 service name rule (mirrors server/amldeploy/ops/naming.py).
export function serviceNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 32) {
    return `A service name has 3 to 32 characters (this one has ${name.length}).`;
  }
  if (!SERVICE_NAME.test(name)) {
    return 'Use lowercase letters, numbers and dashes; start with a letter and end with a letter or number.';
  }
  return undefined;
}

export function suggestName(from: string): string {
  let name = from.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+/g, '-');
  name = name.slice(0, 32).replace(/[^a-z0-9]+$/, '');
  return name.length >= 3 ? name : `${name}-service`.replace(/^-/, 'svc-');
}
