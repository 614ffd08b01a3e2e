/**
 * Runs git as a child in its own process group, with a time limit that ends the whole group:
 * git's helpers (git-remote-https, ssh, index-pack) are killed with it, so a hung remote
 * cannot leave an orphan holding the updater's pipes (the updater then never exited).
 */
import { spawn } from 'node:child_process';

/** How a git command ended. */
export interface GitOutcome {
  /** Exit code; null when it was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Options of {@link runGit}. */
export interface GitRunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Most output kept of one command (a `log` of a long range stays far below). */
const OUTPUT_LIMIT = 1_000_000;

/** Ends a process group (the child is its leader); quiet when it is gone. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** Runs `git args…`; never throws (a missing git is code null with the reason in stderr). */
export function runGit(args: string[], options: GitRunOptions): Promise<GitOutcome> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    });
    const finish = (code: number | null, extra = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(afterKill);
      resolve({ code: timedOut ? null : code, stdout, stderr: stderr + extra, timedOut });
    };
    let afterKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killProcessGroup(child.pid);
      // The group is gone; do not wait for pipes a stray process might still hold.
      afterKill = setTimeout(() => finish(null), 2000);
    }, options.timeoutMs);
    child.on('error', (error) => finish(null, `\n${error.message}`));
    child.on('close', (code) => finish(code));
  });
}
