// Per-layer progress bars on a terminal, as podman and docker draw them
// while pulling; plain lines stay what goes to a pipe.
import { humanSize } from './common.js';

interface Row {
  label: string;
  received: number;
  total: number;
  status?: string; // "done", "skipped: already exists"
}

const BAR = 30;

export class ProgressBoard {
  private readonly rows = new Map<string, Row>();
  private drawn = 0;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  /** A progress line of the pull: blob lines update their row, others are printed above the bars. */
  line(text: string): void {
    const m = /^Copying blob (\S+) (.*)$/.exec(text);
    if (m) {
      const row = this.row(m[1]!);
      row.status = m[2]!;
      this.draw(true);
      return;
    }
    this.clear();
    this.out.write(`${text}\n`);
    this.draw(true);
  }

  bytes(digest: string, received: number, total: number): void {
    const row = this.row(digest.replace(/^sha256:/, '').slice(0, 12));
    row.received = received;
    row.total = total;
    this.draw(false);
  }

  private row(label: string): Row {
    let row = this.rows.get(label);
    if (!row) {
      row = { label, received: 0, total: 0 };
      this.rows.set(label, row);
    }
    return row;
  }

  private clear(): void {
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private draw(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return; // at most ten frames a second
    this.lastDraw = now;
    const seconds = Math.max(0.001, (now - this.started) / 1000);
    const lines = [...this.rows.values()].map((r) => {
      if (r.status) return `Copying blob ${r.label} ${r.status}`;
      const frac = r.total ? Math.min(1, r.received / r.total) : 0;
      const fill = Math.round(frac * BAR);
      const bar = `${'='.repeat(Math.max(0, fill - 1))}${fill ? '>' : ''}${' '.repeat(BAR - fill)}`;
      return `Copying blob ${r.label} [${bar}] ${humanSize(r.received)} / ${humanSize(r.total)} (${humanSize(r.received / seconds)}/s)`;
    });
    this.clear();
    if (lines.length) this.out.write(`${lines.join('\n')}\n`);
    this.drawn = lines.length;
  }
}
