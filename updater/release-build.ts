/**
 * Building a release out of place: free-space check, a detached worktree in
 * `releases/<commit>`, then the install, build, prune and self-test commands in that folder
 * (the prune removes the dev dependencies the build needed, so a release holds production
 * dependencies only, and the self-test proves it runs with them). The running release is never
 * touched; a failed or interrupted build is removed entirely, its output kept in
 * `<stateDir>/update-build.log`. No lock is held: the exporter runs meanwhile.
 */
import path from 'node:path';
import { writeFileAtomic } from '../core/files';
import { describeError } from '../core/errors';
import type { UpdaterContext } from './context';
import { describeShellFailure, runShellCommand } from './shell-command';

/** How a build ended. */
export type BuildResult = { ok: true; reused: boolean; seconds: number } | { ok: false; blameCommit: boolean; message: string };

/** Builds `commit` into its release folder, or reuses a complete one. */
export async function buildRelease(context: UpdaterContext, commit: string, previous: string | undefined): Promise<BuildResult> {
  const { layout, repo, config, journal, log } = context;
  if (layout.completeRelease(commit) !== undefined) return { ok: true, reused: true, seconds: 0 };
  const releaseDir = layout.releaseDir(commit);
  try {
    layout.checkFreeSpace(config.updateMinFreeMb);
  } catch (error) {
    return { ok: false, blameCommit: false, message: `not built: ${describeError(error)}` };
  }
  const started = Date.now();
  journal.begin({ phase: 'building', commit, releaseDir, previous });
  await repo.removeWorktree(releaseDir);
  try {
    await repo.addWorktree(releaseDir, commit);
  } catch (error) {
    await repo.removeWorktree(releaseDir);
    journal.clear();
    return { ok: false, blameCommit: false, message: `checkout of ${commit.slice(0, 10)} failed: ${describeError(error)}` };
  }
  const steps: [string, string][] = [
    ['install', config.updateInstallCommand],
    ['build', config.updateBuildCommand],
    ['prune', config.updatePruneCommand],
    ['self-test', config.updateSelfTestCommand],
  ];
  for (const [label, command] of steps) {
    log.info({ commit, step: label }, `release ${label}`);
    const outcome = await runShellCommand(command, {
      cwd: releaseDir,
      env: { ...process.env, ENDPOINT_RELEASE_COMMIT: commit, ENDPOINT_RELEASE_DIR: releaseDir },
      timeoutMs: config.updateBuildTimeoutSeconds * 1000,
    });
    if (outcome.code !== 0) {
      await repo.removeWorktree(releaseDir);
      journal.clear();
      const logFile = buildLogFile(config.stateDir);
      let logged = '';
      try {
        writeFileAtomic(logFile, `${new Date().toISOString()} ${label} of ${commit} (${command}) ${outcome.timedOut ? 'timed out' : `exited with ${outcome.code}`}\n${outcome.output}\n`);
        logged = ` (full output in ${logFile})`;
      } catch (error) {
        log.warn({ error: describeError(error) }, 'the build log could not be written');
      }
      return { ok: false, blameCommit: true, message: `${describeShellFailure(`the ${label} step`, command, outcome)}; nothing was switched${logged}` };
    }
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  layout.markComplete(commit, seconds);
  journal.clear();
  return { ok: true, reused: false, seconds };
}

/** Where the output of the last failed build step is kept. */
export function buildLogFile(stateDir: string): string {
  return path.join(stateDir, 'update-build.log');
}

/** Removes release folders beyond the configured number (never current or previous). */
export async function pruneReleases(context: UpdaterContext, previous: string | undefined): Promise<string[]> {
  const { layout, repo, config, log } = context;
  const removed: string[] = [];
  for (const commit of layout.prunable(config.updateKeepReleases, [previous])) {
    try {
      await repo.removeWorktree(layout.releaseDir(commit));
      removed.push(commit);
    } catch (error) {
      log.warn({ commit, error: describeError(error) }, 'could not remove an old release');
    }
  }
  return removed;
}
