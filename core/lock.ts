/**
 * The update lock: one file that the exporter (for a run) and the updater (for an update)
 * both take, so neither starts during the other. Taken with O_EXCL; a lock whose owner
 * process is gone is stale and is taken over safely.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { EndpointError } from './errors';

/** What a lock file records. */
export interface LockInfo {
  owner: string;
  pid: number;
  since: string;
}

/** A held lock; `release()` is idempotent. */
export interface HeldLock {
  file: string;
  info: LockInfo;
  release(): void;
}

/** The owner name an export run takes the update lock under (the watchdog keeps watching during a run). */
export const EXPORTER_LOCK_OWNER = 'exporter';

/** The update lock's file in a state folder. */
export function updateLockFile(stateDir: string): string {
  return path.join(stateDir, 'update.lock');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a lock file; `undefined` when free. */
export function readLock(file: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // Unreadable (half-written by a killed process): treat as stale.
    return { owner: 'unknown', pid: -1, since: new Date(0).toISOString() };
  }
}

/** True when the lock is held by a live process. */
export function isLockHeld(file: string): boolean {
  const info = readLock(file);
  return info !== undefined && info.pid > 0 && processAlive(info.pid);
}

/**
 * Takes the lock for `owner`, or throws LOCKED naming who holds it. A stale lock (owner
 * process gone) is removed first.
 */
export function acquireLock(file: string, owner: string): HeldLock {
  mkdirSync(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    const info: LockInfo = { owner, pid: process.pid, since: new Date().toISOString() };
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return {
        file,
        info,
        release: () => {
          if (released) return;
          released = true;
          const current = readLock(file);
          if (current?.pid === process.pid && current.since === info.since) unlinkSync(file);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLock(file);
      if (holder && holder.pid > 0 && processAlive(holder.pid)) {
        throw new EndpointError('LOCKED', `${path.basename(file)} is held by ${holder.owner} (pid ${holder.pid}) since ${holder.since}.`);
      }
      try {
        unlinkSync(file);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
      }
    }
  }
  throw new EndpointError('LOCKED', `${path.basename(file)} could not be taken.`);
}

/** Options of {@link waitForLock}. */
export interface LockWaitOptions {
  /** Longest wait; 0 = one try. */
  waitMs: number;
  /** Time between two tries. */
  pollMs?: number;
  /** Called once when the first try finds the lock taken (to log that the caller waits). */
  onWait?: (holder: string) => void;
}

/**
 * Takes the lock for `owner`, waiting up to `waitMs` while another live process holds it;
 * throws LOCKED naming the holder and how long it waited.
 */
export async function waitForLock(file: string, owner: string, options: LockWaitOptions): Promise<HeldLock> {
  const deadline = Date.now() + options.waitMs;
  let waited = false;
  for (;;) {
    try {
      return acquireLock(file, owner);
    } catch (error) {
      if (!(error instanceof EndpointError) || error.code !== 'LOCKED') throw error;
      if (Date.now() >= deadline) {
        const seconds = Math.round(options.waitMs / 1000);
        throw new EndpointError('LOCKED', waited || seconds > 0 ? `${error.message} Waited ${seconds} s.` : error.message);
      }
      if (!waited) options.onWait?.(error.message);
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.pollMs ?? 1000, Math.max(1, deadline - Date.now()))));
    }
  }
}
