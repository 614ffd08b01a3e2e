/**
 * Stale git lock files (`index.lock`, `HEAD.lock`, `refs/…/*.lock`) left by a killed git.
 * A lock is removed only when it is older than the limit AND no git process is running
 * in the repository or one of its worktrees (Linux /proc), so a live git is never disturbed.
 */
import { readdirSync, readlinkSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';

function lockFilesIn(dir: string, recursive: boolean, found: string[]): void {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.lock')) found.push(full);
    else if (entry.isDirectory() && recursive) lockFilesIn(full, true, found);
  }
}

/** The lock files git may leave in a git folder (objects/ is not searched). */
export function findGitLockFiles(gitDir: string): string[] {
  const found: string[] = [];
  lockFilesIn(gitDir, false, found);
  lockFilesIn(path.join(gitDir, 'refs'), true, found);
  let worktrees: string[] = [];
  try {
    worktrees = readdirSync(path.join(gitDir, 'worktrees'));
  } catch {
    // No worktrees.
  }
  for (const name of worktrees) lockFilesIn(path.join(gitDir, 'worktrees', name), false, found);
  return found;
}

/** True when a process named git* runs with its working folder inside one of `dirs`. */
export function gitProcessRunningIn(dirs: string[]): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return false;
  }
  const roots = dirs.map((dir) => path.resolve(dir) + path.sep);
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('git')) continue;
      const cwd = readlinkSync(`/proc/${pid}/cwd`) + path.sep;
      if (roots.some((root) => cwd.startsWith(root))) return true;
    } catch {
      // The process ended or is not ours to inspect.
    }
  }
  return false;
}

/**
 * Removes stale lock files under `gitDir`; `workDirs` are the folders a git process could
 * be working in. Returns the removed files (empty when a git process is running).
 */
export function removeStaleGitLocks(gitDir: string, workDirs: string[], olderThanSeconds: number, now = Date.now()): string[] {
  const locks = findGitLockFiles(gitDir);
  if (locks.length === 0 || gitProcessRunningIn([gitDir, ...workDirs])) return [];
  const removed: string[] = [];
  for (const file of locks) {
    try {
      if (now - statSync(file).mtimeMs < olderThanSeconds * 1000) continue;
      unlinkSync(file);
      removed.push(file);
    } catch {
      // Removed meanwhile.
    }
  }
  return removed;
}
