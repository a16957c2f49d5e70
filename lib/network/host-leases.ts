// As root the bridges are the host's, shared by every husk store on it (one
// per --root): an address handed out by one store must not be handed out by
// another on the same bridge. Each bridge has a lease table in /run (gone at
// reboot, with the bridges), whose entries live exactly as long as the
// process that holds them: a container's init.
import fs from 'node:fs';
import path from 'node:path';
import { procStartTime } from '../runtime/container-store.js';
import { mkdirPrivate, writeJsonAtomic } from '../storage/atomic.js';
import { withLockSync } from '../storage/lock.js';

export const HOST_LEASES_DIR = '/run/husk/ipam';

interface Lease {
  pid: number;
  start: string;
}

type Table = Record<string, Lease>;

function tableFile(bridge: string) {
  return path.join(HOST_LEASES_DIR, `${bridge}.json`);
}

function liveEntries(table: Table): Table {
  return Object.fromEntries(Object.entries(table).filter(([, l]) => procStartTime(l.pid) === l.start));
}

function read(bridge: string): Table {
  try {
    return liveEntries(JSON.parse(fs.readFileSync(tableFile(bridge), 'utf8')) as Table);
  } catch {
    return {};
  }
}

/**
 * Runs `choose` with the addresses other live processes hold on `bridge`,
 * then records the chosen one as held by `pid`, all under the bridge's lock.
 */
export function leaseOnBridge<T extends { ip: string }>(bridge: string, pid: number, choose: (taken: Set<string>) => T): T {
  mkdirPrivate(HOST_LEASES_DIR);
  return withLockSync(path.join(HOST_LEASES_DIR, `${bridge}.lock`), () => {
    const table = read(bridge);
    const mine = new Set(Object.entries(table).filter(([, l]) => l.pid === pid).map(([ip]) => ip));
    const taken = new Set(Object.keys(table).filter((ip) => !mine.has(ip)));
    const chosen = choose(taken);
    const start = procStartTime(pid);
    if (start) writeJsonAtomic(tableFile(bridge), { ...table, [chosen.ip]: { pid, start } }, 0o600, false);
    return chosen;
  });
}
