// `docker compose config`: the resolved project printed back as YAML, keys
// sorted, short syntaxes in their long form, durations as Go prints them
// ("1m30s"), empty fields left out; top-level sections in compose's order;
// every `$` in a value written `$$`, so that the output, itself a compose
// file, reads back as the same project.
import { stringify } from 'yaml';
import type { Project, Service } from './model.js';

export function renderConfig(project: Project): string {
  const doc: Record<string, unknown> = { name: project.name, services: sortedMap(project.services, serviceDoc) };
  for (const k of ['networks', 'volumes', 'secrets', 'configs'] as const) {
    if (Object.keys(project[k]).length > 0) doc[k] = sortedMap(project[k] as Record<string, object>, (v) => v);
  }
  for (const [k, v] of Object.entries(project.extensions).sort(([a], [b]) => cmp(a, b))) doc[k] = v;
  // Top-level sections in compose's order; everything below sorted.
  const ordered = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, clean(v)]));
  return stringify(ordered, { lineWidth: 0, aliasDuplicateObjects: false });
}

function serviceDoc(s: Service): unknown {
  const { name: _name, ignored, extensions, healthcheck, stop_grace_period, deploy, ulimits, ...rest } = s;
  const out: Record<string, unknown> = { ...rest, ...ignored, ...extensions };
  if (healthcheck) {
    out.healthcheck = Object.fromEntries(Object.entries(healthcheck).map(([k, v]) => [k, typeof v === 'number' && k !== 'retries' ? goDuration(v) : v]));
  }
  if (stop_grace_period !== undefined) out.stop_grace_period = goDuration(stop_grace_period);
  if (deploy) {
    const d: Record<string, unknown> = { ...deploy };
    if (deploy.restart_policy) {
      d.restart_policy = Object.fromEntries(Object.entries(deploy.restart_policy).map(([k, v]) => [k, typeof v === 'number' && k !== 'max_attempts' ? goDuration(v) : v]));
    }
    if (deploy.resources) {
      d.resources = Object.fromEntries(Object.entries(deploy.resources).map(([k, r]) => [k, r && r.memory !== undefined ? { ...r, memory: String(r.memory) } : r]));
    }
    out.deploy = d;
  }
  out.ulimits = Object.fromEntries(Object.entries(ulimits).map(([k, u]) => [k, 'single' in u ? u.single : u]));
  out.networks = Object.fromEntries(Object.entries(s.networks).map(([k, n]) => [k, Object.keys(n).length === 0 ? null : n]));
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortedMap<T>(m: Record<string, T>, fn: (v: T) => unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(m)
      .sort(cmp)
      .map((k) => [k, fn(m[k]!)]),
  );
}

/**
 * Keys sorted at every level, empty maps and lists and undefined left out
 * (a null kept: `networks: {default: null}` and `environment: {FOO: null}`
 * mean something); a `$` in a string value doubled, as `docker compose
 * config` does (keys are never interpolated, so they are left as they are).
 */
function clean(v: unknown, keepEmpty = false): unknown {
  if (typeof v === 'string') return v.split('$').join('$$');
  if (Array.isArray(v)) return v.map((x) => clean(x, true));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(cmp)) {
      const x = (v as Record<string, unknown>)[k];
      if (x === undefined) continue;
      if (!keepEmpty && ((Array.isArray(x) && x.length === 0) || (x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0))) continue;
      out[k] = clean(x);
    }
    return out;
  }
  return v;
}

/** Milliseconds as Go's time.Duration prints them: "1m30s", "1.5s", "500ms", "1h0m0s", "0s". */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return ms >= 1 ? `${+ms.toFixed(3)}ms` : `${Math.round(ms * 1000)}µs`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = +((ms % 60_000) / 1000).toFixed(3);
  return h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
}
