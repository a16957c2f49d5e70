// Image references: [registry[:port]/]path[:tag][@sha256:hex], normalized as
// docker does (docker.io/library/ for bare names). Names given to `import`
// without a registry are stored under localhost/, as podman stores them.
import { UsageError } from '../core/errors.js';

export interface Reference {
  registry: string;
  repository: string; // path without the registry
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

export function parseReference(input: string, defaultRegistry = 'docker.io'): Reference {
  const bad = (why: string) => new UsageError(`invalid reference format "${input}": ${why}`);
  if (!input || input.length > 255) throw bad('must be 1 to 255 characters');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad('digest must be sha256: followed by 64 hex digits');
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad('tag may contain letters, digits, "_", "." and "-" (at most 128)');
  }
  const parts = rest.split('/');
  let registry = defaultRegistry;
  const first = parts[0] ?? '';
  if (parts.length > 1 && looksLikeHost(first)) {
    if (!HOST.test(first)) throw bad(`"${first}" is not a valid registry host`);
    const port = Number(/:(\d+)$/.exec(first)?.[1] ?? 1);
    if (port < 1 || port > 65535) throw bad(`port ${port} of "${first}" is out of range (1 to 65535)`);
    registry = first;
    parts.shift();
  }
  for (const c of parts) {
    if (!COMPONENT.test(c)) throw bad(`repository name component "${c}" must be lowercase letters, digits and separators`);
  }
  if (registry === 'docker.io' && parts.length === 1) parts.unshift('library');
  return { registry, repository: parts.join('/'), tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** docker.io/library/busybox:latest */
export function formatReference(ref: Reference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag) s += `:${ref.tag}`;
  if (ref.digest) s += `@${ref.digest}`;
  return s;
}

/**
 * Whether the first component of a name is a registry host: it has a dot
 * or a port, or is localhost. (docker also takes any component with
 * capitals for a host, so that "UPPER/x" goes to DNS; here it stays a
 * repository name, and is refused for not being lowercase.)
 */
function looksLikeHost(first: string): boolean {
  return first.includes('.') || first.includes(':') || first.toLowerCase() === 'localhost';
}

/** Was the registry written out by the user, or filled in by normalization? */
export function hasExplicitRegistry(input: string): boolean {
  return input.includes('/') && looksLikeHost(input.split('/')[0] ?? '');
}

/** Splits a stored name for listings: ["localhost/busybox", "latest"]. */
export function repoAndTag(name: string): [string, string] {
  const at = name.indexOf('@');
  const base = at >= 0 ? name.slice(0, at) : name;
  const colon = base.lastIndexOf(':');
  if (colon > base.lastIndexOf('/')) return [base.slice(0, colon), base.slice(colon + 1)];
  return [base, '<none>'];
}
