// Subordinate id ranges from /etc/subuid and /etc/subgid (shadow-utils format:
// "name_or_uid:start:count", one range a line).
import fs from 'node:fs';

export interface SubidRange {
  start: number;
  count: number;
}

export function parseSubidFile(text: string, user: string, uid: number): SubidRange[] {
  const ranges: SubidRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [owner, start, count] = line.split(':');
    if (owner !== user && owner !== String(uid)) continue;
    if (!/^\d+$/.test(start ?? '') || !/^\d+$/.test(count ?? '')) continue;
    const s = Number(start);
    const c = Number(count);
    if (c > 0) ranges.push({ start: s, count: c });
  }
  return ranges;
}

export function readSubids(file: string, user: string, uid: number): SubidRange[] {
  try {
    return parseSubidFile(fs.readFileSync(file, 'utf8'), user, uid);
  } catch {
    return [];
  }
}
