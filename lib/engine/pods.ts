// Pods, as podman has them: containers that share the network, IPC and UTS
// namespaces of a pod's infra container, which runs husk-pause from a tiny
// image husk makes itself (no pull). Ports are published on the pod; its
// containers reach each other on localhost. No daemon: the pod is its record
// (lib/runtime/pod-store.ts) and the containers whose records name it.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { Context } from '../core/context.js';
import type { ContainerNetworkConfig } from '../core/network.js';
import { ConflictError, NotFoundError, UsageError } from '../core/errors.js';
import { randomHex } from '../core/random.js';
import { importImage } from '../image/import.js';
import { ImageStore } from '../image/store.js';
import { pausePath } from '../native/binding.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { cgroupsPathFor, removeContainerCgroup, setUpContainerCgroup } from '../runtime/container-cgroup.js';
import { hasLimits } from '../runtime/resources.js';
import type { Resources } from '../core/oci-spec.js';
import { PodStore, SHAREABLE, type PodRecord, type Shared } from '../runtime/pod-store.js';
import { createContainer, type CreateOptions } from './create.js';
import { startAny } from './lifecycle.js';
import { NAME_PATTERN } from './names.js';
import { removeContainer } from './remove.js';
import { running, stopContainer } from './stop.js';
import { HUSK_VERSION } from './version.js';

export type { PodRecord, Shared };

/** The image of infra containers: husk-pause alone, made on first use. */
export const PAUSE_IMAGE = `localhost/husk-pause:${HUSK_VERSION}`;

export interface PodCreateOptions {
  name?: string;
  labels: Record<string, string>;
  /** --infra=false: no infra container, nothing shared. */
  infra: boolean;
  infraImage?: string;
  infraCommand?: string[];
  infraName?: string;
  share: Shared[];
  hostname?: string;
  /** -p, --network, --dns, --add-host, ... for the infra container, whose network the members join. */
  network: ContainerNetworkConfig;
  /** --memory, --cpus, ... for the whole pod: a cgroup of its own holds them, its containers' cgroups below it. */
  resources?: Resources;
  createCommand: string[];
  /** --exit-policy (default continue). */
  exitPolicy?: 'continue' | 'stop';
  /** --replace: a pod of the same --name is removed first (forcibly). */
  replace?: boolean;
  /** --pod-id-file: the new pod's id goes there. */
  podIdFile?: string;
  /** --infra-conmon-pidfile: the infra's monitor pid goes there at each start (a unit's PIDFile). */
  infraMonitorPidFile?: string;
}

export const EXIT_POLICIES = ['continue', 'stop'] as const;

export async function createPod(ctx: Context, opts: PodCreateOptions): Promise<PodRecord> {
  const store = new PodStore(ctx);
  const id = randomHex(32);
  const name = opts.name ?? `pod-${id.slice(0, 8)}`;
  if (!NAME_PATTERN.test(name)) throw new UsageError(`invalid pod name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (opts.replace) await replacePod(ctx, opts.name);
  if (store.find(name)) throw new ConflictError(`the pod name "${name}" is already in use: remove that pod or choose another name`);
  if (!opts.infra && opts.share.length) throw new UsageError('a pod without an infra container (--infra=false) shares no namespace: give --share ""');
  if (!opts.infra && opts.network.ports.length) throw new UsageError('a pod without an infra container (--infra=false) cannot publish ports');
  if (opts.share.length && !opts.share.includes('net')) throw new UsageError('husk pods share the network namespace whenever they share any: add net to --share');
  const pod: PodRecord = { id, name, created: new Date().toISOString(), labels: opts.labels, share: opts.share, hostname: opts.hostname ?? name, createCommand: opts.createCommand, ...(opts.exitPolicy === 'stop' ? { exitPolicy: 'stop' as const } : {}) };
  if (opts.resources && hasLimits(opts.resources)) {
    const cgroup = cgroupsPathFor(ctx, `pod-${id}`, opts.resources);
    if (cgroup) {
      setUpContainerCgroup(ctx, cgroup, opts.resources);
      Object.assign(pod, { cgroupParent: cgroup, resources: opts.resources });
    }
  }
  if (opts.infra) {
    const image = opts.infraImage ?? (await pauseImage(ctx));
    const infra = await createContainer(ctx, {
      ...memberDefaults(),
      image,
      command: opts.infraImage ? (opts.infraCommand ?? []) : [],
      entrypoint: opts.infraImage ? undefined : (opts.infraCommand?.[0] ?? '/husk-pause'),
      name: opts.infraName ?? `${id.slice(0, 12)}-infra`,
      hostname: pod.hostname,
      network: opts.network,
      labels: {},
      pod: { id, infra: true },
      cgroupParent: pod.cgroupParent,
      monitorPidFile: opts.infraMonitorPidFile,
    }).catch((err: unknown) => {
      if (pod.cgroupParent) removeContainerCgroup(ctx, pod.cgroupParent);
      throw err;
    });
    pod.infraId = infra.record.id;
  }
  try {
    store.add(pod);
    if (opts.podIdFile) fs.writeFileSync(opts.podIdFile, pod.id);
  } catch (err) {
    if (pod.infraId) await removeContainer(ctx, new ContainerStore(ctx).get(pod.infraId), true);
    if (store.find(pod.id)) store.remove(pod.id);
    if (pod.cgroupParent) removeContainerCgroup(ctx, pod.cgroupParent);
    throw err;
  }
  return pod;
}

/** pod create --replace: the pod of that name goes first, with its containers (podman's pod rm -f). */
async function replacePod(ctx: Context, name: string | undefined): Promise<void> {
  if (name === undefined) throw new UsageError('--replace needs --name: only a named pod can be replaced');
  const old = new PodStore(ctx).find(name);
  if (old && old.name === name) await removePod(ctx, old, true);
}

/**
 * --exit-policy=stop, after a member exited for good (its restart policy
 * did not start it again): when no other member runs, the infra stops too,
 * so the pod (and a unit whose main process is the infra's monitor) ends.
 */
export async function stopPodIfDone(ctx: Context, member: ContainerView): Promise<void> {
  if (!member.record.pod || member.record.podInfra) return;
  const pod = new PodStore(ctx).find(member.record.pod);
  if (pod?.exitPolicy !== 'stop') return;
  const views = podContainers(ctx, pod);
  if (views.some((v) => !v.record.podInfra && v.record.id !== member.record.id && running(v))) return;
  for (const v of views.filter((v) => v.record.podInfra && running(v))) await stopContainer(ctx, v);
}

/** What a container needs that the pod does not decide: the defaults of `run` without flags. */
function memberDefaults(): Omit<CreateOptions, 'image' | 'command' | 'network'> {
  return { env: [], capAdd: [], capDrop: [], privileged: false, readOnly: false, security: { seccomp: 'default', noNewPrivileges: false }, keepId: false, tty: false, interactive: false, autoRemove: false };
}

/** husk-pause as a one-layer image, `localhost/husk-pause:<version>`, made once per store. */
async function pauseImage(ctx: Context): Promise<string> {
  if (new ImageStore(ctx).findImage(PAUSE_IMAGE)) return PAUSE_IMAGE;
  const tar = pack();
  const binary = fs.readFileSync(pausePath());
  tar.entry({ name: 'husk-pause', mode: 0o755, size: binary.length, mtime: new Date(0) }, binary);
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  await importImage(ctx, { source: '-', name: PAUSE_IMAGE, changes: ['ENTRYPOINT ["/husk-pause"]'], message: 'husk pod infra', stdin: () => Readable.from([bytes]) });
  return PAUSE_IMAGE;
}

/**
 * run/create --pod NAME (or new:NAME, a pod made for it): the pod's infra
 * started (its namespaces must exist for the container to join them), and
 * the options made a member's: the infra's network, the pod's hostname.
 */
export async function preparePodMember(ctx: Context, podName: string, opts: CreateOptions, makeNew?: (name: string) => Promise<PodRecord>): Promise<CreateOptions> {
  const pod = podName.startsWith('new:') && makeNew ? await makeNew(podName.slice(4)) : new PodStore(ctx).get(podName);
  if (pod.cgroupParent) {
    if (opts.cgroupParent !== undefined) throw new UsageError(`--cgroup-parent cannot be given to a container of pod ${pod.name}, whose limits hold it in the pod's cgroup`);
    opts = { ...opts, cgroupParent: pod.cgroupParent };
  }
  if (!pod.infraId || !pod.share.includes('net')) return { ...opts, pod: { id: pod.id } };
  if (opts.network.ports.length || opts.network.publishAll) throw new UsageError(`ports are published on the pod, not on its containers: give -p to pod create (pod ${pod.name})`);
  // One record read, not a listing of every container: this is on the path of run --pod.
  const infra = new ContainerStore(ctx).view(pod.infraId);
  if (!infra) throw new NotFoundError(`the infra container of pod ${pod.name} is gone: remove the pod and make it again`);
  if (!running(infra)) startAny(ctx, infra);
  return {
    ...opts,
    pod: { id: pod.id },
    hostname: pod.share.includes('uts') ? pod.hostname : opts.hostname,
    network: { ...opts.network, mode: { kind: 'container', container: pod.infraId }, ports: [], publishAll: false, addHosts: [], dns: [], dnsSearch: [], dnsOptions: [] },
  };
}

/** The pod's containers, the infra first. */
export function podContainers(ctx: Context, pod: PodRecord): ContainerView[] {
  return new ContainerStore(ctx)
    .list()
    .filter((v) => v.record.pod === pod.id)
    .sort((a, b) => Number(b.record.podInfra ?? false) - Number(a.record.podInfra ?? false) || (a.record.created < b.record.created ? -1 : 1));
}

/** podman's pod status: Created, Running, Degraded (some running), Exited, Paused. */
export function podStatus(views: ContainerView[]): string {
  if (views.length === 0) return 'Created';
  const run = views.filter((v) => v.status === 'running');
  if (run.length && run.every((v) => v.paused)) return 'Paused';
  if (run.length === views.length) return 'Running';
  if (run.length) return 'Degraded';
  if (views.every((v) => v.status === 'created')) return 'Created';
  return 'Exited';
}

/** Pods by name or id (all of them with `all`), each with its containers. */
export function selectPods(ctx: Context, names: string[], all: boolean): PodRecord[] {
  const store = new PodStore(ctx);
  if (all && names.length) throw new UsageError('--all and pod names cannot be used together');
  if (!all && !names.length) throw new UsageError('give at least one pod name or ID, or --all');
  return all ? store.list() : names.map((n) => store.get(n));
}

/** pod start: the infra, then the members. */
export function startPod(ctx: Context, pod: PodRecord): void {
  for (const v of podContainers(ctx, pod)) if (!running(v)) startAny(ctx, v);
}

/** pod stop: the members, then the infra. */
export async function stopPod(ctx: Context, pod: PodRecord, timeoutSec?: number): Promise<void> {
  const views = podContainers(ctx, pod);
  await Promise.all(views.filter((v) => !v.record.podInfra).map((v) => stopContainer(ctx, v, timeoutSec)));
  for (const v of views.filter((v) => v.record.podInfra)) await stopContainer(ctx, v, timeoutSec);
}

/** pod rm: refused while a container runs, unless forced (then they stop first). */
export async function removePod(ctx: Context, pod: PodRecord, force: boolean, timeoutSec?: number): Promise<void> {
  const views = podContainers(ctx, pod);
  const busy = views.filter((v) => running(v) && !v.record.podInfra);
  if (busy.length && !force) throw new ConflictError(`pod ${pod.name} has running containers (${busy.map((v) => v.record.name).join(', ')}): stop the pod or use -f`);
  if (force) await stopPod(ctx, pod, timeoutSec);
  // The members first, the infra (first in podContainers' order) last.
  const store = new ContainerStore(ctx);
  for (const v of [...views].reverse()) {
    const now = store.view(v.record.id);
    if (now) await removeContainer(ctx, now, true);
  }
  if (pod.cgroupParent) removeContainerCgroup(ctx, pod.cgroupParent);
  new PodStore(ctx).remove(pod.id);
}

/** --share: a comma-separated list of net, ipc, uts ("" for none); podman's default is all three. */
export function parseShare(text: string | undefined): Shared[] {
  if (text === undefined) return [...SHAREABLE];
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of items) {
    if (!(SHAREABLE as readonly string[]).includes(s)) throw new UsageError(`invalid --share "${s}": husk pods share ${SHAREABLE.join(', ')} (cgroup, pid and user are not shared)`);
  }
  return [...new Set(items)] as Shared[];
}

/** What `pod inspect` shows, in podman's field names. */
export function inspectPod(ctx: Context, pod: PodRecord): Record<string, unknown> {
  const views = podContainers(ctx, pod);
  const infra = views.find((v) => v.record.podInfra);
  return {
    Id: pod.id,
    Name: pod.name,
    Created: pod.created,
    CreateCommand: pod.createCommand,
    State: podStatus(views),
    Hostname: pod.hostname,
    Labels: pod.labels,
    CreateInfra: pod.infraId !== undefined,
    InfraContainerID: pod.infraId ?? '',
    SharedNamespaces: pod.share,
    CgroupParent: pod.cgroupParent ?? '',
    ...(pod.resources ? { Resources: pod.resources } : {}),
    NumContainers: views.length,
    InfraConfig: infra ? { PortBindings: portBindings(infra), HostNetwork: false, Networks: [] } : undefined,
    Containers: views.map((v) => ({ Id: v.record.id, Name: v.record.name, State: v.paused ? 'paused' : v.status })),
  };
}

function portBindings(infra: ContainerView): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of infra.record.net?.ports ?? []) (out[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  return out;
}

export function podExists(ctx: Context, nameOrId: string): boolean {
  return new PodStore(ctx).find(nameOrId) !== undefined;
}

/** pod prune: every pod none of whose containers runs. */
export async function prunePods(ctx: Context): Promise<PodRecord[]> {
  const gone: PodRecord[] = [];
  for (const pod of new PodStore(ctx).list()) {
    if (podContainers(ctx, pod).some((v) => running(v))) continue;
    await removePod(ctx, pod, false);
    gone.push(pod);
  }
  return gone;
}

/** Every pod, newest first. */
export function listPods(ctx: Context): PodRecord[] {
  return new PodStore(ctx).list();
}

/** podman's --latest/-l: the pod created last. */
export function latestPod(ctx: Context): PodRecord {
  const pod = new PodStore(ctx).list()[0];
  if (!pod) throw new NotFoundError('no pods to act on with --latest: no pod has been created');
  return pod;
}

export function getPod(ctx: Context, nameOrId: string): PodRecord {
  return new PodStore(ctx).get(nameOrId);
}
