// Node built-ins that only some commands need, loaded on first use: loading
// crypto, zlib or child_process costs milliseconds at start-up, and `husk
// run` needs none of them.
import { createRequire } from 'node:module';

let loader: NodeJS.Require | undefined;
// Typed by each caller's declared return type: require's `any` stops here.
const load = <T>(name: string): T => (loader ??= createRequire(import.meta.url))(name) as T;

export const lazyCrypto = (): typeof import('node:crypto') => load('node:crypto');
export const lazyZlib = (): typeof import('node:zlib') => load('node:zlib');
export const lazyChildProcess = (): typeof import('node:child_process') => load('node:child_process');
export const lazyHttp = (): typeof import('node:http') => load('node:http');
export const lazyHttps = (): typeof import('node:https') => load('node:https');
export const lazyStreamPromises = (): typeof import('node:stream/promises') => load('node:stream/promises');
