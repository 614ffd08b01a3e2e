/**
 * `endpoint update run`: one whole update — repair an interrupted update first, check, build
 * out of place (under the updater's own run lock only, so exports go on), pass the maintenance
 * window, then take the update lock shared with the exporter, drain until idle, switch, verify,
 * soak, roll back on failure, undrain on every path — and record the outcome in the status file.
 */
import type { HeldLock } from '../core/lock';
import { describeError } from '../core/errors';
import type { UpdaterContext } from './context';
import { acquireRunLock, acquireUpdateLock, drainUntilIdle } from './idle-gate';
import type { JournalEntry } from './phase-journal';
import { buildRelease, pruneReleases } from './release-build';
import type { UpdateOutcome, UpdaterStatus } from './status-store';
import { rollBack, switchAndVerify, type SwitchResult } from './switch-verify';
import { checkForUpdate, short, type CheckReport } from './update-check';

/** What a run did. */
export interface RunReport {
  outcome: UpdateOutcome | 'failed-before';
  message: string;
  commit?: string;
  /** What the start-up repair did, if there was an interrupted update. */
  repaired?: string;
  check?: CheckReport;
}

/** Runs one update; never throws for an expected failure (it is reported instead). */
export async function runUpdate(context: UpdaterContext): Promise<RunReport> {
  const runLock = acquireRunLock(context);
  if (!('release' in runLock)) return defer(context, undefined, runLock.reason);
  try {
    const repaired = await repairInterrupted(context);
    const report = await runLocked(context);
    return repaired === undefined ? report : { ...report, repaired };
  } finally {
    runLock.release();
  }
}

/** Best-effort undrain after a switch, whatever happened (a new process starts undrained anyway). */
async function undrainAfter(context: UpdaterContext, entry: { drained: boolean }): Promise<void> {
  if (!entry.drained) return;
  const answer = await context.gateway.undrain();
  if (!answer.ok) context.log.warn({ reason: answer.reason }, 'undrain after the update did not get through (a restarted gateway starts undrained)');
}

/** Drains, switches, verifies and soaks under the update lock; undrains and releases on every path. */
async function switchUnderLock(context: UpdaterContext, target: string, previous: string | undefined, check: CheckReport): Promise<RunReport> {
  const { layout } = context;
  const lock: HeldLock | { reason: string } = await acquireUpdateLock(context);
  if (!('release' in lock)) return defer(context, target, `the update lock is taken: ${lock.reason}`, check);
  const entry: JournalEntry = context.journal.begin({ phase: 'draining', commit: target, releaseDir: layout.releaseDir(target), previous });
  try {
    if (previous !== undefined) {
      const gate = await drainUntilIdle(context, () => context.journal.advance(entry, { drained: true }));
      if (!gate.open) {
        entry.drained = false; // the gate undrained already
        context.journal.clear();
        return defer(context, target, gate.reason, check);
      }
    }
    const result = await switchAndVerify(context, entry);
    return { ...finish(context, entry, result), check };
  } finally {
    await undrainAfter(context, entry).catch(() => undefined);
    lock.release();
  }
}

async function runLocked(context: UpdaterContext): Promise<RunReport> {
  const { status, config } = context;
  const before = status.read();
  if (before.critical !== undefined) {
    return { outcome: 'rollback-failed', message: `updates stopped until an admin acts: ${before.critical}` };
  }
  if (before.held === true) {
    status.record('held', 'updates are held (endpoint update release-hold allows them again)');
    return { outcome: 'held', message: 'updates are held' };
  }
  const check = await checkForUpdate(context);
  if (check.verdict === 'fetch-failed' || check.verdict === 'refused') return { outcome: check.verdict, message: check.message, check };
  if (check.verdict === 'failed-before') return { outcome: 'failed-before', message: check.message, commit: check.target, check };
  if (check.verdict === 'no-change' || check.target === undefined) {
    status.record('no-change', check.message, check.current);
    return { outcome: 'no-change', message: check.message, check };
  }
  const target = check.target;
  const previous = check.current;

  if (config.updateAllowedSigners !== undefined) {
    const signature = await context.repo.verifySignature(target, config.updateAllowedSigners);
    if (!signature.ok) {
      const message = `${short(target)} has no signature that verifies against ${config.updateAllowedSigners} (${signature.reason}); not installed`;
      status.record('refused', message, target, (s) => rememberFailed(s, target));
      return { outcome: 'refused', message, commit: target, check };
    }
  }

  const build = await buildRelease(context, target, previous);
  if (!build.ok) {
    status.record('build-failed', build.message, target, (s) => {
      if (build.blameCommit) rememberFailed(s, target);
    });
    return { outcome: 'build-failed', message: build.message, commit: target, check };
  }

  if (context.window !== undefined && !context.window.contains(new Date())) {
    return defer(context, target, `built and waiting for the maintenance window (${context.window.expression}, ${context.window.minutes} min)`, check);
  }

  return switchUnderLock(context, target, previous, check);
}

/** Records a switch's result; prunes old releases after a success. */
function finish(context: UpdaterContext, entry: JournalEntry, result: SwitchResult): RunReport {
  const { status } = context;
  status.record(result.outcome, result.message, entry.commit, (s) => {
    s.pending = undefined;
    s.deferredSince = undefined;
    s.warning = undefined;
    if (result.outcome === 'updated') {
      s.current = entry.commit;
      s.critical = undefined;
    } else {
      s.current = entry.previous;
      // A restart command that fails says nothing about the commit: tried again at the next run.
      if (result.outcome !== 'restart-failed') rememberFailed(s, entry.commit);
      if (result.outcome === 'rollback-failed') s.critical = result.message;
    }
  });
  if (result.outcome === 'updated') {
    void pruneReleases(context, entry.previous).catch(() => undefined);
  }
  return { outcome: result.outcome, message: result.message, commit: entry.commit };
}

function rememberFailed(status: UpdaterStatus, commit: string): void {
  if (!status.failedCommits.includes(commit)) status.failedCommits.push(commit);
}

/** Records a deferral; warns (never forces) once it has waited longer than the threshold. */
function defer(context: UpdaterContext, commit: string | undefined, reason: string, check?: CheckReport): RunReport {
  const { config } = context;
  const now = new Date();
  context.status.record('deferred', reason, commit, (s) => {
    s.deferredSince ??= now.toISOString();
    const waitedMinutes = (now.getTime() - Date.parse(s.deferredSince)) / 60_000;
    s.warning = waitedMinutes >= config.updateDeferWarnMinutes ? `an update has been deferred since ${s.deferredSince} (${Math.floor(waitedMinutes)} min): ${reason}` : undefined;
  });
  return { outcome: 'deferred', message: reason, commit, check };
}

/**
 * Repairs an update the journal says was interrupted (the updater was killed): a half-built
 * release is discarded; a drained gateway is undrained; after the switch, the new release is
 * restarted and verified or rolled back. Returns what was done, or undefined.
 */
export async function repairInterrupted(context: UpdaterContext): Promise<string | undefined> {
  const entry = context.journal.read();
  if (entry === undefined) return undefined;
  if (entry.phase === 'building') return repairEntry(context, entry);
  // Past the build the update held the update lock: repair under it too.
  const lock = await acquireUpdateLock(context);
  if (!('release' in lock)) return `an interrupted update to ${short(entry.commit)} waits for repair: ${lock.reason}`;
  try {
    return await repairEntry(context, entry);
  } finally {
    await undrainAfter(context, entry).catch(() => undefined);
    lock.release();
  }
}

async function repairEntry(context: UpdaterContext, entry: JournalEntry): Promise<string> {
  const { journal, layout, repo, gateway, log } = context;
  log.warn({ phase: entry.phase, commit: entry.commit, pid: entry.pid }, 'repairing an interrupted update');
  const at = `an update to ${short(entry.commit)} interrupted while ${entry.phase}`;
  switch (entry.phase) {
    case 'building':
      if (layout.completeRelease(entry.commit) === undefined) await repo.removeWorktree(entry.releaseDir);
      journal.clear();
      return `${at}: discarded the half-built release folder`;
    case 'draining':
      if (entry.drained) await gateway.undrain();
      journal.clear();
      return `${at}: nothing was switched; gateway undrained`;
    case 'switching':
    case 'restarting':
    case 'verifying':
    case 'soaking': {
      if (layout.currentCommit() !== entry.commit) {
        if (entry.drained) await gateway.undrain();
        journal.clear();
        return `${at}: the link was not switched yet; gateway undrained`;
      }
      // Restart the new release and verify it (the gateway may still run the old code), or roll back.
      const result = await switchAndVerify(context, entry).catch((error: unknown) => rollBack(context, entry, describeError(error)));
      finish(context, entry, result);
      return `${at}: ${result.outcome} — ${result.message}`;
    }
    case 'rolling-back': {
      const result = await rollBack(context, entry, 'the updater was interrupted during a rollback');
      finish(context, entry, result);
      return `${at}: ${result.outcome} — ${result.message}`;
    }
  }
}
