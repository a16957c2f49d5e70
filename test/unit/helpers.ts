// Shared assertions for the unit tests (not a test file itself).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../lib/engine/errors.js';

type T = { ok(v: unknown, msg?: string): unknown; match(v: unknown, p: unknown, msg?: string): unknown; fail(msg?: string): unknown; teardown(fn: () => void): void };

/** Asserts fn throws a UsageError whose message matches every pattern. Returns the message. */
export function usageError(t: T, fn: () => unknown, ...patterns: Array<RegExp | string>): string {
  try {
    fn();
  } catch (err) {
    t.ok(err instanceof UsageError, `UsageError expected, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
    const message = (err as Error).message;
    for (const p of patterns) t.match(message, p);
    return message;
  }
  t.fail('expected a UsageError, nothing was thrown');
  return '';
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: T, prefix = 'husk-unit-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes files relative to dir, creating parent directories. */
export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}
