// husk-generator: the systemd generator that turns Quadlet files into
// services (lib/systemd/quadlet.ts), and `system install-generator`, which
// puts it where systemd looks. systemd runs generators early, before
// anything is mounted but /usr and /etc: this reads the Quadlet
// directories, writes the services into the directory systemd gives, and
// touches no store.
import fs from 'node:fs';
import path from 'node:path';
import { HuskError } from '../core/errors.js';
import { packageRoot } from '../native/binding.js';
import { convertQuadlets, kindOf, type QuadletResult, type QuadletSource } from '../systemd/quadlet.js';
import { huskExecutable } from './systemd.js';

export type { QuadletResult };

/**
 * Where Quadlet files are read, first found wins (podman's order):
 * QUADLET_UNIT_DIRS (colon-separated) replaces them all; as root
 * /run/containers/systemd, /etc/containers/systemd,
 * /usr/share/containers/systemd; for a user $XDG_RUNTIME_DIR/containers/systemd,
 * $XDG_CONFIG_HOME/containers/systemd (~/.config), then
 * /etc/containers/systemd/users/$UID and /etc/containers/systemd/users.
 */
export function quadletDirs(user: boolean, env: NodeJS.ProcessEnv, uid: number): string[] {
  if (env.QUADLET_UNIT_DIRS) return env.QUADLET_UNIT_DIRS.split(':').filter((d) => path.isAbsolute(d));
  if (!user) return ['/run/containers/systemd', '/etc/containers/systemd', '/usr/share/containers/systemd'];
  const home = env.HOME ?? '/';
  return [
    ...(env.XDG_RUNTIME_DIR ? [path.join(env.XDG_RUNTIME_DIR, 'containers', 'systemd')] : []),
    path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'systemd'),
    `/etc/containers/systemd/users/${uid}`,
    '/etc/containers/systemd/users',
  ];
}

/** The Quadlet files of these directories (a name seen once is not read again), with their drop-ins. */
export function readQuadlets(dirs: string[]): QuadletSource[] {
  const seen = new Set<string>();
  const sources: QuadletSource[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      continue; // not there: nothing of the user's
    }
    for (const name of names) {
      if (seen.has(name) || !kindOf(name)) continue;
      const file = path.join(dir, name);
      if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
      seen.add(name);
      sources.push({ filename: name, path: file, text: fs.readFileSync(file, 'utf8'), dropins: dropins(dirs, name) });
    }
  }
  return sources;
}

/** NAME.d/*.conf in every directory, a name once (the first found), applied in name order. */
function dropins(dirs: string[], name: string): Array<{ path: string; text: string }> {
  const found = new Map<string, string>();
  for (const dir of dirs) {
    const d = path.join(dir, `${name}.d`);
    let entries: string[] = [];
    try {
      entries = fs.readdirSync(d);
    } catch {
      continue;
    }
    for (const e of entries) if (e.endsWith('.conf') && !found.has(e)) found.set(e, path.join(d, e));
  }
  return [...found.keys()].sort().map((k) => ({ path: found.get(k)!, text: fs.readFileSync(found.get(k)!, 'utf8') }));
}

export interface GeneratorRun {
  /** A user's generator (systemd --user). */
  user: boolean;
  /** Where the services go (systemd's "normal" directory); undefined with dryRun. */
  outputDir?: string;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  uid: number;
  /** The generator's name, for the files' first comment. */
  generator: string;
}

/** Converts the Quadlet files and writes the services and their links; returns what happened (the CLI logs it). */
export function runGenerator(run: GeneratorRun): QuadletResult & { written: string[] } {
  const sources = readQuadlets(quadletDirs(run.user, run.env, run.uid));
  const result = convertQuadlets(sources, { user: run.user, executable: huskExecutable(), generator: run.generator });
  const written: string[] = [];
  if (run.dryRun || !run.outputDir) return { ...result, written };
  fs.mkdirSync(run.outputDir, { recursive: true });
  for (const s of result.services) {
    const file = path.join(run.outputDir, s.filename);
    fs.writeFileSync(file, s.text, { mode: 0o644 });
    written.push(file);
    for (const link of s.links) {
      const at = path.join(run.outputDir, link);
      fs.mkdirSync(path.dirname(at), { recursive: true });
      fs.rmSync(at, { force: true });
      fs.symlinkSync(path.relative(path.dirname(at), file), at);
    }
  }
  return { ...result, written };
}

/** Where systemd looks for generators (system and user), under `prefix` (default /usr/lib/systemd). */
export function generatorLinks(prefix = '/usr/lib/systemd'): Array<{ link: string; target: string }> {
  const target = path.join(packageRoot(), 'bin', 'husk-generator');
  return [
    { link: path.join(prefix, 'system-generators', 'husk-generator'), target },
    // The user manager's: the name says "user" (podman's rule), which makes it read the user's directories.
    { link: path.join(prefix, 'user-generators', 'husk-user-generator'), target },
  ];
}

/** `system install-generator`: the two links (replaced if they exist). */
export function installGenerator(rootless: boolean, prefix?: string): string[] {
  const links = generatorLinks(prefix);
  if (rootless && prefix === undefined) throw new HuskError('installing the systemd generator writes to /usr/lib/systemd: run it as root (or give --prefix for a directory of yours)');
  for (const { link, target } of links) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
  return links.map((l) => `${l.link} -> ${l.target}`);
}
