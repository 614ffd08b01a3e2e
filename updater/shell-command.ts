/**
 * The configured shell commands (install, build, self-test, restart): run with `sh -c` in a
 * folder, with a time limit, in their own process group so a timeout ends the whole tree.
 */
import { spawn } from 'node:child_process';

/** How a shell command ended. */
export interface ShellOutcome {
  /** Exit code; `null` when it was killed (timeout or signal). */
  code: number | null;
  timedOut: boolean;
  /** The last few kilobytes of stdout and stderr together. */
  outputTail: string;
  durationMs: number;
}

const TAIL_BYTES = 4000;

/** Runs `command` with `sh -c` in `cwd`; never throws for a failing command. */
export function runShellCommand(command: string, options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ShellOutcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    let timedOut = false;
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    const finish = (code: number | null, extra = '') => {
      clearTimeout(timer);
      resolve({ code: timedOut ? null : code, timedOut, outputTail: (tail + extra).slice(-TAIL_BYTES), durationMs: Date.now() - started });
    };
    child.on('error', (error) => finish(null, `\n${error.message}`));
    child.on('close', (code) => finish(code));
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** One line describing a failed command, for status messages. */
export function describeShellFailure(label: string, command: string, outcome: ShellOutcome): string {
  const how = outcome.timedOut ? 'timed out' : `exited with ${outcome.code ?? 'a signal'}`;
  const lastLine = outcome.outputTail.trim().split('\n').slice(-1)[0] ?? '';
  return `${label} (${command}) ${how}${lastLine ? `: ${lastLine.slice(0, 300)}` : ''}`;
}
