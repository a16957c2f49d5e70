// `compose up` and `compose create`: the project's networks and volumes,
// its images (built or pulled), then each service's containers made to
// match the file, in depends_on order with its conditions. A container
// whose config hash or image changed is recreated; one that matches is
// left alone (started if it stopped), so `up` of a running project does
// nothing.
import path from 'node:path';
import type { Writable } from 'node:stream';
import { ConflictError, HuskError, NotFoundError, UsageError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import type { Project, Service } from '../compose/index.js';
import { ImageStore } from '../image/store.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';
import { buildImage, type BuildSecret } from './build.js';
import { openBuildInput } from './build-input.js';
import { projectContainers, servicesInOrder, type ProjectContainer } from './compose.js';
import { COMPOSE_VERSION, configHash, containerName, LABEL, inlineContent, replicasOf, serviceCreateOptions, serviceImage, serviceWarnings, type ServiceContainerOptions } from './compose-service.js';
import { createContainer } from './create.js';
import { readHealth } from './health.js';
import { restartContainer, startAny } from './lifecycle.js';
import { createNetwork, networkExists } from './networks.js';
import { pullImage } from './registry.js';
import { removeContainer } from './remove.js';
import { running, sleep } from './stop.js';
import { createVolume, volumeExists } from './volumes.js';

export interface UpOptions {
  /** Services named on the command line (none: all). */
  services: string[];
  noDeps: boolean;
  /** --build: always; --no-build: never; else only images that are missing. */
  build: 'always' | 'never' | 'missing';
  /** --pull, over each service's pull_policy. */
  pull?: string;
  /** --force-recreate: always; --no-recreate: never; else when the config or image changed. */
  recreate: 'diverged' | 'always' | 'never';
  /** -V: a recreated container gets new anonymous volumes (else it takes over its predecessor's, as docker compose does). */
  renewAnonVolumes?: boolean;
  scale: Record<string, number>;
  removeOrphans: boolean;
  /** create: false. */
  start: boolean;
  /** --wait: until every container runs, and is healthy where it has a healthcheck. */
  waitTimeoutMs?: number;
  wait: boolean;
  /** Stop timeout (seconds) for containers that are recreated or removed. */
  timeoutSec?: number;
  /** Progress lines, docker compose's plain output: ` Container shop-web-1  Started`. */
  report: (line: string) => void;
  /** Build output. */
  out: Writable;
}

export async function composeUp(ctx: Context, project: Project, opts: UpOptions): Promise<ProjectContainer[]> {
  for (const [name, n] of Object.entries(opts.scale)) {
    if (!project.services[name]) throw new UsageError(`--scale ${name}=${n}: no such service`);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`--scale ${name}=${n}: give a whole number, 0 or more`);
  }
  const services = servicesInOrder(project, opts.services, opts.noDeps);
  for (const svc of services) {
    if (svc.container_name && replicasOf(svc, opts.scale) > 1) throw new UsageError(`service "${svc.name}": container_name ${svc.container_name} cannot be used with more than one container`);
  }
  for (const svc of services) for (const w of serviceWarnings(svc)) opts.report(`WARN: ${w}`);
  await removeOrWarnOrphans(ctx, project, opts);
  ensureNetworks(ctx, project, services, opts.report);
  ensureVolumes(ctx, project, services, opts.report);
  for (const svc of services) await ensureImage(ctx, project, svc, opts);

  const done = new Map<string, Promise<void>>();
  const recreated = new Set<string>();
  for (const svc of services) {
    done.set(
      svc.name,
      (async () => {
        await Promise.all(Object.keys(svc.depends_on).flatMap((d) => done.get(d) ?? []));
        try {
          if (opts.start) await waitForDependencies(ctx, project, svc);
          // depends_on with restart: true: a dependency made anew restarts this service's containers.
          const restart = Object.entries(svc.depends_on).some(([d, dep]) => dep.restart && recreated.has(d));
          if (await convergeService(ctx, project, svc, opts, restart)) recreated.add(svc.name);
        } catch (err) {
          // Which service failed, with the cause; the class (and so the exit code) kept.
          if (err instanceof Error && !err.message.startsWith('service "')) err.message = `service "${svc.name}": ${err.message}`;
          throw err;
        }
      })(),
    );
  }
  const results = await Promise.allSettled(done.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const containers = projectContainers(ctx, project.name, { services: services.map((s) => s.name) });
  if (opts.wait) await waitUntilReady(ctx, containers, opts.waitTimeoutMs);
  return containers;
}

export interface RunOptions extends Pick<UpOptions, 'build' | 'pull' | 'report' | 'out'> {
  service: string;
  noDeps: boolean;
  oneoff: NonNullable<ServiceContainerOptions['oneoff']>;
}

/**
 * `compose run`: the service's dependencies up (unless noDeps), its
 * networks, volumes and image ready, and a one-off container of it made
 * (not started: the caller attaches or starts it).
 */
export async function composeRun(ctx: Context, project: Project, opts: RunOptions): Promise<ContainerView> {
  const [svc] = servicesInOrder(project, [opts.service], true);
  const deps = Object.keys(svc!.depends_on).filter((d) => project.services[d]);
  if (!opts.noDeps && deps.length) {
    await composeUp(ctx, project, { ...opts, services: deps, noDeps: false, recreate: 'diverged', scale: {}, removeOrphans: false, start: true, wait: false });
    await waitForDependencies(ctx, project, svc!);
  }
  ensureNetworks(ctx, project, [svc!], opts.report);
  ensureVolumes(ctx, project, [svc!], opts.report);
  await ensureImage(ctx, project, svc!, opts);
  const image = new ImageStore(ctx).getImage(serviceImage(project, svc!));
  const taken = projectContainers(ctx, project.name, { services: [svc!.name], oneoff: true }).map((c) => c.number);
  const number = Math.max(0, ...taken) + 1;
  return createContainer(ctx, serviceCreateOptions(ctx, project, svc!, { number, imageId: image.id, oneoff: opts.oneoff, serviceContainer: (other) => serviceContainerOf(ctx, project, svc!, other) }));
}

function serviceContainerOf(ctx: Context, project: Project, svc: Service, other: string): string {
  const first = projectContainers(ctx, project.name, { services: [other] })[0];
  if (!first) throw new UsageError(`service "${svc.name}": network_mode service:${other} needs a container of ${other}`);
  return first.view.record.id;
}

/** Containers of services no longer in the file: removed with --remove-orphans, else named in a warning. */
async function removeOrWarnOrphans(ctx: Context, project: Project, opts: UpOptions): Promise<void> {
  const known = new Set([...Object.keys(project.services), ...project.disabled]);
  const orphans = projectContainers(ctx, project.name).filter((c) => !known.has(c.service));
  if (!orphans.length) return;
  if (!opts.removeOrphans) {
    opts.report(`WARN: Found orphan containers (${orphans.map((c) => c.view.record.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`);
    return;
  }
  for (const c of orphans) await removeServiceContainer(ctx, c.view, opts.timeoutSec, opts.report);
}

/** The networks the services join: made with the project's labels, or (external) required to exist. */
export function ensureNetworks(ctx: Context, project: Project, services: Service[], report: (line: string) => void): void {
  const keys = new Set(services.flatMap((s) => Object.keys(s.networks)));
  for (const key of [...keys].sort()) {
    const n = project.networks[key]!;
    if (networkExists(ctx, n.name)) continue;
    if (n.external) throw new NotFoundError(`network ${n.name} declared as external, but could not be found`);
    if (n.driver !== undefined && n.driver !== 'bridge') throw new UsageError(`network ${key}: driver ${n.driver} is not supported by husk (only bridge)`);
    if (n.enable_ipv6) report(`WARN: network ${key}: enable_ipv6 is not supported by husk: the network is IPv4 only`);
    const ipam = n.ipam?.config[0];
    const mtu = n.driver_opts['com.docker.network.driver.mtu'] ?? n.driver_opts.mtu;
    report(` Network ${n.name}  Creating`);
    createNetwork(
      ctx,
      n.name,
      {
        subnet: ipam?.subnet,
        gateway: ipam?.gateway,
        ipRange: ipam?.ip_range,
        internal: n.internal ?? false,
        labels: { ...n.labels, [LABEL.project]: project.name, [LABEL.network]: key, [LABEL.version]: COMPOSE_VERSION },
        ...(mtu ? { options: { mtu } } : {}),
      },
      true,
    );
    report(` Network ${n.name}  Created`);
  }
}

/** The named volumes the services mount: made with the project's labels, or (external) required to exist. */
export function ensureVolumes(ctx: Context, project: Project, services: Service[], report: (line: string) => void): void {
  const keys = new Set(services.flatMap((s) => s.volumes.flatMap((v) => (v.type === 'volume' && v.source ? [v.source] : []))));
  for (const key of [...keys].sort()) {
    const v = project.volumes[key]!;
    if (volumeExists(ctx, v.name)) continue;
    if (v.external) throw new NotFoundError(`external volume "${v.name}" not found`);
    if (v.driver !== undefined && v.driver !== 'local') throw new UsageError(`volume ${key}: driver ${v.driver} is not supported by husk (only local)`);
    report(` Volume "${v.name}"  Creating`);
    createVolume(ctx, { name: v.name, labels: { ...v.labels, [LABEL.project]: project.name, [LABEL.volume]: key, [LABEL.version]: COMPOSE_VERSION }, options: v.driver_opts }, true);
    report(` Volume "${v.name}"  Created`);
  }
}

/** The service's image: built when asked or missing (for a service with build:), pulled when missing or always. */
export async function ensureImage(ctx: Context, project: Project, svc: Service, opts: Pick<UpOptions, 'build' | 'pull' | 'report' | 'out'>): Promise<void> {
  const name = serviceImage(project, svc);
  const have = new ImageStore(ctx).findImage(name) !== undefined;
  const policy = pullPolicy(opts.pull ?? svc.pull_policy, svc.name);
  if (svc.build && opts.build !== 'never' && (opts.build === 'always' || policy === 'build' || (!have && policy !== 'always'))) {
    await buildService(ctx, project, svc, opts.out);
    return;
  }
  if (have && policy !== 'always') return;
  if (policy === 'never' || (svc.build && opts.build === 'never' && !have)) throw new NotFoundError(`service "${svc.name}": image ${name} not found and ${policy === 'never' ? 'pull_policy is never' : '--no-build was given'}`);
  if (policy === 'build') throw new UsageError(`service "${svc.name}": pull_policy build needs a build section`);
  opts.report(` ${svc.name} Pulling`);
  try {
    await pullImage(ctx, name, {});
  } catch (err) {
    // The service and image named; the class (and so the exit code) kept.
    if (err instanceof Error) err.message = `service "${svc.name}": pull ${name}: ${err.message}`;
    throw err;
  }
  opts.report(` ${svc.name} Pulled`);
}

/** pull_policy (or --pull): always, never, missing (also if_not_present, daily, weekly, every_*), build. */
function pullPolicy(text: string | undefined, service: string): 'always' | 'never' | 'missing' | 'build' {
  if (text === undefined || text === 'missing' || text === 'if_not_present' || text === 'daily' || text === 'weekly' || text.startsWith('every_')) return 'missing';
  if (text === 'always' || text === 'never' || text === 'build') return text;
  throw new UsageError(`service "${service}": invalid pull_policy "${text}": use always, never, missing or build`);
}

/** `build:` through husk build; the image is tagged with the service's image name and build.tags. */
export async function buildService(ctx: Context, project: Project, svc: Service, out: Writable, overrides: { noCache?: boolean; pull?: boolean } = {}): Promise<void> {
  const b = svc.build!;
  if (b.platforms.length) out.write(`WARN: service "${svc.name}": build.platforms is not supported by husk: building for this machine\n`);
  const isDir = !/^[a-z]+:\/\/|^git@/i.test(b.context);
  const file = b.dockerfile_inline !== undefined ? undefined : isDir ? path.resolve(b.context, b.dockerfile ?? 'Dockerfile') : b.dockerfile;
  const input = await openBuildInput(ctx, { context: b.context, file, stdin: process.stdin });
  try {
    const dockerfile = b.dockerfile_inline !== undefined ? { text: b.dockerfile_inline, name: 'dockerfile_inline' } : input.dockerfile;
    await buildImage(ctx, {
      contextDir: input.contextDir,
      dockerfile,
      tags: [serviceImage(project, svc), ...b.tags],
      buildArgs: Object.fromEntries(Object.entries(b.args).flatMap(([k, v]) => (v === null ? [] : [[k, v]]))),
      target: b.target,
      labels: b.labels,
      annotations: {},
      noCache: overrides.noCache ?? b.no_cache ?? false,
      pull: (overrides.pull ?? b.pull) ? 'always' : 'missing',
      secrets: b.secrets.map((r) => buildSecret(project, r.source)),
      ssh: [],
      network: b.network,
      addHosts: b.extra_hosts,
      ulimits: [],
      cacheFrom: b.cache_from.filter((c) => !c.includes('=')),
      access: {},
      layers: true,
      out,
      quiet: false,
    });
  } finally {
    input.cleanup();
  }
}

function buildSecret(project: Project, name: string): BuildSecret {
  const s = project.secrets[name]!;
  if (s.file !== undefined) return { id: name, file: s.file };
  return { id: name, value: inlineContent(s, `secret "${name}"`) };
}

/** Waits for what depends_on asks of each dependency: started, healthy, or completed successfully. */
async function waitForDependencies(ctx: Context, project: Project, svc: Service): Promise<void> {
  for (const [dep, d] of Object.entries(svc.depends_on)) {
    if (d.condition === 'service_started' || !project.services[dep]) continue;
    for (const c of projectContainers(ctx, project.name, { services: [dep] })) {
      if (d.condition === 'service_healthy') await waitHealthy(ctx, c.view);
      else await waitCompleted(ctx, c.view, dep);
    }
  }
}

async function waitHealthy(ctx: Context, view: ContainerView, deadline = Infinity): Promise<void> {
  if (!view.record.healthcheck) throw new ConflictError(`dependency failed to start: container ${view.record.name} has no healthcheck configured`);
  const store = new ContainerStore(ctx);
  for (;;) {
    const now = store.view(view.record.id);
    if (!now || now.status !== 'running') throw new HuskError(`dependency failed to start: container ${view.record.name} exited (${now?.exit?.exitCode ?? 'removed'})`);
    const status = readHealth(ctx, now)?.Status;
    if (status === 'healthy') return;
    if (status === 'unhealthy') throw new HuskError(`dependency failed to start: container ${view.record.name} is unhealthy`);
    if (Date.now() > deadline) throw new HuskError(`container ${view.record.name} is not healthy yet: timed out`);
    await sleep(100);
  }
}

async function waitCompleted(ctx: Context, view: ContainerView, service: string): Promise<void> {
  const store = new ContainerStore(ctx);
  for (;;) {
    const now = store.view(view.record.id);
    if (now && now.status !== 'running' && now.status !== 'created') {
      const code = now.exit?.exitCode ?? -1;
      if (code !== 0) throw new HuskError(`service "${service}" didn't complete successfully: exit ${code}`);
      return;
    }
    await sleep(100);
  }
}

/** --wait: every container running, and healthy where it has a healthcheck, within the timeout. */
async function waitUntilReady(ctx: Context, containers: ProjectContainer[], timeoutMs = Infinity): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const c of containers) {
    if (c.view.record.healthcheck) await waitHealthy(ctx, c.view, deadline);
    else if (!running(new ContainerStore(ctx).get(c.view.record.id))) throw new HuskError(`container ${c.view.record.name} exited (${c.view.exit?.exitCode ?? ''})`);
  }
}

/**
 * The service's containers made to match: surplus ones (above the scale)
 * removed, diverged ones recreated, missing ones created, all started.
 */
async function convergeService(ctx: Context, project: Project, svc: Service, opts: UpOptions, restartKept: boolean): Promise<boolean> {
  let changed = false;
  const want = replicasOf(svc, opts.scale);
  const image = new ImageStore(ctx).getImage(serviceImage(project, svc));
  const hash = configHash(svc);
  const existing = projectContainers(ctx, project.name, { services: [svc.name] });
  for (const c of existing.filter((c) => c.number > want || c.number < 1).reverse()) await removeServiceContainer(ctx, c.view, opts.timeoutSec, opts.report);
  const serviceContainer = (other: string) => serviceContainerOf(ctx, project, svc, other);
  for (let n = 1; n <= want; n++) {
    const c = existing.find((e) => e.number === n);
    const diverged = c && (c.view.record.labels?.[LABEL.configHash] !== hash || c.view.record.imageId !== image.id);
    let anonymousVolumes: Record<string, string> | undefined;
    if (c && (opts.recreate === 'always' || (opts.recreate === 'diverged' && diverged))) {
      changed = true;
      opts.report(` Container ${c.view.record.name}  Recreate`);
      anonymousVolumes = opts.renewAnonVolumes ? undefined : anonymousVolumesOf(c.view);
      await removeContainer(ctx, c.view, true, !anonymousVolumes, opts.timeoutSec ?? c.view.record.stopTimeout ?? 10);
      opts.report(` Container ${c.view.record.name}  Recreated`);
    } else if (c) {
      if (opts.start && restartKept && running(c.view)) {
        opts.report(` Container ${c.view.record.name}  Restarting`);
        await restartContainer(ctx, c.view, opts.timeoutSec);
        opts.report(` Container ${c.view.record.name}  Started`);
      } else if (!opts.start || running(c.view)) opts.report(` Container ${c.view.record.name}  Running`);
      else startReported(ctx, c.view, opts.report);
      continue;
    }
    changed = true;
    const name = containerName(project, svc, n);
    if (!c) opts.report(` Container ${name}  Creating`);
    const view = await createContainer(ctx, { ...serviceCreateOptions(ctx, project, svc, { number: n, imageId: image.id, serviceContainer }), anonymousVolumes });
    if (!c) opts.report(` Container ${name}  Created`);
    if (opts.start) startReported(ctx, view, opts.report);
  }
  return changed;
}

/** A container's anonymous volumes by destination (none: undefined, and its removal has nothing to keep). */
function anonymousVolumesOf(view: ContainerView): Record<string, string> | undefined {
  const kept = (view.record.mounts ?? []).filter((m) => m.type === 'volume' && m.anonymous);
  return kept.length ? Object.fromEntries(kept.map((m) => [m.destination, m.source])) : undefined;
}

function startReported(ctx: Context, view: ContainerView, report: (line: string) => void): void {
  report(` Container ${view.record.name}  Starting`);
  startAny(ctx, view);
  report(` Container ${view.record.name}  Started`);
}

/**
 * Stops and removes a container of the project, with its anonymous volumes:
 * its stop signal and timeout, and no cleanup process of its monitor (the
 * removal does that work; one node process less per container).
 */
export async function removeServiceContainer(ctx: Context, view: ContainerView, timeoutSec: number | undefined, report: (line: string) => void): Promise<void> {
  const isRunning = running(view);
  report(` Container ${view.record.name}  ${isRunning ? 'Stopping' : 'Removing'}`);
  const now = new ContainerStore(ctx).view(view.record.id);
  if (now) await removeContainer(ctx, now, true, true, timeoutSec ?? view.record.stopTimeout ?? 10);
  if (isRunning) report(` Container ${view.record.name}  Stopped`);
  report(` Container ${view.record.name}  Removed`);
}
