/**
 * Issue 15, items 6 and 10: the nightly export beside the updater, with the real exporter CLI (a
 * child process) on a synthetic clinic in MariaDB and the real updater CLI on a real git remote.
 * An update that is building does not refuse the export (the update lock is held from drain to
 * soak only); an export waits for an update that is switching the gateway; a night without an
 * export is WARNING in `check export` at once. `export schedule` starts no export after it was
 * stopped while waiting for the backup; a missing marker file, and no marker at all, are said so.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, updateLockFile } from '../../core/lock';
import { startSchedule } from '../../exporter/schedule';
import { capturedLogger, createTestClinic, type TestClinic } from '../exporter/support';
import { sleep, waitFor } from '../support/wait';
import { UpdaterTestbed } from '../updater/testbed';

jest.setTimeout(180_000);

const CLI = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

let clinic: TestClinic;
let root: string;

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 40);
}, 180_000);
afterAll(async () => {
  await clinic?.drop();
});
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'export-night-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function exportEnv(stateDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ENDPOINT_LOG_LEVEL: 'warn',
    ENDPOINT_STATE_DIR: stateDir,
    ENDPOINT_OSCAR_URL: clinic.url,
    ENDPOINT_ALLOW_WRITABLE_ACCOUNT: 'true',
    ...extra,
  };
}

/** `endpoint export run --since last --out DIR …` as the timer runs it (files instead of HTTP: no gateway needed). */
function exportRun(
  stateDir: string,
  extra: Record<string, string> = {},
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [CLI, 'export', 'run', '--since', 'last', '--out', path.join(root, 'out'), ...args],
      { env: exportEnv(stateDir, extra), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

test('an update that is building does not refuse the nightly export', async () => {
  const bed = await UpdaterTestbed.create();
  try {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...bed.env() };
    expect(spawnSync(process.execPath, [CLI, 'update', 'run'], { env, encoding: 'utf8' }).stdout).toMatch(/^updated:/);
    bed.commit('slow build', { 'build-sleeps': 'yes' });
    const buildPid = path.join(bed.root, 'build.pid');
    const updater = spawn(process.execPath, [CLI, 'update', 'run'], {
      env: { ...env, FAKE_BUILD_PID_FILE: buildPid },
      stdio: 'ignore',
    });
    try {
      await waitFor('the build to start', () => existsSync(buildPid), 20_000);
      const night = await exportRun(bed.stateDir);
      expect(night.stderr).not.toMatch(/update\.lock is held/);
      expect(night.code).toBe(0);
      expect(night.stdout).toMatch(/status +complete/);
    } finally {
      updater.kill('SIGKILL');
      UpdaterTestbed.killPidFile(buildPid);
    }
  } finally {
    bed.destroy();
  }
});

test('an export waits for an update switching the gateway, then runs', async () => {
  const stateDir = path.join(root, 'state');
  const switching = acquireLock(updateLockFile(stateDir), 'updater');
  const night = exportRun(stateDir, { ENDPOINT_EXPORT_LOCK_WAIT_SECONDS: '60' });
  await sleep(2000);
  switching.release();
  const result = await night;
  expect(result.code).toBe(0);
  expect(result.seconds).toBeGreaterThanOrEqual(2);
});

test('a night without an export (the lock not had in time) is a WARNING in check export at once', async () => {
  const stateDir = path.join(root, 'state');
  expect((await exportRun(stateDir)).code).toBe(0);
  const stuck = acquireLock(updateLockFile(stateDir), 'updater');
  try {
    const night = await exportRun(stateDir, { ENDPOINT_EXPORT_LOCK_WAIT_SECONDS: '1' });
    expect(night.code).toBe(1);
    expect(night.stderr).toMatch(
      /^endpoint export: update\.lock is held by updater \(pid \d+\) since .*\. Waited 1 s\.$/m,
    );
  } finally {
    stuck.release();
  }
  const check = spawnSync(process.execPath, [CLI, 'check', 'export'], { env: exportEnv(stateDir), encoding: 'utf8' });
  expect(check.stdout).toMatch(
    /^EXPORT WARNING: last successful full run .* a later run not-started failed: no export: update\.lock is held by updater/,
  );
  expect(check.status).toBe(1);
});

test('export schedule stopped while a tick waits for the backup: no export starts, even when the backup then arrives', async () => {
  const marker = path.join(root, 'backup.done');
  writeFileSync(marker, 'old');
  utimesSync(marker, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const lastRun = new Date(Date.now() - 30_000); // the marker is older than the last run: the tick waits
  let runs = 0;
  const schedule = startSchedule({
    expression: '0 0 1 1 *',
    marker,
    waitMs: 60_000,
    pollMs: 20,
    lastRunStartedAt: () => lastRun,
    runOnce: async () => ++runs,
    logger: capturedLogger().logger,
  });
  const tick = schedule.tick();
  await sleep(200);
  const stopped = schedule.stop();
  writeFileSync(marker, 'new'); // the backup finishes right after SIGTERM
  await stopped;
  expect(await tick).toBeUndefined();
  await sleep(200);
  expect(runs).toBe(0);
});

test('--wait-for-backup: a marker file that does not exist is said so; no marker configured is a warning', async () => {
  const stateDir = path.join(root, 'state');
  const missing = await exportRun(
    stateDir,
    { ENDPOINT_BACKUP_MARKER: path.join(root, 'no-such-marker'), ENDPOINT_BACKUP_WAIT_MS: '0' },
    ['--wait-for-backup'],
  );
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(
    /the backup marker .*no-such-marker does not exist \(waited 0 min\); check ENDPOINT_BACKUP_MARKER and that the OSP's backup script touches that file; no export was started\./,
  );
  const unset = await exportRun(stateDir, {}, ['--wait-for-backup']);
  expect(unset.stderr).toMatch(/warning: ENDPOINT_BACKUP_MARKER is not set: exporting without waiting for the backup/);
  expect(unset.code).toBe(0);
});
