// Several compose files (and `extends`) merged by the Compose
// Specification's rules, as compose-go's override package applies them:
// mappings merge key by key, a later scalar wins, sequences are appended and
// then made unique by what identifies an entry (a volume by its target, a
// secret by its target, a port by its whole mapping, a capability by its
// name; the later entry takes the earlier one's place), and `command`,
// `entrypoint` and `healthcheck.test` are replaced whole. The forms that can
// be written as a list or a map (environment, labels, depends_on, networks,
// ...) are made maps first, so `FOO=1` in one file and `FOO: 2` in the next
// meet as one key.

export type Dict = Record<string, unknown>;

export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A list_or_dict as a map: "KEY=VALUE" -> KEY: VALUE, a bare "KEY" -> null. */
export function listOrDict(v: unknown, sep = '='): Dict {
  if (isDict(v)) return { ...v };
  const out: Dict = {};
  if (!Array.isArray(v)) return out;
  for (const item of v) {
    const s = String(item);
    const i = s.indexOf(sep);
    if (i < 0) out[s] = null;
    else out[s.slice(0, i)] = s.slice(i + 1);
  }
  return out;
}

const MAP_FORMS = ['environment', 'labels', 'annotations', 'sysctls'];

/** A raw service with its list-or-map fields made maps, so that files merge field by field. */
export function canonicalService(svc: Dict): Dict {
  const out: Dict = { ...svc };
  for (const k of MAP_FORMS) if (k in out && out[k] != null) out[k] = listOrDict(out[k]);
  if (typeof out.build === 'string') out.build = { context: out.build };
  if (isDict(out.build)) {
    const b: Dict = { ...out.build };
    for (const k of ['args', 'labels']) if (b[k] != null) b[k] = listOrDict(b[k]);
    out.build = b;
  }
  if (isDict(out.deploy) && out.deploy.labels != null) out.deploy = { ...out.deploy, labels: listOrDict(out.deploy.labels) };
  if (Array.isArray(out.depends_on)) out.depends_on = Object.fromEntries(out.depends_on.map((n) => [String(n), { condition: 'service_started', required: true }]));
  if (Array.isArray(out.networks)) out.networks = Object.fromEntries(out.networks.map((n) => [String(n), null]));
  if (isDict(out.extra_hosts)) {
    out.extra_hosts = Object.entries(out.extra_hosts).flatMap(([h, ip]) => (Array.isArray(ip) ? ip : [ip]).map((a) => `${h}=${String(a)}`));
  }
  if (typeof out.env_file === 'string') out.env_file = [out.env_file];
  for (const k of ['dns', 'dns_search', 'tmpfs']) if (typeof out[k] === 'string') out[k] = [out[k]];
  return out;
}

const REPLACED = new Set(['command', 'entrypoint', 'healthcheck.test']);

/** What makes two entries of a sequence the same entry, by the sequence's path (service fields without the "services.<name>." prefix). */
function indexer(path: string): (v: unknown) => string {
  switch (path) {
    case 'volumes':
      return (v) => (typeof v === 'string' ? shortVolumeTarget(v) : isDict(v) ? String(v.target) : JSON.stringify(v));
    case 'secrets':
    case 'configs':
      return (v) => (typeof v === 'string' ? v : isDict(v) ? String(v.target ?? v.source) : JSON.stringify(v));
    case 'devices':
      return (v) => (typeof v === 'string' ? (v.split(':')[1] ?? v) : JSON.stringify(v));
    case 'env_file':
      return (v) => (typeof v === 'string' ? v : isDict(v) ? String(v.path) : JSON.stringify(v));
    default:
      return (v) => (typeof v === 'string' ? v : JSON.stringify(v));
  }
}

/** The container path of a short-syntax volume ("src:/target:ro", "/target"). */
export function shortVolumeTarget(spec: string): string {
  const parts = spec.split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
}

function unique(seq: unknown[], key: (v: unknown) => string): unknown[] {
  const at = new Map<string, number>();
  const out: unknown[] = [];
  for (const v of seq) {
    const k = key(v);
    const i = at.get(k);
    if (i === undefined) {
      at.set(k, out.length);
      out.push(v);
    } else out[i] = v;
  }
  return out;
}

/** `over` merged onto `base` by the rules above; `path` is the field's path inside a service ("" for the service itself). */
export function mergeValue(base: unknown, over: unknown, path = ''): unknown {
  if (over === undefined) return base;
  if (REPLACED.has(path)) return over;
  if (Array.isArray(base) && Array.isArray(over)) return unique([...(base as unknown[]), ...(over as unknown[])], indexer(path));
  if (isDict(base) && isDict(over)) {
    if (path === 'logging' && over.driver !== undefined && base.driver !== undefined && over.driver !== base.driver) return over;
    if (path.startsWith('ulimits.') || path === 'build' + '.extra_hosts') return over;
    const out: Dict = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeValue(base[k], v, path ? `${path}.${k}` : k) : v;
    return out;
  }
  return over;
}

/** Two whole compose files (already canonical): services field by field, the other sections key by key. */
export function mergeFiles(base: Dict, over: Dict): Dict {
  const out: Dict = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (k === 'services' && isDict(base.services) && isDict(v)) {
      const services: Dict = { ...base.services };
      for (const [name, svc] of Object.entries(v)) services[name] = name in services ? mergeValue(services[name], svc) : svc;
      out.services = services;
    } else if (isDict(base[k]) && isDict(v)) {
      const section: Dict = { ...(base[k] as Dict) };
      for (const [name, item] of Object.entries(v)) section[name] = isDict(section[name]) && isDict(item) ? mergeTopItem(section[name], item) : item;
      out[k] = section;
    } else out[k] = v;
  }
  return out;
}

function mergeTopItem(base: Dict, over: Dict): Dict {
  const out: Dict = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k === 'labels' ? { ...listOrDict(base[k]), ...listOrDict(v) } : isDict(base[k]) && isDict(v) ? mergeTopItem(base[k], v) : v;
  return out;
}
