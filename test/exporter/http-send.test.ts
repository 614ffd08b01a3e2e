/**
 * Sending to a gateway over HTTP. The gateway here is a small real HTTP server on 127.0.0.1
 * that follows the gateway's ingest API (test/exporter/support.ts) and can answer 503 with
 * Retry-After, drop connections or refuse one patient; the OSCAR side is a real MariaDB clinic.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { mutateClinic } from '../../dev/clinic/mutate-clinic';
import { runExport, type ExportRunOptions } from '../../exporter/run/export-run';
import { ExportState } from '../../exporter/run/state';
import { HttpTransport } from '../../exporter/send/transport';
import { capturedLogger, createTestClinic, startTestGateway, type TestClinic, type TestGateway } from './support';

let clinic: TestClinic;
let gateway: TestGateway;
let root: string;
let sql: mysql.Connection;

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 300);
  sql = await mysql.createConnection({ uri: clinic.url });
  gateway = await startTestGateway();
  root = mkdtempSync(path.join(os.tmpdir(), 'export-http-'));
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await gateway?.close();
  await clinic?.drop();
  rmSync(root, { recursive: true, force: true });
});

async function activePatients(): Promise<string[]> {
  const [rows] = await sql.query<mysql.RowDataPacket[]>("SELECT demographic_no FROM demographic WHERE patient_status = 'AC' ORDER BY demographic_no");
  return rows.map((row) => String(row.demographic_no));
}

function options(stateDir: string, overrides: Partial<ExportRunOptions> = {}, retries = 6, retryBaseMs = 20, maxBackoffMs = 200): ExportRunOptions {
  return {
    oscarUrl: clinic.url, allowWritableAccount: true, stateDir, mode: 'full',
    transport: new HttpTransport({ gatewayUrl: gateway.url, ingestToken: gateway.token, connections: 4, retries, retryBaseMs, maxBackoffMs }),
    batchSize: 64, concurrency: 4, includeNoteText: false, consentProviders: [], logger: capturedLogger().logger, ...overrides,
  };
}

function reset(): void {
  gateway.received.length = 0;
  gateway.attempts.clear();
  gateway.misbehave = undefined;
}

describe('full and differential runs', () => {
  const stateDir = () => path.join(root, 'state-diff');

  test('a full run sends exactly the active patients under one run id and completes the run', async () => {
    reset();
    const result = await runExport(options(stateDir()));
    const active = await activePatients();
    expect(gateway.received.map((doc) => doc.demographicNo).sort()).toEqual([...active].sort());
    expect(new Set(gateway.received.map((doc) => doc.runId))).toEqual(new Set([result.summary.runId]));
    expect(gateway.runs.get(result.summary.runId)).toEqual({ mode: 'full', completed: active.length });
    expect(result.exitCode).toBe(0);
    expect(result.summary.outcomes.created).toBe(active.length);
    expect(new ExportState(stateDir()).read().lastSuccess?.runId).toBe(result.summary.runId);
  }, 120_000);

  test('after changing 1% of patients, a differential run sends those and only those', async () => {
    reset();
    const mutation = await mutateClinic({ oscarUrl: clinic.url, fraction: 0.01, seed: 3 });
    expect(mutation.changed.length).toBeGreaterThan(0);
    // Watermarks are compared with >= (a row written in the snapshot's second is sent again, never
    // missed); let the clock move past the mutation so the next differential run starts clean.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const result = await runExport(options(stateDir(), { mode: 'differential' }));
    const expected = mutation.changed.filter((no) => !mutation.statusLeftActive.includes(no)).map(String).sort();
    expect(gateway.received.map((doc) => doc.demographicNo).sort()).toEqual(expected);
    expect(result.summary.mode).toBe('differential');
    expect(result.leftActive).toEqual(mutation.statusLeftActive);
    expect(gateway.runs.get(result.summary.runId)?.completed).toBeUndefined();
    expect(new ExportState(stateDir()).read().leftActivePending).toEqual(mutation.statusLeftActive);
    expect(result.summary.outcomes.updated).toBe(expected.length);
  }, 120_000);

  test('a differential run with nothing changed sends nothing', async () => {
    reset();
    const result = await runExport(options(stateDir(), { mode: 'differential' }));
    expect(gateway.received).toEqual([]);
    expect(result.summary.patientsTotal).toBe(0);
    expect(result.exitCode).toBe(0);
  }, 60_000);
});

test('a gateway answering 503 with Retry-After and dropping connections for a while: retried, then every patient arrives', async () => {
  reset();
  const unavailableUntil = Date.now() + 1000;
  gateway.misbehave = (demographicNo, attempt) => {
    if (Date.now() < unavailableUntil) return Number(demographicNo) % 2 === 0 ? { status: 503, body: { error: 'STORE_UNAVAILABLE', message: 'down' }, headers: { 'retry-after': '1' } } : 'drop';
    return attempt === 1 && Number(demographicNo) % 7 === 0 ? { status: 500, body: { error: 'INTERNAL', message: 'hiccup' } } : undefined;
  };
  const result = await runExport(options(path.join(root, 'state-retry'), {}, 10, 100, 1000));
  const active = await activePatients();
  expect(new Set(gateway.received.map((doc) => doc.demographicNo))).toEqual(new Set(active));
  expect([...gateway.attempts.values()].some((count) => count > 1)).toBe(true);
  expect(result.summary.outcomes.failed).toBe(0);
  expect(result.exitCode).toBe(0);
}, 120_000);

test('a 4xx for one patient: that patient is rejected with the reason, the others are sent, exit code 1', async () => {
  reset();
  const active = await activePatients();
  const refused = active[5];
  gateway.misbehave = (demographicNo) => (demographicNo === refused ? { status: 422, body: { error: 'NO_PATIENT_KEY', message: 'test refusal' } } : undefined);
  const log = capturedLogger();
  const result = await runExport(options(path.join(root, 'state-4xx'), { logger: log.logger }));
  expect(gateway.attempts.get(refused)).toBe(1);
  expect(gateway.received.map((doc) => doc.demographicNo).sort()).toEqual(active.filter((no) => no !== refused).sort());
  expect(result.summary.outcomes.rejected).toBe(1);
  expect(result.exitCode).toBe(1);
  expect(log.text()).toContain('NO_PATIENT_KEY');
  // The gateway is told every patient of the run, so it refuses to sweep when it received fewer.
  expect(gateway.runs.get(result.summary.runId)?.completed).toBe(active.length);
}, 120_000);

test('a gateway that stays down: the patients fail after the retries, the run is resumable, exit code 1', async () => {
  reset();
  gateway.misbehave = () => ({ status: 503, body: { error: 'STORE_UNAVAILABLE', message: 'down' } });
  const stateDir = path.join(root, 'state-down');
  const result = await runExport(options(stateDir, { batchSize: 500 }, 1));
  expect(result.summary.status).toBe('failed');
  expect(result.summary.outcomes.failed).toBe(result.summary.patientsTotal);
  expect(result.exitCode).toBe(1);
  expect(new ExportState(stateDir).read().inProgress?.runId).toBe(result.summary.runId);
  reset();
  const second = await runExport(options(stateDir));
  expect(second.summary.runId).toBe(result.summary.runId);
  expect(second.exitCode).toBe(0);
  expect(new ExportState(stateDir).read().inProgress).toBeUndefined();
}, 120_000);

test('resuming a run the gateway no longer knows: the run fails clearly, and the next run starts afresh', async () => {
  reset();
  gateway.misbehave = () => ({ status: 503, body: { error: 'STORE_UNAVAILABLE', message: 'down' } });
  const stateDir = path.join(root, 'state-forgotten');
  const interrupted = await runExport(options(stateDir, { batchSize: 500 }, 0));
  expect(interrupted.summary.status).toBe('failed');
  reset();
  gateway.runs.delete(interrupted.summary.runId);
  const refused = await runExport(options(stateDir));
  expect(refused.summary.runId).toBe(interrupted.summary.runId);
  expect(refused.summary.error).toMatch(/no longer accepts run/);
  expect(refused.exitCode).toBe(1);
  expect(new ExportState(stateDir).read().inProgress).toBeUndefined();
  const fresh = await runExport(options(stateDir));
  expect(fresh.summary.runId).not.toBe(interrupted.summary.runId);
  expect(fresh.exitCode).toBe(0);
  expect(new Set(gateway.received.map((doc) => doc.demographicNo)).size).toBe(fresh.summary.patientsTotal);
}, 120_000);
