// What image commands do.
import { ImageStore } from '../image/store.js';
import type { ImageRecord } from '../image/types.js';
import type { Context } from './context.js';

export function listImages(ctx: Context): ImageRecord[] {
  return new ImageStore(ctx).listImages().sort((a, b) => b.created.localeCompare(a.created));
}
