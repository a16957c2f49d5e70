// podman's flags that husk takes without acting on them, or refuses, each
// with the reason. They sit in the commands' option tables like any other
// flag, so parsing, help, shell completion and docs/podman-compatibility.md
// (generated from these tables) all see the same list.
import type { Options } from 'yargs';
import { UsageError } from '../core/errors.js';

export const IGNORED = 'Ignored: ';
export const REFUSED = 'Refused: ';

type FlagType = 'string' | 'boolean' | 'number';

/** A flag that changes nothing in husk (podman's service, its event backends...): a warning says why, once given. */
export function ignoredFlag(flag: string, type: FlagType, reason: string, extra: Options = {}): Options {
  return {
    ...extra,
    type,
    hidden: true, // help lists what husk does; docs/podman-compatibility.md lists these
    describe: IGNORED + reason,
    coerce: (v: unknown) => {
      process.stderr.write(`WARN: --${flag} is ignored: ${reason}\n`);
      return (Array.isArray(v) ? (v as unknown[])[v.length - 1] : v) as unknown;
    },
  };
}

/** A flag whose feature husk does not have: given, the command fails (exit 125) and says why. */
export function refusedFlag(flag: string, type: FlagType, reason: string, extra: Options = {}): Options {
  return {
    ...extra,
    type,
    hidden: true,
    describe: REFUSED + reason,
    coerce: () => {
      throw new UsageError(`--${flag} is not supported: ${reason}`);
    },
  };
}

export type FlagStatus = 'accepted' | 'ignored' | 'refused';

/** What the compatibility table says of an option. */
export function flagStatus(opt: Options): { status: FlagStatus; reason?: string } {
  const d = typeof opt.describe === 'string' ? opt.describe : '';
  if (d.startsWith(IGNORED)) return { status: 'ignored', reason: d.slice(IGNORED.length) };
  if (d.startsWith(REFUSED)) return { status: 'refused', reason: d.slice(REFUSED.length) };
  return { status: 'accepted' };
}

/**
 * podman shorthands that are another flag's in docker: husk keeps docker's,
 * as scripts for both exist, and takes podman's flag by its long name.
 */
export const DOCKER_SHORTHANDS: Record<string, Record<string, string>> = {
  logs: { n: "husk's -n is docker's --tail N; give --names in full" },
};
