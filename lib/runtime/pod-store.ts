// Pods on disk: one record per pod, `<dataRoot>/pods/<id>.json`. A pod is
// its record and its containers (their records name it); its infra
// container holds the namespaces the others join. Status is derived from
// the containers, never stored.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from '../core/context.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import { mkdirPrivate, readJsonIfExists, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';

/** Namespaces a pod's containers can share with its infra (podman's --share). */
export const SHAREABLE = ['net', 'ipc', 'uts'] as const;
export type Shared = (typeof SHAREABLE)[number];

export interface PodRecord {
  id: string;
  name: string;
  created: string;
  labels: Record<string, string>;
  /** The infra container; none with --infra=false (then nothing is shared). */
  infraId?: string;
  share: Shared[];
  hostname: string;
  /** The pod's own cgroup, holding its limits (pod create --memory, --cpus, ...), parent of its containers' cgroups. */
  cgroupParent?: string;
  resources?: import('../core/oci-spec.js').Resources;
  /** pod create's flags as given, for `pod clone` and inspect. */
  createCommand: string[];
  /** --exit-policy: stop, the infra stops when the last other container has exited; continue (default), it runs on. */
  exitPolicy?: 'continue' | 'stop';
}

export class PodStore {
  readonly dir: string;
  private readonly lockFile: string;

  constructor(readonly ctx: Context) {
    this.dir = path.join(ctx.paths.dataRoot, 'pods');
    this.lockFile = path.join(ctx.paths.dataRoot, 'pods.lock');
  }

  locked<T>(fn: () => T): T {
    mkdirPrivate(this.dir);
    return withLockSync(this.lockFile, fn);
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }

  list(): PodRecord[] {
    let files: string[];
    try {
      files = fs.readdirSync(this.dir).filter((f) => /^[a-f0-9]{64}\.json$/.test(f));
    } catch {
      return [];
    }
    return files
      .flatMap((f) => readJsonIfExists<PodRecord>(path.join(this.dir, f)) ?? [])
      .sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  }

  /** By name, full id or unique id prefix. */
  find(nameOrId: string): PodRecord | undefined {
    const all = this.list();
    const byName = all.find((p) => p.name === nameOrId);
    if (byName) return byName;
    const byId = /^[a-f0-9]+$/.test(nameOrId) ? all.filter((p) => p.id.startsWith(nameOrId)) : [];
    if (byId.length > 1) throw new ConflictError(`"${nameOrId}" is ambiguous: it matches ${byId.length} pods; give more of the ID`);
    return byId[0];
  }

  get(nameOrId: string): PodRecord {
    const pod = this.find(nameOrId);
    if (!pod) throw new NotFoundError(`no pod with name or ID ${nameOrId} found: no such pod`);
    return pod;
  }

  /** Writes a new pod's record; its name must be free. */
  add(pod: PodRecord): void {
    this.locked(() => {
      if (this.list().some((p) => p.name === pod.name)) throw new ConflictError(`the pod name "${pod.name}" is already in use: remove that pod or choose another name`);
      writeJsonAtomic(this.file(pod.id), pod, 0o600);
    });
  }

  update(pod: PodRecord): void {
    this.locked(() => writeJsonAtomic(this.file(pod.id), pod, 0o600));
  }

  remove(id: string): void {
    this.locked(() => fs.rmSync(this.file(id), { force: true }));
  }
}
