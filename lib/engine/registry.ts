// What the commands that talk to registries do: pull, push, search, login.
// The work is in lib/image; this is the face the CLI sees.
import { pullAllTags as pullAll, pullImage as pull, type PullOptions, type PullResult } from '../image/pull.js';
export { listTags } from '../image/pull.js';
import { pushImage as push, type PushOptions, type PushResult } from '../image/push.js';
import type { Context } from '../core/context.js';
import { recordEvent } from './events.js';

export type { PullOptions, PullResult, PushOptions, PushResult };

export async function pullImage(ctx: Context, refText: string, opts: PullOptions = {}): Promise<PullResult> {
  const r = await pull(ctx, refText, opts);
  recordEvent(ctx, { type: 'image', action: 'pull', id: r.image.id, name: r.name });
  return r;
}

export async function pullAllTags(ctx: Context, refText: string, opts: PullOptions = {}): Promise<PullResult[]> {
  const results = await pullAll(ctx, refText, opts);
  for (const r of results) recordEvent(ctx, { type: 'image', action: 'pull', id: r.image.id, name: r.name });
  return results;
}

export async function pushImage(ctx: Context, imageName: string, destination: string | undefined, opts: PushOptions = {}): Promise<PushResult> {
  const r = await push(ctx, imageName, destination, opts);
  recordEvent(ctx, { type: 'image', action: 'push', id: r.digest, name: r.destination });
  return r;
}
export { search, type SearchOptions, type SearchResult } from '../image/search.js';
export { authFileFor, removeLogin, saveLogin, storedLogin, verifyLogin } from '../image/registry/login.js';
export { hostPlatform } from '../image/registry/manifest.js';
export type { AccessOptions } from '../image/registry/connect.js';
