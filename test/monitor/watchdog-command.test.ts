/**
 * `endpoint watchdog run` with a restart command (no supervision), as under systemd: the update
 * lock pauses it, systemd is notified (through a recording `systemd-notify` stand-in on PATH,
 * since there is no systemd notify socket here), and the status is POSTed to a report URL.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { acquireLock, updateLockFile } from '../../core/lock';
import type { WatchdogStatusFile } from '../../core/status-files';
import { ROOT, sleep, waitFor, WatchdogRig } from './support/watchdog-harness';

jest.setTimeout(30000);

const RECORD_RESTART = path.join(ROOT, 'test', 'monitor', 'fixtures', 'record-restart.js');
const NOTIFY_BIN = path.join(ROOT, 'test', 'monitor', 'fixtures', 'bin');

let rig: WatchdogRig;
beforeEach(async () => {
  rig = await WatchdogRig.create();
});
afterEach(async () => {
  await rig.stop();
});

function restartsRecorded(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0;
}

describe('watchdog with a restart command', () => {
  test('update lock held: paused-for-update, no restart; lock released: the restart command runs; systemd notified', async () => {
    const marker = path.join(rig.dir, 'restarts.log');
    const notifications = path.join(rig.dir, 'notify.log');
    const lock = acquireLock(updateLockFile(rig.stateDir), 'update-test');
    // No gateway listens on the rig's port: a crashed gateway, as far as probes can tell.
    rig.start({
      supervise: false,
      env: {
        ENDPOINT_WATCHDOG_RESTART_COMMAND: `node ${RECORD_RESTART} ${marker}`,
        ENDPOINT_WATCHDOG_GRACE_MS: '200',
        NOTIFY_SOCKET: notifications,
        PATH: `${NOTIFY_BIN}:${process.env.PATH}`,
      },
    });
    const paused = await rig.waitForState('paused-for-update');
    expect(paused.message).toBe('the update lock is held: no checks, no restarts');
    await sleep(1500);
    expect(restartsRecorded(marker)).toBe(0);
    expect(rig.status()?.state).toBe('paused-for-update');
    lock.release();
    await waitFor('the restart command', () => restartsRecorded(marker) >= 1, 5000);
    await waitFor('the restart logged', () => /restart command succeeded after crashed/.test(rig.output), 5000);
    const status = rig.status()!;
    expect(status.restarts.length).toBeGreaterThanOrEqual(1);
    expect(status.lastRestartReason).toMatch(/^livez refused/);
    expect(rig.output).toMatch(/restart command succeeded after crashed/);
    const lines = readFileSync(notifications, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('READY=1');
    expect(lines.filter((line) => line === 'WATCHDOG=1').length).toBeGreaterThan(5);
  });

  test('status reports are POSTed to the report URL; a failing report URL is logged, never fatal', async () => {
    const bodies: WatchdogStatusFile[] = [];
    let requests = 0;
    const server = http.createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      request.on('end', () => {
        requests += 1;
        if (requests === 1) {
          response.writeHead(500).end();
          return;
        }
        bodies.push(JSON.parse(text) as WatchdogStatusFile);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const reportUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report`;
    writeFileSync(path.join(rig.controlDir, 'not-ready'), '');
    try {
      rig.start({ env: { ENDPOINT_WATCHDOG_REPORT_URL: reportUrl, ENDPOINT_WATCHDOG_REPORT_INTERVAL_MS: '200' } });
      await waitFor('two status reports', () => bodies.filter((body) => body.state === 'not-ready').length >= 2, 20_000);
      expect(rig.output).toMatch(/"status":500,"msg":"status report refused by the report URL"/);
      const body = bodies.find((candidate) => candidate.state === 'not-ready')!;
      expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['message', 'restarts', 'since', 'state']));
      expect(body.message).toBe('not ready: store unreachable');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
