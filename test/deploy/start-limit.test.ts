/**
 * Issue 15, item 1 on systemd, as arithmetic over the unit file and the settings' defaults (the
 * end-to-end run under a real systemd is test/deploy/systemd-rollback.test.ts, where the machine
 * allows it). A release that crashes at start is restarted by systemd every RestartSec; the
 * updater must roll back before those starts spend StartLimitBurst, and its restart (and the
 * watchdog's) resets the start limit first, which the polkit rule must allow.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS } from '../../core/config/settings';

const DEPLOY = path.join(__dirname, '..', '..', 'deploy');

/** `Key=value` lines of a unit file. */
function unitValues(file: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of readFileSync(path.join(DEPLOY, 'systemd', file), 'utf8').split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1], match[2]);
  }
  return values;
}

/** A systemd time span (`5s`, `10min`, `180`) in seconds. */
function seconds(span: string): number {
  const match = /^(\d+)\s*(s|sec|min|m|h)?$/.exec(span.trim());
  if (!match) throw new Error(`not a time span: ${span}`);
  return Number(match[1]) * ({ min: 60, m: 60, h: 3600 }[match[2] ?? 's'] ?? 1);
}

const gateway = unitValues('e2e-gateway.service');
const burst = Number(gateway.get('StartLimitBurst'));
const interval = seconds(gateway.get('StartLimitIntervalSec') ?? '10s');
const restartSec = seconds(gateway.get('RestartSec') ?? '100ms');

/** Starts systemd makes of a unit that dies at once, in `window` seconds after the first start. */
function startsWithin(window: number): number {
  return Math.floor(window / restartSec) + 1;
}

test('the unit restarts a failed gateway, with a start limit', () => {
  expect(gateway.get('Restart')).toBe('on-failure');
  expect(burst).toBe(10);
  expect(interval).toBe(600);
  expect(restartSec).toBe(5);
});

test('a release that crashes at start is rolled back before it spends the start limit', () => {
  const down = Number(SETTINGS.updateDownSeconds.default);
  // The update's own restart, then systemd's restarts until nothing has listened for `down` seconds.
  const beforeRollback = startsWithin(down);
  expect(beforeRollback).toBe(3);
  // The rollback's restart comes after: still inside the burst, even without reset-failed.
  expect(beforeRollback + 1).toBeLessThan(burst);
  // What the issue saw: waiting out the whole verify time spent the limit before the rollback.
  const verify = Number(SETTINGS.updateVerifySeconds.default);
  expect(startsWithin(verify)).toBeGreaterThanOrEqual(burst);
});

test('the updater and the watchdog reset the start limit before they restart, and the polkit rule lets them', () => {
  for (const setting of [SETTINGS.updateRestartCommand, SETTINGS.watchdogRestartCommand]) {
    expect(setting.default).toBe('systemctl reset-failed e2e-gateway.service; systemctl restart e2e-gateway.service');
  }
  const rule = readFileSync(path.join(DEPLOY, 'polkit', '50-e2e-endpoint.rules'), 'utf8');
  expect(rule).toMatch(/action\.lookup\("unit"\) == "e2e-gateway\.service"/);
  for (const verb of ['restart', 'reset-failed']) expect(rule).toContain(`action.lookup("verb") == "${verb}"`);
  expect(rule).toMatch(/subject\.user == "e2e-endpoint"/);
});

test("the watchdog's budget fits in the unit's start limit, and systemd watches the watchdog longer than its slowest loop", () => {
  const maxRestarts = Number(SETTINGS.watchdogMaxRestarts.default);
  expect(maxRestarts).toBeLessThan(burst);
  const watchdog = unitValues('e2e-watchdog.service');
  const slowestLoopMs =
    Number(SETTINGS.watchdogProbeTimeoutMs.default) +
    Number(SETTINGS.watchdogCommandTimeoutMs.default) +
    Number(SETTINGS.watchdogIntervalMs.default);
  expect(seconds(watchdog.get('WatchdogSec') ?? '0') * 1000).toBeGreaterThan(slowestLoopMs);
  // Not `current`: a folder resolved at start that a later update may prune.
  expect(watchdog.get('WorkingDirectory')).toBe('/opt/e2e-endpoint');
});
