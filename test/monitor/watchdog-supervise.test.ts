/**
 * `endpoint watchdog run --supervise` against the stand-in gateway (real child processes):
 * crash and hang are restarted, a busy gateway and a not-ready one are not, a gateway that
 * dies at every start is restarted within the back-off and budget, then resumed once fixed.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { httpStatus, sleep, waitFor, WatchdogRig } from './support/watchdog-harness';

jest.setTimeout(40000);

let rig: WatchdogRig;
beforeEach(async () => {
  rig = await WatchdogRig.create();
});
afterEach(async () => {
  await rig.stop();
});

/** Waits until a gateway other than `oldPid` serves /readyz; returns when (ms). */
async function servingAgain(oldPid: number | undefined): Promise<number> {
  await waitFor('a new gateway serving readyz', async () => {
    const pid = rig.gatewayPid();
    return pid !== undefined && pid !== oldPid && (await httpStatus(`${rig.url}/readyz`)) === 200;
  }, 15000, 10);
  return Date.now();
}

describe('watchdog --supervise', () => {
  test('kill -9 of the gateway: restarted and serving again within a second', async () => {
    rig.start();
    await rig.waitForState('healthy');
    const pid = rig.gatewayPid();
    const crashedAt = Date.now();
    process.kill(pid!, 'SIGKILL');
    const servingAt = await servingAgain(pid);
    const status = await rig.waitForState('healthy');
    expect(status.restarts).toHaveLength(1);
    // The exit event, or a probe cut off by the kill (ECONNRESET) when one was in flight.
    expect(status.lastRestartReason).toMatch(/^(the gateway process exited \(signal SIGKILL\)|livez (refused|failed): \/livez: ECONN(REFUSED|RESET))$/);
    expect(servingAt - crashedAt).toBeLessThan(1000);
    expect(rig.output).toMatch(/"msg":"watchdog: healthy -> restarting"/);
    const shown = rig.cli('watchdog', 'status');
    expect(shown.stdout).toMatch(/^state: healthy since .*\nwhy: live and ready\nlast probe: .*\nrestarts in 24 h: 1 \(last: .+\)\n$/);
    expect(shown.status).toBe(0);
    process.stdout.write(`[figure] crash -> serving again (test settings): ${servingAt - crashedAt} ms\n`);
  });

  test('SIGSTOP (hung): detected after K probe timeouts, diagnostic report captured, restarted', async () => {
    rig.start();
    await rig.waitForState('healthy');
    const pid = rig.gatewayPid();
    const hungAt = Date.now();
    process.kill(pid!, 'SIGSTOP');
    // Two probe timeouts (2 x 300 ms) are not yet a hang: still the same process.
    await sleep(500);
    expect(rig.gatewayPid()).toBe(pid);
    const servingAt = await servingAgain(pid);
    const status = await rig.waitForState('healthy');
    expect(status.lastRestartReason).toBe('hung: 3 livez timeouts in a row without progress');
    expect(rig.output).toMatch(/it was stopped \(SIGSTOP\), SIGCONT sent; diagnostic report .*report\.[^ ]*\.json/);
    const reports = readdirSync(path.join(rig.stateDir, 'reports')).filter((name) => name.endsWith('.json'));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(`.${pid}.`);
    // 3 timeouts of 300 ms, the report, SIGTERM, start: well under 3 s.
    expect(servingAt - hungAt).toBeGreaterThanOrEqual(900);
    expect(servingAt - hungAt).toBeLessThan(3000);
    process.stdout.write(`[figure] hang -> serving again (test settings): ${servingAt - hungAt} ms\n`);
  });

  test('slow but making progress (livez slower than the probe timeout, counters moving): not restarted; still counters: restarted', async () => {
    writeFileSync(path.join(rig.controlDir, 'delay-ms'), '100');
    writeFileSync(path.join(rig.controlDir, 'busy'), '');
    rig.start();
    await waitFor('the first gateway start', () => rig.gatewayPid());
    await sleep(400);
    writeFileSync(path.join(rig.controlDir, 'livez-delay-ms'), '400'); // livez: 500 ms > 300 ms probe timeout
    await sleep(3000); // ten hung-detection periods
    expect(rig.starts()).toHaveLength(1);
    expect(rig.status()?.restarts).toEqual([]);
    expect(rig.status()?.message).toMatch(/busy, not hung/);
    // Control: the same slowness without progress is a hang.
    rmSync(path.join(rig.controlDir, 'busy'));
    await waitFor('a restart of the stand-in', () => rig.starts().length >= 2, 5000);
    expect(rig.status()?.lastRestartReason).toMatch(/^hung: 3 livez timeouts/);
  });

  test('readyz failing (store down): CRITICAL in status and check, no restart; ready again: healthy', async () => {
    writeFileSync(path.join(rig.controlDir, 'not-ready'), '');
    rig.start();
    const status = await rig.waitForState('not-ready');
    expect(status.message).toBe('not ready: store unreachable');
    await sleep(2000);
    expect(rig.starts()).toHaveLength(1);
    expect(rig.status()?.state).toBe('not-ready');
    const check = rig.cli('check', 'gateway');
    expect(check.stdout).toMatch(/^GATEWAY CRITICAL: live, not ready \(store unreachable\), readyz \d+ ms, 0 restarts in 24 h, watchdog not-ready \| latency=\d+ms;1000;5000;0 live=1;;;0;1 ready=0;;;0;1 restarts=0;0;4;0\n$/);
    expect(check.status).toBe(2);
    rmSync(path.join(rig.controlDir, 'not-ready'));
    await rig.waitForState('healthy');
    expect(rig.starts()).toHaveLength(1);
  });

  test('dies at every start: back-off doubles, budget ends in gave-up, restarting resumes once fixed', async () => {
    writeFileSync(path.join(rig.controlDir, 'die-at-start'), '');
    const env = { ENDPOINT_WATCHDOG_MAX_RESTARTS: '4', ENDPOINT_WATCHDOG_RESTART_WINDOW_MS: '6000' };
    rig.start({ env });
    const gaveUp = await rig.waitForState('gave-up', 10000);
    expect(gaveUp.restarts).toHaveLength(4);
    expect(gaveUp.message).toMatch(/^gave up restarting \(4 restarts within 6 s\)/);
    const starts = rig.starts().map((start) => start.at);
    expect(starts).toHaveLength(5); // the first start and 4 restarts
    // The watchdog's restart times: the first at once, then at least 300, 600, 1200 ms apart
    // (back-off doubling, capped at 1200), and not much more.
    const restartTimes = gaveUp.restarts.map((at) => Date.parse(at));
    expect(restartTimes[0] - starts[0]).toBeLessThan(1000);
    const gaps = restartTimes.slice(1).map((at, i) => at - restartTimes[i]);
    [300, 600, 1200].forEach((backoff, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(backoff);
      expect(gaps[i]).toBeLessThan(backoff + 700);
    });
    const check = rig.cli('check', 'gateway');
    expect(check.status).toBe(2);
    expect(check.stdout).toMatch(/^GATEWAY CRITICAL: not live \(livez refused: \/livez: ECONNREFUSED\) at http:\/\/127\.0\.0\.1:\d+, 4 restarts in 24 h, watchdog gave up: gave up restarting/);
    // Gave up: no restarts while the budget is spent, probing goes on.
    await sleep(1000);
    expect(rig.starts()).toHaveLength(5);
    expect(rig.status()?.state).toBe('gave-up');
    expect(Date.parse(rig.status()!.lastProbeAt!)).toBeGreaterThan(Date.now() - 500);
    rmSync(path.join(rig.controlDir, 'die-at-start')); // the admin fixes it
    const healthy = await rig.waitForState('healthy', 10000);
    expect(rig.starts()).toHaveLength(6);
    expect(healthy.restarts).toHaveLength(5);
    process.stdout.write(`[figure] back-off gaps between restarts (test settings): ${gaps.join(', ')} ms\n`);
  });

  test('SIGTERM to the watchdog stops the supervised gateway and exits 0', async () => {
    rig.start();
    await rig.waitForState('healthy');
    const pid = rig.gatewayPid()!;
    expect(await rig.stop()).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
