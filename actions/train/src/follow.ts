/**
 * Follows the metrics a running command writes and logs progress as steps complete. JSON Lines are read
 * incrementally (complete lines only; a truncated file starts over); a DVCLive directory is re-read on
 * each poll. A bad line or a NaN/±Infinity value is warned about once (naming file and line) and skipped,
 * exactly as the final read after the command skips it.
 */
import { existsSync, openSync, readSync, closeSync, statSync, readFileSync } from 'node:fs';
import type { Logger } from '../../../core/logger.ts';
import { dvcLivePlotFiles, type MetricPoint, parseDvcLiveTsv, parseJsonlChunk } from './metrics.ts';

/** Format one step's values for the log. */
export function progressLine(step: number, points: MetricPoint[]): string {
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(5));
  return `step ${step}: ${points.map((p) => `${p.name}=${fmt(p.value)}`).join(' ')}`;
}

/** Polls a metrics path and logs each new step. */
export class MetricsFollower {
  private offset = 0;
  private line = 1;
  private records = 0;
  private seenRows = new Map<string, number>();
  private warned = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  /** `onSkip` is told about each skipped line or value (default: a warning, once per message). */
  constructor(
    private readonly opts: { path: string; log: Logger; pollMs?: number; onSkip?: (message: string) => void },
  ) {}

  private skip = (message: string): void => {
    if (this.opts.onSkip) this.opts.onSkip(message);
    else this.warnOnce(message);
  };

  /** Start polling. */
  start(): void {
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 2000);
    this.timer.unref();
  }

  /** Stop polling after one last read. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.poll();
  }

  /** Read what is new and log it. */
  poll(): void {
    try {
      if (!existsSync(this.opts.path)) return;
      const points = statSync(this.opts.path).isDirectory() ? this.pollDvcLive() : this.pollJsonl();
      const bySteps = new Map<number, MetricPoint[]>();
      for (const p of points) bySteps.set(p.step, [...(bySteps.get(p.step) ?? []), p]);
      for (const [step, ps] of [...bySteps].sort((a, b) => a[0] - b[0]))
        this.opts.log.info(progressLine(step, ps));
    } catch (err) {
      this.warnOnce((err as Error).message);
    }
  }

  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.opts.log.warn(`metrics: ${message}`);
  }

  private pollJsonl(): MetricPoint[] {
    const size = statSync(this.opts.path).size;
    if (size < this.offset) {
      this.offset = 0;
      this.line = 1;
      this.records = 0;
    }
    if (size === this.offset) return [];
    const fd = openSync(this.opts.path, 'r');
    const buf = Buffer.alloc(size - this.offset);
    try {
      readSync(fd, buf, 0, buf.length, this.offset);
    } finally {
      closeSync(fd);
    }
    const end = buf.lastIndexOf(0x0a);
    if (end < 0) return [];
    const text = buf.subarray(0, end + 1).toString('utf8');
    this.offset += end + 1;
    const { points, records } = parseJsonlChunk(text, this.opts.path, {
      firstLine: this.line,
      firstIndex: this.records,
      onSkip: this.skip,
    });
    this.records += records;
    this.line += text.split('\n').length - 1;
    return points;
  }

  private pollDvcLive(): MetricPoint[] {
    const points: MetricPoint[] = [];
    for (const [name, file] of dvcLivePlotFiles(this.opts.path)) {
      const text = readFileSync(file, 'utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      const rows = parseDvcLiveTsv(complete, file, name, { onSkip: this.skip });
      const seen = this.seenRows.get(file) ?? 0;
      points.push(...rows.slice(rows.length < seen ? 0 : seen));
      this.seenRows.set(file, rows.length);
    }
    return points;
  }
}
