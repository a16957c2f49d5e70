// Go durations as docker and podman take them: "30s", "1m30s", "500ms",
// "1h", "250us"; a bare number is read in `bareUnit` (ms by default).
const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string, bareUnit: 'ms' | 's' = 'ms'): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * UNITS[bareUnit]!;
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return total;
}
