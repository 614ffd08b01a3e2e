/**
 * The pipeline bench's real child processes: `node dist/cli/main.js …` with the peak-RSS hook
 * preloaded, its wall time from spawn to exit, its output kept (the tail is shown when it
 * fails), and its peak RSS: the hook's figure at exit, or the highest VmHWM polled from
 * /proc/<pid>/status while it ran.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../core/paths';
import { LONG_RUNNING_NODE_FLAGS } from '../cli/node-flags';

/** The built CLI the children run. */
export const CLI = path.join(PROJECT_ROOT, 'dist', 'cli', 'main.js');
const PEAK_RSS_HOOK = path.join(__dirname, 'peak-rss.js');
const POLL_MS = 250;

/** How a child process ended. */
export interface ChildOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  /** Peak resident set size in MB (10^6 bytes); undefined when neither the hook nor /proc told. */
  peakRssMb: number | undefined;
  stdout: string;
  stderr: string;
}

/** The environment of a child: this process's, without any ENDPOINT_ setting, plus `settings`. */
export function childEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('ENDPOINT_') && name !== 'MONGODB_URI') env[name] = value;
  }
  return { ...env, ...settings };
}

/** A memory figure of a live process from /proc/<pid>/status in KiB (VmHWM: peak RSS, VmRSS: now), or 0 when /proc does not say. */
function procStatusKib(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

const kibToMb = (kib: number): number => Math.round((kib * 1024) / 1e6);

/** The child processes running now (stopped on an interrupt). */
const live = new Set<CliProcess>();

/** Stops every child process still running (SIGTERM, then SIGKILL). */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...live].map((child) => child.stop(5000)));
}

/** One `node dist/cli/main.js …` child process. */
export class CliProcess {
  private readonly child: ChildProcess;
  private readonly rssFile: string;
  private polledKib = 0;
  private stdout = '';
  private stderr = '';
  /** Resolves when the process has exited. */
  readonly exited: Promise<ChildOutcome>;

  /** Starts `node <production flags> --require peak-rss.js dist/cli/main.js ...args` (the flags the units use); `rssFile` is where the hook writes. */
  constructor(args: readonly string[], settings: Record<string, string>, rssFile: string) {
    this.rssFile = rssFile;
    rmSync(rssFile, { force: true });
    const started = performance.now();
    this.child = spawn(process.execPath, [...LONG_RUNNING_NODE_FLAGS, '--require', PEAK_RSS_HOOK, CLI, ...args], {
      env: childEnv({ ...settings, ENDPOINT_BENCH_PEAK_RSS_FILE: rssFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout = (this.stdout + chunk.toString()).slice(-20000)));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-20000)));
    const poller = setInterval(() => {
      if (this.child.pid !== undefined) this.polledKib = Math.max(this.polledKib, procStatusKib(this.child.pid, 'VmHWM'));
    }, POLL_MS);
    live.add(this);
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', (error) => {
        live.delete(this);
        clearInterval(poller);
        reject(error);
      });
      this.child.once('exit', (exitCode, signal) => {
        const seconds = (performance.now() - started) / 1000;
        live.delete(this);
        clearInterval(poller);
        resolve({ exitCode, signal, seconds, peakRssMb: this.peakRssMb(), stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** The process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True while the process runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resident set size now in MB (10^6 bytes), from /proc; undefined when it cannot be read. */
  rssNowMb(): number | undefined {
    const kib = this.child.pid === undefined ? 0 : procStatusKib(this.child.pid, 'VmRSS');
    return kib > 0 ? kibToMb(kib) : undefined;
  }

  /** Output so far, for error messages. */
  outputTail(characters = 2000): string {
    return `${this.stdout.slice(-characters)}${this.stderr.slice(-characters)}`.trim();
  }

  /** Sends SIGTERM, waits up to `graceMs`, then SIGKILL; resolves with the outcome. */
  async stop(graceMs = 15000): Promise<ChildOutcome> {
    if (this.running) {
      if (this.child.pid !== undefined) this.polledKib = Math.max(this.polledKib, procStatusKib(this.child.pid, 'VmHWM'));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      try {
        return await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
    return this.exited;
  }

  private peakRssMb(): number | undefined {
    let kib = this.polledKib;
    if (existsSync(this.rssFile)) kib = Math.max(kib, Number(readFileSync(this.rssFile, 'utf8')) || 0);
    return kib > 0 ? kibToMb(kib) : undefined;
  }
}

/** Runs a CLI command to its end. */
export function runCli(args: readonly string[], settings: Record<string, string>, rssFile: string): Promise<ChildOutcome> {
  return new CliProcess(args, settings, rssFile).exited;
}
