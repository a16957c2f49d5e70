// Go's float formatting for %e, %f and %g (and %v of a float). Go rounds the
// exact binary value with ties to even (%.0f of 2.5 is 2) where toFixed rounds
// ties up, so the digits are worked out here.

interface Decimal {
  digits: string;
  point: number;
}

function trimDecimal(digits: string, point: number): Decimal {
  const lead = /^0*/.exec(digits)![0].length;
  return { digits: digits.slice(lead).replace(/0+$/, ''), point: lead === digits.length ? 0 : point - lead };
}

/** The shortest digits that read back as the same number (Go's and JavaScript's shortest). */
function shortestDecimal(abs: number): Decimal {
  const [mantissa, exp] = abs.toExponential().split('e') as [string, string];
  return trimDecimal(mantissa.replace('.', ''), Number(exp) + 1);
}

/** The exact digits of a double: toFixed(100) is exact to 100 places. */
function exactDecimal(abs: number): Decimal {
  if (abs >= 1e21) {
    const digits = BigInt(abs).toString();
    return trimDecimal(digits, digits.length);
  }
  if (abs !== 0 && abs < 1e-90) return shortestDecimal(abs);
  const [int, frac] = abs.toFixed(100).split('.') as [string, string];
  return trimDecimal(int + frac, int.length);
}

/** `d` rounded to `keep` significant digits, ties to even as Go's strconv rounds. */
function roundDecimal(d: Decimal, keep: number): Decimal {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: '', point: 0 };
  const kept = d.digits.slice(0, keep);
  const next = d.digits[keep]!;
  const tie = next === '5' && keep + 1 === d.digits.length;
  const up = next > '5' || (next === '5' && (!tie || Number(kept[kept.length - 1] ?? '0') % 2 === 1));
  if (!up) return trimDecimal(kept, d.point);
  const carried = (BigInt(kept || '0') + 1n).toString();
  const grew = carried.length > keep;
  return trimDecimal(carried, d.point + (grew ? 1 : 0));
}

/** %f: `precision` digits after the point. */
export function formatF(abs: number, precision: number): string {
  const exact = exactDecimal(abs);
  const d = roundDecimal(exact, exact.point + precision);
  const int = d.point > 0 ? d.digits.slice(0, d.point).padEnd(d.point, '0') : '0';
  const frac = (d.point >= 0 ? d.digits.slice(d.point) : '0'.repeat(-d.point) + d.digits).padEnd(precision, '0').slice(0, precision);
  return precision > 0 ? `${int}.${frac}` : int;
}

/** %e: one digit, `precision` more after the point, and a two-digit exponent at least. */
export function formatE(abs: number, precision: number): string {
  const d = abs === 0 ? { digits: '0', point: 1 } : roundDecimal(exactDecimal(abs), precision + 1);
  const digits = d.digits.padEnd(precision + 1, '0');
  return `${digits[0]}${precision > 0 ? `.${digits.slice(1)}` : ''}${exponent(d.point - 1)}`;
}

function exponent(x: number): string {
  return `e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
}

/** %g: the shortest digits (or `precision` significant ones); exponent form below 1e-4 and from 1e+precision (1e+06 for the shortest, as Go prints 1e6). */
export function formatG(abs: number, precision: number | undefined): string {
  if (abs === 0) return '0';
  const p = precision === undefined ? undefined : Math.max(precision, 1);
  const { digits, point } = p === undefined ? shortestDecimal(abs) : roundDecimal(exactDecimal(abs), p);
  const x = point - 1;
  if (x < -4 || x >= (p ?? 6)) return `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ''}${exponent(x)}`;
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
