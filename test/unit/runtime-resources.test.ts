import os from 'node:os';
import t from 'tap';
import { hasLimits, parseBytes, parseResources } from '../../lib/runtime/resources.js';
import { parseUlimit } from '../../lib/runtime/ulimits.js';

t.test('sizes as docker reads them', async (t) => {
  t.equal(parseBytes('512', 'x'), 512);
  t.equal(parseBytes('64m', 'x'), 64 * 1024 ** 2);
  t.equal(parseBytes('64MB', 'x'), 64 * 1024 ** 2);
  t.equal(parseBytes('1.5g', 'x'), 1.5 * 1024 ** 3);
  t.equal(parseBytes('2k', 'x'), 2048);
  t.throws(() => parseBytes('lots', '--memory'), /invalid --memory "lots": give a size such as 512m/);
  t.throws(() => parseBytes('-1m', '--memory'), /invalid --memory/);
});

t.test('memory', async (t) => {
  t.same(parseResources({ memory: '64m', memoryReservation: '32m', memorySwap: '128m', memorySwappiness: 10, oomKillDisable: true }).resources, {
    memory: { limit: 64 * 1024 ** 2, reservation: 32 * 1024 ** 2, swap: 128 * 1024 ** 2, swappiness: 10, disableOOMKiller: true },
  });
  t.same(parseResources({ memory: '64m', memorySwap: '-1' }).resources.memory?.swap, -1, 'unlimited swap');
  t.throws(() => parseResources({ memory: '1m' }), /minimum memory limit is 6MB/);
  t.throws(() => parseResources({ memorySwap: '1g' }), /--memory-swap needs --memory/);
  t.throws(() => parseResources({ memory: '64m', memorySwap: '32m' }), /at least --memory/);
  t.throws(() => parseResources({ memory: '64m', memoryReservation: '128m' }), /--memory-reservation must be below --memory/);
  t.throws(() => parseResources({ memorySwappiness: 101 }), /0 to 100/);
  const kernel = parseResources({ kernelMemory: '64m' });
  t.same(kernel.resources, {}, '--kernel-memory sets nothing');
  t.match(kernel.warnings[0], /--kernel-memory is ignored/);
});

t.test('cpu', async (t) => {
  t.same(parseResources({ cpus: '0.5' }).resources.cpu, { quota: 50000, period: 100000 });
  t.same(parseResources({ cpuPeriod: 50000, cpuQuota: 25000, cpuShares: 512 }).resources.cpu, { period: 50000, quota: 25000, shares: 512 });
  t.throws(() => parseResources({ cpus: '0.5', cpuQuota: 1000 }), /cannot be used together/);
  t.throws(() => parseResources({ cpus: String(os.cpus().length + 1) }), /this machine has/);
  t.throws(() => parseResources({ cpus: '-1' }), /invalid --cpus/);
  t.throws(() => parseResources({ cpuShares: 1 }), /2 to 262144/);
  t.same(parseResources({ cpusetCpus: '0' }).resources.cpu, { cpus: '0' });
  t.throws(() => parseResources({ cpusetCpus: '0-' }), /give a list such as 0-3,5/);
  t.throws(() => parseResources({ cpusetCpus: '4096' }), /not available on this machine/);
});

t.test('pids, block IO, none at all', async (t) => {
  t.same(parseResources({ pidsLimit: 20 }).resources.pids, { limit: 20 });
  t.same(parseResources({ pidsLimit: 0 }).resources.pids, { limit: -1 }, '0 is no limit');
  t.throws(() => parseResources({ pidsLimit: -5 }), /invalid --pids-limit/);
  t.same(parseResources({ blkioWeight: 300 }).resources.blockIO, { weight: 300 });
  t.throws(() => parseResources({ blkioWeight: 5 }), /10 to 1000/);
  t.throws(() => parseResources({ deviceReadBps: ['/dev/null:1mb'] }), /not a block device/);
  t.throws(() => parseResources({ deviceReadBps: ['/nonexistent:1mb'] }), /does not exist/);
  t.throws(() => parseResources({ deviceWriteIops: ['nocolon'] }), /give DEVICE:VALUE/);
  t.same(parseResources({}).resources, {});
  t.notOk(hasLimits(parseResources({}).resources));
  t.ok(hasLimits(parseResources({ pidsLimit: 5 }).resources));
});

t.test('--ulimit', async (t) => {
  t.same(parseUlimit('nofile=1024:2048'), { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 });
  t.same(parseUlimit('nproc=64'), { type: 'RLIMIT_NPROC', soft: 64, hard: 64 });
  t.same(parseUlimit('core=-1'), { type: 'RLIMIT_CORE', soft: 2 ** 64, hard: 2 ** 64 }, '-1 is unlimited');
  t.throws(() => parseUlimit('bogus=1'), /invalid --ulimit "bogus=1"/);
  t.throws(() => parseUlimit('nofile=10:5'), /at most the hard one/);
});
