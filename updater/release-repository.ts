/**
 * The fetch clone (`<deployDir>/repo`, a bare repository) and the git questions the updater
 * asks of it, through simple-git. Every network operation runs with a time limit and with all
 * prompts turned off, so git fails instead of waiting for a password nobody will type.
 */
import { execFile } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { EndpointError, describeError } from '../core/errors';

/** Variables passed on to git; anything else (EDITOR, PAGER, GIT_CONFIG_…) is left out. */
const PASSED_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'TMPDIR', 'SSH_AUTH_SOCK', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/** The environment every git command runs with: no terminal prompt, no askpass, batch SSH. */
export function promptFreeGitEnv(connectTimeoutSeconds: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of PASSED_ENV) if (base[name] !== undefined) env[name] = base[name];
  return {
    ...env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'false',
    SSH_ASKPASS: 'false',
    GCM_INTERACTIVE: 'never',
    GIT_SSH_COMMAND: `ssh -o BatchMode=yes -o ConnectTimeout=${connectTimeoutSeconds} -o StrictHostKeyChecking=yes`,
  };
}

/** Where the fetch clone is and what it tracks. */
export interface RepositoryOptions {
  repoDir: string;
  /** Remote URL; unset: keep the configured origin. */
  remote?: string;
  branch: string;
  fetchTimeoutMs: number;
}

/** The bare fetch clone. */
export class ReleaseRepository {
  readonly repoDir: string;
  private readonly options: RepositoryOptions;
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: RepositoryOptions) {
    this.options = options;
    this.repoDir = options.repoDir;
    this.env = promptFreeGitEnv(Math.max(1, Math.ceil(options.fetchTimeoutMs / 1000)));
  }

  /** The ref the remote branch is fetched into. */
  get remoteRef(): string {
    return `refs/remotes/origin/${this.options.branch}`;
  }

  private git(baseDir = this.repoDir, extra: { timeoutMs?: number; signal?: AbortSignal } = {}): SimpleGit {
    return simpleGit({
      baseDir,
      timeout: extra.timeoutMs === undefined ? undefined : { block: extra.timeoutMs },
      abort: extra.signal,
      unsafe: { allowUnsafeAskPass: true, allowUnsafeSshCommand: true },
    }).env(this.env);
  }

  /**
   * Runs git where the exit code is the answer (simple-git resolves a non-zero exit that
   * printed nothing on stderr, e.g. `merge-base --is-ancestor` or `verify-commit` of an
   * unsigned commit, so those go through execFile).
   */
  private exitCode(args: string[]): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      execFile('git', args, { cwd: this.repoDir, env: this.env, timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });
  }

  /** Creates the bare clone if missing and points `origin` at the configured remote. */
  async ensure(): Promise<void> {
    if (!existsSync(path.join(this.repoDir, 'HEAD'))) {
      if (this.options.remote === undefined) {
        throw new EndpointError('CONFIG_INVALID', `ENDPOINT_UPDATE_REMOTE is not set and ${this.repoDir} is not a repository yet; set it to the project's git remote.`);
      }
      mkdirSync(this.repoDir, { recursive: true });
      await this.git().init(true);
      await this.git().addRemote('origin', this.options.remote);
      return;
    }
    if (this.options.remote !== undefined) {
      const remotes = await this.git().getRemotes(true);
      const origin = remotes.find((remote) => remote.name === 'origin');
      if (origin === undefined) await this.git().addRemote('origin', this.options.remote);
      else if (origin.refs.fetch !== this.options.remote) await this.git().remote(['set-url', 'origin', this.options.remote]);
    }
  }

  /**
   * Fetches the branch (a force-pushed branch is fetched too, so divergence can be seen and
   * refused). Throws TIMEOUT or SERVICE_UNAVAILABLE with git's own words; never returns
   * quietly on failure.
   */
  async fetch(): Promise<string> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.fetchTimeoutMs);
    try {
      await this.git(this.repoDir, { timeoutMs: this.options.fetchTimeoutMs, signal: controller.signal }).raw([
        'fetch', '--no-tags', '--prune', 'origin', `+refs/heads/${this.options.branch}:${this.remoteRef}`,
      ]);
    } catch (error) {
      if (controller.signal.aborted || /timeout|timed out|abort/i.test(describeError(error))) {
        throw new EndpointError('TIMEOUT', `fetching ${this.options.branch} from the remote took longer than ${Math.round(this.options.fetchTimeoutMs / 1000)} s and was stopped`, { cause: error });
      }
      throw new EndpointError('SERVICE_UNAVAILABLE', `git fetch failed: ${describeError(error).trim().split('\n').slice(-2).join(' ')}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    return this.resolve(this.remoteRef);
  }

  /** The full commit id a ref or short id names; throws NOT_FOUND when it names none. */
  async resolve(ref: string): Promise<string> {
    const result = await this.exitCode(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    const commit = result.output.trim();
    if (result.code !== 0 || !/^[0-9a-f]{40,64}$/.test(commit)) throw new EndpointError('NOT_FOUND', `${ref} is not a commit in ${this.repoDir}.`);
    return commit;
  }

  /** True when `ancestor` is `descendant` or one of its ancestors (a fast-forward). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.exitCode(['merge-base', '--is-ancestor', ancestor, descendant])).code === 0;
  }

  /** `git log --oneline from..to`, newest first. */
  async changes(from: string | undefined, to: string): Promise<string[]> {
    const range = from === undefined ? ['-n', '20', to] : [`${from}..${to}`];
    const text = await this.git().raw(['log', '--oneline', '--no-decorate', ...range]);
    return text.split('\n').filter((line) => line.trim() !== '');
  }

  /** Verifies a commit's SSH signature against an allowed-signers file; the reason on failure. */
  async verifySignature(commit: string, allowedSignersFile: string): Promise<{ ok: boolean; reason: string }> {
    const result = await this.exitCode(['-c', 'gpg.format=ssh', '-c', `gpg.ssh.allowedSignersFile=${allowedSignersFile}`, 'verify-commit', commit]);
    if (result.code === 0) return { ok: true, reason: 'signature verified' };
    const lines = result.output.split('\n').filter((line) => line.trim() !== '');
    return { ok: false, reason: lines.slice(-1)[0] ?? 'the commit is not signed' };
  }

  /** Checks out `commit` into a new folder as a detached worktree. */
  async addWorktree(dir: string, commit: string): Promise<void> {
    mkdirSync(path.dirname(dir), { recursive: true });
    await this.git().raw(['worktree', 'add', '--detach', '--force', dir, commit]);
  }

  /** Removes a release worktree and whatever half-built files it holds. */
  async removeWorktree(dir: string): Promise<void> {
    rmSync(dir, { recursive: true, force: true });
    await this.git().raw(['worktree', 'prune']);
  }

  /** The commit a checked-out folder is at. */
  async headOf(dir: string): Promise<string> {
    return (await this.git(dir).raw(['rev-parse', 'HEAD'])).trim();
  }

  /** Tracked files changed in a checked-out folder (empty when clean). */
  async localChanges(dir: string): Promise<string[]> {
    const text = await this.git(dir).raw(['status', '--porcelain', '--untracked-files=no']);
    return text.split('\n').filter((line) => line.trim() !== '');
  }
}
