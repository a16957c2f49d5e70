import t from 'tap';
import { humanDuration, humanSize, table, timeAgo } from '../../lib/cli/common.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

t.test('humanDuration: docker wording', async (t) => {
  t.equal(humanDuration(0), 'Less than a second');
  t.equal(humanDuration(499), 'Less than a second');
  t.equal(humanDuration(-5 * S), 'Less than a second', 'clock skew: never negative');
  t.equal(humanDuration(1 * S), '1 second');
  t.equal(humanDuration(2 * S), '2 seconds');
  t.equal(humanDuration(59 * S), '59 seconds');
  t.equal(humanDuration(60 * S), 'About a minute');
  t.equal(humanDuration(89 * S), 'About a minute');
  t.equal(humanDuration(5 * M), '5 minutes');
  t.equal(humanDuration(59 * M), '59 minutes');
  t.equal(humanDuration(60 * M), 'About an hour');
  t.equal(humanDuration(3 * H), '3 hours');
  t.equal(humanDuration(47 * H), '47 hours');
  t.equal(humanDuration(48 * H), '2 days');
  t.equal(humanDuration(13 * D), '13 days');
  t.equal(humanDuration(14 * D), '2 weeks');
  t.equal(humanDuration(59 * D), '8 weeks');
  t.equal(humanDuration(60 * D), '2 months');
  t.equal(humanDuration(729 * D), '24 months');
  t.equal(humanDuration(730 * D), '2 years');
  t.equal(humanDuration(3650 * D), '10 years');
});

t.test('timeAgo', async (t) => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  t.equal(timeAgo('2024-05-01T11:59:57Z', now), '3 seconds ago');
  t.equal(timeAgo('2024-05-01T10:00:00Z', now), '2 hours ago');
  t.equal(timeAgo('2024-04-01T12:00:00Z', now), '4 weeks ago');
});

t.test('humanSize: decimal units, three significant digits', async (t) => {
  t.equal(humanSize(0), '0B');
  t.equal(humanSize(1), '1B');
  t.equal(humanSize(999), '999B');
  t.equal(humanSize(1000), '1kB');
  t.equal(humanSize(1234), '1.23kB');
  t.equal(humanSize(1500), '1.5kB');
  t.equal(humanSize(4_500), '4.5kB');
  t.equal(humanSize(12_345), '12.3kB');
  t.equal(humanSize(1_230_000), '1.23MB');
  t.equal(humanSize(4_260_000), '4.26MB');
  t.equal(humanSize(123_456_789), '123MB');
  t.equal(humanSize(2_000_000_000), '2GB');
  t.equal(humanSize(1e12), '1TB');
});

t.test('humanSize: round hundreds keep their zeros', async (t) => {
  t.equal(humanSize(100_000), '100kB');
  t.equal(humanSize(200_000_000), '200MB');
  t.equal(humanSize(10_000), '10kB');
  t.equal(humanSize(120_000), '120kB');
});

t.test('humanSize: values that round up to the next unit', async (t) => {
  t.equal(humanSize(999_999), '1MB');
  t.equal(humanSize(999_500_000), '1GB');
  t.equal(humanSize(1e15), '1PB');
});

t.test('table: columns padded to the widest cell, three spaces apart', async (t) => {
  t.equal(table(['ID', 'NAME', 'STATUS'], [['abc', 'web', 'Up'], ['d', 'longer-name', 'Exited (0)']]),
    'ID    NAME          STATUS\n' +
    'abc   web           Up\n' +
    'd     longer-name   Exited (0)\n');
  t.equal(table(['A', 'B'], []), 'A   B\n', 'headers only');
  t.equal(table(['A', 'B', 'C'], [['x', '', '']]), 'A   B   C\nx\n', 'no trailing blanks');
  t.equal(table(['A', 'B'], [['x']]), 'A   B\nx\n', 'missing cells');
  t.equal(table(['REPOSITORY'], [['localhost/busybox']]), 'REPOSITORY\nlocalhost/busybox\n');
});
