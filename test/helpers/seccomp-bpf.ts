// Classic BPF as the kernel runs a seccomp filter: enough to ask a filter
// dumped from a live process (test/fixtures/seccomp-dump.c) what it answers
// for a syscall on an architecture with given arguments. Tests compare
// husk's filter with podman's this way, as the kernel holds them.

/** One instruction: [code, jt, jf, k] (struct sock_filter). */
export type Insn = [number, number, number, number];

/** struct seccomp_data without the instruction pointer. */
export interface SeccompData {
  nr: number;
  arch: number;
  /** Six 64-bit arguments. */
  args: bigint[];
}

/** AUDIT_ARCH_* values as the filter sees them; x32 is x86_64 with X32_SYSCALL_BIT in nr. */
export const AUDIT_ARCH = { x86_64: 0xc000003e, x86: 0x40000003 } as const;
export const X32_SYSCALL_BIT = 0x40000000;

export const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const ACTION_FULL = 0xffff0000;

/** "allow", "errno N", or the action in hex (kill, trap, ...). */
export function describe(ret: number): string {
  const action = (ret & ACTION_FULL) >>> 0;
  if (action === SECCOMP_RET_ALLOW) return 'allow';
  if (action === SECCOMP_RET_ERRNO) return `errno ${ret & 0xffff}`;
  return `action 0x${action.toString(16)}`;
}

/** The 32-bit word at byte `offset` of seccomp_data (little-endian). */
function word(d: SeccompData, offset: number): number {
  if (offset === 0) return d.nr >>> 0;
  if (offset === 4) return d.arch >>> 0;
  if (offset >= 16 && offset < 64 && offset % 4 === 0) {
    const arg = d.args[(offset - 16) >> 3] ?? 0n;
    return Number(offset % 8 === 0 ? arg & 0xffffffffn : (arg >> 32n) & 0xffffffffn);
  }
  if (offset === 8 || offset === 12) return 0; // instruction_pointer
  throw new Error(`seccomp filter reads seccomp_data at ${offset}`);
}

function alu(op: number, a: number, v: number): number {
  switch (op) {
    case 0x00: return (a + v) >>> 0;
    case 0x10: return (a - v) >>> 0;
    case 0x20: return Math.imul(a, v) >>> 0;
    case 0x30: return v === 0 ? 0 : Math.floor(a / v) >>> 0;
    case 0x40: return (a | v) >>> 0;
    case 0x50: return (a & v) >>> 0;
    case 0x60: return v >= 32 ? 0 : (a << v) >>> 0;
    case 0x70: return v >= 32 ? 0 : a >>> v;
    case 0x80: return -a >>> 0;
    case 0x90: return v === 0 ? 0 : a % v;
    case 0xa0: return (a ^ v) >>> 0;
    default: throw new Error(`unknown ALU op 0x${op.toString(16)}`);
  }
}

function jump(op: number, a: number, v: number): boolean {
  switch (op) {
    case 0x10: return a === v;
    case 0x20: return a > v;
    case 0x30: return a >= v;
    case 0x40: return (a & v) !== 0;
    default: throw new Error(`unknown jump op 0x${op.toString(16)}`);
  }
}

/** Runs one filter; its 32-bit return value. */
export function runFilter(prog: Insn[], d: SeccompData): number {
  let a = 0;
  let x = 0;
  const mem = new Array<number>(16).fill(0);
  for (let pc = 0; pc < prog.length; pc++) {
    const [code, jt, jf, kSigned] = prog[pc]!;
    const k = kSigned >>> 0;
    const src = code & 0x08 ? x : k;
    switch (code & 0x07) {
      case 0x00: // LD
        if ((code & 0xe0) === 0x20) a = word(d, k);
        else if ((code & 0xe0) === 0x00) a = k;
        else if ((code & 0xe0) === 0x60) a = mem[k]!;
        else if ((code & 0xe0) === 0x80) a = 64; // sizeof(struct seccomp_data)
        else throw new Error(`unsupported load 0x${code.toString(16)}`);
        break;
      case 0x01: // LDX
        if ((code & 0xe0) === 0x00) x = k;
        else if ((code & 0xe0) === 0x60) x = mem[k]!;
        else if ((code & 0xe0) === 0x80) x = 64;
        else throw new Error(`unsupported load 0x${code.toString(16)}`);
        break;
      case 0x02: mem[k] = a; break; // ST
      case 0x03: mem[k] = x; break; // STX
      case 0x04: a = alu(code & 0xf0, a, src); break;
      case 0x05: // JMP
        if ((code & 0xf0) === 0x00) pc += k;
        else pc += jump(code & 0xf0, a, src) ? jt : jf;
        break;
      case 0x06: return (code & 0x18) === 0x10 ? a : k; // RET A / RET K
      case 0x07: if (code & 0x80) a = x; else x = a; break; // TXA / TAX
    }
  }
  throw new Error('seccomp filter ran off its end');
}

/** What the kernel does with several filters: the action of highest precedence (lowest as s32) wins. */
export function runFilters(filters: Insn[][], d: SeccompData): number {
  let ret = SECCOMP_RET_ALLOW;
  for (const f of filters) {
    const r = runFilter(f, d);
    if ((r & ACTION_FULL) < (ret & ACTION_FULL)) ret = r; // & yields signed 32-bit values
  }
  return ret >>> 0;
}
