/**
 * Issue 15, items 1 and 2, with the real gateway (a child process restarted by a stand-in of
 * the systemd unit), a real git remote and the real updater as a child process:
 *  1. a release that crashes at start is rolled back as soon as nothing listens for
 *     ENDPOINT_UPDATE_DOWN_SECONDS, not after the whole verify time;
 *  2. a restart command that fails leaves the old gateway serving and undrained, the commit not
 *     remembered as failed, `check update` warning, and the next run installs once it works.
 * Also the outage of a normal update and of a crashing release (printed as figures).
 */
import { readJsonFile } from '../../core/files';
import { statusFilePath } from '../../core/status-files';
import type { UpdaterStatus } from '../../updater/status-store';
import { sleep, waitFor } from '../support/wait';
import { RealGatewayBed, ServiceWatch } from './real-gateway-bed';

jest.setTimeout(240_000);

let bed: RealGatewayBed;
let first: string;

beforeEach(async () => {
  bed = await RealGatewayBed.create(__filename);
  first = bed.git('rev-parse', 'HEAD');
  const install = await bed.run(['update', 'run']);
  expect(install.stdout).toMatch(/^updated: now running/m);
  await waitFor('the first release serving', async () => (await bed.serving())?.ready === true, 20_000, 100);
});

afterEach(async () => {
  await bed.destroy();
});

function status(): UpdaterStatus {
  return readJsonFile<UpdaterStatus>(statusFilePath(bed.stateDir, 'update')) as UpdaterStatus;
}

test('a normal update of the real gateway: serving the new commit, outage measured', async () => {
  const second = bed.commit('release 2', { CHANGELOG: 'v2\n' });
  const watch = new ServiceWatch(bed);
  watch.start();
  const update = await bed.run(['update', 'run']);
  await sleep(300);
  watch.stop();
  expect(update.stdout).toMatch(/^updated: now running/m);
  expect((await bed.serving())?.commit).toBe(second);
  process.stdout.write(
    `[figure] normal update of the real gateway: ${update.seconds.toFixed(1)} s in all, not serving for ${watch.longestOutageMs()} ms (drain to ready)\n`,
  );
});

test('a release that crashes at start is rolled back within seconds, not after the verify time (60 s here)', async () => {
  bed.commit('release 2, broken', { 'crash-at-start': 'yes' });
  const watch = new ServiceWatch(bed);
  watch.start();
  const update = await bed.run(['update', 'run'], {
    ENDPOINT_UPDATE_VERIFY_SECONDS: '60',
    ENDPOINT_UPDATE_DOWN_SECONDS: '5',
  });
  await waitFor('the old release serving again', async () => (await bed.serving())?.ready === true, 20_000, 100);
  watch.stop();
  expect(update.code).toBe(1);
  expect(update.stdout).toMatch(
    /^rolled-back: .* failed after the switch \(nothing listens at http:\/\/127\.0\.0\.1:\d+ for 5 s after the restart .*: the release does not start\); rolled back to/m,
  );
  expect((await bed.serving())?.commit).toBe(first);
  // The whole update, rollback included, well inside the 60 s the verification would have waited.
  expect(update.seconds).toBeLessThan(40);
  expect(bed.gatewayLog()).toMatch(/release broken: cannot find module/);
  expect(status()).toMatchObject({ current: first, lastResult: { outcome: 'rolled-back' } });
  process.stdout.write(
    `[figure] crashing release (down limit 5 s): update run ${update.seconds.toFixed(1)} s, not serving for ${watch.longestOutageMs()} ms (restart -> old version serving again)\n`,
  );
});

test('a restart command that fails: the old gateway keeps serving undrained, the commit is not blamed, the next run installs it', async () => {
  const second = bed.commit('release 2', { CHANGELOG: 'v2\n' });
  const denied = `sh -c 'echo "Failed to restart e2e-gateway.service: Interactive authentication required." >&2; exit 1'`;
  const update = await bed.run(['update', 'run'], { ENDPOINT_UPDATE_RESTART_COMMAND: denied });
  expect(update.code).toBe(1);
  expect(update.stdout).toMatch(
    /^restart-failed: the restart command \(.*\) exited with 1: Failed to restart e2e-gateway.service: Interactive authentication required\.; [0-9a-f]{10} keeps serving, [0-9a-f]{10} was not installed\. Fix the restart command/m,
  );
  // Not drained: the exporter's documents are taken at once.
  const serving = await bed.serving();
  expect(serving).toMatchObject({ commit: first, ready: true });
  const ingest = await fetch(`${bed.url}/runs`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bed.ingestToken}`, 'content-type': 'application/json' },
    body: '{"mode":"differential"}',
  });
  expect(ingest.status).toBeLessThan(300);
  expect(status()).toMatchObject({ current: first, lastResult: { outcome: 'restart-failed' }, failedCommits: [] });
  expect(status().critical).toBeUndefined();
  const check = await bed.run(['check', 'update']);
  expect(check.stdout).toMatch(/^UPDATE WARNING: .*no update installs for 0 h, restart-failed: the restart command/);
  expect(check.code).toBe(1);
  // The restart command works again: the same commit installs, the warning goes.
  const next = await bed.run(['update', 'run']);
  expect(next.stdout).toMatch(/^updated: now running/m);
  expect((await bed.serving())?.commit).toBe(second);
  expect((await bed.run(['check', 'update'])).stdout).toMatch(/^UPDATE OK: /);
});
