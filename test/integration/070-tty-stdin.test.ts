// Standard input and terminals: -i keeps stdin open, -t allocates a terminal.
// Terminal tests run husk under script(1), which gives it a pseudo-terminal.
import t from 'tap';
import { modes, newHusk, parseProbe } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();

    t.test('-i passes piped stdin', async (t) => {
      const r = await h.run(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'hello\n' });
      t.same([r.code, r.stdout, r.stderr], [0, 'hello\n', '']);
    });

    t.test('-i passes large input and sees its end', async (t) => {
      const input = Array.from({ length: 50000 }, (_, i) => `line ${i}`).join('\n') + '\n';
      const r = await h.run(['run', '--rm', '-i', 'busybox', 'wc', '-l'], { input });
      t.same([r.code, r.stdout.trim()], [0, '50000']);
      const md5 = await h.run(['run', '--rm', '-i', 'busybox', 'md5sum'], { input });
      const { createHash } = await import('node:crypto');
      t.equal(md5.stdout.split(' ')[0], createHash('md5').update(input).digest('hex'), 'byte for byte');
    });

    t.test('-i with a script on stdin', async (t) => {
      const r = await h.run(['run', '--rm', '-i', 'busybox', 'sh'], { input: 'echo from-script\nexit 4\n' });
      t.same([r.code, r.stdout], [4, 'from-script\n']);
    });

    t.test('without -i stdin is not connected', async (t) => {
      const r = await h.run(['run', '--rm', 'busybox', 'cat'], { input: 'ignored\n' });
      t.same([r.code, r.stdout], [0, ''], 'cat sees an empty stdin');
    });

    t.test('without -t there is no terminal', async (t) => {
      const r = await h.run(['run', '--rm', '-i', 'busybox', 'probe'], { input: '' });
      t.equal(parseProbe(r.stdout).stdinTty, false);
      const tty = await h.run(['run', '--rm', 'busybox', 'tty']);
      t.equal(tty.code, 1, 'tty says "not a tty"');
    });

    t.test('-t gives the container a terminal', async (t) => {
      const r = await h.runTty(['run', '--rm', '-t', 'busybox', 'tty']);
      t.equal(r.code, 0);
      t.equal(r.stdout.replace(/\r/g, ''), '/dev/pts/0\n', 'tty prints /dev/pts/0');
      const lf = await h.runTty(['run', '--rm', '-t', 'busybox', 'echo', 'x']);
      t.match(lf.stdout, /^x\r+\n$/, 'line ends are translated by the terminal (onlcr)');
    });

    t.test('-t: exit status passes through', async (t) => {
      const r = await h.runTty(['run', '--rm', '-t', 'busybox', 'sh', '-c', 'exit 7']);
      t.equal(r.code, 7);
    });

    t.test('-t: stdout and stderr both arrive on the terminal', async (t) => {
      const r = await h.runTty(['run', '--rm', '-t', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
      t.equal(r.code, 0);
      t.match(r.stdout, /^out\r*\n/m);
      t.match(r.stdout, /^err\r*\n/m);
    });

    t.test('-t: the terminal has the size of the outer one', async (t) => {
      const r = await h.runTty(['run', '--rm', '-t', 'busybox', 'sh', '-c', 'stty size'], { rows: 30, cols: 100 });
      t.equal(r.code, 0);
      t.match(r.stdout, /^30 100\r*\n/, 'stty size: 30 rows, 100 columns');
    });

    t.test('-it: interactive shell', async (t) => {
      const r = await h.runTty(['run', '--rm', '-it', 'busybox', 'sh'], { input: 'echo hi-$((40+2))\nexit 5\n' });
      t.equal(r.code, 5, 'exit status of the shell');
      t.match(r.stdout, /hi-42/, 'the command ran');
    });
  });
}
