// Kubernetes resource quantities: memory ("128Mi", "1G", "500000") and CPU
// ("500m", "1.5"), as the API reads them, and back.
import { UsageError } from '../core/errors.js';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A quantity as a number of units (bytes for memory, cores for CPU). */
export function parseQuantity(value: unknown, where: string): number {
  const text = String(value).trim();
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|K|M|G|T|P|E)?$/.exec(text);
  if (!m) throw new UsageError(`${where}: "${text}" is not a Kubernetes quantity (such as 128Mi, 1G, 500m)`);
  const unit = m[2] ?? '';
  return Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit]!);
}

/** Bytes as the API prefers them: the largest binary unit that divides them. */
export function formatBytes(bytes: number): string {
  for (const unit of ['Gi', 'Mi', 'Ki']) if (bytes % BINARY[unit]! === 0 && bytes >= BINARY[unit]!) return `${bytes / BINARY[unit]!}${unit}`;
  return String(bytes);
}

/** Cores as millicores ("500m") or whole cores ("2"). */
export function formatCpu(cores: number): string {
  const milli = Math.round(cores * 1000);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}
