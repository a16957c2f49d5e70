// ADD's local archives: a tar, plain or compressed with gzip, bzip2, xz or
// zstd, is unpacked into the destination; any other file is copied as is.
// As docker decides, by content (the first tar header must be valid), not
// by the file's name.
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { lazyChildProcess, lazyZlib } from '../core/lazy.js';
import { UsageError } from '../core/errors.js';

export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: Array<[ArchiveKind, number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

const PROGRAMS: Record<'bzip2' | 'xz' | 'zstd', string> = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' };

/** The archive a file is, or undefined for a file to copy as it is. */
export async function archiveKind(file: string): Promise<ArchiveKind | undefined> {
  const head = await readHead(fs.createReadStream(file, { start: 0, end: 511 }));
  const compressed = MAGIC.find(([, m]) => m.every((b, i) => head[i] === b))?.[0];
  if (!compressed) return isTarHeader(head) ? 'tar' : undefined;
  // Compressed: an archive only if what it holds is a tar.
  try {
    return isTarHeader(await readHead(decompressed(file, compressed))) ? compressed : undefined;
  } catch {
    return undefined;
  }
}

/** The tar inside the file, decompressed as a stream. */
export function decompressed(file: string, kind: ArchiveKind): Readable {
  const input = fs.createReadStream(file);
  if (kind === 'tar') return input;
  if (kind === 'gzip') return input.pipe(lazyZlib().createGunzip());
  const program = PROGRAMS[kind];
  const child = lazyChildProcess().spawn(program, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const out = new PassThrough();
  child.on('error', () => out.destroy(new UsageError(`${file}: a ${kind} archive needs the ${program} program, which is not installed`)));
  child.on('close', (code) => {
    if (code !== 0 && code !== null) out.destroy(new UsageError(`${file}: ${program} could not decompress it (exit ${code})`));
  });
  input.pipe(child.stdin).on('error', () => {});
  child.stdout.pipe(out);
  return out;
}

/** The first 512 bytes of a stream (fewer if it is shorter); the stream is then dropped. */
async function readHead(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= 512) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, 512);
}

/** A tar header block: its checksum (bytes 148-155, octal) is the sum of the block with that field as spaces. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512 || block[0] === 0) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[\0 ]+$/, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === parseInt(field, 8);
}
