/**
 * The fetch clone (`<deployDir>/repo`, a bare repository) and the git questions the updater
 * asks of it. Every git command runs in its own process group with a time limit (updater/
 * git-runner.ts) and with all prompts turned off, so git fails instead of waiting for a
 * password nobody will type, and a hung remote leaves no helper process behind.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { EndpointError } from '../core/errors';
import { runGit, type GitOutcome } from './git-runner';

/** Variables passed on to git; anything else (EDITOR, PAGER, GIT_CONFIG_…) is left out. */
const PASSED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'TMPDIR',
  'SSH_AUTH_SOCK',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/** Time limit of a local git command (no network). */
const LOCAL_TIMEOUT_MS = 120_000;

/** The environment every git command runs with: no terminal prompt, no askpass, batch SSH. */
export function promptFreeGitEnv(
  connectTimeoutSeconds: number,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
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

/** git's last words on a failure, in one line. */
function lastWords(outcome: GitOutcome): string {
  const lines = `${outcome.stderr}\n${outcome.stdout}`
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.slice(-2).join(' ') || `exit ${outcome.code ?? 'by signal'}`;
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

  /** Runs a local git command in `cwd`; throws with git's words when it fails. */
  private async git(args: string[], cwd = this.repoDir): Promise<string> {
    const outcome = await runGit(args, { cwd, env: this.env, timeoutMs: LOCAL_TIMEOUT_MS });
    if (outcome.code !== 0) throw new EndpointError('INTERNAL', `git ${args[0]} failed: ${lastWords(outcome)}`);
    return outcome.stdout;
  }

  /** Runs git where the exit code is the answer. */
  private async exitCode(args: string[]): Promise<{ code: number; output: string }> {
    const outcome = await runGit(args, { cwd: this.repoDir, env: this.env, timeoutMs: LOCAL_TIMEOUT_MS });
    return { code: outcome.code ?? 1, output: `${outcome.stdout}${outcome.stderr}` };
  }

  /** Creates the bare clone if missing and points `origin` at the configured remote. */
  async ensure(): Promise<void> {
    if (!existsSync(path.join(this.repoDir, 'HEAD'))) {
      if (this.options.remote === undefined) {
        throw new EndpointError(
          'CONFIG_INVALID',
          `ENDPOINT_UPDATE_REMOTE is not set and ${this.repoDir} is not a repository yet; set it to the project's git remote.`,
        );
      }
      mkdirSync(this.repoDir, { recursive: true });
      await this.git(['init', '--quiet', '--bare']);
      await this.git(['remote', 'add', 'origin', this.options.remote]);
      return;
    }
    if (this.options.remote !== undefined) {
      const current = await this.exitCode(['remote', 'get-url', 'origin']);
      if (current.code !== 0) await this.git(['remote', 'add', 'origin', this.options.remote]);
      else if (current.output.trim() !== this.options.remote)
        await this.git(['remote', 'set-url', 'origin', this.options.remote]);
    }
  }

  /**
   * Fetches the branch (a force-pushed branch is fetched too, so divergence can be seen and
   * refused). Throws TIMEOUT or SERVICE_UNAVAILABLE with git's own words; never returns
   * quietly on failure. On time-out git and its helpers are killed as a group.
   */
  async fetch(): Promise<string> {
    const outcome = await runGit(
      ['fetch', '--no-tags', '--prune', 'origin', `+refs/heads/${this.options.branch}:${this.remoteRef}`],
      {
        cwd: this.repoDir,
        env: this.env,
        timeoutMs: this.options.fetchTimeoutMs,
      },
    );
    if (outcome.timedOut) {
      throw new EndpointError(
        'TIMEOUT',
        `fetching ${this.options.branch} from the remote took longer than ${Math.round(this.options.fetchTimeoutMs / 1000)} s and was stopped`,
      );
    }
    if (outcome.code !== 0) throw new EndpointError('SERVICE_UNAVAILABLE', `git fetch failed: ${lastWords(outcome)}`);
    return this.resolve(this.remoteRef);
  }

  /** The full commit id a ref or short id names; throws NOT_FOUND when it names none. */
  async resolve(ref: string): Promise<string> {
    const result = await this.exitCode(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    const commit = result.output.trim();
    if (result.code !== 0 || !/^[0-9a-f]{40,64}$/.test(commit))
      throw new EndpointError('NOT_FOUND', `${ref} is not a commit in ${this.repoDir}.`);
    return commit;
  }

  /** True when `ancestor` is `descendant` or one of its ancestors (a fast-forward). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.exitCode(['merge-base', '--is-ancestor', ancestor, descendant])).code === 0;
  }

  /** `git log --oneline from..to`, newest first. */
  async changes(from: string | undefined, to: string): Promise<string[]> {
    const range = from === undefined ? ['-n', '20', to] : [`${from}..${to}`];
    const text = await this.git(['log', '--oneline', '--no-decorate', ...range]);
    return text.split('\n').filter((line) => line.trim() !== '');
  }

  /** Verifies a commit's SSH signature against an allowed-signers file; the reason on failure. */
  async verifySignature(commit: string, allowedSignersFile: string): Promise<{ ok: boolean; reason: string }> {
    const result = await this.exitCode([
      '-c',
      'gpg.format=ssh',
      '-c',
      `gpg.ssh.allowedSignersFile=${allowedSignersFile}`,
      'verify-commit',
      commit,
    ]);
    if (result.code === 0) return { ok: true, reason: 'signature verified' };
    const lines = result.output.split('\n').filter((line) => line.trim() !== '');
    return { ok: false, reason: lines.slice(-1)[0] ?? 'the commit is not signed' };
  }

  /** Checks out `commit` into a new folder as a detached worktree. */
  async addWorktree(dir: string, commit: string): Promise<void> {
    mkdirSync(path.dirname(dir), { recursive: true });
    await this.git(['worktree', 'add', '--detach', '--force', dir, commit]);
  }

  /** Removes a release worktree and whatever half-built files it holds. */
  async removeWorktree(dir: string): Promise<void> {
    rmSync(dir, { recursive: true, force: true });
    await this.git(['worktree', 'prune']);
  }

  /** The commit a checked-out folder is at. */
  async headOf(dir: string): Promise<string> {
    return (await this.git(['rev-parse', 'HEAD'], dir)).trim();
  }

  /** Tracked files changed in a checked-out folder (empty when clean). */
  async localChanges(dir: string): Promise<string[]> {
    const text = await this.git(['status', '--porcelain', '--untracked-files=no'], dir);
    return text.split('\n').filter((line) => line.trim() !== '');
  }
}
