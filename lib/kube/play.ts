// kube play's reading of YAML: the documents checked and made into what the
// engine creates (pods, with their ConfigMaps, Secrets and claims). Every
// field husk reads is checked here, so a bad file fails before anything is
// made; a field husk does not act on is named in a warning, never dropped
// silently.
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../core/errors.js';
import type { KubeContainer, KubePod, KubeVolume } from './model.js';

export interface KubePlan {
  pods: KubePod[];
  configMaps: Map<string, Record<string, string>>;
  secrets: Map<string, Record<string, Buffer>>;
  /** PersistentVolumeClaims: volumes to make. */
  claims: string[];
  warnings: string[];
}

const KINDS = ['Pod', 'Deployment', 'DaemonSet', 'Job', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service'];
const POD_SPEC_KEYS = new Set(['containers', 'initContainers', 'volumes', 'restartPolicy', 'hostname', 'hostNetwork', 'terminationGracePeriodSeconds', 'dnsPolicy', 'enableServiceLinks', 'securityContext']);
const CONTAINER_KEYS = new Set(['name', 'image', 'command', 'args', 'env', 'envFrom', 'workingDir', 'ports', 'volumeMounts', 'securityContext', 'resources', 'livenessProbe', 'readinessProbe', 'imagePullPolicy', 'stdin', 'tty', 'terminationMessagePath', 'terminationMessagePolicy']);
const VOLUME_KINDS = ['persistentVolumeClaim', 'hostPath', 'emptyDir', 'configMap', 'secret'];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseKubeYaml(text: string, source: string, extraConfigMaps: string[] = []): KubePlan {
  const plan: KubePlan = { pods: [], configMaps: new Map(), secrets: new Map(), claims: [], warnings: [] };
  const docs = [...extraConfigMaps.map((t, i) => ({ text: t, source: `--configmap #${i + 1}` })), { text, source }].flatMap(({ text: t, source: s }) => documents(t, s));
  for (const { doc, where } of docs) readDocument(doc, where, plan);
  if (plan.pods.length === 0) throw new UsageError(`${source}: no Pod, Deployment, DaemonSet or Job to play`);
  return plan;
}

function documents(text: string, source: string): Array<{ doc: Dict; where: string }> {
  const out: Array<{ doc: Dict; where: string }> = [];
  parseAllDocuments(text).forEach((d, i) => {
    if (d.errors.length) throw new UsageError(`${source}: document ${i + 1}: ${d.errors[0]!.message.split('\n')[0]}`);
    const doc = d.toJS() as unknown;
    if (doc === null || doc === undefined) return;
    if (!isDict(doc)) throw new UsageError(`${source}: document ${i + 1}: not a Kubernetes object (a mapping with apiVersion, kind and metadata)`);
    out.push({ doc, where: `${source}: document ${i + 1}` });
  });
  return out;
}

function readDocument(doc: Dict, where: string, plan: KubePlan): void {
  const kind = doc.kind;
  if (typeof kind !== 'string') throw new UsageError(`${where}: kind is missing`);
  if (!KINDS.includes(kind)) throw new UsageError(`${where}: kind ${kind} is not supported by husk kube play (it plays ${KINDS.join(', ')})`);
  const meta = isDict(doc.metadata) ? doc.metadata : {};
  const name = meta.name;
  if (typeof name !== 'string' || !DNS_LABEL.test(name)) throw new UsageError(`${where}: ${kind} metadata.name must be a lowercase DNS label, not ${JSON.stringify(name)}`);
  const at = `${where} (${kind} ${name})`;
  const spec = isDict(doc.spec) ? doc.spec : {};
  const labels = stringMap(meta.labels, `${at}: metadata.labels`);
  const annotations = stringMap(meta.annotations, `${at}: metadata.annotations`);
  switch (kind) {
    case 'Pod':
      plan.pods.push({ metadata: { name, labels, annotations }, spec: podSpec(doc.spec, at, plan.warnings) });
      return;
    case 'Deployment': {
      const replicas = spec.replicas === undefined ? 1 : spec.replicas;
      if (!Number.isInteger(replicas) || (replicas as number) < 0) throw new UsageError(`${at}: spec.replicas must be a whole number`);
      const template = templateOf(spec, at, plan.warnings);
      for (let i = 0; i < (replicas as number); i++) plan.pods.push({ metadata: { name: `${name}-pod-${i}`, labels: { ...labels, ...template.labels } }, spec: template.spec });
      return;
    }
    case 'DaemonSet':
    case 'Job': {
      const template = templateOf(spec, at, plan.warnings);
      if (kind === 'Job' && template.spec.restartPolicy === 'Always') throw new UsageError(`${at}: a Job's restartPolicy must be OnFailure or Never`);
      plan.pods.push({ metadata: { name: `${name}-pod`, labels: { ...labels, ...template.labels } }, spec: { ...template.spec, restartPolicy: kind === 'Job' ? (template.spec.restartPolicy ?? 'Never') : template.spec.restartPolicy } });
      return;
    }
    case 'ConfigMap':
      plan.configMaps.set(name, { ...stringMap(doc.data, `${at}: data`), ...decoded(doc.binaryData, `${at}: binaryData`, (b) => b.toString('utf8')) });
      return;
    case 'Secret': {
      const data = decoded(doc.data, `${at}: data`, (b) => b);
      for (const [k, v] of Object.entries(stringMap(doc.stringData, `${at}: stringData`))) data[k] = Buffer.from(v);
      plan.secrets.set(name, data);
      return;
    }
    case 'PersistentVolumeClaim':
      plan.claims.push(name);
      return;
    case 'Service':
      plan.warnings.push(`${at}: a Service is not played by husk: the pods' hostPorts are published instead`);
  }
}

function templateOf(spec: Dict, at: string, warnings: string[]): { labels: Record<string, string>; spec: KubePod['spec'] } {
  const t = spec.template;
  if (!isDict(t)) throw new UsageError(`${at}: spec.template is missing`);
  const meta = isDict(t.metadata) ? t.metadata : {};
  return { labels: stringMap(meta.labels, `${at}: spec.template.metadata.labels`), spec: podSpec(t.spec, `${at}: spec.template`, warnings) };
}

function podSpec(v: unknown, at: string, warnings: string[]): KubePod['spec'] {
  if (!isDict(v)) throw new UsageError(`${at}: spec is missing`);
  for (const k of Object.keys(v)) if (!POD_SPEC_KEYS.has(k)) warnings.push(`${at}: spec.${k} is not supported by husk and is ignored`);
  if (!Array.isArray(v.containers) || v.containers.length === 0) throw new UsageError(`${at}: spec.containers must list at least one container`);
  const restart = v.restartPolicy;
  if (restart !== undefined && !['Always', 'OnFailure', 'Never'].includes(restart as string)) throw new UsageError(`${at}: spec.restartPolicy must be Always, OnFailure or Never`);
  const volumes = (Array.isArray(v.volumes) ? v.volumes : []).map((vol, i) => volume(vol, `${at}: spec.volumes[${i}]`));
  const containers = v.containers.map((c, i) => container(c, `${at}: spec.containers[${i}]`, warnings, volumes));
  const initContainers = (Array.isArray(v.initContainers) ? v.initContainers : []).map((c, i) => container(c, `${at}: spec.initContainers[${i}]`, warnings, volumes));
  const names = [...containers, ...initContainers].map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UsageError(`${at}: two containers are named ${dup}`);
  if (v.hostNetwork === true) warnings.push(`${at}: spec.hostNetwork is not supported by husk kube play: the pod gets its own network`);
  return {
    containers,
    ...(initContainers.length ? { initContainers } : {}),
    ...(volumes.length ? { volumes } : {}),
    ...(restart ? { restartPolicy: restart as 'Always' } : {}),
    ...(typeof v.hostname === 'string' ? { hostname: v.hostname } : {}),
  };
}

function volume(v: unknown, at: string): KubeVolume {
  if (!isDict(v) || typeof v.name !== 'string') throw new UsageError(`${at}: a volume needs a name`);
  const kinds = VOLUME_KINDS.filter((k) => k in v);
  if (kinds.length !== 1) throw new UsageError(`${at} (${v.name}): give one of ${VOLUME_KINDS.join(', ')}${kinds.length ? '' : `; ${Object.keys(v).filter((k) => k !== 'name').join(', ') || 'nothing'} is not supported by husk`}`);
  const src = v[kinds[0]!] as Dict;
  if (kinds[0] === 'persistentVolumeClaim' && typeof src?.claimName !== 'string') throw new UsageError(`${at}: persistentVolumeClaim.claimName is missing`);
  if (kinds[0] === 'hostPath' && (typeof src?.path !== 'string' || !src.path.startsWith('/'))) throw new UsageError(`${at}: hostPath.path must be an absolute path`);
  if (kinds[0] === 'configMap' && typeof src?.name !== 'string') throw new UsageError(`${at}: configMap.name is missing`);
  if (kinds[0] === 'secret' && typeof src?.secretName !== 'string') throw new UsageError(`${at}: secret.secretName is missing`);
  return v as unknown as KubeVolume;
}

function container(v: unknown, at: string, warnings: string[], volumes: KubeVolume[]): KubeContainer {
  if (!isDict(v)) throw new UsageError(`${at}: not a container`);
  if (typeof v.name !== 'string' || !DNS_LABEL.test(v.name)) throw new UsageError(`${at}: name must be a lowercase DNS label, not ${JSON.stringify(v.name)}`);
  const where = `${at} (${v.name})`;
  if (typeof v.image !== 'string' || !v.image) throw new UsageError(`${where}: image is missing`);
  for (const k of Object.keys(v)) if (!CONTAINER_KEYS.has(k)) warnings.push(`${where}: ${k} is not supported by husk and is ignored`);
  for (const k of ['command', 'args'] as const) if (v[k] !== undefined && !(Array.isArray(v[k]) && (v[k] as unknown[]).every((a) => typeof a === 'string'))) throw new UsageError(`${where}: ${k} must be a list of strings`);
  for (const p of Array.isArray(v.ports) ? (v.ports as Dict[]) : []) {
    if (!Number.isInteger(p.containerPort) || (p.containerPort as number) < 1 || (p.containerPort as number) > 65535) throw new UsageError(`${where}: ports: containerPort must be a port number`);
    if (p.hostPort !== undefined && (!Number.isInteger(p.hostPort) || (p.hostPort as number) < 1 || (p.hostPort as number) > 65535)) throw new UsageError(`${where}: ports: hostPort must be a port number`);
    if (p.protocol !== undefined && p.protocol !== 'TCP' && p.protocol !== 'UDP') throw new UsageError(`${where}: ports: protocol ${JSON.stringify(p.protocol)} is not supported (TCP or UDP)`);
  }
  for (const m of Array.isArray(v.volumeMounts) ? (v.volumeMounts as Dict[]) : []) {
    if (!volumes.some((vol) => vol.name === m.name)) throw new UsageError(`${where}: volumeMounts: no volume named ${String(m.name)} in the pod`);
    if (typeof m.mountPath !== 'string' || !m.mountPath.startsWith('/')) throw new UsageError(`${where}: volumeMounts: mountPath must be an absolute path`);
    if (m.subPath !== undefined) warnings.push(`${where}: volumeMounts.subPath is not supported by husk and is ignored`);
  }
  const sc = isDict(v.securityContext) ? v.securityContext : {};
  if (sc.seLinuxOptions !== undefined) warnings.push(`${where}: securityContext.seLinuxOptions is ignored (no SELinux here)`);
  return v as unknown as KubeContainer;
}

function stringMap(v: unknown, at: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isDict(v)) throw new UsageError(`${at}: must be a mapping of strings`);
  return Object.fromEntries(Object.entries(v).map(([k, val]) => [k, String(val)]));
}

function decoded<T>(v: unknown, at: string, as: (b: Buffer) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, val] of Object.entries(stringMap(v, at))) {
    if (!/^[A-Za-z0-9+/=\s]*$/.test(val)) throw new UsageError(`${at}.${k}: not base64`);
    out[k] = as(Buffer.from(val, 'base64'));
  }
  return out;
}
