/**
 * Test harness for the watchdog: a temp state folder, a free port, the real CLI
 * (`dist/cli/main.js watchdog run`) as a child process supervising the stand-in gateway
 * (fixtures/fake-gateway.js) or using a recording restart command, and clean-up that kills
 * every process it started by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { WatchdogStatusFile } from '../../../core/status-files';
import { getHealth } from '../../../monitor/gateway-probe';
import { sleep, waitFor } from '../../support/wait';

/** The project root, where the CLI and the fixtures are found. */
export const ROOT = path.join(__dirname, '..', '..', '..');
/** The built CLI. */
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
/** The stand-in gateway. */
export const FAKE_GATEWAY = path.join(ROOT, 'test', 'monitor', 'fixtures', 'fake-gateway.js');

/** Test-sized watchdog settings (the defaults are minutes; these are tenths of seconds). */
export const FAST_SETTINGS: Record<string, string> = {
  ENDPOINT_WATCHDOG_INTERVAL_MS: '100',
  ENDPOINT_WATCHDOG_PROBE_TIMEOUT_MS: '300',
  ENDPOINT_REQUEST_TIMEOUT_MS: '200',
  ENDPOINT_WATCHDOG_HUNG_AFTER: '3',
  ENDPOINT_WATCHDOG_GRACE_MS: '3000',
  ENDPOINT_WATCHDOG_DRAIN_DEADLINE_MS: '1000',
  ENDPOINT_WATCHDOG_REPORT_WAIT_MS: '3000',
  ENDPOINT_WATCHDOG_BACKOFF_INITIAL_MS: '300',
  ENDPOINT_WATCHDOG_BACKOFF_MAX_MS: '1200',
  ENDPOINT_WATCHDOG_BACKOFF_RESET_MS: '5000',
  ENDPOINT_WATCHDOG_MAX_RESTARTS: '5',
  ENDPOINT_WATCHDOG_RESTART_WINDOW_MS: '60000',
};

/** A free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

export { sleep, waitFor };

/** One watchdog under test with its folders and stand-in gateway. */
export class WatchdogRig {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'watchdog-'));
  readonly stateDir = path.join(this.dir, 'state');
  /** The stand-in gateway's control folder (die-at-start, not-ready, busy, …). */
  readonly controlDir = this.dir;
  readonly port: number;
  readonly url: string;
  output = '';
  private watchdog?: ChildProcess;
  private exited?: Promise<number | null>;

  private constructor(port: number) {
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  /** A rig on a free port. */
  static async create(): Promise<WatchdogRig> {
    return new WatchdogRig(await freePort());
  }

  /** The environment the watchdog and the stand-in gateway run with. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ENDPOINT_LOG_LEVEL: 'info',
      ENDPOINT_STATE_DIR: this.stateDir,
      ENDPOINT_GATEWAY_URL: this.url,
      ENDPOINT_GATEWAY_PORT: String(this.port),
      ENDPOINT_GATEWAY_HOST: '127.0.0.1',
      // ENDPOINT_TEST_WATCHDOG_GATEWAY_COMMAND points the crash and hang tests at another gateway (the real one).
      ENDPOINT_WATCHDOG_GATEWAY_COMMAND: process.env.ENDPOINT_TEST_WATCHDOG_GATEWAY_COMMAND ?? `node ${FAKE_GATEWAY}`,
      FAKE_GATEWAY_DIR: this.controlDir,
      ...FAST_SETTINGS,
      ...extra,
    };
  }

  /** Starts `endpoint watchdog run` (with `--supervise` unless told otherwise). */
  start(options: { supervise?: boolean; env?: Record<string, string> } = {}): void {
    const args = [CLI, 'watchdog', 'run', ...(options.supervise === false ? [] : ['--supervise'])];
    const child = spawn(process.execPath, args, { cwd: ROOT, env: this.env(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.watchdog = child;
  }

  /** The watchdog's status file, if written. */
  status(): WatchdogStatusFile | undefined {
    try {
      return JSON.parse(readFileSync(path.join(this.stateDir, 'watchdog-status.json'), 'utf8')) as WatchdogStatusFile;
    } catch {
      return undefined;
    }
  }

  /** Waits for the watchdog to report `state`. */
  waitForState(state: WatchdogStatusFile['state'], timeoutMs = 10000): Promise<WatchdogStatusFile> {
    return waitFor(`watchdog state ${state} (now ${this.status()?.state})`, () => {
      const status = this.status();
      return status?.state === state ? status : undefined;
    }, timeoutMs);
  }

  /** The supervised gateway's pid (from the watchdog's pid file). */
  gatewayPid(): number | undefined {
    const file = path.join(this.stateDir, 'gateway.pid');
    return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  }

  /** Start times (ms) of the stand-in gateway, from its starts.log, with pids. */
  starts(): { pid: number; at: number }[] {
    const file = path.join(this.controlDir, 'starts.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => {
      const [pid, at] = line.split(' ').map(Number);
      return { pid, at };
    });
  }

  /** Runs the CLI once (e.g. `check gateway`) with this rig's environment. */
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, env: this.env({ ENDPOINT_LOG_LEVEL: 'silent' }), encoding: 'utf8' });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Stops the watchdog (SIGTERM), kills any stand-in gateway left, removes the folder. */
  async stop(): Promise<number | null> {
    let code: number | null = null;
    if (this.watchdog && this.watchdog.exitCode === null && this.watchdog.signalCode === null) {
      this.watchdog.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), 8000)));
      const result = await Promise.race([this.exited, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') this.watchdog.kill('SIGKILL');
      else code = result ?? null;
    }
    for (const { pid } of this.starts()) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    return code;
  }
}

/** GETs a health route; the HTTP status, or 0 when nothing answered within `timeoutMs`. */
export async function httpStatus(url: string, timeoutMs = 200): Promise<number> {
  const parsed = new URL(url);
  const answer = await getHealth(parsed.origin, parsed.pathname, timeoutMs);
  return answer.kind === 'answered' ? answer.status : 0;
}
