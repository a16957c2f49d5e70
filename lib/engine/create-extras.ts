// What podman's run flags add to a container's spec and bundle beyond
// docker's: /run/.containerenv, users in /etc/passwd, secrets, --tz,
// --systemd's and --read-only's tmpfs mounts. Each file lives in the
// container's directory and is bind-mounted in, as /etc/hosts is.
import fs from 'node:fs';
import path from 'node:path';
import type { Mount, Spec } from '../core/oci-spec.js';
import { UsageError } from '../core/errors.js';
import type { Context } from '../core/context.js';
import { etcUserFiles, hostUserOf, type EtcFiles } from '../runtime/etc-passwd.js';
import { findSecret, secretData, type SecretRequest } from './secrets.js';
import { HUSK_VERSION } from './version.js';
import { ContainerStore, type ContainerView } from '../runtime/container-store.js';

/** --tz: local (the host's zone) or Area/City of the host's zoneinfo, checked before anything is made. */
export function timezoneFile(tz: string): string {
  const file = tz === 'local' ? '/etc/localtime' : path.join('/usr/share/zoneinfo', tz);
  if (tz !== 'local' && (tz.startsWith('/') || tz.split('/').includes('..'))) throw new UsageError(`invalid --tz "${tz}": give local or a zone such as Europe/Paris`);
  if (!fs.existsSync(file)) throw new UsageError(`invalid --tz "${tz}": ${file} does not exist on this host`);
  return fs.realpathSync(file);
}

const hasMountAt = (spec: Spec, dest: string) => spec.mounts.some((m) => m.destination === dest);

function addMount(spec: Spec, m: Mount): void {
  if (!hasMountAt(spec, m.destination)) spec.mounts.push(m);
}

function tmpfs(dest: string, extra: string[] = []): Mount {
  return { destination: dest, type: 'tmpfs', source: 'tmpfs', options: ['rw', 'nosuid', 'nodev', ...extra] };
}

export function withTimezone(spec: Spec, zoneFile: string): void {
  addMount(spec, { destination: '/etc/localtime', type: 'bind', source: zoneFile, options: ['rbind', 'ro', 'rprivate'] });
}

/** --read-only with --read-only-tmpfs (the default): writable /run, /tmp and /var/tmp, as podman mounts them. */
export function withReadOnlyTmpfs(spec: Spec): void {
  for (const dest of ['/run', '/tmp', '/var/tmp']) addMount(spec, tmpfs(dest, ['mode=1777']));
}

/** The command is systemd's init: --systemd=true looks at it, always does not. */
export function isSystemdCommand(args: string[]): boolean {
  const cmd = args[0] ?? '';
  return cmd === 'systemd' || cmd === '/sbin/init' || cmd === '/usr/sbin/init' || path.basename(cmd) === 'systemd';
}

/** systemd mode: tmpfs where systemd expects one, and the signal that stops it (SIGRTMIN+3). */
export function withSystemdMode(spec: Spec): void {
  for (const dest of ['/run', '/run/lock', '/tmp', '/var/lib/journal']) addMount(spec, tmpfs(dest, dest === '/tmp' ? ['mode=1777'] : ['mode=755']));
}

/** The bundle's files this module writes, by what they become in the container. */
export function bundleFiles(dir: string) {
  return { passwd: path.join(dir, 'etc-passwd'), group: path.join(dir, 'etc-group'), containerEnv: path.join(dir, 'containerenv'), secrets: path.join(dir, 'secrets') };
}

/** /run/.containerenv, in every container; podman fills it only for --privileged ones. */
export function withContainerEnv(spec: Spec, dir: string): void {
  addMount(spec, { destination: '/run/.containerenv', type: 'bind', source: bundleFiles(dir).containerEnv, options: ['bind', 'ro', 'rprivate'] });
}

export function writeContainerEnv(dir: string, c: { name: string; id: string; image: string; imageId: string; rootless: boolean; privileged: boolean }): void {
  const text = c.privileged
    ? `engine="husk-${HUSK_VERSION}"\nname="${c.name}"\nid="${c.id}"\nimage="${c.image}"\nimageid="${c.imageId}"\nrootless=${c.rootless ? 1 : 0}\n`
    : '';
  fs.writeFileSync(bundleFiles(dir).containerEnv, text, { mode: 0o644 });
}

export interface UserFilesInput {
  layerDirsTopFirst: string[];
  /** keep-id: the host user it names. */
  keepIdUid?: number;
  passwdEntry?: string;
  groupEntry?: string;
  hostUsers?: string[];
  addUser: boolean;
}

/** /etc/passwd and /etc/group with the lines the container's user needs: planned with the spec, written with the bundle. */
export function withUserFiles(spec: Spec, dir: string, input: UserFilesInput): EtcFiles {
  const files = etcUserFiles({
    layerDirsTopFirst: input.layerDirsTopFirst,
    uid: spec.process.user.uid,
    gid: spec.process.user.gid,
    hostUser: input.keepIdUid !== undefined && input.keepIdUid === spec.process.user.uid ? hostUserOf(input.keepIdUid) : undefined,
    passwdEntry: input.passwdEntry,
    groupEntry: input.groupEntry,
    hostUsers: input.hostUsers,
    addUser: input.addUser,
  });
  const paths = bundleFiles(dir);
  if (files.passwd !== undefined) addMount(spec, { destination: '/etc/passwd', type: 'bind', source: paths.passwd, options: ['bind', 'rprivate'] });
  if (files.group !== undefined) addMount(spec, { destination: '/etc/group', type: 'bind', source: paths.group, options: ['bind', 'rprivate'] });
  return files;
}

export function writeUserFiles(dir: string, files: EtcFiles): void {
  const paths = bundleFiles(dir);
  if (files.passwd !== undefined) fs.writeFileSync(paths.passwd, files.passwd, { mode: 0o644 });
  if (files.group !== undefined) fs.writeFileSync(paths.group, files.group, { mode: 0o644 });
}

/** --secret: env ones become variables now; mount ones files of the bundle, bound read-only at their target. */
export function withSecrets(ctx: Context, spec: Spec, dir: string, secrets: SecretRequest[]): void {
  for (const s of secrets) {
    const secret = findSecret(ctx, s.name); // before anything is made
    if (s.type === 'env') {
      const value = secretData(ctx, secret).toString('utf8');
      spec.process.env = [...spec.process.env.filter((e) => !e.startsWith(`${s.target}=`)), `${s.target}=${value}`];
    } else {
      if (hasMountAt(spec, s.target)) throw new UsageError(`--secret ${s.name}: ${s.target} is mounted already`);
      spec.mounts.push({ destination: s.target, type: 'bind', source: path.join(bundleFiles(dir).secrets, s.name), options: ['bind', 'ro', 'rprivate', 'nosuid', 'nodev', 'noexec'] });
    }
  }
}

/** Copies of the mounted secrets' data, mode as asked; owned as asked where husk may chown (root). */
export function writeSecretFiles(ctx: Context, dir: string, secrets: SecretRequest[]): void {
  const mounted = secrets.filter((s) => s.type === 'mount');
  if (mounted.length === 0) return;
  const sdir = bundleFiles(dir).secrets;
  fs.mkdirSync(sdir, { mode: 0o755 });
  for (const s of mounted) {
    const file = path.join(sdir, s.name);
    fs.writeFileSync(file, secretData(ctx, findSecret(ctx, s.name)), { mode: s.mode });
    fs.chmodSync(file, s.mode);
    if (!ctx.rootless) fs.chownSync(file, s.uid, s.gid);
  }
}

/** --requires: the containers, found now (a missing one is an error before anything is made). */
export function requiredContainers(ctx: Context, names: string[] | undefined): ContainerView[] {
  const store = new ContainerStore(ctx);
  return (names ?? []).flatMap((n) => n.split(',')).filter(Boolean).map((n) => store.get(n));
}

/** --timeout: SIGKILL once the seconds are up (podman's conmon does the same); returns the way to call it off. */
export function killAfter(ctx: Context, id: string, seconds: number | undefined): () => void {
  if (!seconds) return () => {};
  const timer = setTimeout(() => {
    void import('./stop.js')
      .then(({ killContainer }) => killContainer(ctx, new ContainerStore(ctx).get(id), 9))
      .catch(() => {}); // exited meanwhile
  }, seconds * 1000);
  return () => clearTimeout(timer);
}

export { checkPlatform, type PullOptions } from '../image/pull.js';
