/**
 * `endpoint check export|update|gateway` as Nagios runs them (the real CLI in a child process):
 * one line `SERVICE STATUS: text | perfdata` and exit 0/1/2/3, from status files this test
 * writes and, for the gateway, against the stand-in gateway.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExportRunSummary, ExportStatusFile, UpdateStatusFile, WatchdogStatusFile } from '../../core/status-files';
import { CLI, FAKE_GATEWAY, httpStatus, waitFor, WatchdogRig } from './support/watchdog-harness';

const HOUR = 3600 * 1000;
const ago = (hours: number): string => new Date(Date.now() - hours * HOUR).toISOString();

let rig: WatchdogRig;
beforeEach(async () => {
  rig = await WatchdogRig.create();
  mkdirSync(rig.stateDir, { recursive: true });
});
afterEach(async () => {
  await rig.stop();
});

function writeState(name: string, value: unknown): void {
  writeFileSync(path.join(rig.stateDir, name), typeof value === 'string' ? value : JSON.stringify(value));
}

function run(hoursAgo: number, changes: Partial<ExportRunSummary> = {}): ExportRunSummary {
  return {
    runId: 'run-7', mode: 'differential', transport: 'http', status: 'complete', startedAt: ago(hoursAgo + 0.1), finishedAt: ago(hoursAgo),
    patientsTotal: 1200, outcomes: { created: 10, updated: 40, unchanged: 1150, rejected: 0, failed: 0 }, warnings: {}, ...changes,
  };
}

describe('check export', () => {
  test.each<[string, ExportStatusFile | string | undefined, string[], number, RegExp]>([
    ['OK: a recent clean run', { lastRun: run(2), lastSuccess: run(2) }, [], 0,
      /^EXPORT OK: last successful differential run run-7 2 h ago, 1200 patients, 0 failed, 0 rejected \| age_hours=2;26;50;0 patients=1200;;;0 failed=0;0;;0 rejected=0;;;0\n$/],
    ['WARNING: older than -w', { lastSuccess: run(30) }, [], 1, /^EXPORT WARNING: last successful differential run run-7 30 h ago, .* \| age_hours=30;26;50;0 /],
    ['WARNING: failures in the last run', { lastSuccess: run(1, { outcomes: { created: 0, updated: 0, unchanged: 1197, rejected: 1, failed: 2 } }) }, [], 1, /^EXPORT WARNING: .*1200 patients, 2 failed, 1 rejected \| .* failed=2;0;;0 rejected=1;;;0\n$/],
    ['CRITICAL: older than -c given on the command line', { lastSuccess: run(13) }, ['-w', '6', '-c', '12'], 2, /^EXPORT CRITICAL: .* 13 h ago.* \| age_hours=13;6;12;0 /],
    ['CRITICAL: no successful run at all', { lastRun: run(1, { status: 'failed', error: 'OSCAR database unreachable' }) }, [], 2, /^EXPORT CRITICAL: no successful export run recorded; last run run-7 failed: OSCAR database unreachable\n$/],
    ['UNKNOWN: no status file', undefined, [], 3, /^EXPORT UNKNOWN: no .*export-status\.json: the exporter has not run here yet\n$/],
    ['UNKNOWN: unreadable status file', '{"lastSuccess": ', [], 3, /^EXPORT UNKNOWN: .*export-status\.json cannot be read: /],
    ['UNKNOWN: a bad threshold', { lastSuccess: run(2) }, ['-w', 'soon'], 3, /^EXPORT UNKNOWN: -w takes a threshold range such as 10, 10:, ~:10, 10:20 or @10:20, not 'soon'\.\n$/],
    ['UNKNOWN: an unknown option', { lastSuccess: run(2) }, ['--frobnicate'], 3, /^EXPORT UNKNOWN: Unknown option '--frobnicate'/],
  ])('%s', (_name, file, args, code, line) => {
    if (file !== undefined) writeState('export-status.json', file);
    const result = rig.cli('check', 'export', ...args);
    expect(result.stdout).toMatch(line);
    expect(result.stdout.split('\n')).toHaveLength(2); // exactly one line
    expect(result.status).toBe(code);
  });
});

describe('check update', () => {
  const base: UpdateStatusFile = { current: 'a'.repeat(40), lastCheckAt: ago(0.5), lastFetchAt: ago(0.5), failedCommits: [] };
  test.each<[string, UpdateStatusFile | undefined, string[], number, RegExp]>([
    ['OK: up to date, fetched recently', base, [], 0, /^UPDATE OK: running aaaaaaaaaaaa, last fetch 0.5 h ago \| deferred_hours=0;24;72;0 fetch_age_hours=0.5;26;72 failed_commits=0;;;0 blocked_hours=0;;;0\n$/],
    ['WARNING: update deferred longer than -w', { ...base, pending: 'b'.repeat(40), deferredSince: ago(30) }, [], 1, /^UPDATE WARNING: running aaaaaaaaaaaa, update bbbbbbbbbbbb pending, deferred 30 h, last fetch/],
    ['WARNING: rolled back', { ...base, lastResult: { at: ago(1), outcome: 'rolled-back', commit: 'c'.repeat(40), message: 'verification failed: livez' }, failedCommits: ['c'.repeat(40)] }, [], 1, /^UPDATE WARNING: rolled-back cccccccccccc: verification failed: livez, .* failed_commits=1;;;0 blocked_hours=0;;;0\n$/],
    ['CRITICAL: fetch older than --fetch-critical', { ...base, lastFetchAt: ago(80) }, [], 2, /^UPDATE CRITICAL: running aaaaaaaaaaaa, last fetch 80 h ago/],
    ['CRITICAL: the updater says an admin is needed', { ...base, critical: 'rollback could not be verified; restore release r12 by hand' }, [], 2, /^UPDATE CRITICAL: needs an admin: rollback could not be verified; restore release r12 by hand, /],
    ['UNKNOWN: no status file', undefined, [], 3, /^UPDATE UNKNOWN: no .*update-status\.json: the updater has not run here yet\n$/],
  ])('%s', (_name, file, args, code, line) => {
    if (file !== undefined) writeState('update-status.json', file);
    const result = rig.cli('check', 'update', ...args);
    expect(result.stdout).toMatch(line);
    expect(result.status).toBe(code);
  });
});

describe('check gateway (against the stand-in gateway)', () => {
  let gateway: ChildProcess | undefined;
  async function startGateway(): Promise<void> {
    gateway = spawn(process.execPath, [FAKE_GATEWAY], { env: rig.env(), stdio: 'ignore' });
    await waitFor('the stand-in gateway', async () => (await httpStatus(`${rig.url}/livez`)) === 200);
  }
  afterEach(() => {
    gateway?.kill('SIGKILL');
    gateway = undefined;
  });

  test('OK: live and ready, latency and restarts within thresholds', async () => {
    await startGateway();
    const result = rig.cli('check', 'gateway');
    expect(result.stdout).toMatch(/^GATEWAY OK: live, ready, readyz \d+ ms, no watchdog status file \| latency=\d+ms;1000;5000;0 live=1;;;0;1 ready=1;;;0;1\n$/);
    expect(result.status).toBe(0);
  });

  test('WARNING: readyz slower than -w; restarts in 24 h from the watchdog status', async () => {
    writeFileSync(path.join(rig.controlDir, 'delay-ms'), '150');
    const watchdog: WatchdogStatusFile = { state: 'healthy', since: ago(1), restarts: [ago(30), ago(2)], lastRestartReason: 'hung', heartbeatAt: ago(0.001) };
    writeState('watchdog-status.json', watchdog);
    await startGateway();
    const result = rig.cli('check', 'gateway', '-w', '100', '-c', '2000');
    expect(result.stdout).toMatch(/^GATEWAY WARNING: live, ready, readyz 1\d\d ms, 1 restart in 24 h \| latency=1\d\dms;100;2000;0 live=1;;;0;1 ready=1;;;0;1 restarts=1;0;4;0\n$/);
    expect(result.status).toBe(1);
  });

  test('CRITICAL: nothing listening', () => {
    const result = rig.cli('check', 'gateway', '-t', '2');
    expect(result.stdout).toMatch(/^GATEWAY CRITICAL: not live \(livez refused: \/livez: ECONNREFUSED\) at http:\/\/127\.0\.0\.1:\d+, no watchdog status file \| live=0;;;0;1 ready=0;;;0;1\n$/);
    expect(result.status).toBe(2);
  });

  test('CRITICAL: a gateway that never answers, within -t', async () => {
    await startGateway();
    writeFileSync(path.join(rig.controlDir, 'never-answer'), '');
    const started = Date.now();
    const result = rig.cli('check', 'gateway', '-t', '1');
    expect(Date.now() - started).toBeLessThan(4000);
    expect(result.stdout).toMatch(/^GATEWAY CRITICAL: not live \(livez timed out after 1000 ms\)/);
    expect(result.status).toBe(2);
  });

  test('UNKNOWN: bad arguments', () => {
    for (const args of [['-t', 'forever'], ['-c', '10:5'], ['sideways']]) {
      const result = rig.cli('check', 'gateway', ...args);
      expect(result.stdout).toMatch(/^(GATEWAY|ENDPOINT) UNKNOWN: /);
      expect(result.status).toBe(3);
    }
  });
});

describe('issue 15: a dead watchdog and long texts', () => {
  test('WARNING: the watchdog killed (-9) while the gateway is fine — its status goes stale and check gateway says so', async () => {
    const stale = { ENDPOINT_CHECK_WATCHDOG_STALE_SECONDS: '2', ENDPOINT_LOG_LEVEL: 'silent' };
    const checkGateway = () => spawnSync(process.execPath, [CLI, 'check', 'gateway'], { env: rig.env(stale), encoding: 'utf8' });
    rig.start();
    await rig.waitForState('healthy');
    expect(checkGateway().stdout).toMatch(/^GATEWAY OK: live, ready/);
    const watchdogPid = rig.status()?.pid;
    expect(watchdogPid).toBeGreaterThan(0);
    process.kill(watchdogPid!, 'SIGKILL'); // its supervised gateway keeps serving (it is not killed with it)
    await waitFor('the status to go stale', () => Date.now() - Date.parse(rig.status()!.heartbeatAt!) > 2500, 10_000, 100);
    const result = checkGateway();
    expect(result.stdout).toMatch(/^GATEWAY WARNING: live, ready, readyz \d+ ms, 0 restarts in 24 h, watchdog not running: its status was last written \d+ s ago \(state healthy\); start it/);
    expect(result.status).toBe(1);
  });

  test('a very long status text: the line stays within 1000 bytes (NRPE 2 cuts at 1 KB), the perfdata whole', () => {
    const critical = `rollback could not be verified: ${'the gateway said something long and unhelpful; '.repeat(40)}`;
    writeState('update-status.json', { current: 'a'.repeat(40), lastFetchAt: ago(0.5), failedCommits: ['b'.repeat(40)], critical, lastResult: { at: ago(0.1), outcome: 'rollback-failed', commit: 'b'.repeat(40), message: critical } });
    const result = rig.cli('check', 'update');
    const line = result.stdout.replace(/\n$/, '');
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(1000);
    expect(line).toMatch(/^UPDATE CRITICAL: needs an admin: rollback could not be verified: .*…/);
    expect(line).toMatch(/ \| deferred_hours=0;24;72;0 fetch_age_hours=0\.5;26;72 failed_commits=1;;;0 blocked_hours=0;;;0$/);
    expect(result.status).toBe(2);
  });
});
