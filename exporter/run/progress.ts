/**
 * What people see: a progress bar on a terminal (patients done / total, rate, ETA, on stderr)
 * and the final summary table. Off a terminal, progress goes to the log once per batch.
 */
import type { ExportRunSummary } from '../../core/status-files';
import type { Logger } from '../../core/logger';

/** Receives progress of a run. */
export interface ProgressReporter {
  start(total: number, alreadyDone: number): void;
  update(done: number): void;
  /** Once per batch (the log line off a terminal). */
  batchDone(batchIndex: number, batches: number, done: number): void;
  finish(): void;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** A progress bar redrawn on `stream` (a TTY) at most every 100 ms. */
export class TerminalProgress implements ProgressReporter {
  private total = 0;
  private startDone = 0;
  private startedAt = 0;
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  start(total: number, alreadyDone: number): void {
    this.total = total;
    this.startDone = alreadyDone;
    this.startedAt = Date.now();
    this.draw(alreadyDone, true);
  }

  update(done: number): void {
    this.draw(done, false);
  }

  batchDone(): void {}

  finish(): void {
    this.stream.write('\n');
  }

  private draw(done: number, force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < 100 && done < this.total) return;
    this.lastDraw = now;
    const width = 30;
    const fraction = this.total === 0 ? 1 : done / this.total;
    const filled = Math.round(fraction * width);
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? (done - this.startDone) / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} patients  ${rate.toFixed(0)}/s  ETA ${formatDuration(eta)} `);
  }
}

/** Progress as one log line per batch (cron, systemd). */
export class LogProgress implements ProgressReporter {
  private total = 0;
  private startedAt = 0;
  private startDone = 0;

  constructor(private readonly logger: Logger) {}

  start(total: number, alreadyDone: number): void {
    this.total = total;
    this.startDone = alreadyDone;
    this.startedAt = Date.now();
  }

  update(): void {}

  batchDone(batchIndex: number, batches: number, done: number): void {
    const seconds = (Date.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? (done - this.startDone) / seconds : 0;
    this.logger.info({ batch: batchIndex + 1, batches, done, total: this.total, perSecond: Math.round(rate) }, 'export progress');
  }

  finish(): void {}
}

/** Progress that shows nothing (tests, benchmarks). */
export const SILENT_PROGRESS: ProgressReporter = { start() {}, update() {}, batchDone() {}, finish() {} };

/** The final summary table (plain text, no patient data). */
export function summaryTable(
  summary: ExportRunSummary,
  extra: { leftActive?: number; queries?: number; seconds?: number; completion?: string; failures?: { demographicNo: number; reason: string }[] } = {},
): string {
  const rows: [string, string][] = [
    ['run', `${summary.runId} (${summary.mode}, ${summary.transport})`],
    ['status', summary.status + (summary.error ? ` — ${summary.error}` : '')],
    ['patients', String(summary.patientsTotal)],
    ...(Object.entries(summary.outcomes) as [string, number][]).map(([outcome, count]): [string, string] => [`  ${outcome}`, String(count)]),
  ];
  if (extra.leftActive !== undefined) rows.push(['left active status', `${extra.leftActive} (removed by the next full run)`]);
  if (summary.removedByGateway !== undefined) rows.push(['removed by gateway', String(summary.removedByGateway)]);
  if (extra.completion !== undefined) rows.push(['run complete', extra.completion]);
  const warnings = Object.entries(summary.warnings).sort(([a], [b]) => a.localeCompare(b));
  rows.push(['warnings', String(warnings.reduce((sum, [, count]) => sum + count, 0))]);
  for (const [code, count] of warnings) rows.push([`  ${code}`, String(count)]);
  for (const failure of (extra.failures ?? []).slice(0, 20)) rows.push([`  failed #${failure.demographicNo}`, failure.reason]);
  if (extra.queries !== undefined) rows.push(['SQL queries', String(extra.queries)]);
  if (extra.seconds !== undefined) rows.push(['seconds', extra.seconds.toFixed(1)]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
