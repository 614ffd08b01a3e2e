/**
 * `update-status.json` (core/status-files.ts), read-modify-written atomically, with a log
 * line only when something a reader cares about changed (result, pending commit, hold,
 * critical), so a check every 15 minutes does not fill the log.
 */
import type { Logger } from '../core/logger';
import { readJsonFile, writeJsonAtomic } from '../core/files';
import { statusFilePath, type UpdateStatusFile } from '../core/status-files';

/** One update outcome (`lastResult.outcome`). */
export type UpdateOutcome = NonNullable<UpdateStatusFile['lastResult']>['outcome'];

/** The updater's status file, with an optional warning line (compatible extension). */
export type UpdaterStatus = UpdateStatusFile & {
  /** A deferred update older than the warning threshold, in one sentence. */
  warning?: string;
};

/** Outcomes that stop every later run until an admin acts. */
const BLOCKING_OUTCOMES: readonly UpdateOutcome[] = ['refused', 'restart-failed'];

/** Most failed commits remembered. */
const FAILED_COMMITS_KEPT = 20;

/** Reads and writes the status file. */
export class UpdateStatusStore {
  readonly file: string;

  constructor(
    stateDir: string,
    private readonly log?: Logger,
  ) {
    this.file = statusFilePath(stateDir, 'update');
  }

  /** The current status (an empty one when there is no file yet). */
  read(): UpdaterStatus {
    return readJsonFile<UpdaterStatus>(this.file) ?? { failedCommits: [] };
  }

  /** Applies `change` to the status, writes it atomically and logs what changed. */
  update(change: (status: UpdaterStatus) => void): UpdaterStatus {
    const before = this.read();
    const after: UpdaterStatus = structuredClone(before);
    after.failedCommits ??= [];
    change(after);
    after.failedCommits = after.failedCommits.slice(-FAILED_COMMITS_KEPT);
    writeJsonAtomic(this.file, after);
    this.logChanges(before, after);
    return after;
  }

  /**
   * Records the outcome of a check or run. A refusal or a failing restart command starts (or
   * continues) the blocked period that `check update` rates; an install, or nothing to install,
   * ends it.
   */
  record(outcome: UpdateOutcome, message: string, commit?: string, extra: (status: UpdaterStatus) => void = () => undefined): UpdaterStatus {
    return this.update((status) => {
      const at = new Date().toISOString();
      status.lastResult = { at, outcome, ...(commit === undefined ? {} : { commit }), message };
      if (BLOCKING_OUTCOMES.includes(outcome)) status.blockedSince ??= at;
      else if (outcome === 'updated' || outcome === 'no-change') delete status.blockedSince;
      extra(status);
    });
  }

  private logChanges(before: UpdaterStatus, after: UpdaterStatus): void {
    if (this.log === undefined) return;
    const result = after.lastResult;
    if (result !== undefined && (result.outcome !== before.lastResult?.outcome || result.commit !== before.lastResult?.commit || result.message !== before.lastResult?.message)) {
      const level = ['updated', 'no-change', 'deferred', 'held'].includes(result.outcome) ? 'info' : 'warn';
      if (after.blockedSince !== undefined && before.blockedSince === undefined) this.log.warn({ outcome: result.outcome }, 'updates blocked until an admin acts');
      this.log[level]({ outcome: result.outcome, commit: result.commit }, `update ${result.outcome}: ${result.message}`);
    }
    if (after.pending !== before.pending && after.pending !== undefined) this.log.info({ pending: after.pending }, 'update available');
    if (after.critical !== undefined && after.critical !== before.critical) this.log.error({ critical: after.critical }, 'update CRITICAL');
    if (after.warning !== undefined && after.warning !== before.warning) this.log.warn(after.warning);
    if (after.held !== before.held) this.log.info({ held: after.held ?? false }, after.held ? 'updates held' : 'updates allowed');
    if (after.pinned !== before.pinned) this.log.info({ pinned: after.pinned }, after.pinned ? `pinned to ${after.pinned}` : 'pin cleared');
  }
}
