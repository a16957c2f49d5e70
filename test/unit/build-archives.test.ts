import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { archiveKind, decompressed, isTarHeader } from '../../lib/build/archives.js';
import { parseBuildArgFile, parseSecret, parseSsh } from '../../lib/engine/build-input.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'husk-archives-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.mkdirSync(path.join(dir, 'in'));
fs.writeFileSync(path.join(dir, 'in', 'x.txt'), 'x\n');

const has = (program: string) => {
  try {
    execFileSync(program, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

t.test('archives are known by their content, not their names', async (t) => {
  const tar = path.join(dir, 'plain.bin');
  execFileSync('tar', ['cf', tar, '-C', path.join(dir, 'in'), 'x.txt']);
  t.equal(await archiveKind(tar), 'tar');
  const gz = path.join(dir, 'a.whatever');
  execFileSync('sh', ['-c', `gzip -c ${tar} > ${gz}`]);
  t.equal(await archiveKind(gz), 'gzip');
  const notTar = path.join(dir, 'text.gz');
  execFileSync('sh', ['-c', `echo hello | gzip -c > ${notTar}`]);
  t.equal(await archiveKind(notTar), undefined, 'gzip of something that is no tar is copied as it is');
  const text = path.join(dir, 'file.tar');
  fs.writeFileSync(text, 'just text, named like a tar\n'.repeat(40));
  t.equal(await archiveKind(text), undefined);
  if (has('xz')) {
    const xz = path.join(dir, 'a.xz');
    execFileSync('sh', ['-c', `xz -c ${tar} > ${xz}`]);
    t.equal(await archiveKind(xz), 'xz');
    const chunks: Buffer[] = [];
    for await (const c of decompressed(xz, 'xz')) chunks.push(c as Buffer);
    t.same(Buffer.concat(chunks), fs.readFileSync(tar), 'decompressed through xz');
  }
});

t.test('a tar header is checked by its checksum', async (t) => {
  const block = Buffer.alloc(512);
  t.notOk(isTarHeader(block), 'zeros: the end of an archive, no header');
  const tar = path.join(dir, 'h.tar');
  execFileSync('tar', ['cf', tar, '-C', path.join(dir, 'in'), 'x.txt']);
  const header = fs.readFileSync(tar).subarray(0, 512);
  t.ok(isTarHeader(header));
  const broken = Buffer.from(header);
  broken[0] = broken[0]! ^ 1;
  t.notOk(isTarHeader(broken), 'one changed byte breaks the checksum');
});

t.test('--build-arg-file, --secret, --ssh', async (t) => {
  t.same(parseBuildArgFile(['# comment\nA=1\n\n B=two words \n', 'A=3\n']), { A: '3', B: 'two words' });
  t.throws(() => parseBuildArgFile(['novalue\n']), /not NAME=VALUE/);
  const file = path.join(dir, 'secret');
  fs.writeFileSync(file, 's3cret');
  t.same(parseSecret(`id=tok,src=${file}`, {}), { id: 'tok', file });
  t.same(parseSecret('id=tok,env=TOKEN', { TOKEN: 'v' }), { id: 'tok', value: 'v' });
  t.same(parseSecret('id=TOKEN', { TOKEN: 'v' }), { id: 'TOKEN', value: 'v' }, 'an id alone: the variable of that name');
  t.throws(() => parseSecret('src=/x', {}), /id= is required/);
  t.throws(() => parseSecret('id=a,src=/nonexistent/file', {}), /not a readable file/);
  t.throws(() => parseSecret('id=a,env=UNSET', {}), /UNSET is not set/);
  t.same(parseSsh(`default=${file}`, {}), { id: 'default', socket: file });
  t.same(parseSsh('default', { SSH_AUTH_SOCK: file }), { id: 'default', socket: file });
  t.throws(() => parseSsh('default', {}), /set SSH_AUTH_SOCK/);
});
