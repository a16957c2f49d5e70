// The addon's JavaScript surface, typed. Everything here is validated by the
// TypeScript callers before it reaches native code; C++ only asserts.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { IdMapping } from '../core/oci-spec.js';
import type { Native } from '../core/native-api.js';
import { NativeError } from '../core/errors.js';

let root: string | undefined;

/** The package root: the nearest directory above this file with husk's binding.gyp (found on first use, not at load). */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'binding.gyp'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('husk: cannot find its package directory (binding.gyp)');
    dir = up;
  }
  return (root = dir);
}

export const nativeBuildDir = () => path.join(packageRoot(), 'build', 'Release');
export const monitorPath = () => path.join(nativeBuildDir(), 'husk-monitor');
export const usernsHelperPath = () => path.join(nativeBuildDir(), 'husk-userns');
/** Port forwarding, outbound networking and the shared rootless network namespace (addon/net/README.md). */
export const netHelperPath = () => path.join(nativeBuildDir(), 'husk-net');
/** The static init of --init, bind-mounted into the container. */
export const initPath = () => path.join(nativeBuildDir(), 'husk-init');
export const pausePath = () => path.join(nativeBuildDir(), 'husk-pause');

export type { CreateOptions, CreateResult, ExecProcessOptions, Native, RootfsPlan } from '../core/native-api.js';

let loaded: Native | undefined;

export function native(): Native {
  if (!loaded) {
    loaded = createRequire(import.meta.url)(path.join(nativeBuildDir(), 'husk_native.node')) as Native;
    loaded.setErrorClass(NativeError);
  }
  return loaded;
}

export type { IdMapping };
export { NativeError };
