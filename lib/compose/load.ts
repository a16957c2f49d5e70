// loadProject(): a compose project from its files, as docker compose loads
// one. Files found (files.ts) are read, interpolated and validated one by
// one; each one's `include`s are loaded as projects of their own (paths
// relative to the including file) and its `extends` resolved (the same file
// or another, paths of another file relative to it); then the files are
// merged in order (merge.ts), relative paths resolved against the project
// directory, profiles applied, and the result normalised into the model
// (normalize.ts).
import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError, UsageError } from '../core/errors.js';
import { parseDotenv } from './dotenv.js';
import { displayName, findComposeFiles, hostPath, normalizeProjectName, readComposeFile, type ReadOptions } from './files.js';
import type { Lookup } from './interpolate.js';
import { canonicalService, isDict, mergeFiles, mergeValue, type Dict } from './merge.js';
import type { Project } from './model.js';
import { normalizeProject } from './normalize.js';

export interface LoadOptions {
  /** The directory the command runs in: where default files are looked for, what -f and --env-file are relative to. */
  workingDir: string;
  /** -f files, in order; `-` is `stdinText`. */
  files?: string[];
  stdinText?: string;
  /** -p */
  projectName?: string;
  /** --env-file files, in order (later ones win); instead of the project directory's `.env`. */
  envFiles?: string[];
  /** --profile */
  profiles?: string[];
  /** The process environment. */
  env: Record<string, string | undefined>;
}

export function loadProject(opts: LoadOptions): Project {
  const warnings: string[] = [];
  const cwd = path.resolve(opts.workingDir);
  let files: string[];
  if (opts.files && opts.files.length > 0) {
    files = opts.files.map((f) => (f === '-' ? '-' : path.resolve(cwd, f)));
  } else if (opts.env.COMPOSE_FILE) {
    files = opts.env.COMPOSE_FILE.split(opts.env.COMPOSE_PATH_SEPARATOR ?? ':')
      .filter(Boolean)
      .map((f) => path.resolve(cwd, f));
  } else {
    const found = findComposeFiles(cwd, warnings);
    if (!found) throw new NotFoundError(`no configuration file provided: none of ${[...DEFAULT_NAMES].join(', ')} in ${cwd} or its parents`);
    files = found;
  }
  const first = files.find((f) => f !== '-');
  const projectDir = files[0] === '-' || !first ? cwd : path.dirname(first);

  const dotenv = readEnvFiles(opts.envFiles?.map((f) => path.resolve(cwd, f)) ?? [path.join(projectDir, '.env')], opts.envFiles !== undefined, opts.env, cwd);
  const lookup: Lookup = (n) => opts.env[n] ?? dotenv[n];
  const unset = new Set<string>();
  const read: ReadOptions = { cwd, lookup, unset, stdinText: opts.stdinText };

  let doc: Dict = {};
  for (const file of files) doc = mergeFiles(doc, loadFile(file, file === '-' ? cwd : path.dirname(file), read, opts.env, []));
  doc = absolutize(doc, projectDir, opts.env.HOME);

  for (const name of [...unset].sort()) warnings.push(`The "${name}" variable is not set. Defaulting to a blank string.`);

  // A name given (-p, COMPOSE_PROJECT_NAME, name:) must be valid as it is; the directory's is made valid.
  const given = opts.projectName ?? lookup('COMPOSE_PROJECT_NAME') ?? (typeof doc.name === 'string' && doc.name ? doc.name : undefined);
  if (given !== undefined && !/^[a-z0-9][a-z0-9_-]*$/.test(given)) {
    throw new UsageError(`invalid project name "${given}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`);
  }
  const name = given ?? normalizeProjectName(path.basename(projectDir));
  if (!name) throw new UsageError(`project name "${path.basename(projectDir)}" (the directory's) has no usable character: give one of lowercase letters, digits, '-' and '_' with -p`);

  const profiles = new Set([...(opts.profiles ?? []), ...(lookup('COMPOSE_PROFILES') ?? '').split(',')].map((p) => p.trim()).filter(Boolean));
  const services = isDict(doc.services) ? (doc.services as Record<string, Dict>) : {};
  const active = activeServices(services, profiles);
  return normalizeProject(doc, { name, workingDir: projectDir, files, active, lookup, warnings, home: opts.env.HOME });
}

const DEFAULT_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

/** --env-file files (each must exist) or the project's `.env` (may be absent), later files winning. */
function readEnvFiles(files: string[], required: boolean, env: Record<string, string | undefined>, cwd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new UsageError(`${displayName(file, cwd)}: cannot read the env file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    Object.assign(out, parseDotenv(text, displayName(file, cwd), (n) => env[n] ?? out[n]));
  }
  return out;
}

/** One file with its includes merged in and its services' extends resolved, services canonical. */
function loadFile(file: string, dir: string, read: ReadOptions, env: Record<string, string | undefined>, stack: string[]): Dict {
  const name = displayName(file, read.cwd);
  if (stack.includes(file)) throw new UsageError(`${name}: include cycle: ${[...stack, file].map((f) => displayName(f, read.cwd)).join(' -> ')}`);
  const raw = readComposeFile(file, read);
  const doc: Dict = { ...raw };
  const services: Dict = {};
  const rawServices = isDict(raw.services) ? raw.services : {};
  for (const svc of Object.keys(rawServices)) services[svc] = resolveExtends(rawServices, svc, file, dir, read, env, []);
  if (isDict(raw.services)) doc.services = services;
  if (Array.isArray(raw.include)) {
    for (const [i, entry] of raw.include.entries()) {
      const included = loadInclude(entry, file, dir, read, env, [...stack, file]);
      for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs']) {
        const theirs = included[section];
        if (!isDict(theirs)) continue;
        const ours: Dict = isDict(doc[section]) ? { ...(doc[section] as Dict) } : {};
        for (const [key, value] of Object.entries(theirs)) {
          if (key in ours && JSON.stringify(ours[key]) !== JSON.stringify(value)) throw new UsageError(`${name}: include[${i}]: ${section}.${key} is defined both here and in the included project`);
          ours[key] = value;
        }
        doc[section] = ours;
      }
    }
    delete doc.include;
  }
  return doc;
}

/** An `include` entry: its files loaded as a project of their own (own directory, own env files), paths made absolute. */
function loadInclude(entry: unknown, file: string, dir: string, read: ReadOptions, env: Record<string, string | undefined>, stack: string[]): Dict {
  const spec: Dict = typeof entry === 'string' ? { path: entry } : (entry as Dict);
  const paths = (Array.isArray(spec.path) ? spec.path : [spec.path]).map((p) => path.resolve(dir, String(p)));
  const projectDir = typeof spec.project_directory === 'string' ? path.resolve(dir, spec.project_directory) : path.dirname(paths[0]!);
  const envFiles = spec.env_file === undefined ? undefined : (Array.isArray(spec.env_file) ? spec.env_file : [spec.env_file]).map((p) => path.resolve(dir, String(p)));
  const dotenv = readEnvFiles(envFiles ?? [path.join(projectDir, '.env')], envFiles !== undefined, env, read.cwd);
  const sub: ReadOptions = { ...read, lookup: (n) => env[n] ?? dotenv[n] };
  let doc: Dict = {};
  for (const p of paths) doc = mergeFiles(doc, loadFile(p, path.dirname(p), sub, env, stack));
  void file;
  return absolutize(doc, projectDir, env.HOME);
}

/** A service with its `extends` chain merged under it (canonical). */
function resolveExtends(services: Dict, name: string, file: string, dir: string, read: ReadOptions, env: Record<string, string | undefined>, chain: string[]): Dict {
  const svc = services[name];
  const where = `${displayName(file, read.cwd)}: services.${name}`;
  if (!isDict(svc)) return canonicalService({});
  const ext = svc.extends;
  if (ext === undefined) return canonicalService(svc);
  const { service: baseName, file: baseFile } = typeof ext === 'string' ? { service: ext, file: undefined } : (ext as { service: string; file?: string });
  const key = `${file}#${name}`;
  if (chain.includes(key)) throw new UsageError(`${where}.extends: circular reference to service "${baseName}"`);
  let base: Dict;
  if (baseFile !== undefined) {
    const other = path.resolve(dir, baseFile);
    const doc = readComposeFile(other, read);
    const theirs = isDict(doc.services) ? doc.services : {};
    if (!isDict(theirs[baseName])) throw new UsageError(`${where}.extends: no service "${baseName}" in ${displayName(other, read.cwd)}`);
    base = absolutizeService(resolveExtends(theirs, baseName, other, path.dirname(other), read, env, [...chain, key]), path.dirname(other), env.HOME);
  } else {
    if (!isDict(services[baseName])) throw new UsageError(`${where}.extends: no service "${baseName}" in ${displayName(file, read.cwd)}`);
    base = resolveExtends(services, baseName, file, dir, read, env, [...chain, key]);
  }
  const own: Dict = { ...svc };
  delete own.extends;
  return mergeValue(base, canonicalService(own)) as Dict;
}

/** Services left out by profiles: those with `profiles:` none of which is active, unless an active service depends on them. */
function activeServices(services: Record<string, Dict>, profiles: Set<string>): Set<string> {
  const active = new Set<string>();
  const all = profiles.has('*');
  for (const [name, svc] of Object.entries(services)) {
    const own = Array.isArray(svc.profiles) ? svc.profiles.map(String) : [];
    if (own.length === 0 || all || own.some((p) => profiles.has(p))) active.add(name);
  }
  const queue = [...active];
  while (queue.length > 0) {
    const deps = services[queue.pop()!]?.depends_on;
    for (const dep of isDict(deps) ? Object.keys(deps) : []) {
      if (!active.has(dep) && dep in services) {
        active.add(dep);
        queue.push(dep);
      }
    }
  }
  return active;
}

const isUrl = (s: string) => /^(https?:\/\/|git@|git:\/\/|ssh:\/\/|github\.com\/)/.test(s) || /\.git(#.*)?$/.test(s);

/** Relative host paths of a whole (merged) file made absolute against `dir`. */
function absolutize(doc: Dict, dir: string, home: string | undefined): Dict {
  const out: Dict = { ...doc };
  if (isDict(doc.services)) out.services = Object.fromEntries(Object.entries(doc.services).map(([n, s]) => [n, isDict(s) ? absolutizeService(s, dir, home) : s]));
  for (const section of ['secrets', 'configs']) {
    if (!isDict(doc[section])) continue;
    out[section] = Object.fromEntries(Object.entries(doc[section] as Dict).map(([n, s]) => [n, isDict(s) && typeof s.file === 'string' ? { ...s, file: hostPath(s.file, dir, home) } : s]));
  }
  return out;
}

function absolutizeService(svc: Dict, dir: string, home: string | undefined): Dict {
  const out: Dict = { ...svc };
  if (isDict(svc.build) && typeof svc.build.context === 'string' && !isUrl(svc.build.context)) out.build = { ...svc.build, context: hostPath(svc.build.context, dir, home) };
  if (isDict(svc.build) && svc.build.context === undefined) out.build = { ...svc.build, context: dir };
  if (Array.isArray(svc.env_file)) out.env_file = (svc.env_file as unknown[]).map((e: unknown) => (typeof e === 'string' ? hostPath(e, dir, home) : isDict(e) && typeof e.path === 'string' ? { ...e, path: hostPath(e.path, dir, home) } : e));
  if (Array.isArray(svc.volumes)) {
    out.volumes = (svc.volumes as unknown[]).map((v: unknown) => {
      if (typeof v === 'string') {
        const i = v.indexOf(':');
        const src = i < 0 ? '' : v.slice(0, i);
        return /^(\.|~)/.test(src) ? hostPath(src, dir, home) + v.slice(i) : v;
      }
      if (isDict(v) && v.type === 'bind' && typeof v.source === 'string') return { ...v, source: hostPath(v.source, dir, home) };
      return v;
    });
  }
  return out;
}
