/**
 * The two ways the watchdog restarts the gateway: a configured restart command (systemd by
 * default), or supervising the gateway as its own child process (`--supervise`). A supervised
 * hung gateway is asked for a Node diagnostic report (SIGUSR2; SIGCONT first if it was
 * stopped), then SIGTERM with a drain deadline, then SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger';
import type { RestartOrder } from './watchdog-decision';
import { LONG_RUNNING_NODE_FLAGS } from '../cli/node-flags';

/** Restarts the gateway; `restart` resolves to one line saying what was done. */
export interface GatewayRestarter {
  /** Supervised mode: starts the first child. */
  start(): void;
  /** Supervised mode: true once the current child has exited; undefined without supervision. */
  childExited(): boolean | undefined;
  /** Supervised mode: how the last child ended, e.g. `the gateway process exited (signal SIGKILL)`. */
  readonly exitDetail?: string;
  restart(order: RestartOrder): Promise<string>;
  /** Stops a supervised child (watchdog shutdown). */
  stop(): Promise<void>;
  /** Called when a supervised child exits, so the loop can look at once. */
  onChildExit?: () => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Restarts through a shell command, e.g. `systemctl restart e2e-gateway`. */
export class RestartCommand implements GatewayRestarter {
  constructor(
    private readonly command: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {}

  childExited(): undefined {
    return undefined;
  }

  async stop(): Promise<void> {}

  restart(order: RestartOrder): Promise<string> {
    return new Promise((resolve) => {
      const child = spawn(this.command, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-500);
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        resolve(`restart command failed to start: ${error.message}`);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const how = code === 0 ? 'succeeded' : `failed (${signal ?? `exit ${code}`})`;
        if (code !== 0) this.log.warn({ command: this.command, output: output.trim() }, 'restart command failed');
        resolve(`restart command ${how} after ${order.cause}: ${this.command}`);
      });
    });
  }
}

/** Options of {@link SupervisedGateway}. */
export interface SupervisedGatewayOptions {
  /** The gateway command, words split on spaces; a leading `node` runs this Node with report flags. */
  command: string;
  /** Where Node diagnostic reports of a hung gateway go. */
  reportDir: string;
  /** Where the child's pid is written (for people, tests and `watchdog restart-gateway`). */
  pidFile: string;
  /**
   * The folder the gateway runs in, looked up at every start: the deployment's `current` link,
   * so a restart runs the release the updater switched to (never the one the watchdog started
   * in, which may be pruned). Undefined: the watchdog's own working folder.
   */
  workDir?: string;
  drainDeadlineMs: number;
  reportWaitMs: number;
  log: Logger;
}

/** The argv that starts the gateway with diagnostic reports on SIGUSR2 and the long-running commands' Node flags (unless the command sets its own heap limit). */
export function supervisedArgv(command: string, reportDir: string, nodePath: string): { file: string; args: string[]; nodeOptions?: string } {
  const words = command.trim().split(/\s+/);
  const ownHeapLimit = words.some((word) => word.startsWith('--max-old-space-size'));
  const reportFlags = [...(ownHeapLimit ? [] : LONG_RUNNING_NODE_FLAGS), '--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${reportDir}`];
  if (words[0] === 'node' || words[0] === nodePath) return { file: nodePath, args: [...reportFlags, ...words.slice(1)] };
  // Another launcher (a wrapper script): pass the flags to any Node it starts.
  return { file: words[0], args: words.slice(1), nodeOptions: reportFlags.join(' ') };
}

/** Linux process state letter from /proc (T = stopped), or undefined. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0);
  } catch {
    return undefined;
  }
}

/** Runs the gateway as a child process and restarts it. */
export class SupervisedGateway implements GatewayRestarter {
  private child?: ChildProcess;
  private exited = true;
  private exitPromise: Promise<void> = Promise.resolve();
  exitDetail?: string;
  onChildExit?: () => void;

  constructor(private readonly options: SupervisedGatewayOptions) {}

  start(): void {
    const { file, args, nodeOptions } = supervisedArgv(this.options.command, this.options.reportDir, process.execPath);
    mkdirSync(this.options.reportDir, { recursive: true });
    const env = { ...process.env };
    if (nodeOptions) env.NODE_OPTIONS = [env.NODE_OPTIONS, nodeOptions].filter(Boolean).join(' ');
    delete env.NOTIFY_SOCKET; // systemd notifications are the watchdog's, not the child's
    // spawn resolves the `current` link now: each start runs what it points at.
    const cwd = this.options.workDir !== undefined && existsSync(this.options.workDir) ? this.options.workDir : undefined;
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'], env, cwd });
    this.child = child;
    this.exited = false;
    this.exitPromise = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.child !== child || this.exited) return resolve();
        this.exited = true;
        this.exitDetail = `the gateway process exited (${signal ? `signal ${signal}` : `exit code ${code ?? 'none'}`})`;
        this.options.log.warn({ childPid: child.pid, code, signal }, 'gateway process exited');
        rmSync(this.options.pidFile, { force: true });
        resolve();
        this.onChildExit?.();
      };
      child.on('exit', done);
      child.on('error', (error) => {
        this.options.log.error({ err: error.message, command: this.options.command }, 'gateway process could not be started');
        done(null, null);
      });
    });
    if (child.pid !== undefined) {
      writeFileSync(this.options.pidFile, `${child.pid}\n`);
      this.options.log.info({ childPid: child.pid, command: this.options.command, release: cwd === undefined ? process.cwd() : safeRealpath(cwd) }, 'gateway process started');
    }
  }

  childExited(): boolean {
    return this.exited;
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (this.exited) return true;
    await Promise.race([this.exitPromise, sleep(ms)]);
    return this.exited;
  }

  /** Asks the (hung) child for a diagnostic report; returns what happened, in words. */
  private async captureReport(pid: number): Promise<string> {
    const before = new Set(safeList(this.options.reportDir));
    let note = '';
    if (processState(pid) === 'T') {
      process.kill(pid, 'SIGCONT');
      note = 'it was stopped (SIGSTOP), SIGCONT sent; ';
    }
    try {
      process.kill(pid, 'SIGUSR2');
    } catch {
      return `${note}no diagnostic report possible (process gone)`;
    }
    const deadline = Date.now() + this.options.reportWaitMs;
    while (Date.now() < deadline && !this.exited) {
      const fresh = safeList(this.options.reportDir).filter((name) => !before.has(name) && name.endsWith('.json'));
      if (fresh.length > 0) return `${note}diagnostic report ${path.join(this.options.reportDir, fresh[0])}`;
      await sleep(50);
    }
    return `${note}no diagnostic report within ${this.options.reportWaitMs} ms`;
  }

  /** Stops the current child: report (when hung), SIGTERM, drain deadline, SIGKILL. */
  private async stopChild(hung: boolean): Promise<string> {
    const child = this.child;
    if (!child || this.exited || child.pid === undefined) return 'process had exited';
    const parts: string[] = [];
    if (hung) parts.push(await this.captureReport(child.pid));
    if (processState(child.pid) === 'T') child.kill('SIGCONT');
    child.kill('SIGTERM');
    if (await this.waitExit(this.options.drainDeadlineMs)) {
      parts.push('stopped by SIGTERM');
    } else {
      child.kill('SIGKILL');
      await this.waitExit(5000);
      parts.push(`SIGKILL after the ${this.options.drainDeadlineMs} ms drain deadline`);
    }
    return parts.join('; ');
  }

  async restart(order: RestartOrder): Promise<string> {
    const stopped = await this.stopChild(order.cause === 'hung');
    this.start();
    return `restarted the supervised gateway after ${order.cause} (${stopped}); new pid ${this.child?.pid ?? 'none'}`;
  }

  async stop(): Promise<void> {
    await this.stopChild(false);
  }
}

function safeRealpath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
