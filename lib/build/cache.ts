// Build cache keys. A step's key is the hash of its parent's key and of
// what the step is: the instruction after substitution, with the content
// and metadata of its sources for COPY and ADD, the environment and mounts
// for RUN. The image a step made carries its key (ImageRecord.buildKey):
// the next build that reaches the same key uses that image instead.
import { lazyCrypto } from '../core/lazy.js';

export function cacheKey(parts: readonly string[]): string {
  const h = lazyCrypto().createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}\n`);
  return h.digest('hex');
}
