import t from 'tap';
import { escapeArg, formatCommand, splitWords } from '../../lib/systemd/command-line.js';

t.test('escapeArg: what systemd reads back as the same word (podman\'s escapeSystemdArg)', async (t) => {
  const cases: Array<[string, string]> = [
    ['plain', 'plain'],
    ['--name=web', '--name=web'],
    ['$HOME', '$$HOME'],
    ['100%', '100%%'],
    ['two words', '"two words"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["it's", '"it\'s"'],
    ['a\\b', 'a\\\\b'],
    ['a b\\c', '"a b\\\\c"'],
    ['tab\there', '"tab\\there"'],
    ['', '""'],
    ['$x %n y', '"$$x %%n y"'],
  ];
  for (const [word, want] of cases) t.equal(escapeArg(word), want, JSON.stringify(word));
});

t.test('splitWords reads back what escapeArg writes (specifiers and $$ are systemd\'s to expand)', async (t) => {
  for (const word of ['plain', 'two words', 'say "hi"', "it's", 'a\\b', 'tab\there', '']) {
    t.same(splitWords(escapeArg(word)), [word], JSON.stringify(word));
  }
  t.same(splitWords(`a "b c" 'd "e"' f\\ g "\\x41\\n"`), ['a', 'b c', 'd "e"', 'f g', 'A\n']);
  t.same(splitWords('  '), []);
  t.throws(() => splitWords('"open'), /unbalanced quotes/);
});

t.test('formatCommand: an option per continued line, as podman lays units out', async (t) => {
  t.equal(formatCommand(['/bin/husk', 'run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'x']), '/bin/husk run \\\n\t-d \\\n\t--name web busybox sh \\\n\t-c x');
  t.equal(formatCommand([]), '');
});
