// Image documents checked against their JSON schemas (lib/image/oci-schemas:
// the OCI image spec's, and one for docker-archive's manifest.json) as they
// arrive at pull and load, before anything is stored. A config whose "Env"
// is a string or whose "Cmd" is a number is refused there, naming the field,
// instead of crashing `run` later.
import type { ErrorObject, ValidateFunction } from 'ajv';
import config from './oci-schemas/config-schema.json' with { type: 'json' };
import contentDescriptor from './oci-schemas/content-descriptor.json' with { type: 'json' };
import defs from './oci-schemas/defs.json' with { type: 'json' };
import defsDescriptor from './oci-schemas/defs-descriptor.json' with { type: 'json' };
import dockerArchiveManifest from './oci-schemas/docker-archive-manifest.json' with { type: 'json' };
import index from './oci-schemas/image-index-schema.json' with { type: 'json' };
import manifest from './oci-schemas/image-manifest-schema.json' with { type: 'json' };
import { pointerPath } from '../core/json-pointer.js';

/** What a document is: an image config, an image manifest, an index (or manifest list), docker save's manifest.json. */
export type DocumentKind = 'config' | 'manifest' | 'index' | 'docker-archive-manifest';

export interface SchemaChecker {
  /** What is wrong with `doc` as a `kind`, in one line ("config.Env must be an array"); undefined when nothing is. */
  problem(kind: DocumentKind, doc: unknown): string | undefined;
}

const FILES: Record<string, object> = {
  'config-schema.json': config,
  'content-descriptor.json': contentDescriptor,
  'defs.json': defs,
  'defs-descriptor.json': defsDescriptor,
  'docker-archive-manifest.json': dockerArchiveManifest,
  'image-index-schema.json': index,
  'image-manifest-schema.json': manifest,
};

const ENTRY: Record<DocumentKind, string> = {
  config: 'config-schema.json',
  manifest: 'image-manifest-schema.json',
  index: 'image-index-schema.json',
  'docker-archive-manifest': 'docker-archive-manifest.json',
};

const BASE = 'https://opencontainers.org/schema/';

let compiled: Promise<SchemaChecker> | undefined;

/**
 * The checker, made on first use: ajv (and compiling the schemas) costs
 * milliseconds that only pull and load need, not every `husk run`.
 */
export function imageSchemas(): Promise<SchemaChecker> {
  return (compiled ??= compile());
}

async function compile(): Promise<SchemaChecker> {
  // The spec's schemas are draft-04. Both packages are CommonJS whose exports
  // are also their own `default`, which is what TypeScript knows them by.
  const [draft04, formats] = await Promise.all([import('ajv-draft-04'), import('ajv-formats')]);
  const Ajv = draft04.default.default;
  const addFormats = formats.default.default;
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv, ['date-time', 'uri']);
  ajv.addKeyword('media'); // defs.json's note that base64 data is binary: nothing to check
  for (const [file, schema] of Object.entries(FILES)) ajv.addSchema({ ...(withoutIds(schema) as object), id: `${BASE}${file}` });
  const validators = new Map<DocumentKind, ValidateFunction>();
  const validator = (kind: DocumentKind): ValidateFunction => {
    let v = validators.get(kind);
    if (!v) validators.set(kind, (v = ajv.getSchema(`${BASE}${ENTRY[kind]}`)!));
    return v;
  };
  return {
    problem(kind, doc) {
      const v = validator(kind);
      return v(kind === 'config' ? withEnvNullAsEmpty(doc) : doc) ? undefined : describe(v.errors ?? []);
    },
  };
}

/**
 * The schemas nest `id`s that move their relative `$ref`s ("defs.json") to
 * places no file is at; the spec's Go validator resolves them by file name,
 * and so does this: each file is known by its name under one base, the
 * nested ids are dropped (property names called "id" stay).
 */
function withoutIds(schema: unknown, isMap = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => withoutIds(s));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (!isMap && (k === 'id' || k === '$schema')) continue;
    out[k] = withoutIds(v, !isMap && (k === 'properties' || k === 'patternProperties' || k === 'definitions'));
  }
  return out;
}

/**
 * Docker writes "Env": null for an image without environment (docker
 * import), which the spec's schema does not allow and docker, podman and
 * containers/image all take: so does husk (the config itself is kept as it came).
 */
function withEnvNullAsEmpty(doc: unknown): unknown {
  const c = (doc as { config?: { Env?: unknown } } | null)?.config;
  if (!c || typeof c !== 'object' || c.Env !== null) return doc;
  return { ...(doc as object), config: { ...c, Env: [] } };
}

/** The first thing wrong, as a user reads it: `config.Cmd must be an array or null`. */
export function describe(errors: ErrorObject[]): string {
  const first = errors.find((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf') ?? errors[0];
  if (!first) return 'does not match its schema';
  const at = fieldName(first.instancePath);
  switch (first.keyword) {
    case 'required':
      return `${at ? `${at}.` : ''}${String(first.params.missingProperty)} is missing`;
    case 'type': {
      // A oneOf of types ("array or null") fails once per type at the same place.
      const types = errors.filter((e) => e.keyword === 'type' && e.instancePath === first.instancePath).map((e) => String(e.params.type));
      return `${at || 'the document'} must be ${article(types[0]!)}${types.slice(1).map((t) => ` or ${t === 'null' ? t : article(t)}`).join('')}`;
    }
    case 'format':
      return `${at} is not a valid ${String(first.params.format)}`;
    case 'pattern':
    case 'enum':
      return `${at} has an invalid value`;
    default:
      return `${at || 'the document'} ${first.message ?? 'is invalid'}`;
  }
}

const article = (type: string) => (type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`);

const fieldName = (pointer: string) => pointerPath(pointer, sanitized);

/** A key from the document, safe to print: no control characters, not too long. */
function sanitized(key: string): string {
  const s = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key).slice(1, -1);
  return /^[\w.-]+$/.test(key) ? key : `"${s}"`;
}
