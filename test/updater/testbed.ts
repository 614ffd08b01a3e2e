/**
 * A real deployment for updater tests, in a temp folder: a bare repository as the remote, a
 * working clone where the test makes commits, the deployment folder (`repo/`, `releases/`,
 * `current`), and a restart script that runs the stand-in gateway as a real child process.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load';
import { createLogger } from '../../core/logger';
import { createUpdaterContext, type UpdaterContext } from '../../updater/context';
import { BUILD_JS, PACKAGE_JSON, PACKAGE_LOCK, SERVER_JS, restartScript } from './fake-project';

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.org',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.org',
};

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** One test's deployment. */
export class UpdaterTestbed {
  readonly remoteDir: string;
  readonly workDir: string;
  readonly deployDir: string;
  readonly stateDir: string;
  readonly busyFile: string;
  readonly adminToken = 'test-admin-token';

  private constructor(
    readonly root: string,
    readonly port: number,
  ) {
    this.remoteDir = path.join(root, 'remote.git');
    this.workDir = path.join(root, 'work');
    this.deployDir = path.join(root, 'deploy');
    this.stateDir = path.join(root, 'state');
    this.busyFile = path.join(root, 'busy');
  }

  /** Creates the remote with a first commit of the fake project, and the restart script. */
  static async create(): Promise<UpdaterTestbed> {
    const bed = new UpdaterTestbed(mkdtempSync(path.join(os.tmpdir(), 'e2e-updater-')), await freePort());
    mkdirSync(bed.deployDir, { recursive: true });
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', bed.remoteDir]);
    execFileSync('git', ['init', '-q', '-b', 'main', bed.workDir]);
    bed.git('remote', 'add', 'origin', bed.remoteDir);
    writeFileSync(path.join(bed.root, 'restart.sh'), restartScript(bed.deployDir, bed.port, bed.busyFile, bed.adminToken));
    bed.commit('fake gateway, first version', {
      'package.json': PACKAGE_JSON,
      'package-lock.json': PACKAGE_LOCK,
      'build.js': BUILD_JS,
      'server.js': SERVER_JS,
      '.gitignore': 'dist/\nnode_modules/\n',
    });
    return bed;
  }

  /** Runs git in the working clone (or `cwd`) and returns its trimmed output. */
  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.workDir, env: { ...process.env, ...GIT_IDENTITY }, encoding: 'utf8' }).trim();
  }

  /** Writes (or, with null, deletes) files, commits, pushes to the remote; returns the commit. */
  commit(message: string, files: Record<string, string | null>, push = true): string {
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(this.workDir, name);
      if (content === null) rmSync(file, { force: true });
      else writeFileSync(file, content);
    }
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    if (push) this.git('push', '-q', '--force', 'origin', 'main');
    return this.git('rev-parse', 'HEAD');
  }

  /** The updater's environment for this deployment; `extra` wins. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ENDPOINT_LOG_LEVEL: 'silent',
      ENDPOINT_STATE_DIR: this.stateDir,
      ENDPOINT_GATEWAY_URL: `http://127.0.0.1:${this.port}`,
      ENDPOINT_ADMIN_TOKEN: this.adminToken,
      ENDPOINT_UPDATE_DEPLOY_DIR: this.deployDir,
      ENDPOINT_UPDATE_REMOTE: this.remoteDir,
      ENDPOINT_UPDATE_BRANCH: 'main',
      ENDPOINT_UPDATE_FETCH_TIMEOUT_SECONDS: '5',
      ENDPOINT_UPDATE_IDLE_TIMEOUT_SECONDS: '2',
      ENDPOINT_UPDATE_POLL_MS: '100',
      ENDPOINT_UPDATE_MIN_FREE_MB: '1',
      ENDPOINT_UPDATE_INSTALL_COMMAND: 'true',
      ENDPOINT_UPDATE_BUILD_COMMAND: 'node build.js',
      ENDPOINT_UPDATE_PRUNE_COMMAND: 'true',
      ENDPOINT_UPDATE_SELF_TEST_COMMAND: 'test -f dist/commit.txt',
      ENDPOINT_UPDATE_RESTART_COMMAND: `sh ${path.join(this.root, 'restart.sh')}`,
      ENDPOINT_UPDATE_VERIFY_SECONDS: '8',
      ENDPOINT_UPDATE_SOAK_SECONDS: '1',
      ...extra,
    };
  }

  /** An in-process updater context for this deployment. */
  context(extra: Record<string, string> = {}): UpdaterContext {
    return createUpdaterContext(loadConfig({ env: this.env(extra) }), createLogger({ level: 'silent' }));
  }

  /** The commit the running stand-in gateway reports, or undefined when it does not answer. */
  async servingCommit(): Promise<string | undefined> {
    return new Promise((resolve) => {
      const req = http.get(`http://127.0.0.1:${this.port}/status`, { agent: false, timeout: 2000 }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve((JSON.parse(text) as { commit?: string }).commit));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(undefined));
    });
  }

  /** How many times the restart command ran. */
  restarts(): number {
    const file = path.join(this.deployDir, 'restarts.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;
  }

  /** Lines the stand-in wrote for drain/undrain calls. */
  adminCalls(): string[] {
    const file = path.join(this.deployDir, 'admin.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  }

  /** Kills a process whose pid is in a file (ignored when gone). */
  static killPidFile(file: string): void {
    try {
      process.kill(Number(readFileSync(file, 'utf8').trim()), 'SIGKILL');
    } catch {
      // Not running.
    }
  }

  /** Stops the stand-in gateway and removes the folder. */
  destroy(): void {
    UpdaterTestbed.killPidFile(path.join(this.deployDir, 'server.pid'));
    rmSync(this.root, { recursive: true, force: true });
  }
}
