// The container's /etc/passwd and /etc/group when its user is not in the
// image's (--userns=keep-id, --user=UID, --passwd-entry, --group-entry,
// --hostuser), as podman adds them: the image's files plus the lines, kept
// in the bundle and bind-mounted over the image's.
import fs from 'node:fs';
import { UsageError } from '../core/errors.js';
import { parseGroup, parsePasswd, readLayeredFile } from './user.js';

export interface PasswdRequest {
  layerDirsTopFirst: string[];
  uid: number;
  gid: number;
  /** The user named by keep-id (the host user), else none: a numeric --user gets podman's "container user". */
  hostUser?: { name: string; home: string; shell: string };
  passwdEntry?: string;
  groupEntry?: string;
  /** --hostuser NAME|UID: lines of the host's /etc/passwd. */
  hostUsers?: string[];
  /** --passwd=false: add no line for the container's user. */
  addUser: boolean;
}

export interface EtcFiles {
  passwd?: string;
  group?: string;
}

/** The files' new contents, or nothing for a file that needs no line. */
export function etcUserFiles(r: PasswdRequest): EtcFiles {
  // The common case (root, no entries asked for) reads nothing: it is on the path of every run.
  const mayAddUser = r.passwdEntry !== undefined || (r.addUser && (r.hostUser !== undefined || r.uid !== 0)) || (r.hostUsers?.length ?? 0) > 0;
  const mayAddGroup = r.groupEntry !== undefined || (r.hostUser !== undefined && r.addUser);
  if (!mayAddUser && !mayAddGroup) return {};
  const passwdText = readLayeredFile(r.layerDirsTopFirst, 'etc/passwd') ?? '';
  const groupText = readLayeredFile(r.layerDirsTopFirst, 'etc/group') ?? '';
  const users = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  const name = r.hostUser?.name ?? String(r.uid);
  const vars: Record<string, string> = {
    USERNAME: name,
    UID: String(r.uid),
    GID: String(r.gid),
    NAME: r.hostUser ? name : 'container user',
    HOME: r.hostUser?.home ?? '/',
    GROUPNAME: r.hostUser?.name ?? String(r.gid),
  };
  const passwdLines: string[] = [];
  const groupLines: string[] = [];
  const userKnown = users.some((u) => u.uid === r.uid);
  if (r.passwdEntry !== undefined) {
    if (!userKnown) passwdLines.push(expand(r.passwdEntry, vars, '--passwd-entry'));
  } else if (r.addUser && !userKnown && (r.hostUser || r.uid !== 0)) {
    passwdLines.push(`${name}:*:${r.uid}:${r.gid}:${vars.NAME}:${vars.HOME}:${r.hostUser?.shell ?? '/bin/sh'}`);
  }
  if (!groups.some((g) => g.gid === r.gid)) {
    if (r.groupEntry !== undefined) groupLines.push(expand(r.groupEntry, vars, '--group-entry'));
    else if (r.hostUser && r.addUser) groupLines.push(`${vars.GROUPNAME}:x:${r.gid}:${name}`);
  }
  for (const h of r.hostUsers ?? []) {
    const line = hostPasswdLine(h);
    const uid = Number(line.split(':')[2]);
    if (!users.some((u) => u.uid === uid || u.name === line.split(':')[0]) && !passwdLines.includes(line)) passwdLines.push(line);
  }
  return {
    ...(passwdLines.length ? { passwd: withLines(passwdText, passwdLines) } : {}),
    ...(groupLines.length ? { group: withLines(groupText, groupLines) } : {}),
  };
}

function withLines(text: string, lines: string[]): string {
  return (text === '' || text.endsWith('\n') ? text : `${text}\n`) + lines.map((l) => `${l}\n`).join('');
}

/** $UID, $USERNAME, ... as podman expands them in --passwd-entry and --group-entry. */
function expand(template: string, vars: Record<string, string>, flag: string): string {
  if (template.includes('\n')) throw new UsageError(`invalid ${flag}: one line only`);
  return template.replace(/\$([A-Z]+)/g, (all, v: string) => vars[v] ?? all);
}

/** The host's /etc/passwd line of --hostuser NAME or UID. */
function hostPasswdLine(who: string): string {
  const text = fs.readFileSync('/etc/passwd', 'utf8');
  const line = text.split('\n').find((l) => {
    const f = l.split(':');
    return f.length >= 7 && (f[0] === who || f[2] === who);
  });
  if (!line) throw new UsageError(`--hostuser ${who}: no such user on the host`);
  return line;
}

/** The host user of keep-id, as the host's /etc/passwd has it (a made-up one without an entry). */
export function hostUserOf(uid: number): { name: string; home: string; shell: string } {
  let text = '';
  try {
    text = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    // no passwd on the host: the made-up user below
  }
  const f = text.split('\n').map((l) => l.split(':')).find((x) => x.length >= 7 && x[2] === String(uid));
  return f ? { name: f[0]!, home: f[5]!, shell: f[6]! } : { name: String(uid), home: '/', shell: '/bin/sh' };
}
