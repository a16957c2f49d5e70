// Kept apart from `husk info`, whose checks would load half of husk for `husk --version`.
// package.json's "version" is the only place the number is written:
// scripts/bundle.mjs puts it into dist/husk.cjs as a literal (esbuild's
// `define`), so the bundle reads no file for it; lib/ run from source (the
// unit tests, under tap's TypeScript loader) reads package.json instead.
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../native/binding.js';

/** Replaced by scripts/bundle.mjs with package.json's version; undeclared outside the bundle. */
declare const HUSK_BUNDLED_VERSION: string | undefined;

export const HUSK_VERSION: string = typeof HUSK_BUNDLED_VERSION === 'string' ? HUSK_BUNDLED_VERSION : versionFromPackageJson();

function versionFromPackageJson(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** `husk version`'s Client and info's version: podman's fields, Node's version where podman has Go's. */
export function versionInfo() {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return { APIVersion: HUSK_VERSION, Version: HUSK_VERSION, NodeVersion: process.version, OsArch: `linux/${arch}`, Os: 'linux' };
}
