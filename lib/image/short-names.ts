// Short names ("alpine", "team/app:1") as podman resolves them: an alias
// from registries.conf, else one candidate per unqualified-search registry.
// Several candidates on a terminal: the user picks; without one: an error,
// as podman's enforcing mode has it (guessing could pull an impostor).
import type { UserInterface } from '../core/context.js';
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

/**
 * The one name a short name stands for: its alias, the one search registry,
 * or the user's choice among several (asked through `ui`; without anyone to
 * ask, an ambiguous name is an error, as in podman).
 */
export async function resolveShortName(name: string, conf: RegistriesConf, ui: UserInterface): Promise<string> {
  const candidates = shortNameCandidates(name, conf);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) {
    throw new UsageError(`short name "${name}" did not resolve to an alias and no unqualified-search registries are defined in registries.conf: use a full name such as docker.io/library/${name}`);
  }
  const chosen = await ui.choose(`Please select an image for "${name}"`, candidates);
  if (chosen === undefined) {
    throw new UsageError(`short name "${name}" is ambiguous without a terminal to ask on: it could be ${candidates.join(', ')}; use a full name`);
  }
  if (!candidates.includes(chosen)) throw new UsageError(`no image chosen for "${name}"`);
  return chosen;
}
