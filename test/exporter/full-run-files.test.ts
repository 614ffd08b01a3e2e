/**
 * A full export of a synthetic clinic (real MariaDB) to a folder: exactly the active patients,
 * every document valid against the E2E-DTC schema, planted dirt turned into warnings, locked and
 * archived notes never exported, set-wise SQL, and no names or health numbers in the logs.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { readE2E, writeE2E } from '../../e2e/index';
import { validateE2EFiles } from '../../e2e/validate';
import { runExport, type ExportRunResult } from '../../exporter/run/export-run';
import { CLINICAL_TABLES } from '../../exporter/source/extract';
import { FileTransport } from '../../exporter/send/transport';
import { readExportStatus } from '../../exporter/run/status';
import { capturedLogger, createTestClinic, type TestClinic } from './support';

const PATIENTS = 400;
const BATCH = 100;

let clinic: TestClinic;
let outDir: string;
let stateDir: string;
let result: ExportRunResult;
let log: ReturnType<typeof capturedLogger>;
let sql: mysql.Connection;

beforeAll(async () => {
  clinic = await createTestClinic(__filename, PATIENTS);
  sql = await mysql.createConnection({ uri: clinic.url });
  const root = mkdtempSync(path.join(os.tmpdir(), 'export-files-'));
  outDir = path.join(root, 'out');
  stateDir = path.join(root, 'state');
  log = capturedLogger();
  result = await runExport({
    oscarUrl: clinic.url,
    allowWritableAccount: true,
    stateDir,
    mode: 'full',
    transport: new FileTransport(outDir),
    outDir,
    batchSize: BATCH,
    concurrency: 4,
    includeNoteText: true,
    consentProviders: [],
    logger: log.logger,
  });
}, 180_000);

afterAll(async () => {
  await sql?.end();
  await clinic?.drop();
  if (outDir) rmSync(path.dirname(outDir), { recursive: true, force: true });
});

async function column(query: string): Promise<string[]> {
  const [rows] = await sql.query<mysql.RowDataPacket[]>(query);
  return rows.map((row) => String(Object.values(row)[0]));
}

function warningsByPatient(): Map<string, Set<string>> {
  const byPatient = new Map<string, Set<string>>();
  for (const line of log.lines) {
    const entry = JSON.parse(line) as { demographicNo?: number; warnings?: string[] };
    if (entry.demographicNo !== undefined && entry.warnings)
      byPatient.set(String(entry.demographicNo), new Set(entry.warnings));
  }
  return byPatient;
}

test('writes one document per active patient, and only those', async () => {
  const active = await column(
    "SELECT demographic_no FROM demographic WHERE patient_status = 'AC' ORDER BY demographic_no",
  );
  const files = readdirSync(outDir)
    .filter((name) => name.endsWith('.xml'))
    .map((name) => name.replace(/\.xml$/, ''));
  expect(files.sort()).toEqual([...active].sort());
  expect(active.length).toBe(clinic.summary.activePatients);
  expect(active.length).toBeLessThan(PATIENTS);
  expect(result.summary.outcomes).toEqual({ created: active.length, updated: 0, unchanged: 0, rejected: 0, failed: 0 });
  expect(result.exitCode).toBe(0);
  expect(readdirSync(outDir).filter((name) => !name.endsWith('.xml'))).toEqual([]);
});

test('every document validates against the E2E-DTC schema (one batch validation)', async () => {
  const files = readdirSync(outDir).map((name) => path.join(outDir, name));
  const results = await validateE2EFiles(files);
  const invalid = results.filter((entry) => !entry.valid);
  expect(invalid.slice(0, 3)).toEqual([]);
  expect(results.length).toBe(clinic.summary.activePatients);
}, 120_000);

test('documents carry the patient key and the clinical sections', () => {
  const files = readdirSync(outDir);
  let medications = 0;
  let vitals = 0;
  let labs = 0;
  for (const file of files.slice(0, 50)) {
    const read = readE2E(readFileSync(path.join(outDir, file)), { keepNoteText: true });
    expect(read.record.document.demographicNo).toBe(file.replace(/\.xml$/, ''));
    medications += read.sections.medications;
    vitals += read.sections.vitalSigns;
    labs += read.sections.labResults;
  }
  expect(medications).toBeGreaterThan(0);
  expect(vitals).toBeGreaterThan(0);
  expect(labs).toBeGreaterThan(0);
});

test("lab results are the clinic's HL7 results routed to each patient, and CPP notes are not encounters", async () => {
  const [[routed]] = await sql.query<mysql.RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM measurements m JOIN demographic d ON d.demographic_no = m.demographicNo AND d.patient_status = 'AC'
     JOIN measurementsExt e ON e.measurement_id = m.id AND e.keyval = 'lab_no'
     WHERE EXISTS (SELECT 1 FROM patientLabRouting r WHERE r.demographic_no = m.demographicNo AND r.lab_type = 'HL7' AND r.lab_no = e.val)`,
  );
  const cppNotes = new Set(
    await column(
      `SELECT l.note_id FROM casemgmt_issue_notes l JOIN casemgmt_issue ci ON ci.id = l.id JOIN issue i ON i.issue_id = ci.issue_id
       WHERE i.code IN ('OMeds', 'SocHistory', 'MedHistory', 'Concerns', 'Reminders', 'FamHistory', 'RiskFactors')`,
    ),
  );
  let reported = 0;
  for (const file of readdirSync(outDir)) {
    const { record } = readE2E(readFileSync(path.join(outDir, file)), { keepNoteText: false });
    reported += record.labResults.filter((result) => result.reportId !== undefined).length;
    for (const encounter of record.encounters) expect(cppNotes.has(String(encounter.id))).toBe(false);
  }
  expect(Number(routed.n)).toBeGreaterThan(0);
  expect(reported).toBe(Number(routed.n));
});

test('records built from the synthetic clinic survive the round trip: read, write again, byte-identical', () => {
  const files = readdirSync(outDir);
  expect(files.length).toBeGreaterThan(0);
  const differing = files.filter((file) => {
    const xml = readFileSync(path.join(outDir, file), 'utf8');
    const { record } = readE2E(xml, { keepNoteText: true });
    return writeE2E(record, { includeNoteText: true }) !== xml;
  });
  expect(differing).toEqual([]);
});

test('planted dirt becomes warnings on the planted patients, not failures', async () => {
  const byPatient = warningsByPatient();
  const active = new Set(await column("SELECT demographic_no FROM demographic WHERE patient_status = 'AC'"));
  const expectations: [keyof typeof clinic.summary.dirt, string][] = [
    ['malformedBloodPressure', 'BAD_BLOOD_PRESSURE'],
    ['nullDxStatus', 'MISSING_PROBLEM_STATUS'],
    ['controlCharacters', 'TEXT_REPLACED'],
  ];
  for (const [kind, code] of expectations) {
    const planted = clinic.summary.dirt[kind].demographicNos.map(String).filter((no) => active.has(no));
    expect(planted.length).toBeGreaterThan(0);
    const missing = planted.filter((no) => !byPatient.get(no)?.has(code));
    expect({ kind, missing }).toEqual({ kind, missing: [] });
    expect(result.summary.warnings[code]).toBeGreaterThanOrEqual(planted.length);
  }
  const zeroDx = await column(
    "SELECT DISTINCT demographic_no FROM dxresearch WHERE start_date IN ('0000-00-00','0001-01-01') AND demographic_no IN (SELECT demographic_no FROM demographic WHERE patient_status='AC')",
  );
  expect(zeroDx.filter((no) => !byPatient.get(no)?.has('ZERO_DATE'))).toEqual([]);
  expect(result.summary.outcomes.failed).toBe(0);
});

test('double-encoded text is repaired in the documents', async () => {
  const planted = clinic.summary.dirt.doubleEncodedText.demographicNos.map(String);
  const active = new Set(await column("SELECT demographic_no FROM demographic WHERE patient_status = 'AC'"));
  const exported = planted.filter((no) => active.has(no));
  expect(exported.length).toBeGreaterThan(0);
  for (const no of exported) {
    const xml = readFileSync(path.join(outDir, `${no}.xml`), 'utf8');
    expect(xml).not.toMatch(/Ã[\u0080-\u00BF‰©¨§]/);
  }
});

test('locked, password-protected and archived notes are never exported, even with note text on', async () => {
  const hidden = new Set(
    await column(
      "SELECT n.note_id FROM casemgmt_note n WHERE n.locked = '1' OR (n.password IS NOT NULL AND n.password <> '') OR n.archived = 1",
    ),
  );
  expect(hidden.size).toBeGreaterThan(0);
  let encounters = 0;
  for (const file of readdirSync(outDir)) {
    const read = readE2E(readFileSync(path.join(outDir, file)), { keepNoteText: true });
    for (const encounter of read.record.encounters) {
      encounters++;
      expect(hidden.has(String(encounter.id))).toBe(false);
    }
  }
  expect(encounters).toBeGreaterThan(0);
});

test('SQL queries grow with batches × tables, not with patients', () => {
  const batches = Math.ceil(clinic.summary.activePatients / BATCH);
  expect(result.batches).toBe(batches);
  // Grant check + snapshot + clock + schema (≤ 6), patient list, five reference tables, then one per table per batch.
  expect(result.queryCount).toBeLessThanOrEqual(12 + batches * CLINICAL_TABLES.length);
  expect(result.queryCount).toBeGreaterThanOrEqual(batches * CLINICAL_TABLES.length);
});

test('the logs carry no patient names or health numbers', async () => {
  const [rows] = await sql.query<mysql.RowDataPacket[]>(
    "SELECT first_name, last_name, hin FROM demographic WHERE hin <> '' LIMIT 400",
  );
  const text = log.text();
  expect(log.lines.length).toBeGreaterThan(0);
  for (const row of rows) {
    for (const value of [row.hin, row.last_name]) {
      if (typeof value === 'string' && value.length >= 5) expect(text.includes(value)).toBe(false);
    }
  }
});

test('export-status.json reports the run', () => {
  const status = readExportStatus(stateDir);
  expect(status.lastRun?.status).toBe('complete');
  expect(status.lastSuccess?.runId).toBe(result.summary.runId);
  expect(status.lastRun?.outcomes.created).toBe(clinic.summary.activePatients);
});
