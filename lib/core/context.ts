// Who runs husk and where its state lives. Built once in the CLI and passed
// down; nothing below reads process-wide settings on its own.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Native } from './native-api.js';
import type { IdMapping } from './oci-spec.js';
import { readSubids } from './subid.js';

export interface Paths {
  /** Images, layers, containers, volumes. */
  dataRoot: string;
  /** Locks, sockets, FIFOs: volatile state. */
  runRoot: string;
  /** Configuration. */
  configRoot: string;
}

export interface UserNamespace {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
  /** Maps written by newuidmap/newgidmap (a subordinate range is in use). */
  helpers: boolean;
  /** Set when there is no subordinate range: only the user's own id is mapped. */
  warning?: string;
}

export interface Context {
  uid: number;
  gid: number;
  user: string;
  rootless: boolean;
  paths: Paths;
  /** Storage driver forced by --storage-driver or HUSK_STORAGE_DRIVER. */
  storageDriver?: string;
  /** Where the cgroup hierarchies are mounted (/sys/fs/cgroup); unit tests give a directory of their own. */
  cgroupFs: string;
  /** The user namespace every rootless container and layer shares (undefined as root). */
  userns(): UserNamespace | undefined;
  /** The addon, loaded on first use (lib/native); unit tests give a recording fake. */
  native(): Native;
  /** Where progress and questions go: nothing below the CLI writes to the process's streams. */
  ui: UserInterface;
}

/** How the layers below the CLI reach the user. */
export interface UserInterface {
  /** A line of progress (a pull that run started, for one). */
  progress(line: string): void;
  /** Asks the user to choose one of `choices`; undefined when there is no one to ask (no terminal). */
  choose(question: string, choices: string[]): Promise<string | undefined>;
}

/** No one to tell or ask: progress is dropped, questions go unanswered. */
export const SILENT_UI: UserInterface = { progress: () => {}, choose: async () => undefined };

export interface ContextOptions {
  root?: string;
  runroot?: string;
  storageDriver?: string;
  cgroupFs?: string;
  env?: NodeJS.ProcessEnv;
  /** Required: core cannot load the addon, which sits above it. */
  native: () => Native;
  ui?: UserInterface;
}

const NEWUIDMAP = '/usr/bin/newuidmap';
const NEWGIDMAP = '/usr/bin/newgidmap';

export function defaultPaths(uid: number, env: NodeJS.ProcessEnv): Paths {
  if (uid === 0) return { dataRoot: '/var/lib/husk', runRoot: '/run/husk', configRoot: '/etc/husk' };
  const home = env.HOME ?? os.homedir();
  const data = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  const config = env.XDG_CONFIG_HOME || path.join(home, '.config');
  const runtime = env.XDG_RUNTIME_DIR && isOwnedDir(env.XDG_RUNTIME_DIR, uid) ? env.XDG_RUNTIME_DIR : undefined;
  return {
    dataRoot: path.join(data, 'husk'),
    runRoot: runtime ? path.join(runtime, 'husk') : `/tmp/husk-${uid}`,
    configRoot: path.join(config, 'husk'),
  };
}

function isOwnedDir(dir: string, uid: number): boolean {
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() && st.uid === uid;
  } catch {
    return false;
  }
}

/** Container root is the user; ids 1..N come from the first subordinate range. */
export function rootlessUserns(user: string, uid: number, gid: number): UserNamespace {
  const subuids = readSubids('/etc/subuid', user, uid);
  const subgids = readSubids('/etc/subgid', user, uid);
  const haveHelpers = fs.existsSync(NEWUIDMAP) && fs.existsSync(NEWGIDMAP);
  const [su] = subuids;
  const [sg] = subgids;
  if (su && sg && haveHelpers) {
    return {
      uidMappings: [{ containerID: 0, hostID: uid, size: 1 }, { containerID: 1, hostID: su.start, size: su.count }],
      gidMappings: [{ containerID: 0, hostID: gid, size: 1 }, { containerID: 1, hostID: sg.start, size: sg.count }],
      helpers: true,
    };
  }
  const why = !haveHelpers ? 'newuidmap/newgidmap are not installed' : `no subordinate id range for ${user} in /etc/subuid and /etc/subgid`;
  return {
    uidMappings: [{ containerID: 0, hostID: uid, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: gid, size: 1 }],
    helpers: false,
    warning: `${why}: only your own user id is mapped into containers (files owned by other ids are given to root)`,
  };
}

export function buildContext(opts: ContextOptions): Context {
  const env = opts.env ?? process.env;
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const user = uid === 0 ? 'root' : safeUserName(uid);
  const defaults = defaultPaths(uid, env);
  const paths: Paths = {
    dataRoot: path.resolve(opts.root ?? defaults.dataRoot),
    runRoot: path.resolve(opts.runroot ?? defaults.runRoot),
    configRoot: defaults.configRoot,
  };
  let userns: UserNamespace | undefined;
  const rootless = uid !== 0;
  return {
    uid,
    gid,
    user,
    rootless,
    paths,
    storageDriver: opts.storageDriver ?? (env.HUSK_STORAGE_DRIVER || undefined),
    cgroupFs: opts.cgroupFs ?? '/sys/fs/cgroup',
    userns: () => {
      if (!rootless) return undefined;
      userns ??= rootlessUserns(user, uid, gid);
      return userns;
    },
    native: opts.native,
    ui: opts.ui ?? SILENT_UI,
  };
}

function safeUserName(uid: number): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(uid);
  }
}
