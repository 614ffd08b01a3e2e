/**
 * `endpoint export schedule`: node-cron fires at `exportSchedule`; each tick waits (up to
 * `backupWaitMs`) for the backup marker to be newer than the last run, then runs one export.
 * A tick while a run is going is skipped; the update lock keeps the updater (and any other
 * exporter) out.
 */
import { statSync } from 'node:fs';
import cron from 'node-cron';
import { describeError, isEndpointError } from '../core/errors';
import type { Logger } from '../core/logger';

/** Options of {@link waitForBackup}. */
export interface BackupWaitOptions {
  /** The file the OSP's backup script touches; undefined: no wait. */
  marker?: string;
  /** The marker must be newer than this (the last run's start). */
  newerThan?: Date;
  waitMs: number;
  pollMs?: number;
}

/** Waits until the backup marker is newer than the last run; false when it did not happen in time. */
export async function waitForBackup(options: BackupWaitOptions): Promise<boolean> {
  if (options.marker === undefined) return true;
  const deadline = Date.now() + options.waitMs;
  const poll = options.pollMs ?? 30_000;
  for (;;) {
    let mtime: number | undefined;
    try {
      mtime = statSync(options.marker).mtimeMs;
    } catch {
      mtime = undefined;
    }
    if (mtime !== undefined && (options.newerThan === undefined || mtime > options.newerThan.getTime())) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(poll, Math.max(1, deadline - Date.now()))));
  }
}

/** What a scheduled tick does once the backup is there. */
export interface ScheduleOptions {
  expression: string;
  marker?: string;
  waitMs: number;
  pollMs?: number;
  /** When the last run started (read fresh at each tick). */
  lastRunStartedAt: () => Date | undefined;
  runOnce: () => Promise<number>;
  logger: Logger;
}

/** A running schedule. */
export interface RunningSchedule {
  stop(): void;
  /** Runs one tick now (what the cron job does); resolves with the run's exit code, or undefined when skipped. */
  tick(): Promise<number | undefined>;
}

/** Starts the cron schedule. */
export function startSchedule(options: ScheduleOptions): RunningSchedule {
  if (!cron.validate(options.expression)) throw new Error(`ENDPOINT_EXPORT_SCHEDULE '${options.expression}' is not a cron expression.`);
  let running = false;
  const tick = async (): Promise<number | undefined> => {
    if (running) {
      options.logger.warn('export still running at the next scheduled time; tick skipped');
      return undefined;
    }
    running = true;
    try {
      const fresh = await waitForBackup({ marker: options.marker, newerThan: options.lastRunStartedAt(), waitMs: options.waitMs, pollMs: options.pollMs });
      if (!fresh) {
        options.logger.warn({ waitedMs: options.waitMs }, 'no fresh backup marker; export skipped until the next scheduled time');
        return undefined;
      }
      return await options.runOnce();
    } catch (error) {
      options.logger.error({ code: isEndpointError(error) ? error.code : 'INTERNAL', error: describeError(error) }, 'scheduled export failed');
      return 1;
    } finally {
      running = false;
    }
  };
  const task = cron.schedule(options.expression, () => {
    void tick();
  });
  return { stop: () => void task.stop(), tick };
}
