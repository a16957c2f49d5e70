// Compose files checked against the Compose Specification's JSON schema
// (schema/compose-spec.json, vendored unchanged), after interpolation and
// before anything is merged, as docker compose does. The first problem
// becomes one line naming the file and the key:
// `compose.yaml: services.web.ports[0]: must be number or string or object`.
import type { ErrorObject } from 'ajv';
import { UsageError } from '../core/errors.js';
import { pointerPath } from '../core/json-pointer.js';
// Compiled ahead of time (scripts/compile-compose-schema.mjs): ajv compiling it here took ~650 ms.
import validator from './schema/validate-compose.js';

/** Throws a UsageError (`<file>: <key>: <problem>`) when `doc` is not a valid compose file. */
export function validateCompose(doc: unknown, file: string): void {
  const v = validator;
  if (!v(doc)) throw new UsageError(`${file}: ${describe(v.errors ?? [])}`);
}

/**
 * The most telling error: the deepest place wrong, an error of the place
 * itself over a failed oneOf around it, and the types a oneOf wanted named
 * together ("must be number or string or object").
 */
export function describe(errors: ErrorObject[]): string {
  if (errors.length === 0) return 'does not match the Compose Specification';
  const depth = (e: ErrorObject) => e.instancePath.split('/').length + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0);
  const deepest = Math.max(...errors.map(depth));
  const here = errors.filter((e) => depth(e) === deepest);
  const first = here.find((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'type') ?? here.find((e) => e.keyword === 'type') ?? here[0]!;
  const at = fieldName(first.instancePath);
  const prefix = at ? `${at}: ` : '';
  switch (first.keyword) {
    case 'type': {
      const types = [...new Set(here.filter((e) => e.keyword === 'type').flatMap((e) => String(e.params.type).split(',')))];
      return `${prefix}must be ${types.join(' or ')}`;
    }
    case 'additionalProperties':
      return `${prefix}additional property '${sanitized(String(first.params.additionalProperty))}' is not allowed`;
    case 'required':
      return `${prefix}'${String(first.params.missingProperty)}' is required`;
    case 'enum':
      return `${prefix}must be one of ${(first.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `${prefix}does not match ${String(first.params.pattern)}`;
    case 'propertyNames':
      return `${prefix}invalid name '${sanitized(String(first.params.propertyName))}'`;
    default:
      return `${prefix}${first.message ?? 'is invalid'}`;
  }
}

const fieldName = (pointer: string) => pointerPath(pointer, sanitized);

/** A key from the file, safe to print: no control characters, not too long. */
function sanitized(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key).slice(1, -1);
}
