/**
 * The exporter learns that its run was cut (issue 19, item 1): the real gateway in-process (real
 * Mongo-wire server) and a real MariaDB clinic; a wipe of all records while a full run is open —
 * during the sends, or between the last send and the completion — makes the gateway answer
 * RUN_CUT. The run then records no success, leaves its watermark where it was, exits 1, and
 * `check export` rates it CRITICAL; the next `--since last` run is a full one. A wipe between two
 * runs is noticed from the store generation the gateway names when a run starts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load';
import { createLogger } from '../../core/logger';
import { runExport, type ExportRunOptions } from '../../exporter/run/export-run';
import type { ProgressReporter } from '../../exporter/run/progress';
import { ExportState } from '../../exporter/run/state';
import { readExportStatus } from '../../exporter/run/status';
import { HttpTransport } from '../../exporter/send/transport';
import { startGateway, type RunningGateway } from '../../gateway/service';
import { wipeAllRecords } from '../../gateway/wipe';
import { rateExport } from '../../monitor/nagios/check-files';
import { parseRange } from '../../monitor/nagios/threshold-range';
import { openTestMongo } from '../support/services';
import { capturedLogger, createTestClinic, type TestClinic } from './support';

const TOKEN = 'cut-run-ingest-token';
const CLINIC_ID = 'cut-run-clinic';

let clinic: TestClinic;
let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let gateway: RunningGateway;
let stateDir: string;

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 80, 'latest', 19);
  mongo = await openTestMongo(__filename);
  const config = loadConfig({
    env: {},
    overrides: {
      mongodbUrl: mongo.uri,
      mongodbDatabase: mongo.name,
      gatewayHost: '127.0.0.1',
      gatewayPort: '0',
      clinicId: CLINIC_ID,
      logLevel: 'silent',
      ingestToken: TOKEN,
      adminToken: 'cut-run-admin-token',
      hmacSecret: 'cut-run-secret',
    },
  });
  gateway = await startGateway(config, { logger: createLogger({ level: 'silent' }) });
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'export-cut-'));
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await mongo?.drop();
  await clinic?.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

/** A progress reporter that calls `at(done)` after each patient and `atFinish` once all are sent. */
function progressWith(hooks: { at?: (done: number) => void; atFinish?: () => void }): ProgressReporter {
  return {
    start: () => undefined,
    update: (done) => hooks.at?.(done),
    batchDone: () => undefined,
    finish: () => hooks.atFinish?.(),
  };
}

function options(mode: ExportRunOptions['mode'], progress?: ProgressReporter): ExportRunOptions {
  return {
    oscarUrl: clinic.url,
    allowWritableAccount: true,
    stateDir,
    mode,
    transport: new HttpTransport({
      gatewayUrl: `http://127.0.0.1:${gateway.localAddress.port}`,
      ingestToken: TOKEN,
      connections: 2,
      retries: 3,
      retryBaseMs: 50,
    }),
    batchSize: 20,
    concurrency: 2,
    includeNoteText: false,
    consentProviders: [],
    logger: capturedLogger().logger,
    progress,
  };
}

/** Wipes every record through the admin route, as `endpoint gateway wipe` does. */
async function wipeOverHttp(): Promise<void> {
  const answer = await fetch(`http://127.0.0.1:${gateway.localAddress.port}/records?confirm=wipe-all-records`, {
    method: 'DELETE',
    headers: { authorization: 'Bearer cut-run-admin-token' },
  });
  expect(answer.status).toBe(200);
}

const limits = {
  ageWarning: parseRange('26', '-w'),
  ageCritical: parseRange('50', '-c'),
  failedWarning: parseRange('0', '--failed-warning'),
};

async function storedPatients(): Promise<number> {
  return mongo.db.collection('patients').countDocuments({ clinicId: CLINIC_ID });
}

test('a wipe between the last send and the completion: RUN_CUT, no success recorded, watermark unmoved, CRITICAL; the next --since last is full', async () => {
  const first = await runExport(options('full'));
  expect(first.exitCode).toBe(0);
  const before = new ExportState(stateDir).read().lastSuccess;
  expect(before).toMatchObject({ mode: 'full', storeGeneration: 0 });

  // The wipe takes the store's gate at once (no write is in flight once every patient is sent), so the completion waits for it.
  let wipe: Promise<unknown> | undefined;
  const cut = await runExport(
    options('full', progressWith({ atFinish: () => (wipe = wipeAllRecords(gateway.context)) })),
  );
  await wipe;
  expect(cut.completion).toMatchObject({ cut: true, swept: false, removed: 0 });
  expect(cut.exitCode).toBe(1);
  expect(cut.summary).toMatchObject({
    status: 'failed',
    error: expect.stringMatching(/^RUN_CUT: Run .* was cut: every record was wiped/),
  });
  const state = new ExportState(stateDir).read();
  expect(state.lastSuccess).toEqual(before);
  expect(state.storeWiped).toBe(true);
  expect(state.inProgress).toBeUndefined();
  const status = readExportStatus(stateDir);
  expect(status.lastSuccess).toBeUndefined();
  expect(rateExport(status, Date.now(), limits)).toMatchObject({
    status: 'CRITICAL',
    text: expect.stringMatching(/^the gateway cut the last export run/),
  });
  expect(await storedPatients()).toBe(0);

  const next = await runExport(options('differential'));
  expect(next.summary.mode).toBe('full');
  expect(next.exitCode).toBe(0);
  expect(next.completion).toMatchObject({ swept: true });
  expect(await storedPatients()).toBe(clinic.summary.activePatients);
  const after = new ExportState(stateDir).read();
  expect(after.storeWiped).toBeUndefined();
  expect(after.lastSuccess).toMatchObject({ mode: 'full', storeGeneration: 1 });
  expect(rateExport(readExportStatus(stateDir), Date.now(), limits).status).toBe('OK');
}, 180_000);

test('a wipe while documents are being sent: the run stops at the first RUN_CUT and records nothing', async () => {
  const before = new ExportState(stateDir).read().lastSuccess;
  let wipe: Promise<unknown> | undefined;
  const result = await runExport(
    options('full', progressWith({ at: (done) => void (done === 20 && (wipe = wipeOverHttp())) })),
  );
  await wipe;
  expect(result.exitCode).toBe(1);
  expect(result.completion).toBeUndefined();
  expect(result.summary.error).toMatch(/^RUN_CUT: /);
  // Stopped: what was not yet sent stays unsent (not thousands of refusals).
  const sent =
    result.summary.outcomes.created +
    result.summary.outcomes.updated +
    result.summary.outcomes.unchanged +
    result.summary.outcomes.failed;
  expect(sent).toBeLessThan(40);
  expect(new ExportState(stateDir).read()).toMatchObject({ lastSuccess: before, storeWiped: true });
  expect(await storedPatients()).toBe(0);
}, 180_000);

test('a wipe between two runs: the next --since last finds another store generation and runs full', async () => {
  const full = await runExport(options('differential'));
  expect(full).toMatchObject({ exitCode: 0, summary: { mode: 'full' } });
  const generation = new ExportState(stateDir).read().lastSuccess?.storeGeneration as number;
  const unchanged = await runExport(options('differential'));
  expect(unchanged.summary.mode).toBe('differential');

  await wipeOverHttp();
  const after = await runExport(options('differential'));
  expect(after.summary.mode).toBe('full');
  expect(after.exitCode).toBe(0);
  expect(await storedPatients()).toBe(clinic.summary.activePatients);
  expect(new ExportState(stateDir).read().lastSuccess?.storeGeneration).toBe(generation + 1);
}, 180_000);
