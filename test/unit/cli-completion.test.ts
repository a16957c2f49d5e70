// husk completion bash|zsh|fish: each script is run by its real shell, which
// is asked what it completes for a command line. Names of containers come
// from a stand-in `husk` on PATH that records the flags it was given.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { commandTree } from '../../lib/cli/command-tree.js';
import { ALIASES, COMMANDS } from '../../lib/cli/command-table.js';
import { completionScript, type Shell } from '../../lib/cli/completion.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-completion-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
// The stand-in: prints two names, and the arguments it got into calls.log.
fs.writeFileSync(path.join(dir, 'husk'), `#!/bin/sh\necho "$*" >> ${dir}/calls.log\necho web-1\necho db-1\n`, { mode: 0o755 });
const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir };

const installed = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;

/** The completions a bash-style function gives for the words (the last one is being typed). */
function bashLike(shell: 'bash' | 'zsh', script: string, words: string[]): string[] {
  const file = path.join(dir, `c.${shell}`);
  fs.writeFileSync(file, script);
  const prelude = shell === 'zsh' ? 'autoload -U compinit && compinit -u -D; ' : '';
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync(shell, ['-c', `${prelude}source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _husk; printf '%s\\n' "\${COMPREPLY[@]}"`], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${shell}: ${r.stderr}`);
  // zsh filters by what is typed itself, after the function: done here the same way.
  return r.stdout.split('\n').filter((l) => l !== '' && l.startsWith(words[words.length - 1]!)).sort();
}

function fish(script: string, line: string): string[] {
  const file = path.join(dir, 'c.fish');
  fs.writeFileSync(file, script);
  const r = spawnSync('fish', ['-N', '-c', `source ${file}; complete -C '${line}'`], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`fish: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]!).sort();
}

const CASES: Array<{ words: string[]; want: string[]; exact?: boolean }> = [
  { words: ['husk', 'contain'], want: ['container'], exact: true },
  { words: ['husk', 'container', 'l'], want: ['logs', 'ls'], exact: true },
  { words: ['husk', 'rm', '--fo'], want: ['--force'], exact: true },
  { words: ['husk', 'volume', 'ls', '--q'], want: ['--quiet'] },
  { words: ['husk', 'run', '--network-a'], want: ['--network-alias'], exact: true },
  // A flag's value is not a command word: `-v /x:/y` leaves `run` at its image.
  { words: ['husk', '--root', '/x', 'ima'], want: ['image', 'images'], exact: true },
  // Flags husk only ignores or refuses are not offered.
  { words: ['husk', '--cgroup-m'], want: [], exact: true },
];

t.test('the scripts', async (t) => {
  const tree = await commandTree(COMMANDS, ALIASES);
  for (const shell of ['bash', 'zsh', 'fish'] as Shell[]) {
    t.test(shell, { skip: installed(shell) ? false : `${shell} is not installed (scripts/install-deps.sh installs it)` }, async (t) => {
      const script = completionScript(shell, tree);
      const complete = (words: string[]) => (shell === 'fish' ? fish(script, words.join(' ')) : bashLike(shell, script, words));
      for (const c of CASES) {
        const got = complete(c.words);
        if (c.exact) t.same(got, c.want, `${c.words.join(' ')}`);
        else for (const w of c.want) t.ok(got.includes(w), `${c.words.join(' ')}: ${w} among ${got.join(' ')}`);
      }
      fs.rmSync(path.join(dir, 'calls.log'), { force: true });
      t.same(complete(['husk', '--root', '/store', 'rm', '-f', 'we']), ['web-1'], 'container names, from husk itself');
      t.match(fs.readFileSync(path.join(dir, 'calls.log'), 'utf8'), /^--root \/store ps -a --format \{\{\.Names\}\}$/m, 'asked of the store the line names');
    });
  }
});

t.test('husk completion: -f FILE, an unknown shell', async (t) => {
  const completionCommand = (await import('../../lib/cli/commands/completion.js')).completionCommand(COMMANDS, ALIASES);
  const file = path.join(dir, 'out.bash');
  await completionCommand.handler({ shell: 'bash', file, desc: true, _: [], $0: 'husk' });
  t.match(fs.readFileSync(file, 'utf8'), /^complete -F _husk husk$/m, 'written to the file');
  await t.rejects(Promise.resolve(completionCommand.handler({ shell: 'tcsh', desc: true, _: [], $0: 'husk' })), /unknown shell "tcsh": choose bash, zsh, fish/);
  await t.rejects(Promise.resolve(completionCommand.handler({ shell: 'powershell', desc: true, _: [], $0: 'husk' })), /powershell completion is not supported/);
});
