/**
 * Issue 15, item 3: the supported way to run without systemd. The real watchdog
 * (`watchdog run --supervise`, a child process) runs the real gateway from the deployment's
 * `current` link; the real updater (a child process) restarts it through the watchdog
 * (`watchdog restart-gateway`). Updates install, a release that crashes at start is rolled back,
 * and after the release the watchdog started in is pruned, a killed gateway comes back on `current`.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile } from '../../core/files';
import { statusFilePath, type WatchdogStatusFile } from '../../core/status-files';
import { sleep, waitFor } from '../support/wait';
import { CLI, RealGatewayBed, ServiceWatch } from '../updater/real-gateway-bed';

jest.setTimeout(300_000);

let bed: RealGatewayBed;

afterEach(async () => {
  await bed?.destroy();
});

const WATCHDOG = {
  ENDPOINT_WATCHDOG_INTERVAL_MS: '200',
  ENDPOINT_WATCHDOG_PROBE_TIMEOUT_MS: '2000',
  ENDPOINT_REQUEST_TIMEOUT_MS: '1000',
  ENDPOINT_WATCHDOG_GRACE_MS: '10000',
  ENDPOINT_WATCHDOG_DRAIN_DEADLINE_MS: '3000',
  ENDPOINT_WATCHDOG_BACKOFF_INITIAL_MS: '500',
};

test('watchdog --supervise runs the gateway of current; the updater restarts it through the watchdog; pruning the first release does not matter', async () => {
  bed = await RealGatewayBed.create(__filename);
  const first = bed.git('rev-parse', 'HEAD');
  // The first release, installed as install.sh would, then the stand-in unit stopped: no systemd from here on.
  expect((await bed.run(['update', 'run'])).stdout).toMatch(/^updated:/m);
  await waitFor('release 1 serving', async () => (await bed.serving())?.ready === true, 20_000, 100);
  bed.stopUnit();
  await waitFor('release 1 stopped', async () => (await bed.serving()) === undefined, 10_000, 100);

  const noSystemd = {
    ENDPOINT_ENV_FILE: bed.gatewayEnvFile,
    ENDPOINT_UPDATE_RESTART_COMMAND: `${process.execPath} ${CLI} watchdog restart-gateway`,
    ...WATCHDOG,
  };
  const watchdog = bed.start(['watchdog', 'run', '--supervise'], { ...noSystemd, ENDPOINT_LOG_LEVEL: 'info' });
  await waitFor(
    'the supervised gateway serving release 1',
    async () => (await bed.serving())?.commit === first,
    30_000,
    100,
  );
  // A second watchdog on the same state folder (the crontab starts one every minute) leaves at once.
  const second = await bed.run(['watchdog', 'run', '--supervise'], noSystemd, 20_000);
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/a watchdog already runs for .*Nothing to do/);

  const release2 = bed.commit('release 2', { CHANGELOG: 'v2\n' });
  const update = await bed.run(['update', 'run'], noSystemd);
  expect(update.stdout).toMatch(/^updated: now running/m);
  expect((await bed.serving())?.commit).toBe(release2);

  bed.commit('release 3, broken', { 'crash-at-start': 'yes' });
  const broken = await bed.run(['update', 'run'], { ...noSystemd, ENDPOINT_UPDATE_DOWN_SECONDS: '5' });
  expect(broken.stdout).toMatch(/^rolled-back: .*the release does not start.*rolled back to/m);
  await waitFor('release 2 serving again', async () => (await bed.serving())?.commit === release2, 20_000, 100);

  // Two more releases (ENDPOINT_UPDATE_KEEP_RELEASES=2): release 1, where it all started, is pruned.
  bed.commit('release 4, fixed', { 'crash-at-start': null });
  expect((await bed.run(['update', 'run'], noSystemd)).stdout).toMatch(/^updated:/m);
  const release5 = bed.commit('release 5', { CHANGELOG: 'v5\n' });
  expect((await bed.run(['update', 'run'], noSystemd)).stdout).toMatch(/^updated:/m);
  await waitFor('release 1 pruned', () => !existsSync(path.join(bed.deployDir, 'releases', first)), 10_000, 100);
  expect(readdirSync(path.join(bed.deployDir, 'releases'))).toContain(release5);
  expect(readlinkSync(path.join(bed.deployDir, 'current'))).toBe(path.join('releases', release5));

  // kill -9: the watchdog restarts the gateway of current.
  const before = await bed.serving();
  const pid = Number(readFileSync(path.join(bed.stateDir, 'gateway.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await waitFor(
    'a new gateway serving release 5',
    async () => {
      const now = await bed.serving();
      return now?.ready === true && now.startedAt !== before?.startedAt ? now : undefined;
    },
    30_000,
    100,
  );
  expect((await bed.serving())?.commit).toBe(release5);
  await sleep(500);
  const status = readJsonFile<WatchdogStatusFile>(statusFilePath(bed.stateDir, 'watchdog'));
  // Only the crash counts in the budget and in `check gateway`; the updater's restarts do not.
  expect(status?.restarts).toHaveLength(1);
  expect(watchdog.output()).toMatch(/restarted the supervised gateway after requested/);
  expect(watchdog.exitCode).toBeNull();
});

(process.env.ENDPOINT_TEST_FIGURES === '1' ? test : test.skip)(
  'figures with the watchdog defaults (--supervise, real gateway): kill -9 and SIGSTOP -> serving again',
  async () => {
    bed = await RealGatewayBed.create(__filename);
    expect((await bed.run(['update', 'run'])).stdout).toMatch(/^updated:/m);
    await waitFor('release 1 serving', async () => (await bed.serving())?.ready === true, 20_000, 100);
    bed.stopUnit();
    await waitFor('release 1 stopped', async () => (await bed.serving()) === undefined, 10_000, 100);
    bed.start(['watchdog', 'run', '--supervise'], { ENDPOINT_ENV_FILE: bed.gatewayEnvFile });
    await waitFor('the supervised gateway', async () => (await bed.serving())?.ready === true, 60_000, 100);
    for (const signal of ['SIGSTOP', 'SIGKILL'] as const) {
      // Past the start-up grace (it ends at the first probe livez answers; probes every 10 s by default).
      await sleep(12_000);
      const before = await bed.serving();
      const watch = new ServiceWatch(bed, 200);
      watch.start();
      process.kill(Number(readFileSync(path.join(bed.stateDir, 'gateway.pid'), 'utf8')), signal);
      await waitFor(
        `a new gateway after ${signal}`,
        async () => {
          const now = await bed.serving();
          return now?.ready === true && now.startedAt !== before?.startedAt;
        },
        400_000,
        200,
      );
      await sleep(500);
      watch.stop();
      process.stdout.write(
        `[figure] watchdog --supervise defaults: ${signal} -> serving again after ${watch.longestOutageMs()} ms\n`,
      );
    }
  },
);
