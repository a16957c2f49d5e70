// USER resolution against the image's own /etc/passwd and /etc/group, as
// docker does it: "name", "uid", "name:group", "uid:gid"; supplementary
// groups are the groups that list the user.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

/** Reads a file of the image through its layers (topmost first), honouring whiteouts. */
export function readLayeredFile(layerDirsTopFirst: string[], file: string): string | undefined {
  for (const dir of layerDirsTopFirst) {
    const p = path.join(dir, file);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      continue;
    }
    if (st.isCharacterDevice() && st.rdev === 0) return undefined; // whiteout
    if (!st.isFile()) return undefined;
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  }
  return undefined;
}

interface PasswdEntry { name: string; uid: number; gid: number; home: string }
interface GroupEntry { name: string; gid: number; members: string[] }

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return [];
    return [{ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }];
  });
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  return (text ?? '').split('\n').flatMap((line) => {
    const f = line.split(':');
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) return [];
    return [{ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }];
  });
}

export function resolveUser(spec: string, layerDirsTopFirst: string[]): ResolvedUser {
  const [userPart = '', groupPart] = spec.split(':', 2);
  const passwd = parsePasswd(readLayeredFile(layerDirsTopFirst, 'etc/passwd'));
  const groups = parseGroup(readLayeredFile(layerDirsTopFirst, 'etc/group'));
  if (userPart === '') throw new UsageError(`invalid user "${spec}": expected USER[:GROUP]`);
  let entry: PasswdEntry | undefined;
  let uid: number;
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw new UsageError(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
  }
  let gid = entry?.gid ?? 0;
  if (groupPart !== undefined) {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw new UsageError(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  const additionalGids = entry && groupPart === undefined
    ? groups.filter((g) => g.members.includes(entry!.name) && g.gid !== gid).map((g) => g.gid)
    : [];
  return { uid, gid, additionalGids, home: entry?.home || '/' };
}

/** --group-add: GIDs as given, names looked up in the image's /etc/group. */
export function resolveGroups(groups: string[], layerDirsTopFirst: string[]): number[] {
  if (groups.length === 0) return [];
  const known = parseGroup(readLayeredFile(layerDirsTopFirst, 'etc/group'));
  return groups.map((g) => {
    if (/^\d+$/.test(g)) return Number(g);
    if (g === 'keep-groups') throw new UsageError('--group-add keep-groups is not supported: husk does not pass the user\'s host groups on');
    const found = known.find((x) => x.name === g);
    if (!found) throw new UsageError(`--group-add ${g}: unable to find group ${g}: no matching entries in group file`);
    return found.gid;
  });
}
