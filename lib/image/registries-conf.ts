// containers-registries.conf(5), the file podman users already have:
// unqualified-search-registries, [[registry]] entries (prefix, location,
// insecure, blocked, [[registry.mirror]]) and [aliases]; the user's file replaces the system one,
// drop-ins in registries.conf.d add to it.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { UsageError } from '../core/errors.js';

export interface RegistryEntry {
  prefix: string;
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrors: Mirror[];
}

export interface Mirror {
  location: string;
  insecure: boolean;
  /** Which pulls use the mirror: all, only by digest, only by tag. */
  pullFromMirror: 'all' | 'digest-only' | 'tag-only';
}

export interface RegistriesConf {
  unqualifiedSearchRegistries: string[];
  registries: RegistryEntry[];
  aliases: Record<string, string>;
}

export function registriesConfFiles(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): string[] {
  if (env.CONTAINERS_REGISTRIES_CONF) return [env.CONTAINERS_REGISTRIES_CONF];
  const home = env.HOME ?? '/';
  const user = path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'containers', 'registries.conf');
  const main = uid !== 0 && fs.existsSync(user) ? user : '/etc/containers/registries.conf';
  const dropIns = (dir: string) => {
    try {
      return fs.readdirSync(dir).filter((f) => f.endsWith('.conf')).sort().map((f) => path.join(dir, f));
    } catch {
      return [];
    }
  };
  const userDropIns = uid !== 0 ? dropIns(path.join(path.dirname(user), 'registries.conf.d')) : [];
  return [main, ...dropIns('/etc/containers/registries.conf.d'), ...userDropIns];
}

export function parseRegistriesConf(text: string, file: string, into: RegistriesConf): void {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const search = doc['unqualified-search-registries'];
  if (Array.isArray(search)) into.unqualifiedSearchRegistries = search.map(String);
  const regs = doc.registry;
  if (Array.isArray(regs)) {
    for (const r of regs as Array<Record<string, unknown>>) {
      const location = tomlString(r.location, file, 'location') ?? tomlString(r.prefix, file, 'prefix') ?? '';
      const prefix = tomlString(r.prefix, file, 'prefix') ?? location;
      if (!prefix) continue;
      into.registries = into.registries.filter((e) => e.prefix !== prefix);
      into.registries.push({ prefix, location, insecure: r.insecure === true, blocked: r.blocked === true, mirrors: parseMirrors(r.mirror, file) });
    }
  }
  const aliases = doc.aliases;
  if (aliases && typeof aliases === 'object') Object.assign(into.aliases, aliases as Record<string, string>);
}

/** A [[registry]] key that must be a string: a number or table there is an error (podman's TOML decoding rejects it too), not "[object Object]". */
function tomlString(value: unknown, file: string, key: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new UsageError(`${file}: [[registry]] ${key} must be a string`);
}

function parseMirrors(value: unknown, file: string): Mirror[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new UsageError(`${file}: [[registry.mirror]] must be a list of tables`);
  return (value as Array<Record<string, unknown>>).map((m) => {
    const location = typeof m.location === 'string' ? m.location : '';
    if (!location) throw new UsageError(`${file}: a [[registry.mirror]] without a location`);
    const policy = m['pull-from-mirror'] ?? 'all';
    if (policy !== 'all' && policy !== 'digest-only' && policy !== 'tag-only') {
      throw new UsageError(`${file}: pull-from-mirror = ${JSON.stringify(policy)}: use all, digest-only or tag-only`);
    }
    return { location, insecure: m.insecure === true, pullFromMirror: policy };
  });
}

export function loadRegistriesConf(files: string[] = registriesConfFiles()): RegistriesConf {
  const conf: RegistriesConf = { unqualifiedSearchRegistries: [], registries: [], aliases: {} };
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    parseRegistriesConf(text, file, conf);
  }
  return conf;
}

/** The [[registry]] entry with the longest prefix that covers `name` (host[/path]). */
export function registryEntryFor(conf: RegistriesConf, name: string): RegistryEntry | undefined {
  return conf.registries
    .filter((e) => name === e.prefix || name.startsWith(`${e.prefix}/`) || name.startsWith(`${e.prefix}:`))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0];
}
