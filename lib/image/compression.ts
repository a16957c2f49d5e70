// Streams that may be compressed, sniffed by their first bytes: `gunzipped`
// inflates gzip for husk's own reading (archives); `layerInput` passes a
// layer's bytes on unchanged for the helper, which reads tar, gzip and zstd.
// Other compressions are refused by name.
import { PassThrough, type Readable } from 'node:stream';
import { UsageError } from '../core/errors.js';
import { lazyZlib } from '../core/lazy.js';

/** A layer's bytes, unchanged, once they are known to be a tar, gzip or zstd (not empty, not bzip2 or xz). */
export async function layerInput(input: Readable, what: string): Promise<Readable> {
  const head = await readHead(input, 6);
  checkLayerHead(head, what);
  return withHead(input, head);
}

/** Refuses, by their first bytes, layers that are empty or compressed as husk does not read. */
export function checkLayerHead(head: Buffer, what: string): void {
  if (head.length === 0) throw new UsageError(`${what} is empty`);
  refuseUnsupported(head, what);
}

function refuseUnsupported(head: Buffer, what: string): void {
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) throw new UsageError(`${what}: bzip2 compression is not supported: decompress it first`);
  if (head[0] === 0xfd && head[1] === 0x37) throw new UsageError(`${what}: xz compression is not supported: decompress it first`);
}

/** The stream again, with the bytes already read from it in front. */
function withHead(input: Readable, head: Buffer): Readable {
  const out = new PassThrough();
  input.on('error', (err) => out.destroy(err));
  if (input.readableEnded) {
    out.end(head);
    return out;
  }
  out.write(head);
  input.pipe(out);
  return out;
}

/** Sniffs the first bytes: gzip is inflated, plain data passes through, other compression is refused. */
export async function gunzipped(input: Readable, what: string): Promise<Readable> {
  const head = await readHead(input, 6);
  if (head.length === 0) throw new UsageError(`${what} is empty`);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const out = new PassThrough();
    input.on('error', (err) => out.destroy(err));
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
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) throw new UsageError(`${what}: zstd compression is not supported here`);
  refuseUnsupported(head, what);
  return withHead(input, head);
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
