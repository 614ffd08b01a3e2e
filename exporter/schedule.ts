/**
 * `endpoint export schedule`: node-cron fires at `exportSchedule`; each tick waits (up to
 * `backupWaitMs`) for the backup marker to be newer than the last run, then runs one export.
 * A tick while a run is going is skipped; the update lock keeps the updater (and any other
 * exporter) out. Stopping (SIGTERM) ends a tick that is still waiting for the backup, so no
 * export starts after it. No marker configured is said once per tick (the export then runs
 * without knowing whether the backup copy is complete); a marker file that does not exist is
 * told apart from one that was not renewed.
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
  /** Aborting ends the wait at once (verdict `aborted`). */
  signal?: AbortSignal;
}

/** How waiting for the backup ended. */
export type BackupVerdict =
  | { kind: 'fresh' }
  /** No ENDPOINT_BACKUP_MARKER: nothing to wait for. */
  | { kind: 'unset' }
  /** The marker exists but is not newer than the last run. */
  | { kind: 'stale'; touchedAt: Date }
  /** The marker file does not exist. */
  | { kind: 'missing' }
  | { kind: 'aborted' };

function markerTime(marker: string): number | undefined {
  try {
    return statSync(marker).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Waits until the backup marker is newer than the last run; says how the wait ended. */
export async function waitForBackupMarker(options: BackupWaitOptions): Promise<BackupVerdict> {
  if (options.marker === undefined) return { kind: 'unset' };
  const deadline = Date.now() + options.waitMs;
  const poll = options.pollMs ?? 30_000;
  for (;;) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    const mtime = markerTime(options.marker);
    if (mtime !== undefined && (options.newerThan === undefined || mtime > options.newerThan.getTime()))
      return { kind: 'fresh' };
    if (Date.now() >= deadline)
      return mtime === undefined ? { kind: 'missing' } : { kind: 'stale', touchedAt: new Date(mtime) };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(poll, Math.max(1, deadline - Date.now())));
      function done(): void {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', done);
        resolve();
      }
      options.signal?.addEventListener('abort', done);
    });
  }
}

/** Waits until the backup marker is newer than the last run; false when it did not happen in time. */
export async function waitForBackup(options: BackupWaitOptions): Promise<boolean> {
  const verdict = await waitForBackupMarker(options);
  return verdict.kind === 'fresh' || verdict.kind === 'unset';
}

/** The sentence for a wait that found no fresh backup (the README's troubleshooting row quotes it). */
export function describeBackupVerdict(verdict: BackupVerdict, marker: string | undefined, waitMs: number): string {
  const minutes = Math.round(waitMs / 60000);
  switch (verdict.kind) {
    case 'missing':
      return `the backup marker ${marker} does not exist (waited ${minutes} min); check ENDPOINT_BACKUP_MARKER and that the OSP's backup script touches that file`;
    case 'stale':
      return `the backup marker ${marker} was not renewed since the last run within ${minutes} min (last touched ${verdict.touchedAt.toISOString()})`;
    case 'aborted':
      return 'stopped while waiting for the backup marker';
    default:
      return 'the backup is there';
  }
}

/** The warning when no marker is configured. */
export const NO_MARKER_WARNING =
  'ENDPOINT_BACKUP_MARKER is not set: exporting without waiting for the backup, which may still be restoring';

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
  /** Stops the cron job and ends a tick still waiting for the backup (no export starts after); resolves when the tick in progress is over. */
  stop(): Promise<void>;
  /** Runs one tick now (what the cron job does); resolves with the run's exit code, or undefined when skipped. */
  tick(): Promise<number | undefined>;
}

/** Starts the cron schedule. */
export function startSchedule(options: ScheduleOptions): RunningSchedule {
  if (!cron.validate(options.expression))
    throw new Error(`ENDPOINT_EXPORT_SCHEDULE '${options.expression}' is not a cron expression.`);
  let running: Promise<number | undefined> | undefined;
  const stopping = new AbortController();
  const tickOnce = async (): Promise<number | undefined> => {
    try {
      const verdict = await waitForBackupMarker({
        marker: options.marker,
        newerThan: options.lastRunStartedAt(),
        waitMs: options.waitMs,
        pollMs: options.pollMs,
        signal: stopping.signal,
      });
      if (stopping.signal.aborted) {
        options.logger.info('schedule stopped while waiting for the backup; no export started');
        return undefined;
      }
      if (verdict.kind === 'unset') options.logger.warn(NO_MARKER_WARNING);
      else if (verdict.kind !== 'fresh') {
        options.logger.warn(
          { waitedMs: options.waitMs },
          `${describeBackupVerdict(verdict, options.marker, options.waitMs)}; export skipped until the next scheduled time`,
        );
        return undefined;
      }
      return await options.runOnce();
    } catch (error) {
      options.logger.error(
        { code: isEndpointError(error) ? error.code : 'INTERNAL', error: describeError(error) },
        'scheduled export failed',
      );
      return 1;
    }
  };
  const tick = async (): Promise<number | undefined> => {
    if (running !== undefined) {
      options.logger.warn('export still running at the next scheduled time; tick skipped');
      return undefined;
    }
    if (stopping.signal.aborted) return undefined;
    running = tickOnce();
    try {
      return await running;
    } finally {
      running = undefined;
    }
  };
  const task = cron.schedule(options.expression, () => {
    void tick();
  });
  return {
    stop: async () => {
      stopping.abort();
      await task.stop();
      await running?.catch(() => undefined);
    },
    tick,
  };
}
