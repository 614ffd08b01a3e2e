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
  /** stdout and stderr together, up to {@link OUTPUT_KEPT} bytes (the start, then the end). */
  output: string;
  durationMs: number;
}

const TAIL_BYTES = 4000;
/** Most output kept whole, for the build log. */
export const OUTPUT_KEPT = 256 * 1024;

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
    let head = '';
    let total = 0;
    let timedOut = false;
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      if (head.length < OUTPUT_KEPT / 2) head += text.slice(0, OUTPUT_KEPT / 2 - head.length);
      total += text.length;
      tail = (tail + text).slice(-OUTPUT_KEPT / 2);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    const finish = (code: number | null, extra = '') => {
      clearTimeout(timer);
      const whole = total <= head.length ? head : total <= OUTPUT_KEPT ? head + tail.slice(-(total - head.length)) : `${head}\n[… output cut …]\n${tail}`;
      resolve({ code: timedOut ? null : code, timedOut, outputTail: (tail + extra).slice(-TAIL_BYTES), output: whole + extra, durationMs: Date.now() - started });
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

/** Lines that say what went wrong (a compiler's `error TS…`, npm's `ERR!`), before the summary line. */
const ERROR_LINE = /\berror\b|ERR!|fatal:|cannot|not found|denied/i;

/**
 * One line describing a failed command, for status messages: its first error lines (at most
 * three) and its last line, so a tsc failure names the file and the error, not just
 * "Found 3 errors".
 */
export function describeShellFailure(label: string, command: string, outcome: ShellOutcome): string {
  const how = outcome.timedOut ? 'timed out' : `exited with ${outcome.code ?? 'a signal'}`;
  const lines = (outcome.output ?? outcome.outputTail).split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const last = lines[lines.length - 1] ?? '';
  const errors = lines.filter((line) => ERROR_LINE.test(line) && line !== last).slice(0, 3);
  const said = [...errors, last].filter((line) => line !== '').map((line) => line.slice(0, 200));
  return `${label} (${command}) ${how}${said.length > 0 ? `: ${said.join(' / ')}` : ''}`;
}
