// The resource flags' parsers, for the CLI (run, create, build, update).
export { parseBytes, parseResources, type ParsedResources, type ResourceFlags } from '../runtime/resources.js';
export { parseUlimit } from '../runtime/ulimits.js';
