// What the instructions that change no file do to the image config: CMD,
// ENTRYPOINT, ENV, LABEL, MAINTAINER, EXPOSE, VOLUME, USER, WORKDIR,
// STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD. Values are substituted in the
// stage's scope first (docker substitutes in all of these but CMD,
// ENTRYPOINT, SHELL, HEALTHCHECK and ONBUILD, which keep their text for the
// shell that runs them).
import path from 'node:path';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import type { ImageConfig, ImageRuntimeConfig } from '../image/types.js';
import type { CommandForm, Instruction } from './dockerfile.js';
import type { StageScope } from './substitute.js';

/** The shell of the shell form when neither the image nor SHELL names one. */
export const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** Per stage: what the config alone does not say, but docker's rules need. */
export interface ConfigState {
  /** CMD was set in this stage (an ENTRYPOINT then keeps it; else it resets the base's). */
  cmdSet: boolean;
}

export function shellOf(config: ImageRuntimeConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? config.Shell : DEFAULT_SHELL;
}

/** A command in either form as the argv it runs: the shell form through the stage's shell. */
export function commandArgs(command: CommandForm, shell: string[]): string[] {
  return command.form === 'exec' ? command.args : [...shell, command.text];
}

/** Applies a metadata instruction to `config` (in place). Returns false for instructions that are not metadata. */
export function applyMetadata(config: ImageConfig, instr: Instruction, scope: StageScope, state: ConfigState): boolean {
  const c = config.config;
  switch (instr.kind) {
    case 'CMD':
      c.Cmd = commandArgs(instr.command, shellOf(c));
      state.cmdSet = true;
      return true;
    case 'ENTRYPOINT':
      c.Entrypoint = commandArgs(instr.command, shellOf(c));
      // docker's table: a base image's CMD does not survive a new ENTRYPOINT.
      if (!state.cmdSet) c.Cmd = null;
      return true;
    case 'SHELL':
      c.Shell = instr.shell;
      return true;
    case 'ENV': {
      // Every value of one line sees the environment before it (ENV a=1 b=$a: b is a's old value).
      const pairs = instr.env.map(({ key, value }) => [scope.substitute(key), scope.substitute(value)] as const);
      for (const [name, value] of pairs) {
        scope.defineEnv(name, value);
        c.Env = setEnv(c.Env ?? [], name, value);
      }
      return true;
    }
    case 'LABEL':
      c.Labels = { ...(c.Labels ?? {}) };
      for (const { key, value } of instr.labels) c.Labels[scope.substitute(key)] = scope.substitute(value);
      return true;
    case 'MAINTAINER':
      config.author = scope.substitute(instr.maintainer);
      return true;
    case 'EXPOSE':
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const raw of instr.ports) for (const p of scope.words(raw)) for (const key of exposedPorts(p)) c.ExposedPorts[key] = {};
      return true;
    case 'VOLUME':
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const raw of instr.paths) {
        for (const v of scope.words(raw)) {
          if (!v.trim()) throw new UsageError('VOLUME: a volume path cannot be empty');
          c.Volumes[v] = {};
        }
      }
      return true;
    case 'USER':
      c.User = scope.substitute(instr.user);
      return true;
    case 'WORKDIR': {
      const dir = scope.substitute(instr.path);
      // A relative WORKDIR is relative to the one before, as docker has it.
      c.WorkingDir = path.posix.resolve(c.WorkingDir || '/', dir);
      return true;
    }
    case 'STOPSIGNAL':
      c.StopSignal = scope.substitute(instr.signal);
      return true;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), instr.expression];
      return true;
    case 'HEALTHCHECK':
      if (!instr.command) {
        c.Healthcheck = { Test: ['NONE'] };
        return true;
      }
      c.Healthcheck = {
        Test: instr.command.form === 'exec' ? ['CMD', ...instr.command.args] : ['CMD-SHELL', instr.command.text],
        ...nanos('Interval', instr.interval),
        ...nanos('Timeout', instr.timeout),
        ...nanos('StartPeriod', instr.startPeriod),
        ...nanos('StartInterval', instr.startInterval),
        ...(instr.retries !== undefined ? { Retries: Number(instr.retries) } : {}),
      };
      return true;
    default:
      return false;
  }
}

function nanos(key: string, value: string | undefined): Record<string, number> {
  if (value === undefined) return {};
  const ms = value === '0' ? 0 : parseDuration(value);
  if (ms === undefined) throw new UsageError(`HEALTHCHECK: invalid duration "${value}"`);
  return { [key]: Math.round(ms * 1e6) };
}

export function setEnv(env: string[], name: string, value: string): string[] {
  const out = env.filter((e) => e !== name && !e.startsWith(`${name}=`));
  out.push(`${name}=${value}`);
  return out;
}

/** EXPOSE 80, 80/udp, 8000-8002/tcp: one key per port (a range expanded, as docker does), protocol lowercased. */
function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec);
  const first = Number(m?.[1]);
  const last = m?.[2] === undefined ? first : Number(m[2]);
  if (!m || first < 1 || last > 65535 || last < first) throw new UsageError(`EXPOSE: invalid port "${spec}": give PORT[-PORT][/PROTOCOL]`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  return Array.from({ length: last - first + 1 }, (_, i) => `${first + i}/${proto}`);
}
