// The words of a `husk run`/`create` command line split into husk's own
// flags (each with its value) and the image and command that follow, so a
// generated unit can drop, add or replace flags without touching the
// container's command. Which flags take a value is the CLI's knowledge: the
// caller passes it in.

/** What the CLI knows of its flags, by name or alias without dashes ("name", "e"). */
export interface FlagTable {
  /** Whether it takes a value; undefined: not a flag husk knows. */
  takesValue(name: string): boolean | undefined;
  /** Its main name ("e" -> "env"); the name itself when it has no other. */
  canonical(name: string): string;
}

/** One flag as written: its words (["--name", "web"], ["--rm"], ["-e", "A=1"], ["--env=A=1"]). */
export interface FlagWords {
  /** The main name, without dashes ("name", "detach"); for combined shorts (-it), the last one's. */
  name: string;
  /** The main names of every flag of a combined group (-dit: detach, interactive, tty); the name alone otherwise. */
  names: string[];
  /** The value given, if any ("=false" included: "false"). */
  value?: string;
  words: string[];
}

export interface SplitRun {
  flags: FlagWords[];
  /** The image and the container's command (and a "--" the user wrote before it). */
  rest: string[];
}

/** pflag's rules, as husk parses them: flags until the first word that is not one (the image). */
export function splitRunArgs(words: string[], table: FlagTable): SplitRun {
  const takesValue = (n: string) => table.takesValue(n);
  const main = (n: string) => table.canonical(n);
  const flags: FlagWords[] = [];
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--' || !w.startsWith('-') || w === '-') break;
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const given = w.slice(2, eq < 0 ? undefined : eq);
      const name = main(given);
      if (eq >= 0) {
        flags.push({ name, names: [name], value: w.slice(eq + 1), words: [w] });
        i++;
      } else if (takesValue(given) && i + 1 < words.length) {
        flags.push({ name, names: [name], value: words[i + 1]!, words: [w, words[i + 1]!] });
        i += 2;
      } else {
        flags.push({ name, names: [name], words: [w] });
        i++;
      }
      continue;
    }
    // -d, -dit, -p8080:80, -e A=1, -d=false
    const shorts: string[] = [];
    let value: string | undefined;
    let used = 1;
    for (let j = 1; j < w.length; j++) {
      const c = w[j]!;
      if (c === '=') {
        value = w.slice(j + 1);
        break;
      }
      shorts.push(main(c));
      if (takesValue(c)) {
        if (j + 1 < w.length) value = w.slice(j + 1);
        else if (i + 1 < words.length) {
          value = words[i + 1]!;
          used = 2;
        }
        break;
      }
    }
    flags.push({ name: shorts[shorts.length - 1] ?? '', names: shorts, ...(value !== undefined ? { value } : {}), words: words.slice(i, i + used) });
    i += used;
  }
  return { flags, rest: words.slice(i) };
}

/** Whether a flag is one of `names` (main names). */
export const isFlag = (f: FlagWords, ...names: string[]) => f.names.some((n) => names.includes(n));

/** A boolean flag's value as pflag reads it: present without a value is true. */
export function boolValue(f: FlagWords): boolean {
  return f.value === undefined || !['false', '0', 'f', 'F', 'FALSE', 'False'].includes(f.value);
}

/** The words of the flags, in order. */
export const flagWords = (flags: FlagWords[]) => flags.flatMap((f) => f.words);
