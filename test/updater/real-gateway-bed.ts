/**
 * A deployment of the real gateway for updater and watchdog tests, in a temp folder: a bare
 * repository as the remote whose commits are releases of this project (the build step copies the
 * built `dist/` in and links `node_modules`, so a release builds in a second, not a minute), the
 * deployment folder (`repo/`, `releases/`, `current`), a MongoDB database of the test's own, and
 * a restart command standing in for `systemctl restart e2e-gateway` (the unit's
 * `Restart=on-failure`, here with a 1 s RestartSec). A commit holding `crash-at-start` builds a
 * release whose `main.js` exits 1 at once: a release that crashes at start.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { testMongoUri, uniqueDatabaseName } from '../support/services';
import { freePort } from './testbed';
import { MongoClient } from 'mongodb';

/** The project root (its dist/ and node_modules/ make the releases). */
export const PROJECT = path.join(__dirname, '..', '..');
/** The built CLI of this project. */
export const CLI = path.join(PROJECT, 'dist', 'cli', 'main.js');

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 't@example.org',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 't@example.org',
};

/** The release build: this project's dist/ and node_modules/, or a main.js that crashes at start. */
const BUILD_JS = `
const fs = require('node:fs');
const path = require('node:path');
const project = process.env.E2E_TEST_PROJECT;
fs.rmSync('dist', { recursive: true, force: true });
fs.cpSync(path.join(project, 'dist'), 'dist', { recursive: true });
if (!fs.existsSync('node_modules')) fs.symlinkSync(path.join(project, 'node_modules'), 'node_modules');
fs.mkdirSync('core', { recursive: true }); // the project root is the folder with package.json and core/
if (fs.existsSync('crash-at-start')) {
  fs.writeFileSync('dist/cli/main.js', "process.stderr.write('release broken: cannot find module ./missing\\\\n'); process.exit(1);\\n");
}
`;

/** One deployment of the real gateway. */
export class RealGatewayBed {
  readonly remoteDir: string;
  readonly workDir: string;
  readonly deployDir: string;
  readonly stateDir: string;
  readonly gatewayEnvFile: string;
  readonly restartScript: string;
  readonly adminToken = 'bed-admin-token';
  readonly ingestToken = 'bed-ingest-token';
  readonly url: string;
  private children: ChildProcess[] = [];

  private constructor(
    readonly root: string,
    readonly port: number,
    readonly database: string,
  ) {
    this.remoteDir = path.join(root, 'remote.git');
    this.workDir = path.join(root, 'work');
    this.deployDir = path.join(root, 'deploy');
    this.stateDir = path.join(root, 'state');
    this.gatewayEnvFile = path.join(root, 'gateway.env');
    this.restartScript = path.join(root, 'restart.sh');
    this.url = `http://127.0.0.1:${port}`;
  }

  /** Makes the remote with a first release commit, the gateway's env file and the restart script. */
  static async create(testFile: string): Promise<RealGatewayBed> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'e2e-real-gw-'));
    chmodSync(root, 0o755);
    const bed = new RealGatewayBed(root, await freePort(), uniqueDatabaseName(testFile));
    mkdirSync(bed.deployDir, { recursive: true });
    mkdirSync(bed.stateDir, { recursive: true });
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bed.remoteDir]);
    execFileSync('git', ['init', '-q', '-b', 'main', bed.workDir]);
    bed.git('remote', 'add', 'origin', bed.remoteDir);
    writeFileSync(
      bed.gatewayEnvFile,
      [
        `ENDPOINT_GATEWAY_HOST=127.0.0.1`,
        `ENDPOINT_GATEWAY_PORT=${bed.port}`,
        `ENDPOINT_MONGODB_URL=${testMongoUri()}`,
        `ENDPOINT_MONGODB_DATABASE=${bed.database}`,
        `ENDPOINT_INGEST_TOKEN=${bed.ingestToken}`,
        `ENDPOINT_ADMIN_TOKEN=${bed.adminToken}`,
        `ENDPOINT_HMAC_SECRET=bed-hmac-secret`,
        `ENDPOINT_STATE_DIR=${path.join(root, 'gateway-state')}`,
        `ENDPOINT_SHUTDOWN_DEADLINE_MS=1000`,
        `ENDPOINT_LOG_LEVEL=warn`,
        `ENDPOINT_CLINIC_ID=bed-clinic`,
      ].join('\n') + '\n',
    );
    writeFileSync(bed.restartScript, bed.systemdStandIn());
    bed.commit('release 1', {
      'package.json': JSON.stringify({ name: 'e2e-endpoint', version: '0.1.0', private: true }, null, 2),
      'build.js': BUILD_JS,
      '.gitignore': 'dist/\nnode_modules\ncore/\n',
    });
    return bed;
  }

  /** `systemctl restart e2e-gateway` as the unit would do it: stop the group, start `current` again, restart on failure after 1 s. */
  private systemdStandIn(): string {
    const node = process.execPath;
    return `#!/bin/sh
# Stand-in for 'systemctl restart e2e-gateway' (Restart=on-failure, RestartSec=1s here).
cd "${this.deployDir}"
if [ -f unit.pid ]; then
  group=$(cat unit.pid)
  kill -TERM "-$group" 2>/dev/null
  for i in $(seq 1 50); do kill -0 "-$group" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "-$group" 2>/dev/null
  rm -f unit.pid
fi
echo "restart $(readlink current) $(date +%s%3N)" >> restarts.log
setsid sh -c 'while :; do env -i PATH="$PATH" HOME="$HOME" ENDPOINT_ENV_FILE="${this.gatewayEnvFile}" "${node}" "${this.deployDir}/current/dist/cli/main.js" gateway start; [ $? -eq 0 ] && exit 0; echo "gateway exited; restarting in 1 s" >&2; sleep 1; done' >> gateway.log 2>&1 < /dev/null &
echo $! > unit.pid
`;
  }

  /** git in the working clone. */
  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.workDir,
      env: { ...process.env, ...GIT_IDENTITY },
      encoding: 'utf8',
    }).trim();
  }

  /** Writes (null: deletes) files, commits and pushes; returns the commit. */
  commit(message: string, files: Record<string, string | null>): string {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(this.workDir, name);
      if (content === null) rmSync(file, { force: true });
      else writeFileSync(file, content);
    }
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    this.git('push', '-q', '--force', 'origin', 'main');
    return this.git('rev-parse', 'HEAD');
  }

  /** The updater's (and watchdog's) environment for this deployment; `extra` wins. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      E2E_TEST_PROJECT: PROJECT,
      ENDPOINT_LOG_LEVEL: 'warn',
      ENDPOINT_STATE_DIR: this.stateDir,
      ENDPOINT_GATEWAY_URL: this.url,
      ENDPOINT_ADMIN_TOKEN: this.adminToken,
      ENDPOINT_UPDATE_DEPLOY_DIR: this.deployDir,
      ENDPOINT_UPDATE_REMOTE: this.remoteDir,
      ENDPOINT_UPDATE_FETCH_TIMEOUT_SECONDS: '10',
      ENDPOINT_UPDATE_IDLE_TIMEOUT_SECONDS: '10',
      ENDPOINT_UPDATE_POLL_MS: '200',
      ENDPOINT_UPDATE_MIN_FREE_MB: '1',
      ENDPOINT_UPDATE_INSTALL_COMMAND: 'true',
      ENDPOINT_UPDATE_BUILD_COMMAND: 'node build.js',
      ENDPOINT_UPDATE_PRUNE_COMMAND: 'true',
      ENDPOINT_UPDATE_SELF_TEST_COMMAND: 'test -f dist/cli/main.js',
      ENDPOINT_UPDATE_RESTART_COMMAND: `sh ${this.restartScript}`,
      ENDPOINT_UPDATE_VERIFY_SECONDS: '60',
      ENDPOINT_UPDATE_SOAK_SECONDS: '2',
      ENDPOINT_UPDATE_KEEP_RELEASES: '2',
      ...extra,
    };
  }

  /** Runs `endpoint <args>` (this project's CLI) to the end; stdout, stderr, exit code and seconds. */
  run(
    args: string[],
    extra: Record<string, string> = {},
    timeoutMs = 240_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        env: this.env(extra),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 });
      });
    });
  }

  /** Starts `endpoint <args>` in the background (killed by destroy()). */
  start(
    args: string[],
    extra: Record<string, string> = {},
    cwd = this.deployDir,
  ): ChildProcess & { output: () => string } {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: this.env(extra),
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    this.children.push(child);
    return Object.assign(child, { output: () => output });
  }

  /** What the gateway answers now: the commit on /status and whether /readyz is 200 (undefined: no answer). */
  async serving(): Promise<{ commit?: string; ready: boolean; startedAt?: string } | undefined> {
    const get = (route: string) =>
      new Promise<{ status: number; body: Record<string, unknown> } | undefined>((resolve) => {
        const req = http.get(`${this.url}${route}`, { agent: false, timeout: 2000 }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => {
            try {
              resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
            } catch {
              resolve({ status: res.statusCode ?? 0, body: {} });
            }
          });
        });
        req.on('timeout', () => req.destroy());
        req.on('error', () => resolve(undefined));
      });
    const status = await get('/status');
    if (status === undefined) return undefined;
    const ready = await get('/readyz');
    return {
      commit: status.body.commit as string | undefined,
      startedAt: status.body.startedAt as string | undefined,
      ready: ready?.status === 200,
    };
  }

  /** Restarts the stand-in unit (what `systemctl restart` does). */
  restartUnit(): void {
    execFileSync('sh', [this.restartScript]);
  }

  /** Stops the stand-in unit (what `systemctl stop` does). */
  stopUnit(): void {
    const unitPid = path.join(this.deployDir, 'unit.pid');
    if (!existsSync(unitPid)) return;
    try {
      process.kill(-Number(readFileSync(unitPid, 'utf8').trim()), 'SIGTERM');
    } catch {
      // gone
    }
    rmSync(unitPid, { force: true });
  }

  /** The gateway's log (all starts). */
  gatewayLog(): string {
    const file = path.join(this.deployDir, 'gateway.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Stops every process it started, drops the database, removes the folder. */
  async destroy(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const supervised = path.join(this.stateDir, 'gateway.pid');
    if (existsSync(supervised)) {
      try {
        process.kill(Number(readFileSync(supervised, 'utf8').trim()), 'SIGKILL');
      } catch {
        // gone
      }
    }
    const unitPid = path.join(this.deployDir, 'unit.pid');
    if (existsSync(unitPid)) {
      try {
        process.kill(-Number(readFileSync(unitPid, 'utf8').trim()), 'SIGKILL');
      } catch {
        // gone
      }
    }
    const client = await MongoClient.connect(testMongoUri());
    await client
      .db(this.database)
      .dropDatabase()
      .catch(() => undefined);
    await client.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * Polls the gateway every `everyMs` and records whether it serves (ready, with a commit): the
 * outage an update causes is the longest stretch without service.
 */
export class ServiceWatch {
  readonly samples: { at: number; ready: boolean; commit?: string }[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly bed: RealGatewayBed,
    private readonly everyMs = 100,
  ) {}

  /** Starts polling. */
  start(): void {
    const poll = async (): Promise<void> => {
      if (this.stopped) return;
      const at = Date.now();
      const answer = await this.bed.serving();
      this.samples.push({ at, ready: answer?.ready === true, commit: answer?.commit });
      this.timer = setTimeout(() => void poll(), this.everyMs);
    };
    void poll();
  }

  /** Stops polling. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The longest stretch (ms) in which no sample was ready, from the first sample not ready to the next ready one. */
  longestOutageMs(): number {
    let longest = 0;
    let downAt: number | undefined;
    for (const sample of this.samples) {
      if (!sample.ready) downAt ??= sample.at;
      else if (downAt !== undefined) {
        longest = Math.max(longest, sample.at - downAt);
        downAt = undefined;
      }
    }
    return longest;
  }
}
