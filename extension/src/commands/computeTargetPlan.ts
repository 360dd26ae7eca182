// The pure part of the compute target step: what each recorded target (`amldeploy target add`, `az ml
// computetarget attach`) says in a quick pick. No VS Code calls here, so that it is unit-tested as it is.
import { ComputeTargetView } from '../client/protocol';

export interface ComputeTargetItem {
  label: string;
  description: string;
  detail?: string;
  name?: string; // undefined: the deployment config's computeType and the editor's settings decide
}

const SHOWN: Record<ComputeTargetView['type'], string[]> = {
  kubernetes: ['kubernetes.context', 'kubernetes.namespace', 'kubernetes.registry'],
  aci: ['aci.subscription', 'aci.resourceGroup', 'aci.region', 'aci.registry'],
  docker: ['docker.host'],
  process: [],
};

// `context my-aks · namespace ml · registry r.example/ml`, in the order a user reads them.
export function settingsText(target: ComputeTargetView): string {
  return SHOWN[target.type]
    .filter((key) => (target.settings[key] ?? '') !== '')
    .map((key) => `${key.split('.')[1]} ${target.settings[key]}`)
    .join(' · ');
}

export function computeTargetItems(targets: ComputeTargetView[]): ComputeTargetItem[] {
  const named = [...targets]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((target) => {
      const settings = settingsText(target);
      const detail = [target.description ?? '', settings].filter((part) => part !== '').join(' — ');
      return { label: target.name, description: `${target.type} (${target.computeType})`, name: target.name, ...(detail !== '' ? { detail } : {}) };
    });
  return [{ label: 'As the deployment config says', description: "its computeType, with this editor's amldeploy settings" }, ...named];
}
