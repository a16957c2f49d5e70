// Shell completion scripts for bash, zsh and fish, written from the command
// tree (lib/cli/command-tree.ts): the same option tables the parser reads,
// so a flag completes exactly when husk takes it. Names of containers,
// images, volumes, networks and pods come from husk itself at the moment of
// completion, from the store the command line names (--root, --runroot).
import { allCommands, flagNames, type CommandNode, type CommandTree } from './command-tree.js';
import { flagStatus } from './compat.js';
import type { OptionTable } from './parse-args.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a positional names, by its name in the command's usage ("rm [containers..]"). */
const KINDS: Record<string, string> = {
  container: 'container', containers: 'container',
  image: 'image', images: 'image',
  volume: 'volume', volumes: 'volume',
  network: 'network', networks: 'network',
  pod: 'pod', pods: 'pod',
  names: 'container+image',
};

/** How each kind of name is listed: husk commands, run with the line's store flags. */
const LISTERS: Record<string, string> = {
  container: "ps -a --format '{{.Names}}'",
  image: "images --format '{{.Repository}}:{{.Tag}}'",
  volume: "volume ls --format '{{.Name}}'",
  network: "network ls --format '{{.Name}}'",
  pod: "pod ps --format '{{.Name}}'",
};

interface Flag {
  names: string[];
  takesValue: boolean;
  describe: string;
}

/** The flags a command takes (the global ones too), without those husk only ignores or refuses. */
function flagsOf(options: OptionTable): Flag[] {
  return Object.entries(options)
    .filter(([, opt]) => flagStatus(opt).status === 'accepted')
    .map(([key, opt]) => ({ names: flagNames(key, opt), takesValue: opt.type !== 'boolean', describe: typeof opt.describe === 'string' ? opt.describe : '' }));
}

/** A command's key in the scripts' tables: "husk container ls" (bash takes no empty key). */
const key = (n: CommandNode | undefined) => ['husk', ...(n?.path ?? [])].join(' ');
const kindsOf = (n: CommandNode) => n.positionals.map((p) => KINDS[p] ?? 'file');
const shellWord = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

interface Level {
  node: CommandNode | undefined;
  path: string;
  children: CommandNode[];
  flags: Flag[];
  kinds: string[];
}

/** The root (no command yet) and every command, each with what may follow it. */
function levels(tree: CommandTree): Level[] {
  const root: Level = { node: undefined, path: key(undefined), children: tree.commands, flags: flagsOf(tree.globalOptions), kinds: [] };
  const rest = allCommands(tree).map((n) => ({
    node: n,
    path: key(n),
    children: n.commands,
    flags: flagsOf({ ...tree.globalOptions, ...n.options }),
    kinds: n.commands.length ? [] : kindsOf(n),
  }));
  return [root, ...rest];
}

const namesOf = (n: CommandNode) => [n.path[n.path.length - 1]!, ...n.aliases];

export function completionScript(shell: Shell, tree: CommandTree, withDescriptions = true): string {
  if (shell === 'fish') return fishScript(tree, withDescriptions);
  const bash = bashScript(tree);
  if (shell === 'bash') return bash;
  // zsh runs the bash function through its bashcompinit, with arrays indexed from 0 inside it.
  return `#compdef husk\n# zsh completion for husk: husk completion zsh > "\${fpath[1]}/_husk"\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}

function bashScript(tree: CommandTree): string {
  const all = levels(tree);
  const assoc = (name: string, entries: Array<[string, string]>) =>
    `declare -gA ${name}=(\n${entries.map(([k, v]) => `  [${shellWord(k)}]=${shellWord(v)}`).join('\n')}\n)`;
  const children: Array<[string, string]> = all.flatMap((l) => l.children.flatMap((c) => namesOf(c).map((w): [string, string] => [`${l.path}|${w}`, key(c)])));
  return `# bash completion for husk, written by \`husk completion bash\`:
#   source <(husk completion bash)
${assoc('__husk_children', children)}
${assoc('__husk_subs', all.map((l) => [l.path, l.children.flatMap(namesOf).join(' ')]))}
${assoc('__husk_flags', all.map((l) => [l.path, l.flags.flatMap((f) => f.names).join(' ')]))}
${assoc('__husk_value_flags', all.map((l) => [l.path, l.flags.filter((f) => f.takesValue).flatMap((f) => f.names).join(' ')]))}
${assoc('__husk_kinds', all.map((l) => [l.path, l.kinds.join(' ')]))}

__husk_names() {
  local kind
  for kind in \${1//+/ }; do
    case $kind in
${Object.entries(LISTERS).map(([k, cmd]) => `      ${k}) "\${__husk_cmd[@]}" ${cmd} 2>/dev/null ;;`).join('\n')}
    esac
  done
}

_husk() {
  [[ -n \${ZSH_VERSION-} ]] && setopt localoptions ksharrays shwordsplit
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]}
  local at=husk w i k npos=0 skip=0 child
  __husk_cmd=("\${COMP_WORDS[0]}")
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if ((skip)); then skip=0; continue; fi
    case $w in
      --root|--runroot) __husk_cmd+=("$w" "\${COMP_WORDS[i+1]}") ;;
      --root=*|--runroot=*) __husk_cmd+=("$w") ;;
    esac
    if [[ $w == -* ]]; then
      [[ $w != *=* && " \${__husk_value_flags[$at]} " == *" $w "* ]] && skip=1
      continue
    fi
    k="$at|$w"
    child=\${__husk_children[$k]-}
    if ((npos == 0)) && [[ -n $child ]]; then at=$child; continue; fi
    ((npos++))
  done
  COMPREPLY=()
  if ((skip)); then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "\${__husk_flags[$at]}" -- "$cur"))
  elif [[ -n \${__husk_subs[$at]} && $npos == 0 ]]; then
    COMPREPLY=($(compgen -W "\${__husk_subs[$at]}" -- "$cur"))
  else
    local -a kinds=(\${__husk_kinds[$at]})
    local kind=\${kinds[npos < \${#kinds[@]} ? npos : \${#kinds[@]} - 1]-file}
    if [[ -z $kind || $kind == file ]]; then COMPREPLY=($(compgen -f -- "$cur"))
    else COMPREPLY=($(compgen -W "$(__husk_names "$kind")" -- "$cur")); fi
  fi
}

complete -F _husk husk
`;
}

function fishScript(tree: CommandTree, withDescriptions: boolean): string {
  const all = levels(tree);
  const desc = (d: string) => (withDescriptions && d ? ` -d ${shellWord(d.split('\n')[0]!)}` : '');
  const cases = (arms: Array<[string[], string]>) => arms.map(([ks, out]) => `    case ${ks.map(shellWord).join(' ')}\n      printf '%s\\n' ${out}`).join('\n');
  const lines: string[] = [];
  for (const l of all) {
    const at = `-n ${shellWord(`__husk_at ${shellWord(l.path)}`)}`;
    for (const c of l.children) lines.push(`complete -c husk -f ${at} -a ${shellWord(namesOf(c).join(' '))}${desc(c.describe)}`);
    for (const f of l.flags) {
      const spell = f.names.map((n) => (n.startsWith('--') ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`)).join(' ');
      lines.push(`complete -c husk ${at} ${spell}${f.takesValue ? ' -r' : ''}${desc(f.describe)}`);
    }
    const kinds = [...new Set(l.kinds.flatMap((k) => k.split('+')))].filter((k) => k !== 'file');
    if (l.kinds.length && kinds.length) lines.push(`complete -c husk -f ${at} -a ${shellWord(`(__husk_names ${kinds.join(' ')})`)}`);
  }
  const children = all.flatMap((l) => l.children.map((c): [string[], string] => [namesOf(c).map((w) => `${l.path}|${w}`), shellWord(key(c))]));
  const valueFlags = all.map((l): [string[], string] => [[l.path], l.flags.filter((f) => f.takesValue).flatMap((f) => f.names).map(shellWord).join(' ')]);
  return `# fish completion for husk, written by \`husk completion fish\`:
#   husk completion fish > ~/.config/fish/completions/husk.fish
function __husk_child
  switch "$argv[1]|$argv[2]"
${cases(children)}
  end
end

function __husk_value_flags
  switch "$argv[1]"
${cases(valueFlags.filter(([, v]) => v !== ''))}
  end
end

# The command the line names so far ("container ls"), and the store flags it gives.
function __husk_path
  set -l words (commandline -opc)
  set -g __husk_cmd $words[1]
  set -l path husk
  set -l skip 0
  set -l store 0
  for w in $words[2..-1]
    if test $skip = 1
      test $store = 1; and set -a __husk_cmd $w
      set skip 0
      set store 0
      continue
    end
    if string match -q -- '-*' $w
      if string match -qr -- '^--(root|runroot)(=|$)' $w
        set -a __husk_cmd $w
        string match -q -- '*=*' $w; or set store 1
      end
      if not string match -q -- '*=*' $w; and contains -- $w (__husk_value_flags $path)
        set skip 1
      end
      continue
    end
    set -l child (__husk_child $path $w)
    test -n "$child"; or break
    set path $child
  end
  echo $path
end

function __husk_at
  set -l line (commandline -pc)
  if test "$line" != "$__husk_line"
    set -g __husk_line $line
    set -g __husk_current (__husk_path)
  end
  test "$__husk_current" = "$argv[1]"
end

function __husk_names
  for kind in $argv
    switch $kind
${Object.entries(LISTERS).map(([k, cmd]) => `      case ${k}\n        $__husk_cmd ${cmd} 2>/dev/null`).join('\n')}
    end
  end
end

complete -c husk -e
${lines.join('\n')}
`;
}
