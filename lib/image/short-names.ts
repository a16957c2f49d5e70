// Short names ("alpine", "team/app:1") as podman resolves them: an alias
// from registries.conf, else one candidate per unqualified-search registry.
// Several candidates on a terminal: the user picks; without one: an error,
// as podman's enforcing mode has it (guessing could pull an impostor).
import readline from 'node:readline';
import { UsageError } from '../core/errors.js';
import { formatReference, hasExplicitRegistry, parseReference } from './reference.js';
import type { RegistriesConf } from './registries-conf.js';

/** Fully qualified candidates for `name`, best first. */
export function shortNameCandidates(name: string, conf: RegistriesConf): string[] {
  if (hasExplicitRegistry(name)) return [name];
  const ref = parseReference(name);
  const repo = ref.repository.replace(/^library\//, '');
  const suffix = `${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  const alias = conf.aliases[repo] ?? conf.aliases[ref.repository];
  if (alias) return [`${alias}${suffix}`];
  return conf.unqualifiedSearchRegistries.map((r) => formatReference(parseReference(`${r}/${repo}${suffix}`)));
}

export async function resolveShortName(name: string, conf: RegistriesConf, tty = !!process.stdin.isTTY && !!process.stderr.isTTY): Promise<string> {
  const candidates = shortNameCandidates(name, conf);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new UsageError(`short name "${name}" did not resolve to an alias and no unqualified-search registries are defined in registries.conf: use a full name such as docker.io/library/${name}`);
  }
  if (!tty) {
    throw new UsageError(`short name "${name}" is ambiguous without a terminal to ask on: it could be ${candidates.join(', ')}; use a full name`);
  }
  return pick(name, candidates);
}

async function pick(name: string, candidates: string[]): Promise<string> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  process.stderr.write(`? Please select an image for "${name}":\n${candidates.map((c, i) => `  ${i + 1}) ${c}`).join('\n')}\n`);
  const answer = await new Promise<string>((resolve) => rl.question('Choice: ', resolve));
  rl.close();
  const chosen = candidates[Number(answer) - 1];
  if (!chosen) throw new UsageError(`no image chosen for "${name}"`);
  return chosen;
}
