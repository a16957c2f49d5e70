// -v/--volume, --mount, --tmpfs and --volumes-from, parsed into the engine's
// mount requests. Everything a user can get wrong here is refused before
// anything is created (exit 125, one line).
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { cleanDestination, type MountRequest, type VolumesFrom } from '../engine/mounts.js';
import { checkTmpfsOption, shownName, volumeNameProblem } from '../engine/volumes.js';

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable'];
const FLAGS = ['nosuid', 'suid', 'nodev', 'dev', 'noexec', 'exec'];

function destination(dest: string, where: string): string {
  if (dest === '') throw new UsageError(`${where}: the container path is empty`);
  if (!dest.startsWith('/')) throw new UsageError(`${where}: container path "${dest}" must be absolute`);
  const clean = cleanDestination(dest);
  if (clean === '/') throw new UsageError(`${where}: a volume cannot be mounted over the container's root (/)`);
  return clean;
}

/** A bind source: absolute, or relative to the working directory when it starts with "."; it must exist. */
function hostPath(src: string, where: string): string {
  const abs = path.resolve(src);
  try {
    fs.statSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UsageError(`${where}: statfs ${abs}: ${why}`);
  }
  return abs;
}

const isHostPath = (src: string) => src.startsWith('/') || src.startsWith('.');

/**
 * -v [SOURCE:]DESTINATION[:OPTIONS]: SOURCE a host path (absolute or
 * starting with ".") or a volume name, none for an anonymous volume;
 * OPTIONS ro, rw, z, Z (no SELinux here: accepted), U, nocopy, copy,
 * bind/rbind, nosuid/nodev/noexec and their opposites, a propagation.
 */
export function parseVolumeFlag(spec: string): MountRequest {
  const where = `invalid volume "${spec}"`;
  const parts = spec.split(':');
  if (parts.length > 3) throw new UsageError(`${where}: too many ":"-separated parts (expected [SOURCE:]DESTINATION[:OPTIONS])`);
  if (parts.some((p) => p === '')) throw new UsageError(`${where}: empty part (expected [SOURCE:]DESTINATION[:OPTIONS])`);
  let [source, dest, opts] = parts as [string, string | undefined, string | undefined];
  // podman's "/dest:ro": a destination with options, no source.
  if (parts.length === 1 || (parts.length === 2 && source.startsWith('/') && !dest!.startsWith('/'))) {
    opts = dest;
    dest = source;
    source = '';
  }
  const m: MountRequest = { type: 'volume', source: '', destination: destination(dest!, where), rw: true, options: [] };
  if (source !== '') {
    if (isHostPath(source)) {
      m.type = 'bind';
      m.source = hostPath(source, where);
    } else {
      const problem = volumeNameProblem(source);
      if (problem) throw new UsageError(`invalid volume "${shownName(spec)}": "${shownName(source)}" is not a volume name (${problem}) nor an absolute host path`);
      m.source = source;
    }
  }
  let mode: string | undefined;
  let recursion: string | undefined;
  let propagation: string | undefined;
  for (const o of opts === undefined ? [] : opts.split(',')) {
    if (o === '') throw new UsageError(`${where}: empty option`);
    if (o === 'ro' || o === 'rw') {
      if (mode) throw new UsageError(`${where}: ro and rw can be given only once`);
      mode = o;
      m.rw = o === 'rw';
    } else if (o === 'z' || o === 'Z') {
      // SELinux labels: nothing to relabel on a host without SELinux.
    } else if (o === 'U') {
      m.chown = true;
    } else if (o === 'nocopy' || o === 'copy') {
      if (m.type !== 'volume') throw new UsageError(`${where}: ${o} applies to volumes, not to host directories`);
      m.noCopy = o === 'nocopy';
    } else if (o === 'bind' || o === 'rbind') {
      if (recursion) throw new UsageError(`${where}: bind and rbind can be given only once`);
      recursion = o;
    } else if (PROPAGATION.includes(o)) {
      if (propagation) throw new UsageError(`${where}: only one propagation (${PROPAGATION.join(', ')}) can be given`);
      propagation = o;
    } else if (FLAGS.includes(o)) {
      m.options.push(o);
    } else {
      throw new UsageError(`${where}: unknown option "${o}" (use ro, rw, z, Z, U, nocopy, bind, rbind, a propagation such as rprivate, nosuid, nodev or noexec)`);
    }
  }
  m.options.unshift(recursion ?? 'rbind');
  if (propagation) m.options.push(propagation);
  return m;
}

function splitKeyValue(field: string): [string, string | undefined] {
  const eq = field.indexOf('=');
  return eq < 0 ? [field, undefined] : [field.slice(0, eq), field.slice(eq + 1)];
}

function boolValue(v: string | undefined, where: string, key: string): boolean {
  if (v === undefined || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UsageError(`${where}: ${key} takes true or false, not "${v}"`);
}

/** tmpfs-size: bytes, or with a k/m/g unit as docker's go-units reads it. */
function tmpfsSize(v: string, where: string): string {
  const m = /^(\d+)([kmg])?b?$/i.exec(v);
  if (!m) throw new UsageError(`${where}: tmpfs-size "${v}" is not a size (bytes, or a number with k, m or g)`);
  return `size=${m[1]}${(m[2] ?? '').toLowerCase()}`;
}

/**
 * --mount type=bind|volume|tmpfs|ramfs|devpts,source=..,destination=..[,readonly][,...]
 * (docker's keys: src/source, dst/destination/target, ro/readonly,
 * bind-propagation, bind-nonrecursive, volume-opt, volume-label,
 * volume-nocopy, volume-driver, tmpfs-size, tmpfs-mode; podman's U, relabel).
 */
export function parseMountFlag(spec: string): MountRequest {
  const where = `invalid --mount "${spec}"`;
  const fields = spec.split(',');
  const kv = fields.map((f) => {
    if (f.trim() === '') throw new UsageError(`${where}: empty field`);
    return splitKeyValue(f.trim());
  });
  const type = kv.find(([k]) => k === 'type')?.[1] ?? 'volume';
  if (type === 'image') throw new UsageError(`${where}: type=image is not supported: husk does not mount one image inside another's container`);
  if (type === 'ramfs' || type === 'devpts') return pseudoFsMount(type, kv, where);
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') {
    throw new UsageError(`${where}: type "${type}" is not supported (use bind, volume, tmpfs, ramfs, devpts or glob)`);
  }
  let source: string | undefined;
  let dest: string | undefined;
  let rw = true;
  let chown = false;
  let noCopy = false;
  let recursion = 'rbind';
  let propagation: string | undefined;
  const flags: string[] = [];
  const tmpfs: string[] = [];
  const volumeOptions: Record<string, string> = {};
  const volumeLabels: Record<string, string> = {};
  const only = (key: string, t: string) => {
    if (type !== t) throw new UsageError(`${where}: ${key} applies to type=${t}, not type=${type}`);
  };
  const value = (key: string, v: string | undefined) => {
    if (v === undefined || v === '') throw new UsageError(`${where}: ${key} needs a value (${key}=...)`);
    return v;
  };
  for (const [key, v] of kv) {
    switch (key) {
      case 'type':
        break;
      case 'source':
      case 'src':
        source = value(key, v);
        break;
      case 'destination':
      case 'dst':
      case 'target':
        dest = value(key, v);
        break;
      case 'readonly':
      case 'ro':
        rw = !boolValue(v, where, key);
        break;
      case 'rw':
        rw = boolValue(v, where, key);
        break;
      case 'U':
      case 'chown':
        chown = boolValue(v, where, key);
        break;
      case 'relabel':
      case 'z':
      case 'Z':
      case 'consistency':
        break; // SELinux labels and macOS consistency: nothing to do here
      case 'bind-propagation':
        only(key, 'bind');
        if (!PROPAGATION.includes(value(key, v))) throw new UsageError(`${where}: bind-propagation must be one of ${PROPAGATION.join(', ')}`);
        propagation = v;
        break;
      case 'bind-nonrecursive':
        only(key, 'bind');
        if (boolValue(v, where, key)) recursion = 'bind';
        break;
      case 'volume-opt': {
        only(key, 'volume');
        const [k, val] = splitKeyValue(value(key, v));
        if (!k || val === undefined) throw new UsageError(`${where}: volume-opt takes KEY=VALUE`);
        volumeOptions[k] = val;
        break;
      }
      case 'volume-label': {
        only(key, 'volume');
        const [k, val] = splitKeyValue(value(key, v));
        volumeLabels[k] = val ?? '';
        break;
      }
      case 'volume-nocopy':
        only(key, 'volume');
        noCopy = boolValue(v, where, key);
        break;
      case 'volume-driver':
        only(key, 'volume');
        if (v !== 'local') throw new UsageError(`${where}: volume driver "${v}" is not supported (only local)`);
        break;
      case 'tmpfs-size':
        only(key, 'tmpfs');
        tmpfs.push(tmpfsSize(value(key, v), where));
        break;
      case 'tmpfs-mode':
        only(key, 'tmpfs');
        if (!/^[0-7]{1,4}$/.test(value(key, v))) throw new UsageError(`${where}: tmpfs-mode must be octal, such as 1777`);
        tmpfs.push(`mode=${v}`);
        break;
      default:
        if (FLAGS.includes(key) && v === undefined) {
          flags.push(key);
          break;
        }
        throw new UsageError(`${where}: unknown key "${key}"`);
    }
  }
  if (dest === undefined) throw new UsageError(`${where}: destination (dst, target) is required`);
  const destinationPath = destination(dest, where);
  if (type === 'tmpfs') {
    if (source !== undefined) throw new UsageError(`${where}: a tmpfs has no source`);
    if (chown) throw new UsageError(`${where}: U applies to bind mounts and volumes`);
    return { type, source: 'tmpfs', destination: destinationPath, rw, options: ['nosuid', 'nodev', 'noexec', ...flags, ...tmpfs] };
  }
  const options = [recursion, ...flags, ...(propagation ? [propagation] : [])];
  if (type === 'bind') {
    if (source === undefined) throw new UsageError(`${where}: a bind mount needs source=/host/path`);
    return { type, source: hostPath(source, where), destination: destinationPath, rw, options, chown };
  }
  const problem = source === undefined ? undefined : volumeNameProblem(source);
  if (problem) throw new UsageError(`${where}: "${shownName(source!)}" is not a volume name (${problem}); a host path needs type=bind`);
  return { type, source: source ?? '', destination: destinationPath, rw, options, chown, noCopy, volumeOptions, volumeLabels };
}

/** --tmpfs DESTINATION[:OPTIONS] (noexec, nosuid and nodev unless the options say otherwise). */
export function parseTmpfsFlag(spec: string): MountRequest {
  const where = `invalid --tmpfs "${spec}"`;
  const colon = spec.indexOf(':');
  const dest = colon < 0 ? spec : spec.slice(0, colon);
  const opts = colon < 0 ? [] : spec.slice(colon + 1).split(',');
  let rw = true;
  const options = ['nosuid', 'nodev', 'noexec'];
  for (const o of opts) {
    if (o === '') throw new UsageError(`${where}: empty option`);
    if (o === 'tmpcopyup' || o === 'notmpcopyup') continue; // podman's copy of image content: not done
    checkTmpfsOption(o, where);
    if (o === 'ro' || o === 'rw') rw = o === 'rw';
    else options.push(o);
  }
  return { type: 'tmpfs', source: 'tmpfs', destination: destination(dest, where), rw, options };
}

/** --volumes-from CONTAINER[:ro|rw] (z is accepted: no SELinux here). */
export function parseVolumesFrom(spec: string): VolumesFrom {
  const [container, mode, ...rest] = spec.split(':');
  const where = `invalid --volumes-from "${spec}"`;
  if (!container || rest.length) throw new UsageError(`${where}: expected CONTAINER[:ro|rw]`);
  let rw: boolean | undefined;
  for (const o of mode === undefined ? [] : mode.split(',')) {
    if (o === 'ro' || o === 'rw') rw = o === 'rw';
    else if (o !== 'z' && o !== 'Z') throw new UsageError(`${where}: unknown option "${o}" (use ro or rw)`);
  }
  return { container, rw };
}

/**
 * --mount type=ramfs|devpts,destination=..[,ro][,mode=..][,uid=,gid=]
 * (podman's): a new filesystem of that type, with no source. The record
 * keeps it as a tmpfs-like mount whose source names the type.
 */
function pseudoFsMount(type: 'ramfs' | 'devpts', kv: Array<[string, string | undefined]>, where: string): MountRequest {
  let dest: string | undefined;
  let rw = true;
  const options = type === 'devpts' ? ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666'] : ['nosuid', 'nodev'];
  for (const [key, v] of kv) {
    if (key === 'type') continue;
    if (key === 'destination' || key === 'dst' || key === 'target') dest = v;
    else if (key === 'ro' || key === 'readonly') rw = !boolValue(v, where, key);
    else if (key === 'rw') rw = boolValue(v, where, key);
    else if (key === 'mode' && v !== undefined && /^[0-7]{1,4}$/.test(v)) options.push(`mode=${v}`);
    else if ((key === 'uid' || key === 'gid') && type === 'devpts' && v !== undefined && /^\d+$/.test(v)) options.push(`${key}=${v}`);
    else if (key === 'max' && type === 'devpts' && v !== undefined && /^\d+$/.test(v)) options.push(`max=${v}`);
    else throw new UsageError(`${where}: "${key}" does not apply to type=${type}`);
  }
  if (dest === undefined || dest === '') throw new UsageError(`${where}: destination (dst, target) is required`);
  return { type: 'tmpfs', source: type, destination: destination(dest, where), rw, options };
}

/**
 * --mount type=glob,source=/dir/*.conf,destination=/etc/app (podman's):
 * one bind mount per host file the pattern matches, each under the
 * destination by its name. Only the last part of the path may have wildcards.
 */
export function parseGlobMount(spec: string): MountRequest[] {
  const where = `invalid --mount "${spec}"`;
  const kv = spec.split(',').map((f) => splitKeyValue(f.trim()));
  const source = kv.find(([k]) => k === 'source' || k === 'src')?.[1];
  if (!source) throw new UsageError(`${where}: type=glob needs source=PATTERN`);
  const dir = path.dirname(path.resolve(source));
  if (/[*?[]/.test(dir)) throw new UsageError(`${where}: only the last part of the source may have wildcards`);
  const pattern = new RegExp(`^${path.basename(source).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const rest = kv.filter(([k]) => k !== 'type' && k !== 'source' && k !== 'src').map(([k, v]) => (v === undefined ? k : `${k}=${v}`));
  const dst = kv.find(([k]) => k === 'destination' || k === 'dst' || k === 'target')?.[1];
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => pattern.test(n) && !n.startsWith('.')).sort();
  } catch {
    throw new UsageError(`${where}: cannot read ${dir}`);
  }
  if (names.length === 0) throw new UsageError(`${where}: no file matches ${source}`);
  return names.map((n) => parseMountFlag(['type=bind', `source=${path.join(dir, n)}`, ...rest.filter((r) => !/^(destination|dst|target)=/.test(r)), `destination=${path.posix.join(dst ?? dir, n)}`].join(',')));
}

const isGlobMount = (spec: string) => spec.split(',').some((f) => f.trim() === 'type=glob');

/** The mount flags of run and create as CreateOptions fields (none when no flag was given). */
export function mountOptions(a: { volume?: string[]; mount?: string[]; tmpfs?: string[]; volumesFrom?: string[] }): { mounts?: MountRequest[]; volumesFrom?: VolumesFrom[] } {
  const mountFlags = (a.mount ?? []).flatMap((m) => (isGlobMount(m) ? parseGlobMount(m) : [parseMountFlag(m)]));
  const mounts = [...(a.volume ?? []).map(parseVolumeFlag), ...mountFlags, ...(a.tmpfs ?? []).map(parseTmpfsFlag)];
  const volumesFrom = (a.volumesFrom ?? []).map(parseVolumesFrom);
  return { ...(mounts.length ? { mounts } : {}), ...(volumesFrom.length ? { volumesFrom } : {}) };
}
