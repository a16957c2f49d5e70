// `--change` instructions (import, commit): the Dockerfile instructions that
// only touch the image config, applied to an ImageRuntimeConfig.
import { UsageError } from '../core/errors.js';
import type { Healthcheck, ImageRuntimeConfig } from './types.js';
import { parseDuration } from '../core/duration.js';

const SUPPORTED = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR'];

/** `["a", "b"]` as a list, or undefined when the text is not a JSON array of strings. */
function jsonStringArray(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) return parsed as string[];
  } catch {
    /* not JSON */
  }
  return undefined;
}

/** JSON array form or shell form ("sh -c" the text), as in a Dockerfile. */
export function parseCommandForm(text: string): string[] {
  return jsonStringArray(text) ?? ['/bin/sh', '-c', text.trim()];
}

/** Splits `A=1 "B=two words"` or `A value with spaces` (legacy form). */
export function parseKeyValues(text: string, what: string): Array<[string, string]> {
  const trimmed = text.trim();
  if (!trimmed.includes('=') || /^[^\s=]+\s/.test(trimmed) && !/^[^\s=]+=/.test(trimmed)) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(trimmed);
    if (!m) throw new UsageError(`${what} needs a name and a value: "${text}"`);
    return [[m[1]!, m[2]!]];
  }
  const out: Array<[string, string]> = [];
  for (const word of splitWords(trimmed)) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what} "${word}" must be NAME=VALUE`);
    out.push([word.slice(0, eq), word.slice(eq + 1)]);
  }
  return out;
}

/** Shell-like word splitting with double/single quotes and backslashes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`unterminated quote in "${text}"`);
  if (inWord) words.push(cur);
  return words;
}

export function applyChange(config: ImageRuntimeConfig, change: string): void {
  const m = /^\s*(\w+)\s*([\s\S]*)$/.exec(change);
  const instruction = m?.[1]?.toUpperCase();
  const args = m?.[2]?.trim() ?? '';
  if (!instruction || !SUPPORTED.includes(instruction)) {
    throw new UsageError(`invalid --change "${change}": must be one of ${SUPPORTED.join(', ')} followed by its arguments`);
  }
  if (!args) throw new UsageError(`invalid --change "${change}": ${instruction} needs an argument`);
  switch (instruction) {
    case 'CMD':
      config.Cmd = parseCommandForm(args);
      break;
    case 'ENTRYPOINT':
      config.Entrypoint = parseCommandForm(args);
      break;
    case 'ENV': {
      const env = config.Env ?? [];
      for (const [k, v] of parseKeyValues(args, 'ENV')) {
        const i = env.findIndex((e) => e.startsWith(`${k}=`));
        if (i >= 0) env[i] = `${k}=${v}`;
        else env.push(`${k}=${v}`);
      }
      config.Env = env;
      break;
    }
    case 'LABEL':
      config.Labels = { ...(config.Labels ?? {}), ...Object.fromEntries(parseKeyValues(args, 'LABEL')) };
      break;
    case 'EXPOSE':
      config.ExposedPorts ??= {};
      for (const p of splitWords(args)) config.ExposedPorts[p.includes('/') ? p : `${p}/tcp`] = {};
      break;
    case 'VOLUME':
      config.Volumes ??= {};
      for (const v of jsonStringArray(args) ?? splitWords(args)) config.Volumes[v] = {};
      break;
    case 'USER':
      config.User = args;
      break;
    case 'WORKDIR':
      config.WorkingDir = args;
      break;
    case 'STOPSIGNAL':
      config.StopSignal = args;
      break;
    case 'HEALTHCHECK':
      config.Healthcheck = parseHealthcheck(args);
      break;
  }
}

const HEALTH_DURATIONS: Record<string, 'Interval' | 'Timeout' | 'StartPeriod'> = {
  interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod',
};

/**
 * HEALTHCHECK's arguments, as a Dockerfile gives them: `NONE`, or options
 * (--interval, --timeout, --start-period, --retries)
 * then CMD in exec or shell form. Durations are kept in nanoseconds, as
 * docker writes them into the image config.
 */
export function parseHealthcheck(args: string): Healthcheck {
  const bad = (why: string): never => {
    throw new UsageError(`invalid HEALTHCHECK "${args}": ${why}`);
  };
  if (/^NONE$/i.test(args.trim())) return { Test: ['NONE'] };
  const check: Healthcheck = {};
  let rest = args.trim();
  for (let m; (m = /^--([\w-]+)=(\S*)\s*/.exec(rest)); rest = rest.slice(m[0].length)) {
    const [, name, value] = m as unknown as [string, string, string];
    if (name === 'retries') {
      if (!/^\d+$/.test(value)) bad(`--retries must be a whole number, not "${value}"`);
      check.Retries = Number(value);
    } else if (HEALTH_DURATIONS[name]) {
      const ms = parseDuration(value);
      if (ms === undefined || !/[a-zµ]$/.test(value)) bad(`--${name} takes a duration such as 30s, not "${value}"`);
      check[HEALTH_DURATIONS[name]!] = Math.round(ms! * 1e6);
    } else {
      bad(`unknown option --${name}`);
    }
  }
  const cmd = /^CMD\s+([\s\S]+)$/i.exec(rest);
  if (!cmd) bad('give NONE, or CMD and a command after the options');
  const exec = jsonStringArray(cmd![1]!);
  if (exec?.length === 0) bad('CMD [] runs nothing');
  check.Test = exec ? ['CMD', ...exec] : ['CMD-SHELL', cmd![1]!.trim()];
  return check;
}
