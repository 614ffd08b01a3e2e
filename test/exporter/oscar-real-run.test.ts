/**
 * The exporter end to end on OSCAR's real schema (test/fixtures/oscar-real): a full run to files on the 12.1 DDL
 * writes one valid E2E-DTC document per active patient with the new sections, counts the bad rows as warnings and
 * aborts nothing; the consent list accepts CPSIDs, MSP and provider numbers and refuses an ambiguous one; a new lab
 * report routed to a patient makes the patient changed for a differential run; the Open-O 2025 DDL (no measurementMap)
 * exports the same chart.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { isEndpointError } from '../../core/errors';
import { readE2E } from '../../e2e/index';
import { validateE2EFiles } from '../../e2e/validate';
import { buildPatientRecord } from '../../exporter/mapping/patient-record';
import { runExport, type ExportRunResult } from '../../exporter/run/export-run';
import { FileTransport } from '../../exporter/send/transport';
import { listPatients, readBatch, readReferenceData } from '../../exporter/source/extract';
import { OscarSource } from '../../exporter/source/oscar-source';
import { loadRealClinic, type RealClinic } from '../fixtures/oscar-real/load';
import { ACTIVE_PATIENTS, EXPECTED_1001 } from '../fixtures/oscar-real/rows';
import { capturedLogger } from './support';

let clinic: RealClinic;
let root: string;
let result: ExportRunResult;
const outDir = () => path.join(root, 'full', 'out');

beforeAll(async () => {
  clinic = await loadRealClinic(__filename, '12.1');
  root = mkdtempSync(path.join(os.tmpdir(), 'export-real-'));
  result = await runExport({
    oscarUrl: clinic.url,
    allowWritableAccount: true,
    stateDir: path.join(root, 'full', 'state'),
    mode: 'full',
    transport: new FileTransport(outDir()),
    outDir: outDir(),
    batchSize: 4,
    concurrency: 2,
    includeNoteText: false,
    consentProviders: [],
    logger: capturedLogger().logger,
  });
}, 60_000);

afterAll(async () => {
  await clinic?.drop();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('a full run writes one document per active patient; nothing fails; the bad rows are counted warnings', () => {
  const files = readdirSync(outDir()).map((name) => Number(name.replace(/\.xml$/, '')));
  expect(files.sort((a, b) => a - b)).toEqual([...ACTIVE_PATIENTS]);
  expect(result.summary.outcomes).toEqual({
    created: ACTIVE_PATIENTS.length,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    failed: 0,
  });
  expect(result.exitCode).toBe(0);
  for (const code of [
    'LAB_REPORT_MISSING',
    'LAB_RESULT_WITHOUT_VALUE',
    'UNKNOWN_UNIT',
    'CPP_ISSUE_MISSING',
    'PROVIDER_WITHOUT_CPSID',
    'LOCAL_MEASUREMENT_CODE',
    'UNKNOWN_PREVENTION_TYPE',
  ]) {
    expect({ code, counted: (result.summary.warnings[code] ?? 0) > 0 }).toEqual({ code, counted: true });
  }
  // Two batches of four: the grants, snapshot and schema reads, the patient list, five reference tables, 12 per batch.
  expect(result.batches).toBe(2);
  expect(result.queryCount).toBeLessThanOrEqual(12 + 2 * 12);
});

test('every document validates against the E2E-DTC schema', async () => {
  const results = await validateE2EFiles(readdirSync(outDir()).map((name) => path.join(outDir(), name)));
  expect(
    results
      .filter((entry) => !entry.valid)
      .map((entry) => ({ file: path.basename(entry.file), errors: entry.errors.slice(0, 3) })),
  ).toEqual([]);
}, 60_000);

test('the document of the rich chart reads back with its sections and the CPSID as author', () => {
  const { record } = readE2E(readFileSync(path.join(outDir(), '1001.xml')), { keepNoteText: false });
  expect(record.document.author?.id).toBe('20871');
  expect({
    medications: record.medications.length,
    immunizations: record.immunizations.length,
    screenings: record.screenings.length,
    labResults: record.labResults.length,
    vitalSigns: record.vitalSigns.length,
    encounters: record.encounters.length,
    alerts: record.alerts.length,
    familyHistory: record.familyHistory.length,
    riskFactors: record.riskFactors.length,
  }).toEqual({
    medications: EXPECTED_1001.medications,
    immunizations: EXPECTED_1001.immunizations,
    screenings: EXPECTED_1001.screenings,
    labResults: EXPECTED_1001.labResults,
    vitalSigns: EXPECTED_1001.vitalSigns,
    encounters: EXPECTED_1001.encounters,
    alerts: EXPECTED_1001.alerts,
    familyHistory: EXPECTED_1001.familyHistory,
    riskFactors: EXPECTED_1001.riskFactors,
  });
});

test('what a researcher counts survives the document: drug status and prescriptions, not-given reasons, lab reports, relationships', () => {
  const { record } = readE2E(readFileSync(path.join(outDir(), '1001.xml')), { keepNoteText: false });
  expect(record.medications.filter((medication) => medication.status === 'active').length).toBe(
    EXPECTED_1001.activeMedications,
  );
  expect(
    record.medications
      .find((medication) => medication.din?.code === '02230713')
      ?.prescriptions?.map((prescription) => prescription.start),
  ).toEqual(['2019-07-09', '2019-04-10', '2019-01-10']);
  expect(
    record.immunizations
      .filter((immunization) => immunization.refused)
      .map((immunization) => immunization.notGivenReason),
  ).toEqual(['refused', 'ineligible']);
  expect(new Set(record.labResults.map((result) => result.reportId))).toEqual(
    new Set(['5001', '5002', '5003', undefined]),
  );
  expect(record.familyHistory.map((entry) => entry.relationship?.code)).toEqual(['MTH', 'OTH', 'UNK']);
  expect(record.screenings.map((screening) => screening.code.code)).toEqual([
    '171149006',
    '24606-6',
    '58453-2',
    '73761001',
    'HIV',
    'HepC_screen',
  ]);
});

describe('consent', () => {
  const listed = async (consentProviders: string[]) => {
    const source = await OscarSource.open({ oscarUrl: clinic.url, allowWritableAccount: true });
    try {
      return await listPatients(source, { consentProviders });
    } finally {
      await source.close();
    }
  };

  test.each([
    [['20871'], [1001]],
    [
      ['cpsid:21542', 'msp:77777'],
      [1002, 1006],
    ],
    [
      ['provider:108', '999'],
      [1003, 1004],
    ],
    [['cpsid:55555'], [1007]],
    [['00000'], []],
  ])('ENDPOINT_CONSENT_PROVIDERS %j lists %j', async (entries, expected) => {
    expect(await listed(entries)).toEqual(expected);
  });

  test('a bare number that is one physician’s CPSID and another’s MSP number is refused', async () => {
    const error = await listed(['55555']).catch((thrown: unknown) => thrown);
    expect(isEndpointError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/cpsid:55555, msp:55555 or provider:55555/);
  });
});

test('a lab report routed after the watermark makes the patient changed for a differential run', async () => {
  const first = await OscarSource.open({ oscarUrl: clinic.url, allowWritableAccount: true });
  const watermark = first.snapshotTime;
  await first.close();
  expect(await differential(watermark)).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const sql = await mysql.createConnection({ uri: clinic.url });
  await sql.query(
    "INSERT INTO patientLabRouting (demographic_no, lab_no, lab_type, created) VALUES (1006, 5010, 'HL7', NOW())",
  );
  await sql.query(
    "INSERT INTO patientLabRouting (demographic_no, lab_no, lab_type, created) VALUES (1007, 5011, 'MDS', NOW())",
  );
  await sql.end();
  expect(await differential(watermark)).toEqual([1006]);

  async function differential(since: string): Promise<number[]> {
    const source = await OscarSource.open({ oscarUrl: clinic.url, allowWritableAccount: true });
    try {
      return await listPatients(source, { consentProviders: [], since });
    } finally {
      await source.close();
    }
  }
});

test('the Open-O 2025 schema (foreign keys, no measurementMap) gives the same chart; unmapped lab codes stay the lab’s', async () => {
  const openo = await loadRealClinic(__filename, 'openo-2025');
  const source = await OscarSource.open({ oscarUrl: openo.url, allowWritableAccount: true });
  try {
    expect(source.schema.variant).toBe('latest');
    const reference = await readReferenceData(source);
    const batch = await readBatch(source, 0, [1001], false);
    const built = buildPatientRecord(batch, 1001, reference, {
      includeNoteText: false,
      snapshotTime: source.snapshotTime,
    });
    if (!built.ok) throw new Error(built.reason);
    const { record } = built;
    expect(record.labResults.length).toBe(EXPECTED_1001.labResults);
    expect(record.labResults.find((entry) => entry.id === '102')?.code).toMatchObject({
      code: '-HGB',
      codeSystemName: 'Lab-LocalTestCode',
    });
    expect(record.medications.filter((medication) => medication.status === 'active').length).toBe(
      EXPECTED_1001.activeMedications,
    );
    expect([
      record.immunizations.length,
      record.screenings.length,
      record.alerts.length,
      record.familyHistory.length,
      record.riskFactors.length,
      record.encounters.length,
    ]).toEqual([
      EXPECTED_1001.immunizations,
      EXPECTED_1001.screenings,
      EXPECTED_1001.alerts,
      EXPECTED_1001.familyHistory,
      EXPECTED_1001.riskFactors,
      EXPECTED_1001.encounters,
    ]);
  } finally {
    await source.close();
    await openo.drop();
  }
}, 60_000);
