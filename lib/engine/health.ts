// Healthchecks: the image's HEALTHCHECK or --health-*, run by the container's
// monitor every interval as `husk healthcheck run ID` (no daemon). Each run
// execs the test in the container and records docker's State.Health
// (Status, FailingStreak, the last five results) in health.json.
import fs from 'node:fs';
import path from 'node:path';
import type { Healthcheck } from '../image/types.js';
import { ContainerStore, type ContainerView, type HealthConfig } from '../runtime/container-store.js';
import { writeJsonAtomic } from '../storage/atomic.js';
import type { Context } from '../core/context.js';
import { ConflictError } from '../core/errors.js';
import { execInContainer } from './exec.js';
import { containerEvent } from './events.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }>;
}

const NS = 1e6; // docker keeps durations in nanoseconds
const DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, retries: 3 };

/** The healthcheck of a new container: the flags over the image's; none for NONE or --no-healthcheck. */
export function healthConfig(image: Healthcheck | undefined, flags: Partial<HealthConfig> | null | undefined): HealthConfig | undefined {
  if (flags === null) return undefined;
  const test = flags?.test ?? image?.Test;
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  const fromImage = (ns: number | undefined, fallback: number) => (ns ? ns / NS : fallback);
  return {
    test,
    intervalMs: flags?.intervalMs ?? fromImage(image?.Interval, DEFAULTS.intervalMs),
    timeoutMs: flags?.timeoutMs ?? fromImage(image?.Timeout, DEFAULTS.timeoutMs),
    startPeriodMs: flags?.startPeriodMs ?? fromImage(image?.StartPeriod, DEFAULTS.startPeriodMs),
    retries: flags?.retries ?? (image?.Retries || DEFAULTS.retries),
  };
}

const healthFile = (ctx: Context, view: ContainerView) => path.join(new ContainerStore(ctx).paths(view.record.id).dir, 'health.json');

export function readHealth(ctx: Context, view: ContainerView): HealthState | undefined {
  if (!view.record.healthcheck) return undefined;
  try {
    return JSON.parse(fs.readFileSync(healthFile(ctx, view), 'utf8')) as HealthState;
  } catch {
    return { Status: 'starting', FailingStreak: 0, Log: [] };
  }
}

/** One check: runs the test, records the result, returns the new status. */
export async function runHealthcheck(ctx: Context, view: ContainerView): Promise<HealthStatus> {
  const hc = view.record.healthcheck;
  if (!hc) throw new ConflictError(`container ${view.record.name} has no healthcheck defined`);
  const command = hc.test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', hc.test.slice(1).join(' ')] : hc.test[0] === 'CMD' ? hc.test.slice(1) : hc.test;
  const start = new Date();
  const outFile = path.join(ctx.paths.runRoot, `health-${view.record.id.slice(0, 12)}-${process.pid}.out`);
  const out = fs.openSync(outFile, 'w+', 0o600);
  let exitCode: number;
  try {
    exitCode = await execInContainer(
      ctx,
      view,
      { command, interactive: false, tty: false, detach: false, env: [], privileged: false, stdio: [out, out], timeoutMs: hc.timeoutMs },
    ).catch(() => 125);
  } finally {
    fs.closeSync(out);
  }
  const output = readLimited(outFile, 4096);
  fs.rmSync(outFile, { force: true });
  const previous = readHealth(ctx, view) ?? { Status: 'starting' as HealthStatus, FailingStreak: 0, Log: [] };
  const inStartPeriod = Date.now() - Date.parse(view.state?.startedAt ?? view.record.created) < hc.startPeriodMs;
  const next: HealthState = { ...previous, Log: [...previous.Log, { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: exitCode, Output: output }].slice(-5) };
  if (exitCode === 0) {
    next.Status = 'healthy';
    next.FailingStreak = 0;
  } else if (!inStartPeriod) {
    // Failures in the start period do not count, as docker's.
    next.FailingStreak = previous.FailingStreak + 1;
    if (next.FailingStreak >= hc.retries) next.Status = 'unhealthy';
  }
  writeJsonAtomic(healthFile(ctx, view), next, 0o600, false);
  if (next.Status !== previous.Status) containerEvent(ctx, view.record, 'health_status', { attributes: { ...view.record.labels, health_status: next.Status } });
  return next.Status;
}

function readLimited(file: string, max: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.length > max ? text.slice(0, max) : text;
  } catch {
    return '';
  }
}
