/**
 * End to end with the real gateway (in-process, real Mongo-wire server) and a real MariaDB
 * clinic: a full run stores every active patient; a second full run is all `unchanged`; after a
 * day of changes a differential run updates the changed patients and records those who left
 * status AC; the next full run's sweep removes exactly those.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config/load';
import { createLogger } from '../../core/logger';
import { mutateClinic } from '../../dev/clinic/mutate-clinic';
import { startGateway, type RunningGateway } from '../../gateway/service';
import { runExport, type ExportRunOptions } from '../../exporter/run/export-run';
import { ExportState } from '../../exporter/run/state';
import { HttpTransport } from '../../exporter/send/transport';
import { openTestMongo } from '../support/services';
import { capturedLogger, createTestClinic, type TestClinic } from './support';

const TOKEN = 'exporter-e2e-ingest-token';
const CLINIC_ID = 'exporter-test-clinic';

let clinic: TestClinic;
let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let gateway: RunningGateway;
let stateDir: string;

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 80);
  mongo = await openTestMongo(__filename);
  const config = loadConfig({
    env: {},
    overrides: {
      mongodbUrl: mongo.uri, mongodbDatabase: mongo.name, gatewayHost: '127.0.0.1', gatewayPort: '0', clinicId: CLINIC_ID, logLevel: 'silent',
      ingestToken: TOKEN, adminToken: 'exporter-e2e-admin-token', hmacSecret: 'exporter-e2e-secret',
    },
  });
  gateway = await startGateway(config, { logger: createLogger({ level: 'silent' }) });
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'export-gateway-'));
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await mongo?.drop();
  await clinic?.drop();
  rmSync(stateDir, { recursive: true, force: true });
});

function options(mode: ExportRunOptions['mode']): ExportRunOptions {
  return {
    oscarUrl: clinic.url, allowWritableAccount: true, stateDir, mode,
    transport: new HttpTransport({ gatewayUrl: `http://127.0.0.1:${gateway.localAddress.port}`, ingestToken: TOKEN, connections: 4, retries: 3, retryBaseMs: 50 }),
    batchSize: 50, concurrency: 4, includeNoteText: false, consentProviders: [], logger: capturedLogger().logger,
  };
}

async function storedPatients(): Promise<number> {
  return mongo.db.collection('patients').countDocuments({ clinicId: CLINIC_ID });
}

test('full run: every active patient stored; again: all unchanged', async () => {
  const first = await runExport(options('full'));
  // Every patient is new; a send retried after the gateway had written it (a lost answer under load) is answered
  // updated or unchanged, so the exact accounting is: created + updated + unchanged = active, nearly all created.
  const { created, updated, unchanged } = first.summary.outcomes;
  expect(first.summary.outcomes).toMatchObject({ rejected: 0, failed: 0 });
  expect(created + updated + unchanged).toBe(clinic.summary.activePatients);
  expect(created).toBeGreaterThanOrEqual(clinic.summary.activePatients - 2);
  expect(first.exitCode).toBe(0);
  expect(await storedPatients()).toBe(clinic.summary.activePatients);
  expect(first.completion?.swept).toBe(true);
  const second = await runExport(options('full'));
  expect(second.summary.outcomes.unchanged).toBe(clinic.summary.activePatients);
  expect(second.exitCode).toBe(0);
}, 180_000);

test('differential after changes updates the changed patients; the next full run removes those who left AC', async () => {
  const mutation = await mutateClinic({ oscarUrl: clinic.url, fraction: 0.05, seed: 11 });
  expect(mutation.statusLeftActive.length).toBeGreaterThan(0);
  const differential = await runExport(options('differential'));
  const stillActive = mutation.changed.filter((no) => !mutation.statusLeftActive.includes(no));
  expect(differential.summary.patientsTotal).toBe(stillActive.length);
  expect(differential.summary.outcomes.updated).toBe(stillActive.length);
  expect(differential.leftActive).toEqual(mutation.statusLeftActive);
  expect(await storedPatients()).toBe(clinic.summary.activePatients);

  const full = await runExport(options('full'));
  expect(full.summary.removedByGateway).toBe(mutation.statusLeftActive.length);
  expect(await storedPatients()).toBe(clinic.summary.activePatients - mutation.statusLeftActive.length);
  expect(new ExportState(stateDir).read().leftActivePending).toEqual([]);
}, 180_000);

test('the gateway stopped mid-run and started again: the exporter retries and every patient arrives', async () => {
  const freshMongo = await openTestMongo(__filename);
  const start = (port: string) =>
    startGateway(
      loadConfig({
        env: {},
        overrides: {
          mongodbUrl: freshMongo.uri, mongodbDatabase: freshMongo.name, gatewayHost: '127.0.0.1', gatewayPort: port, clinicId: CLINIC_ID, logLevel: 'silent',
          ingestToken: TOKEN, adminToken: 'exporter-e2e-admin-token', hmacSecret: 'exporter-e2e-secret',
        },
      }),
      { logger: createLogger({ level: 'silent' }) },
    );
  let running = await start('0');
  const port = String(running.localAddress.port);
  let outage: Promise<void> | undefined;
  const opts = options('full');
  opts.stateDir = mkdtempSync(path.join(os.tmpdir(), 'export-gateway-kill-'));
  let retried = 0;
  opts.transport = new HttpTransport({
    gatewayUrl: `http://127.0.0.1:${port}`, ingestToken: TOKEN, connections: 4, retries: 12, retryBaseMs: 200, maxBackoffMs: 1000, onRetry: () => void retried++,
  });
  opts.progress = {
    start() {},
    batchDone() {},
    finish() {},
    update(done) {
      if (done === 15 && outage === undefined) {
        outage = (async () => {
          await running.close();
          await new Promise((resolve) => setTimeout(resolve, 1500));
          running = await start(port);
        })();
      }
    },
  };
  try {
    const result = await runExport(opts);
    await outage;
    expect(outage).toBeDefined();
    expect(retried).toBeGreaterThan(0);
    expect(result.summary.outcomes.failed).toBe(0);
    expect(result.exitCode).toBe(0);
    expect(await freshMongo.db.collection('patients').countDocuments({ clinicId: CLINIC_ID })).toBe(result.summary.patientsTotal);
  } finally {
    await outage?.catch(() => undefined);
    await running.close();
    await freshMongo.drop();
    rmSync(opts.stateDir, { recursive: true, force: true });
  }
}, 180_000);
