/**
 * `endpoint update …` as a real child process (dist/ build): check output, the admin levers,
 * the default `npm ci` install, and an updater killed mid-update (SIGKILL) that the next start
 * repairs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readLock, updateLockFile } from '../../core/lock';
import { updaterRunLockFile } from '../../updater/idle-gate';
import { UpdaterTestbed } from './testbed';

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

let bed: UpdaterTestbed;
let first: string;

function endpoint(args: string[], extra: Record<string, string> = {}) {
  return spawnSync(process.execPath, [CLI, 'update', ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...bed.env(extra) }, timeout: 60_000 });
}

async function waitFor(what: string, condition: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeEach(async () => {
  bed = await UpdaterTestbed.create();
  first = bed.git('rev-parse', 'HEAD');
  const install = endpoint(['run']);
  expect(install.stdout).toMatch(/^updated: now running/);
  expect(install.status).toBe(0);
});

afterEach(() => bed.destroy());

test('check prints the pending commit and what changed, and changes nothing', async () => {
  const second = bed.commit('add a changelog', { CHANGELOG: 'v2\n' });
  const restarts = bed.restarts();
  const result = endpoint(['check']);
  expect(result.status).toBe(0);
  expect(result.stdout).toContain(`pending: ${second}`);
  expect(result.stdout).toContain(`  ${second.slice(0, 7)}`);
  expect(result.stdout).toMatch(/add a changelog/);
  expect(existsSync(path.join(bed.deployDir, 'releases', second))).toBe(false);
  expect(bed.restarts()).toBe(restarts);
  expect(await bed.servingCommit()).toBe(first);
  expect(endpoint(['status']).stdout).toContain(`pending:      ${second}`);
});

test('hold stops updates, release-hold allows them; pin stays on a commit until cleared', async () => {
  const second = bed.commit('second', { CHANGELOG: 'v2\n' });
  expect(endpoint(['hold']).status).toBe(0);
  expect(endpoint(['run']).stdout).toMatch(/^held:/);
  expect(await bed.servingCommit()).toBe(first);
  endpoint(['release-hold']);
  expect(endpoint(['run']).stdout).toMatch(/^updated:/);
  expect(await bed.servingCommit()).toBe(second);

  expect(endpoint(['pin', first.slice(0, 10)]).stdout).toContain(`pinned to ${first}`);
  expect(endpoint(['run']).stdout).toMatch(/^updated:/);
  expect(await bed.servingCommit()).toBe(first);
  const third = bed.commit('third', { CHANGELOG: 'v3\n' });
  expect(endpoint(['run']).stdout).toMatch(/^no-change:/);
  expect(await bed.servingCommit()).toBe(first);
  endpoint(['pin', '--clear']);
  expect(endpoint(['run']).stdout).toMatch(/^updated:/);
  expect(await bed.servingCommit()).toBe(third);
});

test('the default install and prune commands (npm ci, npm prune --omit=dev --no-save) install the tiny project offline and leave its checkout clean', async () => {
  const second = bed.commit('second', { CHANGELOG: 'v2\n' });
  const env = bed.env();
  delete env.ENDPOINT_UPDATE_INSTALL_COMMAND;
  delete env.ENDPOINT_UPDATE_PRUNE_COMMAND;
  const result = spawnSync(process.execPath, [CLI, 'update', 'run'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_offline: 'true', ...env }, timeout: 120_000 });
  expect(result.stdout).toMatch(/^updated:/);
  expect(existsSync(path.join(bed.deployDir, 'releases', second, 'installed-by-npm'))).toBe(true);
  expect(await bed.servingCommit()).toBe(second);
  // The prune left package-lock.json as committed: the next update is not refused as hand-made changes.
  const third = bed.commit('third', { CHANGELOG: 'v3\n' });
  const next = spawnSync(process.execPath, [CLI, 'update', 'run'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_offline: 'true', ...env }, timeout: 120_000 });
  expect(next.stdout).toMatch(/^updated:/);
  expect(await bed.servingCommit()).toBe(third);
});

test('killed (SIGKILL) during the build: the next start discards the half-built release, frees the lock, and updates', async () => {
  const second = bed.commit('slow build', { 'build-sleeps': 'yes' });
  const buildPidFile = path.join(bed.root, 'build.pid');
  const child = spawn(process.execPath, [CLI, 'update', 'run'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...bed.env({ FAKE_BUILD_PID_FILE: buildPidFile }) }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await waitFor('the build to start', () => existsSync(buildPidFile));
  child.kill('SIGKILL');
  await exited;
  UpdaterTestbed.killPidFile(buildPidFile); // systemd would end the whole unit's cgroup
  const releaseDir = path.join(bed.deployDir, 'releases', second);
  const killedBuildPid = readFileSync(path.join(releaseDir, 'dist', 'started-building'), 'utf8');
  expect(existsSync(path.join(bed.stateDir, 'update-journal.json'))).toBe(true);
  // The build held only the updater's own run lock, never the update lock the exporter needs.
  expect(readLock(updaterRunLockFile(bed.stateDir))?.pid).toBe(child.pid);
  expect(existsSync(updateLockFile(bed.stateDir))).toBe(false);
  expect(endpoint(['status']).stdout).toMatch(/interrupted update \(building/);
  expect(await bed.servingCommit()).toBe(first);

  const next = endpoint(['run']);
  expect(next.stdout).toMatch(/repaired: an update to .* interrupted while building: discarded the half-built release folder/);
  expect(next.stdout).toMatch(/updated:/);
  expect(readFileSync(path.join(releaseDir, 'dist', 'started-building'), 'utf8')).not.toBe(killedBuildPid);
  expect(await bed.servingCommit()).toBe(second);
  expect(existsSync(path.join(bed.stateDir, 'update-journal.json'))).toBe(false);
  expect(existsSync(updateLockFile(bed.stateDir))).toBe(false);
  expect(existsSync(updaterRunLockFile(bed.stateDir))).toBe(false);
});

test('killed after the switch, before the restart: the next start restarts and verifies the new release', async () => {
  const second = bed.commit('second', { CHANGELOG: 'v2\n' });
  const child = spawn(process.execPath, [CLI, 'update', 'run'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...bed.env({ ENDPOINT_UPDATE_RESTART_COMMAND: 'sleep 20' }) }, stdio: 'ignore' });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const journal = path.join(bed.stateDir, 'update-journal.json');
  await waitFor('the restart phase', () => existsSync(journal) && readFileSync(journal, 'utf8').includes('"restarting"'));
  child.kill('SIGKILL');
  await exited;
  expect(await bed.servingCommit()).toBe(first); // the link moved, the old process still serves

  const next = endpoint(['run']);
  expect(next.stdout).toMatch(/repaired: an update to .* interrupted while restarting: updated/);
  expect(await bed.servingCommit()).toBe(second);
  expect(endpoint(['status', '--json']).stdout).toContain(`"current": "${second}"`);
});
