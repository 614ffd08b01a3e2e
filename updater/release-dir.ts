/**
 * The deployment layout and its release folders:
 *   <deployDir>/repo                 the bare fetch clone
 *   <deployDir>/releases/<commit>/   one built release per commit (a git worktree)
 *   <deployDir>/current -> releases/<commit>   what the service runs
 * A release is complete only when its marker file exists (written after the self-test);
 * the `current` link is swapped atomically (new link under a temporary name, then rename).
 */
import { existsSync, readdirSync, readlinkSync, renameSync, rmSync, statfsSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../core/files';
import { EndpointError } from '../core/errors';

/** The marker a complete release carries. */
export const RELEASE_MARKER = '.endpoint-release.json';

/** What the marker records. */
export interface ReleaseMarker {
  commit: string;
  builtAt: string;
  buildSeconds: number;
}

/** Paths of the deployment. */
export class DeployLayout {
  readonly repoDir: string;
  readonly releasesDir: string;
  readonly currentLink: string;

  constructor(readonly deployDir: string) {
    this.repoDir = path.join(deployDir, 'repo');
    this.releasesDir = path.join(deployDir, 'releases');
    this.currentLink = path.join(deployDir, 'current');
  }

  /** The release folder of a commit. */
  releaseDir(commit: string): string {
    return path.join(this.releasesDir, commit);
  }

  /** The commit `current` points at (the folder name), or undefined when there is no link. */
  currentCommit(): string | undefined {
    try {
      return path.basename(readlinkSync(this.currentLink));
    } catch {
      return undefined;
    }
  }

  /** Points `current` at a commit's release, atomically (rename over the old link). */
  switchTo(commit: string): void {
    const temp = `${this.currentLink}.next-${process.pid}`;
    rmSync(temp, { force: true });
    symlinkSync(path.relative(this.deployDir, this.releaseDir(commit)), temp);
    renameSync(temp, this.currentLink);
  }

  /** The marker of a complete release, or undefined for a missing or half-built one. */
  completeRelease(commit: string): ReleaseMarker | undefined {
    try {
      const marker = readJsonFile<ReleaseMarker>(path.join(this.releaseDir(commit), RELEASE_MARKER));
      return marker?.commit === commit ? marker : undefined;
    } catch {
      return undefined;
    }
  }

  /** Marks a release complete. */
  markComplete(commit: string, buildSeconds: number): void {
    writeJsonAtomic(path.join(this.releaseDir(commit), RELEASE_MARKER), { commit, builtAt: new Date().toISOString(), buildSeconds } satisfies ReleaseMarker);
  }

  /** Throws SERVICE_UNAVAILABLE when the releases folder's disk has less than `minFreeMb` free. */
  checkFreeSpace(minFreeMb: number): number {
    let dir = this.releasesDir;
    while (!existsSync(dir)) dir = path.dirname(dir);
    const stats = statfsSync(dir);
    const freeMb = Math.floor((stats.bavail * stats.bsize) / (1024 * 1024));
    if (freeMb < minFreeMb) {
      throw new EndpointError('SERVICE_UNAVAILABLE', `only ${freeMb} MB free in ${dir}; a build needs ${minFreeMb} MB (ENDPOINT_UPDATE_MIN_FREE_MB)`);
    }
    return freeMb;
  }

  /** Release folders, newest first (by their marker's or folder's time). */
  releases(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.releasesDir).filter((name) => /^[0-9a-f]{7,64}$/.test(name));
    } catch {
      return [];
    }
    const time = (name: string) => {
      const dir = this.releaseDir(name);
      try {
        return statSync(path.join(dir, RELEASE_MARKER)).mtimeMs;
      } catch {
        return statSync(dir).mtimeMs;
      }
    };
    return names.map((name) => ({ name, at: time(name) })).sort((a, b) => b.at - a.at).map((entry) => entry.name);
  }

  /** Release folders beyond the newest `keep`, never `current` nor the ones named in `protect`. */
  prunable(keep: number, protect: (string | undefined)[]): string[] {
    const kept = new Set(protect.filter((commit): commit is string => commit !== undefined));
    const current = this.currentCommit();
    if (current !== undefined) kept.add(current);
    const result: string[] = [];
    let count = kept.size;
    for (const name of this.releases()) {
      if (kept.has(name)) continue;
      if (count < keep) {
        count++;
        continue;
      }
      result.push(name);
    }
    return result;
  }
}
