// A reader that goes away (`husk logs -f CTR | grep -m1 x`, `husk run ... |
// head -1`): husk ends quietly, as docker and podman do (they die of the
// SIGPIPE; a shell shows 141), never with a Node stack trace, and what it
// was in the middle of is finished or handed back (run --rm still removes
// its container).
import t, { type Test } from 'tap';
import { HEARTBEAT, modes, newHusk, waitFor } from '../helpers/husk.js';

for (const mode of modes()) {
  t.test(mode, async (t) => {
    const h = await newHusk(mode);
    t.teardown(() => h.cleanup());
    await h.importBusybox();
    /** Ended quietly with the status of a broken pipe. */
    const quiet = (t: Test, r: { code: number; stderr: string }, what: string) => {
      t.equal(r.code, 141, `${what}: exit 141, as a shell shows docker's SIGPIPE`);
      t.equal(r.stderr, '', `${what}: nothing on stderr (no stack trace)`);
    };

    await t.test('a closed pipe does not crash husk: run --rm ... | head -1', async (t) => {
      const r = await h.runPiped(['run', '--rm', 'busybox', 'seq', '1', '1000000'], 'head -1');
      t.equal(r.readerOut, '1\n');
      quiet(t, r, 'run --rm');
      t.ok(await waitFor(async () => (await h.containerIds()).length === 0, 20_000), 'the --rm container is removed all the same');
    });

    await t.test('a closed pipe does not crash husk: run of an endless writer | head -1', async (t) => {
      const r = await h.runPiped(['run', '--name', 'yes', 'busybox', 'yes'], 'head -1');
      t.equal(r.readerOut, 'y\n');
      quiet(t, r, 'run');
      t.equal((await h.run(['inspect', '-f', '{{.State.Status}}', 'yes'])).stdout, 'running\n', 'the container runs on, as with docker');
      t.equal((await h.run(['rm', '-f', 'yes'])).code, 0);
    });

    await t.test('a closed pipe does not crash husk: logs -f CTR | grep -m1 x, attach CTR | head', async (t) => {
      t.equal((await h.run(['run', '-d', '--name', 'beat', 'busybox', 'sh', '-c', HEARTBEAT])).code, 0);
      const logs = await h.runPiped(['logs', '-f', 'beat'], 'grep -m1 "beat 3"');
      t.equal(logs.readerOut, 'beat 3\n');
      quiet(t, logs, 'logs -f');
      const attach = await h.runPiped(['attach', 'beat'], 'head -1');
      t.match(attach.readerOut, /^beat \d+\n$/);
      quiet(t, attach, 'attach');
      t.ok(await h.beatsOn('beat'), 'the container runs on');
      t.equal((await h.run(['rm', '-f', 'beat'])).code, 0);
    });

    await t.test('a closed pipe does not crash husk: save, export and cp to stdout | head -c 10', async (t) => {
      t.equal((await h.run(['create', '--name', 'c', 'busybox'])).code, 0);
      for (const args of [['save', 'busybox'], ['export', 'c'], ['cp', 'c:/bin', '-']]) {
        const r = await h.runPiped(args, 'head -c 10');
        t.equal(r.readerOut.length, 10, `${args[0]}: the reader got its 10 bytes`);
        quiet(t, r, args[0]!);
      }
      t.equal((await h.run(['rm', 'c'])).code, 0);
    });
  });
}
