/**
 * `endpoint update check`: fetch (time-limited, no prompts), compare the running release's
 * commit with the remote branch's (or the pin), and say what would be installed. Changes
 * nothing in the deployment; only the status file's check fields are written.
 */
import path from 'node:path';
import { describeError } from '../core/errors';
import type { UpdaterContext } from './context';
import { removeStaleGitLocks } from './git-locks';

/** What a check found. */
export interface CheckReport {
  verdict: 'no-change' | 'available' | 'refused' | 'fetch-failed' | 'failed-before';
  message: string;
  /** The running release's commit. */
  current?: string;
  /** The remote branch's commit (after a successful fetch). */
  remote?: string;
  /** What would be installed. */
  target?: string;
  /** `git log --oneline current..target`. */
  changes: string[];
}

/** The running release's commit, read from its checkout (falls back to the folder name). */
async function runningCommit(context: UpdaterContext): Promise<string | undefined> {
  const linked = context.layout.currentCommit();
  if (linked === undefined) return undefined;
  try {
    return await context.repo.headOf(context.layout.currentLink);
  } catch {
    return linked;
  }
}

/** Fetches and compares; records the check in the status file. */
export async function checkForUpdate(context: UpdaterContext): Promise<CheckReport> {
  const { repo, layout, status, config } = context;
  const checkedAt = new Date().toISOString();
  const current = await runningCommit(context);
  let remote: string;
  try {
    await repo.ensure();
    const removed = removeStaleGitLocks(repo.repoDir, [layout.releasesDir], config.updateStaleGitLockSeconds);
    for (const file of removed) context.log.warn({ file: path.relative(layout.deployDir, file) }, 'removed a stale git lock file');
    remote = await repo.fetch();
  } catch (error) {
    const message = `fetch failed, update state unknown (not "no update"): ${describeError(error)}`;
    status.record('fetch-failed', message, undefined, (s) => {
      s.lastCheckAt = checkedAt;
      s.current = current ?? s.current;
    });
    return { verdict: 'fetch-failed', message, current, changes: [] };
  }
  const pinned = status.read().pinned;
  let target = remote;
  if (pinned !== undefined) {
    try {
      target = await repo.resolve(pinned);
    } catch (error) {
      return refuse(context, { current, remote, checkedAt }, `pinned commit ${pinned} is not in the repository: ${describeError(error)}`);
    }
  }
  const touch = (extra: (s: ReturnType<typeof status.read>) => void) =>
    status.update((s) => {
      s.lastCheckAt = checkedAt;
      s.lastFetchAt = checkedAt;
      s.current = current;
      extra(s);
    });
  if (current === target) {
    touch((s) => {
      s.pending = undefined;
      s.deferredSince = undefined;
      s.warning = undefined;
    });
    return { verdict: 'no-change', message: `up to date at ${short(current)}`, current, remote, target, changes: [] };
  }
  if (current !== undefined && pinned === undefined && !(await repo.isAncestor(current, target))) {
    return refuse(context, { current, remote, checkedAt, target }, `the remote branch ${config.updateBranch} (${short(target)}) does not descend from the running ${short(current)} (history diverged or was force-pushed); refusing, never merging`);
  }
  if (current !== undefined) {
    const dirty = await repo.localChanges(layout.currentLink).catch(() => []);
    if (dirty.length > 0) {
      return refuse(context, { current, remote, checkedAt, target }, `the running release has ${dirty.length} locally changed file(s) (${dirty.slice(0, 3).map((line) => line.slice(3)).join(', ')}); refusing to replace hand-made changes`);
    }
  }
  const changes = await repo.changes(current !== undefined && pinned === undefined ? current : undefined, target).catch(() => []);
  const failedBefore = status.read().failedCommits.includes(target);
  touch((s) => {
    s.pending = target;
  });
  if (failedBefore) {
    return { verdict: 'failed-before', message: `${short(target)} failed before; not tried again until the remote moves on (or 'endpoint update retry')`, current, remote, target, changes };
  }
  return { verdict: 'available', message: `${short(target)} is available (${changes.length} commit(s) ahead of ${short(current)})`, current, remote, target, changes };
}

function refuse(context: UpdaterContext, found: { current?: string; remote: string; checkedAt: string; target?: string }, message: string): CheckReport {
  context.status.record('refused', message, found.target, (s) => {
    s.lastCheckAt = found.checkedAt;
    s.lastFetchAt = found.checkedAt;
    s.current = found.current;
    s.pending = undefined;
  });
  return { verdict: 'refused', message, current: found.current, remote: found.remote, target: found.target, changes: [] };
}

/** A commit id shortened for messages. */
export function short(commit: string | undefined): string {
  return commit === undefined ? '(none)' : commit.slice(0, 10);
}
