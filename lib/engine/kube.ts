// kube generate, play and down: pods and containers as Kubernetes YAML and
// back. lib/kube has the YAML side (pure); here are the containers: what a
// running pod is in the API's terms, and a plan made into pods, volumes,
// ConfigMap and Secret files.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { ConflictError, UsageError } from '../core/errors.js';
import type { Spec } from '../core/oci-spec.js';
import { kubeDocuments, kubeYaml, type GenerateOptions } from '../kube/generate.js';
import type { KubeContainer, KubeKind, KubePod, KubeProbe, KubeVolume } from '../kube/model.js';
import { parseKubeYaml, type KubePlan } from '../kube/play.js';
import { formatBytes, formatCpu, parseQuantity } from '../kube/quantity.js';
import { ImageStore } from '../image/store.js';
import { pullMissing } from '../image/pull.js';
import type { AccessOptions } from './registry.js';
import { DEFAULT_CAPABILITIES } from '../runtime/capabilities.js';
import { ContainerStore, type ContainerView, type HealthConfig } from '../runtime/container-store.js';
import { PodStore, type PodRecord } from '../runtime/pod-store.js';
import { mkdirPrivate } from '../storage/atomic.js';
import { parseNetworkConfig } from './container-network.js';
import { createContainer, INIT_IN_CONTAINER, type CreateOptions } from './create.js';
import { parseResources } from './limits.js';
import { startAny, waitContainer } from './lifecycle.js';
import type { MountRequest } from './mounts.js';
import { createPod, podContainers, preparePodMember, removePod } from './pods.js';
import { removeContainer } from './remove.js';
import { HUSK_VERSION } from './version.js';
import { createVolume, removeVolumes, volumeExists } from './volumes.js';

export type { KubeKind };

// ---------------------------------------------------------------- generate

export function kubeGenerate(ctx: Context, names: string[], opts: Omit<GenerateOptions, 'version'>): string {
  const pods: KubePod[] = [];
  const claims: object[] = [];
  const containers = new ContainerStore(ctx);
  for (const name of names) {
    const pod = new PodStore(ctx).find(name);
    if (pod) {
      pods.push(describePod(ctx, pod));
      continue;
    }
    const view = containers.find(name);
    if (view) {
      pods.push({ metadata: { name: `${view.record.name}-pod` }, spec: podSpecOf(ctx, [view], view, '') });
      continue;
    }
    if (volumeExists(ctx, name)) {
      claims.push({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
      continue;
    }
    throw new UsageError(`${name} is no pod, container or volume`);
  }
  return kubeYaml([...claims, ...kubeDocuments(pods, { ...opts, version: HUSK_VERSION })], HUSK_VERSION);
}

function describePod(ctx: Context, pod: PodRecord): KubePod {
  const views = podContainers(ctx, pod);
  const infra = views.find((v) => v.record.podInfra);
  const members = views.filter((v) => !v.record.podInfra);
  if (!members.length) throw new UsageError(`pod ${pod.name} has no containers to describe`);
  const spec = podSpecOf(ctx, members, infra ?? members[0]!, `${pod.name}-`);
  if (pod.hostname !== pod.name) spec.hostname = pod.hostname;
  return { metadata: { name: pod.name, ...(Object.keys(pod.labels).length ? { labels: pod.labels } : {}) }, spec };
}

/** The pod spec of containers; `portsFrom` holds the published ports (the infra, or the container itself). */
function podSpecOf(ctx: Context, views: ContainerView[], portsFrom: ContainerView, prefix: string): KubePod['spec'] {
  const volumes = new Map<string, KubeVolume>();
  const containers = views.map((v, i) => describeContainer(ctx, v, prefix, volumes, i === 0 ? portsFrom : undefined));
  const policy = views[0]!.record.restartPolicy?.name;
  return {
    containers,
    ...(volumes.size ? { volumes: [...volumes.values()] } : {}),
    restartPolicy: policy === 'always' || policy === 'unless-stopped' ? 'Always' : policy === 'on-failure' ? 'OnFailure' : 'Never',
  };
}

function describeContainer(ctx: Context, view: ContainerView, prefix: string, volumes: Map<string, KubeVolume>, portsFrom?: ContainerView): KubeContainer {
  const r = view.record;
  const spec = JSON.parse(fs.readFileSync(new ContainerStore(ctx).paths(r.id).config, 'utf8')) as Spec;
  const images = new ImageStore(ctx);
  const image = images.findImage(r.imageId);
  const cfg = image ? (images.imageConfig(image).config ?? {}) : {};
  const c: KubeContainer = { name: kubeName(r.name.startsWith(prefix) ? r.name.slice(prefix.length) : r.name), image: r.imageName };
  Object.assign(c, commandOf(spec.process.args, cfg.Entrypoint ?? [], cfg.Cmd ?? []));
  const env = userEnv(spec.process.env ?? [], cfg.Env ?? []);
  if (env.length) c.env = env;
  if (spec.process.cwd !== (cfg.WorkingDir || '/')) c.workingDir = spec.process.cwd;
  const ports = (portsFrom?.record.net?.ports ?? []).map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort, ...(p.hostIp ? { hostIP: p.hostIp } : {}), protocol: p.protocol.toUpperCase() as 'TCP' }));
  if (ports.length) c.ports = ports;
  const mounts = (r.mounts ?? []).flatMap((m) => {
    if (m.type === 'tmpfs' || m.anonymous) return [];
    const name = kubeName(m.type === 'volume' ? `${m.source}-pvc` : `${m.source.replace(/^\//, '')}-host`);
    volumes.set(name, m.type === 'volume' ? { name, persistentVolumeClaim: { claimName: m.source } } : { name, hostPath: { path: m.source, type: fs.statSync(m.source, { throwIfNoEntry: false })?.isFile() ? 'File' : 'Directory' } });
    return [{ name, mountPath: m.destination, ...(m.rw ? {} : { readOnly: true }) }];
  });
  if (mounts.length) c.volumeMounts = mounts;
  const sc = securityOf(spec, cfg.User);
  if (sc) c.securityContext = sc;
  const res = spec.linux.resources;
  const limits = {
    ...(res?.memory?.limit ? { memory: formatBytes(res.memory.limit) } : {}),
    ...(res?.cpu?.quota && res.cpu.period ? { cpu: formatCpu(res.cpu.quota / res.cpu.period) } : {}),
  };
  const requests = res?.memory?.reservation ? { memory: formatBytes(res.memory.reservation) } : undefined;
  if (Object.keys(limits).length || requests) c.resources = { ...(Object.keys(limits).length ? { limits } : {}), ...(requests ? { requests } : {}) };
  if (r.healthcheck && r.healthcheck.test[0] !== 'NONE') c.livenessProbe = probeOf(r.healthcheck);
  if (r.tty) c.tty = true;
  if (r.openStdin) c.stdin = true;
  return c;
}

/** command (the entrypoint) and args (the cmd) where they differ from the image's. */
function commandOf(fullArgs: string[], entrypoint: string[], cmd: string[]): Pick<KubeContainer, 'command' | 'args'> {
  const args = fullArgs[0] === INIT_IN_CONTAINER && fullArgs[1] === '--' ? fullArgs.slice(2) : fullArgs;
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (same(args, [...entrypoint, ...cmd])) return {};
  if (entrypoint.length && same(args.slice(0, entrypoint.length), entrypoint)) return { args: args.slice(entrypoint.length) };
  return { command: args };
}

/** The environment the user gave: without husk's defaults and the image's own values. */
function userEnv(env: string[], imageEnv: string[]): Array<{ name: string; value: string }> {
  const defaults = new Set(['container', 'HOSTNAME', 'HOME', 'TERM']);
  return env.flatMap((e) => {
    const eq = e.indexOf('=');
    const name = e.slice(0, eq);
    if (defaults.has(name) || imageEnv.includes(e) || (name === 'PATH' && !imageEnv.some((i) => i.startsWith('PATH=')))) return [];
    return [{ name, value: e.slice(eq + 1) }];
  });
}

function securityOf(spec: Spec, imageUser: string | undefined): KubeContainer['securityContext'] {
  const caps = new Set(spec.process.capabilities?.bounding ?? []);
  const defaults = new Set(DEFAULT_CAPABILITIES);
  const add = [...caps].filter((c) => !defaults.has(c)).map((c) => c.replace(/^CAP_/, ''));
  const drop = [...defaults].filter((c) => !caps.has(c)).map((c) => c.replace(/^CAP_/, ''));
  const sc: NonNullable<KubeContainer['securityContext']> = {};
  if (add.length > 20) sc.privileged = true;
  else if (add.length || drop.length) sc.capabilities = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  if (spec.root.readonly) sc.readOnlyRootFilesystem = true;
  const { uid, gid } = spec.process.user;
  if (!imageUser && (uid !== 0 || gid !== 0)) Object.assign(sc, { runAsUser: uid, runAsGroup: gid });
  return Object.keys(sc).length ? sc : undefined;
}

function probeOf(h: HealthConfig): KubeProbe {
  const command = h.test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', h.test.slice(1).join(' ')] : h.test.slice(1);
  const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));
  return { exec: { command }, periodSeconds: seconds(h.intervalMs), timeoutSeconds: seconds(h.timeoutMs), failureThreshold: h.retries, ...(h.startPeriodMs ? { initialDelaySeconds: seconds(h.startPeriodMs) } : {}) };
}

/** A DNS label as the API requires of names: lowercase, [a-z0-9-], at most 63. */
function kubeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'x';
}

// ---------------------------------------------------------------- play

export interface PlayOptions {
  start: boolean;
  replace: boolean;
  /** --network: the pods' network instead of the default. */
  network?: string;
  /** --publish, beside the containers' hostPorts. */
  publish: string[];
  /** --configmap files' text. */
  configMaps: string[];
  /** --no-hosts: no /etc/hosts written for the pods. */
  noHosts?: boolean;
  /** --publish-all: each containerPort without a hostPort published at the same port. */
  publishAll?: boolean;
  /** --no-pod-prefix: containers named as in the YAML, not POD-NAME. */
  noPodPrefix?: boolean;
  /** --ip, --mac-address: of the pods in order, one each. */
  ips?: string[];
  macs?: string[];
  /** --authfile, --creds, --tls-verify, --cert-dir: for the images missing here. */
  access?: AccessOptions;
  report: (line: string) => void;
}

export async function kubePlay(ctx: Context, text: string, source: string, opts: PlayOptions): Promise<void> {
  const plan = parseKubeYaml(text, source, opts.configMaps);
  for (const w of plan.warnings) opts.report(`WARN: ${w}`);
  for (const claim of plan.claims) createVolume(ctx, { name: claim }, true);
  const store = new PodStore(ctx);
  for (const pod of plan.pods) {
    const existing = store.find(pod.metadata.name);
    if (existing && !opts.replace) throw new ConflictError(`pod ${pod.metadata.name} already exists: use --replace, or kube down first`);
    if (existing) await removePod(ctx, existing, true, 0);
  }
  if (opts.access) await pullImages(ctx, plan, opts.access);
  for (const [i, pod] of plan.pods.entries()) await playPod(ctx, pod, plan, { ...opts, ips: opts.ips?.slice(i, i + 1), macs: opts.macs?.slice(i, i + 1) });
}

/** The images of the plan not here yet, pulled with the registry flags given (run would pull them without). */
async function pullImages(ctx: Context, plan: KubePlan, access: AccessOptions): Promise<void> {
  const images = new ImageStore(ctx);
  const wanted = new Set(plan.pods.flatMap((p) => [...(p.spec.initContainers ?? []), ...p.spec.containers].map((c) => c.image)));
  for (const image of wanted) if (!images.findImage(image)) await pullMissing(ctx, image, access);
}

/** kube play --wait: until every container of the plan's pods (infra aside) has exited, or `interrupted` settles. */
export async function waitForKubePods(ctx: Context, text: string, source: string, interrupted: Promise<void>): Promise<void> {
  const plan = parseKubeYaml(text, source);
  const store = new PodStore(ctx);
  const members = plan.pods.flatMap((p) => {
    const record = store.find(p.metadata.name);
    return record ? podContainers(ctx, record).filter((v) => !v.record.podInfra) : [];
  });
  await Promise.race([Promise.all(members.map((v) => waitContainer(ctx, v, []))), interrupted]);
}

async function playPod(ctx: Context, pod: KubePod, plan: KubePlan, opts: PlayOptions): Promise<void> {
  const name = pod.metadata.name;
  const publish = [
    ...pod.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort || opts.publishAll).map((p) => `${p.hostIP ? `${p.hostIP}:` : ''}${p.hostPort ?? p.containerPort}:${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`)),
    ...opts.publish,
  ];
  const network = parseNetworkConfig({ network: opts.network ? [opts.network] : [], networkAlias: [], ip: opts.ips?.[0], mac: opts.macs?.[0], rootless: ctx.rootless, publish, publishAll: false, expose: [], addHost: [], noHosts: opts.noHosts ?? false, dns: [], dnsSearch: [], dnsOptions: [] });
  const record = await createPod(ctx, { name, labels: pod.metadata.labels ?? {}, infra: true, share: ['net', 'ipc', 'uts'], hostname: pod.spec.hostname, network, createCommand: process.argv.slice(1) });
  opts.report(`Pod:\n${record.id}`);
  const mounts = volumeSources(ctx, name, pod.spec.volumes ?? [], plan);
  const made: ContainerView[] = [];
  try {
    for (const c of pod.spec.initContainers ?? []) {
      const view = await createContainer(ctx, await preparePodMember(ctx, record.id, memberOptions(ctx, name, c, pod, plan, mounts, opts)));
      startAny(ctx, view);
      const code = await waitContainer(ctx, view, []);
      await removeContainer(ctx, new ContainerStore(ctx).get(view.record.id), true);
      if (code !== 0) throw new ConflictError(`pod ${name}: init container ${c.name} exited with ${code}`);
    }
    for (const c of pod.spec.containers) made.push(await createContainer(ctx, await preparePodMember(ctx, record.id, memberOptions(ctx, name, c, pod, plan, mounts, opts))));
  } catch (err) {
    await removePod(ctx, record, true, 0);
    throw err;
  }
  if (opts.start) for (const v of made) startAny(ctx, v);
  opts.report(`Containers:\n${made.map((v) => v.record.id).join('\n')}`);
}

/** The pod's volumes by name: a claim's volume, a host path, an emptyDir volume of the pod, ConfigMap and Secret files. */
function volumeSources(ctx: Context, pod: string, volumes: KubeVolume[], plan: KubePlan): Map<string, (mountPath: string, readOnly: boolean) => MountRequest> {
  const out = new Map<string, (mountPath: string, readOnly: boolean) => MountRequest>();
  for (const v of volumes) {
    const bind = (source: string) => (destination: string, ro: boolean) => ({ type: 'bind' as const, source, destination, rw: !ro, options: ['rbind'] });
    const volume = (source: string) => (destination: string, ro: boolean) => ({ type: 'volume' as const, source, destination, rw: !ro, options: ['rbind'] });
    if (v.persistentVolumeClaim) {
      createVolume(ctx, { name: v.persistentVolumeClaim.claimName }, true);
      out.set(v.name, volume(v.persistentVolumeClaim.claimName));
    } else if (v.hostPath) {
      if (!fs.existsSync(v.hostPath.path)) {
        if (v.hostPath.type !== 'DirectoryOrCreate' && v.hostPath.type !== 'FileOrCreate') throw new UsageError(`pod ${pod}: hostPath ${v.hostPath.path} does not exist`);
        if (v.hostPath.type === 'DirectoryOrCreate') fs.mkdirSync(v.hostPath.path, { recursive: true });
        else fs.writeFileSync(v.hostPath.path, '');
      }
      out.set(v.name, bind(v.hostPath.path));
    } else if (v.emptyDir) {
      const name = `${pod}-${v.name}`;
      createVolume(ctx, { name, labels: { 'io.husk.kube.pod': pod } }, true);
      out.set(v.name, volume(name));
    } else if (v.configMap) {
      out.set(v.name, bind(writeFiles(ctx, pod, v.name, itemsOf(plan.configMaps.get(v.configMap.name), v.configMap, `ConfigMap ${v.configMap.name}`), 0o644)));
    } else if (v.secret) {
      out.set(v.name, bind(writeFiles(ctx, pod, v.name, itemsOf(plan.secrets.get(v.secret.secretName), v.secret, `Secret ${v.secret.secretName}`), 0o600)));
    }
  }
  return out;
}

function itemsOf<T extends string | Buffer>(data: Record<string, T> | undefined, src: { items?: Array<{ key: string; path: string }>; optional?: boolean }, what: string): Record<string, T> {
  if (!data) {
    if (src.optional) return {};
    throw new UsageError(`${what} is not in the YAML (nor given with --configmap)`);
  }
  if (!src.items) return data;
  return Object.fromEntries(src.items.map((i) => [i.path, data[i.key] ?? (() => { throw new UsageError(`${what} has no key ${i.key}`); })()]));
}

/** ConfigMap or Secret data as files of a private directory of the pod's (mode 0600 for a Secret's). */
function writeFiles(ctx: Context, pod: string, volume: string, data: Record<string, string | Buffer>, mode: number): string {
  const dir = path.join(kubeDir(ctx, pod), volume);
  fs.rmSync(dir, { recursive: true, force: true });
  mkdirPrivate(dir);
  fs.chmodSync(dir, 0o755);
  for (const [file, content] of Object.entries(data)) {
    if (file.includes('/') || file === '..' || file === '.') throw new UsageError(`pod ${pod}: volume ${volume}: "${file}" is not a file name`);
    fs.writeFileSync(path.join(dir, file), content, { mode });
    fs.chmodSync(path.join(dir, file), mode);
  }
  return dir;
}

const kubeDir = (ctx: Context, pod: string) => path.join(ctx.paths.dataRoot, 'kube', pod);

function memberOptions(ctx: Context, pod: string, c: KubeContainer, kp: KubePod, plan: KubePlan, mounts: ReturnType<typeof volumeSources>, opts: Pick<PlayOptions, 'noHosts' | 'noPodPrefix'>): CreateOptions {
  const where = `pod ${pod}: container ${c.name}`;
  const sc = c.securityContext ?? {};
  const res = c.resources;
  const { resources } = res?.limits || res?.requests
    ? parseResources({
        memory: res?.limits?.memory === undefined ? undefined : String(parseQuantity(res.limits.memory, `${where}: resources.limits.memory`)),
        cpus: res?.limits?.cpu === undefined ? undefined : String(parseQuantity(res.limits.cpu, `${where}: resources.limits.cpu`)),
        memoryReservation: res?.requests?.memory === undefined ? undefined : String(parseQuantity(res.requests.memory, `${where}: resources.requests.memory`)),
      })
    : { resources: undefined };
  const policy = kp.spec.restartPolicy ?? 'Always';
  return {
    image: c.image,
    name: opts.noPodPrefix ? c.name : `${pod}-${c.name}`,
    entrypoint: c.command?.[0] ?? (c.command ? '' : undefined),
    command: c.command ? [...c.command.slice(1), ...(c.args ?? [])] : (c.args ?? []),
    env: envOf(c, plan, where),
    workdir: c.workingDir,
    user: sc.runAsUser !== undefined ? `${sc.runAsUser}${sc.runAsGroup !== undefined ? `:${sc.runAsGroup}` : ''}` : undefined,
    capAdd: sc.capabilities?.add ?? [],
    capDrop: sc.capabilities?.drop ?? [],
    privileged: sc.privileged ?? false,
    readOnly: sc.readOnlyRootFilesystem ?? false,
    security: { seccomp: 'default', noNewPrivileges: false },
    keepId: false,
    network: { mode: { kind: 'none' }, ports: [], publishAll: false, expose: [], addHosts: [], noHosts: opts.noHosts ?? false, dns: [], dnsSearch: [], dnsOptions: [] },
    tty: c.tty ?? false,
    interactive: c.stdin ?? false,
    autoRemove: false,
    restartPolicy: policy === 'Always' ? { name: 'always' } : policy === 'OnFailure' ? { name: 'on-failure' } : undefined,
    labels: kp.metadata.labels,
    ...(c.livenessProbe ?? c.readinessProbe ? { health: healthOf(c.livenessProbe ?? c.readinessProbe!) } : {}),
    mounts: (c.volumeMounts ?? []).map((m) => mounts.get(m.name)!(m.mountPath, m.readOnly ?? false)),
    ...(resources ? { resources } : {}),
  };
}

function envOf(c: KubeContainer, plan: KubePlan, where: string): string[] {
  const out: string[] = [];
  const source = (kind: 'ConfigMap' | 'Secret', name: string, optional?: boolean): Record<string, string> | undefined => {
    const data: Record<string, string | Buffer> | undefined = kind === 'ConfigMap' ? plan.configMaps.get(name) : plan.secrets.get(name);
    if (!data && !optional) throw new UsageError(`${where}: ${kind} ${name} is not in the YAML (nor given with --configmap)`);
    return data && Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString()]));
  };
  for (const from of c.envFrom ?? []) {
    const data = from.configMapRef ? source('ConfigMap', from.configMapRef.name, from.configMapRef.optional) : from.secretRef ? source('Secret', from.secretRef.name, from.secretRef.optional) : undefined;
    for (const [k, v] of Object.entries(data ?? {})) out.push(`${from.prefix ?? ''}${k}=${v}`);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) out.push(`${e.name}=${e.value ?? ''}`);
    else {
      const ref = e.valueFrom.configMapKeyRef ?? e.valueFrom.secretKeyRef;
      if (!ref) throw new UsageError(`${where}: env ${e.name}: only configMapKeyRef and secretKeyRef are supported in valueFrom`);
      const data = source(e.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret', ref.name, ref.optional);
      const value = data?.[ref.key];
      if (value === undefined && !ref.optional) throw new UsageError(`${where}: env ${e.name}: ${ref.name} has no key ${ref.key}`);
      if (value !== undefined) out.push(`${e.name}=${value}`);
    }
  }
  return out;
}

/** A probe as the monitor's healthcheck: exec as CMD, httpGet and tcpSocket through busybox-style wget and nc. */
function healthOf(p: KubeProbe): Partial<HealthConfig> {
  const test = p.exec
    ? ['CMD', ...p.exec.command]
    : p.httpGet
      ? ['CMD-SHELL', `wget -q -O /dev/null http://${p.httpGet.host ?? 'localhost'}:${p.httpGet.port}${p.httpGet.path ?? '/'} || curl -fsS -o /dev/null http://${p.httpGet.host ?? 'localhost'}:${p.httpGet.port}${p.httpGet.path ?? '/'}`]
      : ['CMD-SHELL', `nc -z ${p.tcpSocket?.host ?? 'localhost'} ${p.tcpSocket?.port ?? 0}`];
  return {
    test,
    intervalMs: (p.periodSeconds ?? 10) * 1000,
    timeoutMs: (p.timeoutSeconds ?? 1) * 1000,
    retries: p.failureThreshold ?? 3,
    startPeriodMs: (p.initialDelaySeconds ?? 0) * 1000,
  };
}

// ---------------------------------------------------------------- down

/** kube down: the file's pods and everything of theirs but claimed volumes (those too with `force`). */
export async function kubeDown(ctx: Context, text: string, source: string, force: boolean, report: (line: string) => void): Promise<void> {
  const plan = parseKubeYaml(text, source);
  const store = new PodStore(ctx);
  const removed: string[] = [];
  for (const pod of plan.pods) {
    const record = store.find(pod.metadata.name);
    if (!record) continue;
    await removePod(ctx, record, true, 10);
    removed.push(record.id);
    fs.rmSync(kubeDir(ctx, pod.metadata.name), { recursive: true, force: true });
    const emptyDirs = (pod.spec.volumes ?? []).filter((v) => v.emptyDir).map((v) => `${pod.metadata.name}-${v.name}`);
    await removeVolumes(ctx, emptyDirs.filter((v) => volumeExists(ctx, v)), { force: true });
  }
  if (force) await removeVolumes(ctx, plan.claims.filter((v) => volumeExists(ctx, v)), { force: true });
  report(`Pods stopped:\n${removed.join('\n')}\nPods removed:\n${removed.join('\n')}`);
}
