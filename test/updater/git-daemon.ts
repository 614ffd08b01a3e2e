/**
 * A git remote over the network for tests (`git daemon` on a loopback port), as a box sees its
 * remote: not a folder owned by another user (git refuses those: "dubious ownership"), and visible
 * through a unit's PrivateTmp. `git daemon` runs git-daemon as its child, so both run in a process
 * group of their own and are stopped together.
 */
import { spawn, spawnSync } from 'node:child_process';
import { waitFor } from '../support/wait';
import { freePort } from './testbed';

/** A running git daemon. */
export interface GitDaemon {
  /** The git:// URL of a repository below the base folder, e.g. `remote.git`. */
  url(repository: string): string;
  /** Stops git daemon and its children. */
  stop(): void;
}

/** Serves every repository below `baseDir`; resolves once `probeRepository` answers `ls-remote`. */
export async function startGitDaemon(baseDir: string, probeRepository: string): Promise<GitDaemon> {
  const port = await freePort();
  const child = spawn(
    'git',
    [
      'daemon',
      '--export-all',
      '--reuseaddr',
      '--listen=127.0.0.1',
      `--port=${port}`,
      `--base-path=${baseDir}`,
      baseDir,
    ],
    {
      stdio: 'ignore',
      detached: true,
    },
  );
  const daemon: GitDaemon = {
    url: (repository) => `git://127.0.0.1:${port}/${repository}`,
    stop: () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
  try {
    await waitFor(
      'git daemon',
      () => spawnSync('git', ['ls-remote', daemon.url(probeRepository)], { timeout: 5000 }).status === 0,
      10_000,
      100,
    );
  } catch (error) {
    daemon.stop();
    throw error;
  }
  return daemon;
}
