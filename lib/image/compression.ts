// Streams that may be gzip-compressed: sniffed by their first bytes, gzip
// inflated, plain data passed through, other compressions refused by name.
import { PassThrough, type Readable } from 'node:stream';
import { UsageError } from '../engine/errors.js';
import { lazyZlib } from '../util/lazy.js';

/** Sniffs the first bytes: gzip is inflated, plain data passes through, other compression is refused. */
export async function gunzipped(input: Readable, what: string): Promise<Readable> {
  const head = await readHead(input, 6);
  if (head.length === 0) throw new UsageError(`${what} is empty`);
  const out = new PassThrough();
  input.on('error', (err) => out.destroy(err));
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gunzip = lazyZlib().createGunzip();
    gunzip.on('error', (err) => out.destroy(new UsageError(`${what}: invalid gzip data: ${err.message}`)));
    gunzip.pipe(out);
    if (input.readableEnded) gunzip.end(head);
    else {
      gunzip.write(head);
      input.pipe(gunzip);
    }
    return out;
  }
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) throw new UsageError(`${what}: zstd compression is not supported yet`);
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) throw new UsageError(`${what}: bzip2 compression is not supported: decompress it first`);
  if (head[0] === 0xfd && head[1] === 0x37) throw new UsageError(`${what}: xz compression is not supported: decompress it first`);
  if (input.readableEnded) {
    out.end(head);
    return out;
  }
  out.write(head);
  input.pipe(out);
  return out;
}

function readHead(input: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let len = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      len += chunk.length;
      if (len >= n) finish();
    };
    const finish = () => {
      input.off('data', onData);
      input.off('end', finish);
      input.off('error', reject);
      input.pause();
      resolve(Buffer.concat(chunks));
    };
    input.on('data', onData);
    input.once('end', finish);
    input.once('error', reject);
  });
}
