/**
 * Which patients and when: a consent list of provider numbers restricts the export to those
 * providers' active patients; a run never starts while the update lock is held (by the updater
 * or another export).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { isEndpointError } from '../../core/errors';
import { acquireLock, updateLockFile } from '../../core/lock';
import { runExport, type ExportRunOptions } from '../../exporter/run/export-run';
import { FileTransport } from '../../exporter/send/transport';
import { capturedLogger, createTestClinic, type TestClinic } from './support';

let clinic: TestClinic;
let root: string;

beforeAll(async () => {
  clinic = await createTestClinic(__filename, 120);
  root = mkdtempSync(path.join(os.tmpdir(), 'export-consent-'));
}, 180_000);

afterAll(async () => {
  await clinic?.drop();
  rmSync(root, { recursive: true, force: true });
});

function options(name: string, consentProviders: string[]): ExportRunOptions {
  const outDir = path.join(root, name, 'out');
  return {
    oscarUrl: clinic.url, allowWritableAccount: true, stateDir: path.join(root, name, 'state'), mode: 'full', transport: new FileTransport(outDir), outDir,
    batchSize: 50, concurrency: 2, includeNoteText: false, consentProviders, logger: capturedLogger().logger,
  };
}

test("a consent list exports only the listed providers' active patients", async () => {
  const sql = await mysql.createConnection({ uri: clinic.url });
  const [providers] = await sql.query<mysql.RowDataPacket[]>("SELECT provider_no, COUNT(*) AS n FROM demographic WHERE patient_status = 'AC' GROUP BY provider_no ORDER BY n DESC");
  const chosen = String(providers[0].provider_no);
  const [rows] = await sql.query<mysql.RowDataPacket[]>("SELECT demographic_no FROM demographic WHERE patient_status = 'AC' AND provider_no = ?", [chosen]);
  await sql.end();
  expect(providers.length).toBeGreaterThan(1);
  const result = await runExport(options('consent', [chosen]));
  const files = readdirSync(path.join(root, 'consent', 'out')).map((name) => name.replace(/\.xml$/, ''));
  expect(files.sort()).toEqual(rows.map((row) => String(row.demographic_no)).sort());
  expect(result.summary.patientsTotal).toBe(rows.length);
}, 60_000);

test('no run while the update lock is held; the run goes ahead once it is released', async () => {
  const opts = options('locked', []);
  const lock = acquireLock(updateLockFile(opts.stateDir), 'updater');
  const error = await runExport(opts).catch((thrown: unknown) => thrown);
  expect(isEndpointError(error, 'LOCKED')).toBe(true);
  expect((error as Error).message).toContain('updater');
  lock.release();
  const result = await runExport(opts);
  expect(result.exitCode).toBe(0);
}, 60_000);

test('a patient that cannot be built is failed with its reason; the others go; the run completes with exit code 1', async () => {
  const { writeE2E } = await import('../../e2e/index');
  const opts = options('unbuildable', []);
  let victim: string | undefined;
  opts.writeDocument = (record, writeOptions) => {
    victim ??= record.document.demographicNo;
    if (record.document.demographicNo === victim) throw new TypeError('writer broke on this record');
    return writeE2E(record, writeOptions);
  };
  const result = await runExport(opts);
  expect(result.summary.outcomes.failed).toBe(1);
  expect(result.summary.outcomes.created).toBe(clinic.summary.activePatients - 1);
  expect(result.failures).toEqual([{ demographicNo: Number(victim), reason: 'WRITE_FAILED: TypeError' }]);
  expect(result.summary.status).toBe('complete');
  expect(result.exitCode).toBe(1);
  expect(readdirSync(path.join(root, 'unbuildable', 'out'))).not.toContain(`${victim}.xml`);
}, 60_000);

test('the schedule never starts a second run while one is going, and waits for a fresh backup marker', async () => {
  const { startSchedule } = await import('../../exporter/schedule');
  const { writeFileSync } = await import('node:fs');
  const marker = path.join(root, 'backup.done');
  let runs = 0;
  let release: () => void = () => undefined;
  const schedule = startSchedule({
    expression: '0 0 1 1 *', marker, waitMs: 2000, pollMs: 20, lastRunStartedAt: () => new Date(Date.now() - 60_000), logger: capturedLogger().logger,
    runOnce: () => new Promise<number>((resolve) => {
      runs++;
      release = () => resolve(0);
    }),
  });
  try {
    const first = schedule.tick();
    setTimeout(() => writeFileSync(marker, 'done'), 100);
    while (runs === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await schedule.tick()).toBeUndefined();
    release();
    expect(await first).toBe(0);
    expect(runs).toBe(1);
  } finally {
    schedule.stop();
  }
});
