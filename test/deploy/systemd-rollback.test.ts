/**
 * Issue 15, items 1, 2 and 4 under a real systemd: deploy/install.sh, the units, the polkit rule
 * and polkitd, as on a clinic box. systemd runs as PID 1 of new namespaces on an overlay of this
 * machine's root (scripts/systemd-sandbox.sh; nothing it writes reaches the host's files), the
 * network is shared, so the gateway it runs is probed from here. Releases are this project's
 * (see test/updater/real-gateway-bed.ts). Skipped, saying why, where systemd cannot run as PID 1.
 *  - a release that crashes at start: the update service (as e2e-endpoint, restarting through
 *    polkit) rolls back within seconds and the old version serves again;
 *  - polkitd gone: the restart is refused, the old gateway keeps serving undrained, the commit is
 *    not blamed, and once polkitd is back the update installs;
 *  - the gateway, as e2e-endpoint, reads the certificates tls.sh made after the install.
 * With ENDPOINT_TEST_FIGURES=1 it also measures the watchdog's defaults (kill -9, SIGSTOP).
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep, waitFor } from '../support/wait';
import { freePort } from '../updater/testbed';
import { startGitDaemon, type GitDaemon } from '../updater/git-daemon';
import { PROJECT, RealGatewayBed, ServiceWatch } from '../updater/real-gateway-bed';

jest.setTimeout(600_000);

const SANDBOX = path.join(PROJECT, 'scripts', 'systemd-sandbox.sh');

/** Can systemd run as PID 1 of a new PID namespace here? Tried once, before the tests are declared. */
const probe = (() => {
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  for (const [file, what] of [
    ['/usr/bin/dbus-daemon', 'dbus'],
    ['/usr/lib/polkit-1/polkitd', 'polkitd'],
    ['/usr/bin/nsenter', 'nsenter (util-linux)'],
  ]) {
    if (!existsSync(file)) return { ok: false, why: `${what} is not installed` };
  }
  const scratch = mkdtempSync(path.join('/var/tmp', 'e2e-sandbox-probe-'));
  const started = spawnSync('bash', [SANDBOX, 'start', scratch], { encoding: 'utf8', timeout: 60_000 });
  const pid = started.stdout.trim();
  if (started.status === 0 && /^\d+$/.test(pid)) spawnSync('bash', [SANDBOX, 'stop', pid]);
  spawnSync('bash', [SANDBOX, 'cleanup', scratch]);
  return started.status === 0
    ? { ok: true, why: '' }
    : { ok: false, why: started.stderr.trim() || `exit ${started.status}` };
})();

let bed: RealGatewayBed;
let scratch: string;
let pid1: string;
let hubPort: number;
/** The remote as a box sees one: over the network (git daemon), not a folder of another user behind PrivateTmp. */
let gitDaemon: GitDaemon | undefined;
let remoteUrl: string;

/** Runs a command inside the sandbox (as root, in all its namespaces). */
function inside(command: string, timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync('bash', [SANDBOX, 'run', pid1, 'bash', '-c', command], { encoding: 'utf8', timeout: timeoutMs });
}

/** The same, without blocking the test's event loop (so its probes go on meanwhile). */
function insideAsync(command: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SANDBOX, 'run', pid1, 'bash', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function insideOk(command: string, timeoutMs?: number): string {
  const result = inside(command, timeoutMs);
  if (result.status !== 0)
    throw new Error(`in the sandbox: ${command}\nexit ${result.status}\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const ENV_FILE = '/etc/e2e-endpoint/endpoint.env';

(probe.ok ? describe : describe.skip)(
  `under systemd (PID 1 of a new PID namespace${probe.ok ? '' : `: skipped, ${probe.why}`})`,
  () => {
    beforeAll(async () => {
      bed = await RealGatewayBed.create(__filename);
      // The releases carry the project's deploy/ folder, as the project's own commits do.
      cpSync(path.join(PROJECT, 'deploy'), path.join(bed.workDir, 'deploy'), { recursive: true });
      bed.commit('release 1 with deploy/', {});
      hubPort = await freePort();
      gitDaemon = await startGitDaemon(bed.root, 'remote.git');
      remoteUrl = gitDaemon.url('remote.git');
      scratch = mkdtempSync(path.join('/var/tmp', 'e2e-sandbox-'));
      const started = spawnSync('bash', [SANDBOX, 'start', scratch, bed.root], { encoding: 'utf8', timeout: 60_000 });
      if (started.status !== 0) throw new Error(started.stderr);
      pid1 = started.stdout.trim();
      // The box: install.sh from the release repository (a checkout of "the project"), as an OSP admin runs it.
      const install = inside(
        `cd ${PROJECT} && bash deploy/install.sh --source ${bed.workDir} --remote ${remoteUrl} --skip-build`,
      );
      expect(install.stdout).toMatch(/^ok: polkitd installed$/m);
      expect(install.status).toBe(0);
      insideOk(
        `cd /opt/e2e-endpoint/current && E2E_TEST_PROJECT=${PROJECT} node build.js && chown -R e2e-endpoint:e2e-endpoint /opt/e2e-endpoint`,
      );
      // Certificates made after the install, by root (item 4): the gateway must still read them.
      insideOk(`bash ${PROJECT}/deploy/tls.sh --out /etc/e2e-endpoint/tls --name localhost >/dev/null`);
      const settings = [
        `ENDPOINT_GATEWAY_PORT=${bed.port}`,
        `ENDPOINT_GATEWAY_URL=${bed.url}`,
        `ENDPOINT_HUB_HOST=127.0.0.1`,
        `ENDPOINT_HUB_PORT=${hubPort}`,
        `ENDPOINT_MONGODB_URL=${process.env.ENDPOINT_TEST_MONGODB_URL}`,
        `ENDPOINT_MONGODB_DATABASE=${bed.database}`,
        `ENDPOINT_SHUTDOWN_DEADLINE_MS=2000`,
        `ENDPOINT_UPDATE_INSTALL_COMMAND=true`,
        `ENDPOINT_UPDATE_BUILD_COMMAND=node build.js`,
        `ENDPOINT_UPDATE_PRUNE_COMMAND=true`,
        `ENDPOINT_UPDATE_SELF_TEST_COMMAND=test -f dist/cli/main.js`,
        `ENDPOINT_UPDATE_SOAK_SECONDS=5`,
        `ENDPOINT_UPDATE_POLL_MS=200`,
        `ENDPOINT_UPDATE_MIN_FREE_MB=1`,
        `E2E_TEST_PROJECT=${PROJECT}`,
      ];
      insideOk(`printf '%s\\n' ${settings.map((line) => `'${line}'`).join(' ')} >> ${ENV_FILE}`);
      insideOk('systemctl start e2e-gateway.service e2e-watchdog.service');
      await waitFor(
        'the gateway of release 1 ready under systemd',
        async () => (await bed.serving())?.ready === true,
        60_000,
        200,
      );
    }, 300_000);

    afterAll(async () => {
      if (pid1 !== undefined) spawnSync('bash', [SANDBOX, 'stop', pid1]);
      if (scratch !== undefined) spawnSync('bash', [SANDBOX, 'cleanup', scratch]);
      gitDaemon?.stop();
      await bed?.destroy();
    });

    test('the gateway runs as e2e-endpoint and serves the hub listener from certificates tls.sh made after the install', async () => {
      expect(insideOk('systemctl show -p User --value e2e-gateway.service').trim()).toBe('e2e-endpoint');
      expect(insideOk('stat -c %G /etc/e2e-endpoint/tls/server.key').trim()).toBe('e2e-endpoint');
      await waitFor(
        'the hub listener',
        () => spawnSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${hubPort}`]).status === 0,
        20_000,
        200,
      );
    });

    test('a release that crashes at start: the update service rolls back within seconds through polkit; the old version serves again', async () => {
      const first = (await bed.serving())?.commit;
      bed.commit('release 2, crashes at start', { 'crash-at-start': 'yes' });
      const watch = new ServiceWatch(bed);
      watch.start();
      const started = Date.now();
      const update = await insideAsync('systemctl start e2e-update.service');
      const tookMs = Date.now() - started;
      await waitFor('release 1 serving again', async () => (await bed.serving())?.ready === true, 30_000, 100);
      watch.stop();
      expect(update.code).not.toBe(0); // the oneshot fails (rolled back), as systemctl --failed shows
      const status = JSON.parse(insideOk('cat /var/lib/e2e-endpoint/update-status.json')) as {
        lastResult: { outcome: string; message: string };
      };
      expect(status.lastResult.outcome).toBe('rolled-back');
      expect(status.lastResult.message).toMatch(
        /nothing listens at .* for 10 s after the restart|the gateway process was replaced/,
      );
      expect((await bed.serving())?.commit).toBe(first);
      expect(insideOk('systemctl is-active e2e-gateway.service').trim()).toBe('active');
      const journal = insideOk('journalctl -u e2e-gateway.service --no-pager');
      expect(journal).toMatch(/release broken: cannot find module/);
      const restartsBySystemd = (journal.match(/Scheduled restart job/g) ?? []).length;
      expect(restartsBySystemd).toBeLessThan(10); // StartLimitBurst: never reached
      expect(tookMs).toBeLessThan(60_000);
      process.stdout.write(
        `[figure] systemd: crashing release, update service ${Math.round(tookMs / 1000)} s, not serving for ${watch.longestOutageMs()} ms (restart -> old version serving again), systemd restarted the broken release ${restartsBySystemd} time(s)\n`,
      );
    });

    test('polkitd gone: the restart is refused, the old gateway keeps serving undrained, the commit is not blamed; polkitd back: installed', async () => {
      insideOk('systemctl stop polkit.service && systemctl mask --runtime polkit.service');
      const before = await bed.serving();
      const release = bed.commit('release 3', { 'crash-at-start': null, CHANGELOG: 'v3\n' });
      const update = inside('systemctl start e2e-update.service', 300_000);
      expect(update.status).not.toBe(0); // the oneshot exits 1: restart-failed
      const status = JSON.parse(insideOk('cat /var/lib/e2e-endpoint/update-status.json')) as {
        lastResult: { outcome: string; message: string };
        failedCommits: string[];
      };
      expect(status.lastResult.outcome).toBe('restart-failed');
      expect(status.lastResult.message).toMatch(/the restart command .* exited with .*; [0-9a-f]{10} keeps serving/);
      expect(status.failedCommits).not.toContain(release);
      expect(await bed.serving()).toMatchObject({ commit: before?.commit, ready: true, startedAt: before?.startedAt });

      insideOk('systemctl unmask --runtime polkit.service');
      const watch = new ServiceWatch(bed);
      watch.start();
      const retried = await insideAsync('systemctl start e2e-update.service');
      watch.stop();
      expect(retried.code).toBe(0);
      await waitFor('release 3 serving', async () => (await bed.serving())?.commit === release, 30_000, 200);
      process.stdout.write(
        `[figure] systemd: a normal update, not serving for ${watch.longestOutageMs()} ms (drain, restart, ready)\n`,
      );
    });

    (process.env.ENDPOINT_TEST_FIGURES === '1' ? test : test.skip)(
      'figures with the defaults: kill -9 and SIGSTOP of the gateway (systemd Restart= and the watchdog)',
      async () => {
        const mainPid = () => Number(insideOk('systemctl show -p MainPID --value e2e-gateway.service').trim());
        for (const signal of ['KILL', 'STOP'] as const) {
          const before = await bed.serving();
          const watch = new ServiceWatch(bed, 200);
          watch.start();
          insideOk(`kill -${signal} ${mainPid()}`);
          await waitFor(
            `a new gateway after SIG${signal}`,
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
            `[figure] systemd + watchdog defaults: SIG${signal} -> serving again after ${watch.longestOutageMs()} ms\n`,
          );
        }
      },
    );
  },
);

test('scripts/systemd-sandbox.sh leaves no mount or folder behind on the host', () => {
  expect(existsSync(path.join(os.tmpdir(), 'canary-that-never-existed'))).toBe(false);
  rmSync(path.join('/var/tmp', 'e2e-sandbox-never'), { recursive: true, force: true });
  const mounts = spawnSync('cat', ['/proc/self/mountinfo'], { encoding: 'utf8' }).stdout;
  expect(mounts).not.toMatch(/e2e-sandbox/);
});
