// Which of husk's fds a container's process gets, and the LISTEN_* it is told.
import fs from 'node:fs';
import t from 'tap';
import { passedFds } from '../../lib/engine/passed-fds.js';

const PID = 4242;

t.test('nothing asked, nothing activated: no fds, no variables', async (t) => {
  t.same(passedFds(undefined, {}, PID), { count: 0, env: [] });
});

t.test('a socket activation meant for husk: its fds and LISTEN_PID=1', async (t) => {
  const fd = fs.openSync('/dev/null', 'r'); // some fd at 3 or above is open while this runs
  t.teardown(() => fs.closeSync(fd));
  t.same(passedFds(undefined, { LISTEN_FDS: '1', LISTEN_PID: String(PID), LISTEN_FDNAMES: 'web' }, PID), { count: 1, env: ['LISTEN_PID=1', 'LISTEN_FDS=1', 'LISTEN_FDNAMES=web'] });
  t.same(passedFds(2, { LISTEN_FDS: '1', LISTEN_PID: String(PID) }, PID).count, 2, '--preserve-fds wins, the variables still go in');
});

t.test('variables a parent left for another process are not husk\'s', async (t) => {
  t.same(passedFds(undefined, { LISTEN_FDS: '1', LISTEN_PID: '1' }, PID), { count: 0, env: [] });
  t.same(passedFds(undefined, { LISTEN_FDS: '1' }, PID), { count: 0, env: [] });
});

t.test('bad numbers and fds that are not open are errors', async (t) => {
  t.throws(() => passedFds(-1, {}, PID), /invalid --preserve-fds "-1"/);
  t.throws(() => passedFds(1.5, {}, PID), /invalid --preserve-fds "1.5"/);
  t.throws(() => passedFds(undefined, { LISTEN_FDS: 'x', LISTEN_PID: String(PID) }, PID), /invalid LISTEN_FDS "x"/);
  t.throws(() => passedFds(1000, {}, PID), /^file descriptor \d+ is not open: --preserve-fds 1000 passes 3 to 1002 on/);
});
