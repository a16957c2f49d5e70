// A recording fake of the addon (lib/core/native-api.ts) for unit tests of
// engine logic: every call is kept, in order, and answered by the test's own
// replies, or by a harmless default. The integration tests drive the real one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildContext, SILENT_UI, type Context, type UserInterface } from '../../lib/core/context.js';
import { NativeError } from '../../lib/core/errors.js';
import type { Native } from '../../lib/core/native-api.js';

export interface NativeCall {
  method: keyof Native;
  args: unknown[];
}

export interface RecordingNative {
  native: Native;
  calls: NativeCall[];
  /** The calls of one method, their arguments only. */
  callsOf(method: keyof Native): unknown[][];
}

const DEFAULTS: Partial<Native> = {
  setErrorClass: () => {},
  flock: () => true,
  funlock: () => {},
  mkfifo: (p) => fs.writeFileSync(p, ''),
  geteuid: () => process.geteuid?.() ?? 0,
  reap: () => 0,
  setWinsize: () => {},
};

export function recordingNative(replies: Partial<Native> = {}): RecordingNative {
  const calls: NativeCall[] = [];
  const native = new Proxy({} as Native, {
    get(_, method: keyof Native) {
      return (...args: unknown[]) => {
        calls.push({ method, args });
        const reply = (replies[method] ?? DEFAULTS[method]) as ((...a: unknown[]) => unknown) | undefined;
        if (!reply) throw new Error(`fake native: no reply for ${method}`);
        return reply(...args);
      };
    },
  });
  return { native, calls, callsOf: (m) => calls.filter((c) => c.method === m).map((c) => c.args) };
}

/** A NativeError as the addon throws it. */
export function nativeError(message: string, fields: { code?: string; step?: string; path?: string }): NativeError {
  return Object.assign(new NativeError(message), fields);
}

/** A context over fresh temporary store directories, with `native` as its addon. */
export function fakeContext(native: Native, ui: UserInterface = SILENT_UI): Context & { cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-unit-'));
  // No cgroup file system of the machine's: nothing is made there by a unit test.
  const ctx = buildContext({ root: path.join(dir, 'data'), runroot: path.join(dir, 'run'), cgroupFs: path.join(dir, 'cgroup'), native: () => native, ui, env: { HOME: dir } });
  return Object.assign(ctx, { cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) });
}
