/**
 * The updater against a real deployment: real git (bare remote, real commits), real release
 * folders, and the stand-in gateway restarted as a real child process.
 */
import { existsSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile } from '../../core/files';
import { acquireLock, updateLockFile } from '../../core/lock';
import { statusFilePath } from '../../core/status-files';
import type { UpdaterStatus } from '../../updater/status-store';
import { runUpdate } from '../../updater/update-run';
import { UpdaterTestbed } from './testbed';

let bed: UpdaterTestbed;
let first: string;

beforeEach(async () => {
  bed = await UpdaterTestbed.create();
  first = bed.git('rev-parse', 'HEAD');
  const install = await runUpdate(bed.context());
  expect(install.outcome).toBe('updated');
  expect(await bed.servingCommit()).toBe(first);
  rmSync(path.join(bed.deployDir, 'admin.log'), { force: true });
});

afterEach(() => bed.destroy());

function status(): UpdaterStatus {
  return readJsonFile<UpdaterStatus>(statusFilePath(bed.stateDir, 'update')) as UpdaterStatus;
}

describe('endpoint update run', () => {
  test('no new commit: nothing happens, no restart', async () => {
    const restarts = bed.restarts();
    const report = await runUpdate(bed.context());
    expect(report.outcome).toBe('no-change');
    expect(bed.restarts()).toBe(restarts);
    expect(status().current).toBe(first);
    expect(status().lastResult?.outcome).toBe('no-change');
  });

  test('a new commit while idle: built out of place, switched, restarted, verified', async () => {
    const second = bed.commit('second version', { 'CHANGELOG': 'v2\n' });
    const started = Date.now();
    const report = await runUpdate(bed.context());
    const seconds = (Date.now() - started) / 1000;
    expect(report.outcome).toBe('updated');
    expect(await bed.servingCommit()).toBe(second);
    expect(readlinkSync(path.join(bed.deployDir, 'current'))).toBe(path.join('releases', second));
    expect(existsSync(path.join(bed.deployDir, 'releases', first, 'server.js'))).toBe(true);
    expect(status()).toMatchObject({ current: second, lastResult: { outcome: 'updated', commit: second } });
    expect(status().pending).toBeUndefined();
    expect(bed.adminCalls()).toEqual([`/admin/drain ${first}`, `/admin/undrain ${second}`]);
    process.stderr.write(`[updater timing] update+verify+1 s soak took ${seconds.toFixed(1)} s\n`);
  });

  test('an import in flight: deferred (gateway undrained), then updated once idle', async () => {
    const second = bed.commit('second version', { 'CHANGELOG': 'v2\n' });
    writeFileSync(bed.busyFile, 'import running');
    const restarts = bed.restarts();
    const deferred = await runUpdate(bed.context());
    expect(deferred.outcome).toBe('deferred');
    expect(deferred.message).toMatch(/not idle within 2 s \(0 running quer\(ies\), 1 import\(s\) in flight\)/);
    expect(bed.restarts()).toBe(restarts);
    expect(await bed.servingCommit()).toBe(first);
    expect(bed.adminCalls()).toEqual([`/admin/drain ${first}`, `/admin/undrain ${first}`]);
    expect(status()).toMatchObject({ lastResult: { outcome: 'deferred' }, pending: second });
    expect(status().deferredSince).toBeDefined();

    rmSync(bed.busyFile);
    const updated = await runUpdate(bed.context());
    expect(updated.outcome).toBe('updated');
    expect(await bed.servingCommit()).toBe(second);
    expect(status().deferredSince).toBeUndefined();
  });

  test('a deferred update older than the threshold is a warning, never forced', async () => {
    bed.commit('second version', { 'CHANGELOG': 'v2\n' });
    writeFileSync(bed.busyFile, 'import running');
    await runUpdate(bed.context({ ENDPOINT_UPDATE_IDLE_TIMEOUT_SECONDS: '0', ENDPOINT_UPDATE_DEFER_WARN_MINUTES: '0' }));
    expect(status().warning).toMatch(/deferred since/);
    expect(await bed.servingCommit()).toBe(first);
  });

  test("the exporter's lock held: the update waits, then defers without touching anything", async () => {
    bed.commit('second version', { 'CHANGELOG': 'v2\n' });
    const exporterLock = acquireLock(updateLockFile(bed.stateDir), 'exporter');
    try {
      const restarts = bed.restarts();
      const report = await runUpdate(bed.context({ ENDPOINT_UPDATE_IDLE_TIMEOUT_SECONDS: '1' }));
      expect(report.outcome).toBe('deferred');
      expect(report.message).toMatch(/held by exporter/);
      expect(bed.restarts()).toBe(restarts);
      expect(bed.adminCalls()).toEqual([]);
    } finally {
      exporterLock.release();
    }
    expect((await runUpdate(bed.context())).outcome).toBe('updated');
  });

  test('outside the maintenance window: built but deferred; inside it: installed', async () => {
    const second = bed.commit('second version', { 'CHANGELOG': 'v2\n' });
    const now = new Date();
    const closed = `${(now.getMinutes() + 30) % 60} ${(now.getHours() + 12) % 24} * * *`;
    const deferred = await runUpdate(bed.context({ ENDPOINT_UPDATE_WINDOW: closed, ENDPOINT_UPDATE_WINDOW_MINUTES: '10' }));
    expect(deferred.outcome).toBe('deferred');
    expect(deferred.message).toMatch(/maintenance window/);
    expect(existsSync(path.join(bed.deployDir, 'releases', second, '.endpoint-release.json'))).toBe(true);
    expect(await bed.servingCommit()).toBe(first);
    const open = `* * * * *`;
    expect((await runUpdate(bed.context({ ENDPOINT_UPDATE_WINDOW: open }))).outcome).toBe('updated');
    expect(await bed.servingCommit()).toBe(second);
  });
});
