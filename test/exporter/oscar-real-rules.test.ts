/**
 * OSCAR's export rules on OSCAR's real 12.1 schema (its own DDL, test/fixtures/oscar-real): the real OscarSource reads
 * one batch (one query per table), the mapping builds each record, and each rule is checked as a researcher would
 * count it: entries per section, statuses, codes and their systems, the physicians' CPSIDs, the warnings counted.
 * Nothing aborts: every active patient is built, the bad rows become warnings.
 */
import type { DataWarning, PatientRecord } from '../../e2e/index';
import { ID_OIDS } from '../../e2e/vocab/oids';
import { CODE_SYSTEM_OID } from '../../e2e/vocab/code-systems';
import { buildPatientRecord } from '../../exporter/mapping/patient-record';
import {
  CLINICAL_TABLES,
  listPatients,
  readBatch,
  readReferenceData,
  type PatientBatch,
  type ReferenceData,
} from '../../exporter/source/extract';
import { OscarSource } from '../../exporter/source/oscar-source';
import { loadRealClinic, type RealClinic } from '../fixtures/oscar-real/load';
import { ACTIVE_PATIENTS, EXPECTED_1001 } from '../fixtures/oscar-real/rows';

let clinic: RealClinic;
let source: OscarSource;
let reference: ReferenceData;
let batch: PatientBatch;
let batchQueries: number;
const records = new Map<number, PatientRecord>();
const warnings = new Map<number, DataWarning[]>();

beforeAll(async () => {
  clinic = await loadRealClinic(__filename, '12.1');
  source = await OscarSource.open({ oscarUrl: clinic.url, allowWritableAccount: true });
  reference = await readReferenceData(source);
  const patients = await listPatients(source, { consentProviders: [] });
  const before = source.queryCount;
  batch = await readBatch(source, 0, patients, true);
  batchQueries = source.queryCount - before;
  for (const demographicNo of patients) {
    const built = buildPatientRecord(batch, demographicNo, reference, {
      includeNoteText: true,
      snapshotTime: source.snapshotTime,
    });
    if (!built.ok) throw new Error(`${demographicNo}: ${built.reason}`);
    records.set(demographicNo, built.record);
    warnings.set(demographicNo, built.warnings);
  }
}, 60_000);

afterAll(async () => {
  await source?.close();
  await clinic?.drop();
});

const chart = () => records.get(1001) as PatientRecord;
const codesOf = (demographicNo: number) => new Set((warnings.get(demographicNo) ?? []).map((warning) => warning.code));

test('the 12.1 schema is recognised and every active patient is built (the inactive one is not listed)', () => {
  expect(source.schema.variant).toBe('12.1');
  expect([...records.keys()]).toEqual([...ACTIVE_PATIENTS]);
});

test('one query per table per batch', () => {
  expect(batchQueries).toBe(CLINICAL_TABLES.length);
  expect(CLINICAL_TABLES.length).toBe(12);
});

test('entries per section of the rich chart, as a researcher counts them', () => {
  const record = chart();
  expect({
    medications: record.medications.length,
    activeMedications: record.medications.filter((medication) => medication.status === 'active').length,
    problems: record.problems.length,
    allergies: record.allergies.length,
    immunizations: record.immunizations.length,
    screenings: record.screenings.length,
    labResults: record.labResults.length,
    reportedLabResults: record.labResults.filter((result) => result.reportId !== undefined).length,
    vitalSigns: record.vitalSigns.length,
    encounters: record.encounters.length,
    alerts: record.alerts.length,
    familyHistory: record.familyHistory.length,
    riskFactors: record.riskFactors.length,
  }).toEqual(EXPECTED_1001);
});

describe('medications', () => {
  const byName = (name: string) => chart().medications.find((medication) => medication.name === name);

  test('repeat prescriptions of one DIN are one drug, newest first, with their own dates, doses and prescribers', () => {
    const statin = byName('ATORVASTATIN');
    expect(statin).toMatchObject({
      din: { code: '02230713' },
      atc: { code: 'C10AA05' },
      brandName: 'LIPITOR',
      strength: { quantity: 20, unit: 'mg' },
      longTerm: true,
      start: '2019-07-09',
      end: '2019-10-07',
    });
    expect(
      statin?.prescriptions?.map((prescription) => [
        prescription.id,
        prescription.start,
        prescription.end,
        prescription.written,
        prescription.status,
        prescription.prescriberId,
      ]),
    ).toEqual([
      ['13', '2019-07-09', '2019-10-07', '2019-07-08', 'active', '20871'],
      ['12', '2019-04-10', '2019-07-09', '2019-04-09', 'completed', '77777'],
      ['11', '2019-01-10', '2019-04-10', '2019-01-10', 'completed', '21542'],
    ]);
    expect(statin?.prescriptions?.[0]).toMatchObject({
      dose: { quantity: 1, unit: 'tab' },
      frequency: 'OD',
      duration: { value: 90, unit: 'd' },
      route: { code: 'PO' },
    });
  });

  test("OSCAR's status at the snapshot date: long term (ended) active, end date ahead active, zero end date not active, archived newest aborted", () => {
    expect(Object.fromEntries(chart().medications.map((medication) => [medication.name, medication.status]))).toEqual({
      ATORVASTATIN: 'active',
      METFORMIN: 'active',
      AMOXICILLIN: 'completed',
      'Fish oil': 'completed',
      RAMIPRIL: 'aborted',
      LEVOTHYROXINE: 'active',
    });
    expect(byName('RAMIPRIL')?.prescriptions?.map((prescription) => prescription.status)).toEqual([
      'aborted',
      'active',
    ]);
    expect(byName('Fish oil')?.end).toBeUndefined();
  });

  test('a drug without DIN is grouped by ATC, else by name; dose ranges, PRN, frequency, strength only when parseable', () => {
    expect(byName('AMOXICILLIN')).toMatchObject({ atc: { code: 'J01CA04' }, frequency: 'TID', form: { code: 'CAP' } });
    expect(byName('AMOXICILLIN')?.din).toBeUndefined();
    expect(byName('METFORMIN')).toMatchObject({
      dose: { text: '1-2 tab' },
      prn: true,
      frequency: 'BID',
      strength: { quantity: 500, unit: 'mg' },
    });
    expect(byName('Fish oil')?.strength).toBeUndefined();
    expect(byName('LEVOTHYROXINE')?.strength).toEqual({ quantity: 100, unit: 'ug' });
  });
});

test('problems keep their code system; descriptions come from the icd9 table; deleted rows are left out', () => {
  expect(
    chart().problems.map((problem) => [
      problem.code?.code,
      problem.code?.codeSystem,
      problem.status,
      problem.description,
    ]),
  ).toEqual([
    ['250', CODE_SYSTEM_OID.icd9, 'active', 'DIABETES MELLITUS'],
    ['401', CODE_SYSTEM_OID.icd9, 'resolved', 'ESSENTIAL HYPERTENSION'],
    ['E78.5', CODE_SYSTEM_OID.icd10, 'active', undefined],
    [undefined, undefined, 'active', undefined],
    ['496', CODE_SYSTEM_OID.icd9, 'inactive', 'CHRONIC AIRWAY OBSTRUCTION, NOT ELSEWHERE CLASSIFIED'],
  ]);
  expect(chart().allergies.map((allergy) => [allergy.description, allergy.status])).toEqual([
    ['PENICILLINS', 'active'],
    ['CODEINE', 'inactive'],
  ]);
});

test('immunizations: vaccine ATC codes, refused and ineligible not given with their reason, deleted left out, unknown types kept as local codes', () => {
  expect(
    chart().immunizations.map((immunization) => [
      immunization.id,
      immunization.code?.code,
      immunization.code?.codeSystemName,
      immunization.refused,
      immunization.notGivenReason,
    ]),
  ).toEqual([
    ['501', 'J07BB', 'whoATC', false, undefined],
    ['502', 'J07BB', 'whoATC', true, 'refused'],
    ['503', 'J07AL01', 'whoATC', true, 'ineligible'],
    ['504', 'J07AH07', 'whoATC', false, undefined],
    ['505', 'J07BK03', 'whoATC', false, undefined],
    ['513', 'OtherA', 'OSCAR-PreventionType', false, undefined],
    ['514', 'Zostavax-X', 'OSCAR-PreventionType', false, undefined],
    ['515', 'J07CA09', 'whoATC', false, undefined],
    ['516', 'J07BN', 'whoATC', false, undefined],
  ]);
  expect(chart().immunizations[0]).toMatchObject({
    name: 'FLUZONE QUADRIVALENT',
    lot: 'A12345',
    site: 'left deltoid',
    route: { code: 'IM' },
    date: '2024-10-15',
  });
});

test('screenings go to their own section, SNOMED CT / LOINC where a standard code exists, else the OSCAR type', () => {
  expect(
    chart().screenings.map((screening) => [
      screening.name,
      screening.code.code,
      screening.code.codeSystem,
      screening.refused,
    ]),
  ).toEqual([
    ['PAP', '171149006', CODE_SYSTEM_OID.snomed, false],
    ['MAM', '24606-6', CODE_SYSTEM_OID.loinc, true],
    ['FOBT', '58453-2', CODE_SYSTEM_OID.loinc, false],
    ['COLONOSCOPY', '73761001', CODE_SYSTEM_OID.snomed, false],
    ['HIV', 'HIV', CODE_SYSTEM_OID.oscarPreventionType, false],
    ['HepC screen', 'HepC_screen', CODE_SYSTEM_OID.oscarPreventionType, false],
  ]);
});

describe('labs', () => {
  test('results of routed reports in report and OBX order, coded by the lab identifier (pCLOCD, measurementMap LOINC, else the lab code)', () => {
    expect(
      chart().labResults.map((result) => [result.id, result.reportId, result.code.code, result.code.codeSystemName]),
    ).toEqual([
      ['101', '5001', '14682-9', 'pCLOCD'],
      ['103', '5001', '2823-3', 'pCLOCD'],
      ['102', '5001', '718-7', 'LOINC'],
      ['104', '5001', 'X10019', 'Lab-LocalTestCode'],
      ['105', '5001', 'X500', 'Lab-LocalTestCode'],
      ['106', '5001', '4548-4', 'pCLOCD'],
      ['111', '5002', '6301-6', 'pCLOCD'],
      ['112', '5002', '33914-3', 'pCLOCD'],
      ['121', '5003', '3016-3', 'pCLOCD'],
      ['205', undefined, '4548-4', 'LOINC'],
    ]);
  });

  test("each result with the lab's unit, value, interpretation, range, time, report status and accession", () => {
    const byId = new Map(chart().labResults.map((result) => [result.id, result]));
    expect(byId.get('103')).toEqual({
      id: '103',
      code: expect.objectContaining({ displayName: 'Potassium' }),
      name: 'Potassium',
      value: { quantity: 5.9, unit: 'mmol/L' },
      referenceRange: { low: 3.5, high: 5, text: '3.5-5.0' },
      interpretation: 'H',
      time: '2024-05-01T08:00:00',
      reportId: '5001',
      status: 'final',
      accession: 'ACC-5001',
    });
    expect(byId.get('102')?.referenceRange).toEqual({ low: 120, high: 160 });
    expect(byId.get('104')?.value).toEqual({ text: 'Staphylococcus aureus' });
    expect(byId.get('105')?.value).toBeUndefined();
    expect(byId.get('111')).toMatchObject({
      value: { quantity: 2.6, unit: 'furlongs' },
      time: '2024-06-02T09:15:00',
      status: 'preliminary',
      accession: 'ACC-5002',
    });
    expect(byId.get('112')?.value).toEqual({ text: '55 see comment' });
    expect(byId.get('121')?.status).toBeUndefined();
    expect(byId.has('131') || byId.has('132')).toBe(false);
    expect(records.get(1002)?.labResults.map((result) => [result.id, result.referenceRange])).toEqual([
      ['141', { high: 6.1, text: '<6.1' }],
    ]);
  });

  test('measurements without a lab report are vital signs, every type: LOINC where known, else the OSCAR type with its description', () => {
    expect(
      chart().vitalSigns.map((sign) => [sign.id, sign.code.code, sign.code.codeSystemName, sign.code.displayName]),
    ).toEqual([
      ['201', '55284-4', 'LOINC', 'Blood pressure'],
      ['202', '3141-9', 'LOINC', 'Body weight'],
      ['203', '8302-2', 'LOINC', 'Body height'],
      ['204', 'SMK', 'OSCAR-MeasurementType', 'Smoking status'],
      ['207', '11428-0', 'LOINC', 'Foot exam'],
    ]);
    expect(chart().vitalSigns[0].bloodPressure).toEqual({ systolic: 132, diastolic: 84 });
    expect(chart().vitalSigns[3].value).toEqual({ text: 'yes' });
  });
});

describe('CPP notes', () => {
  test('alerts and risk factors (latest revision per uuid; archived inactive); OMeds notes go nowhere', () => {
    expect(chart().alerts.map((alert) => [alert.id, alert.status, alert.text])).toEqual([
      ['305', 'active', 'note 305 text'],
      ['306', 'inactive', 'note 306 text'],
    ]);
    expect(chart().riskFactors.map((risk) => [risk.id, risk.kind, risk.status])).toEqual([
      ['310', 'riskFactor', 'active'],
      ['312', 'socialHistory', 'active'],
    ]);
  });

  test('family history: relationship through OSCAR e2eprrcode words (else OTH, none UNK), ICD9 from billing_code or a linked ICD9 issue, age at onset', () => {
    expect(
      chart().familyHistory.map((entry) => [
        entry.id,
        entry.relationship?.code,
        entry.relationship?.displayName,
        entry.condition?.code,
        entry.condition?.displayName,
        entry.ageAtOnset,
      ]),
    ).toEqual([
      ['307', 'MTH', 'Mother', '250', 'DIABETES MELLITUS', 55],
      ['308', 'OTH', 'Godmother', '401', 'ESSENTIAL HYPERTENSION', undefined],
      ['309', 'UNK', undefined, undefined, undefined, undefined],
    ]);
  });

  test('CPP notes are never encounters; a note whose issue is gone is one; locked notes are nowhere', () => {
    expect(chart().encounters.map((encounter) => [encounter.id, encounter.providerId])).toEqual([
      ['302', '20871'],
      ['314', '20871'],
      ['315', '20871'],
      ['316', '20871'],
    ]);
    const everywhere = [...chart().encounters, ...chart().alerts, ...chart().familyHistory, ...chart().riskFactors].map(
      (entry) => entry.id,
    );
    expect(everywhere).not.toContain('303');
    expect(everywhere).not.toContain('317');
  });
});

test('physicians are their CPSID, else the MSP number, else the OSCAR number under its own root', () => {
  const author = (demographicNo: number) => records.get(demographicNo)?.document.author;
  expect(author(1001)).toMatchObject({ id: '20871', idRoot: ID_OIDS.cpsid, name: { family: 'Tremblay' } });
  expect(author(1002)).toMatchObject({ id: '77777', idRoot: ID_OIDS.mspBilling });
  expect(author(1003)).toMatchObject({ id: '108', idRoot: ID_OIDS.oscar });
  expect(author(1004)).toMatchObject({ id: '999', idRoot: ID_OIDS.oscar });
  expect(records.get(1002)?.medications[0]).toMatchObject({ prescriberId: '108', prescriberIdRoot: ID_OIDS.oscar });
  expect(records.get(1002)?.encounters[0]).toMatchObject({ providerId: '77777', providerIdRoot: ID_OIDS.mspBilling });
  expect(records.get(1001)?.medications[0].prescriberIdRoot).toBeUndefined();
  for (const demographicNo of [1002, 1003, 1004]) expect(codesOf(demographicNo)).toContain('PROVIDER_WITHOUT_CPSID');
  expect(codesOf(1006)).not.toContain('PROVIDER_WITHOUT_CPSID');
});

test('the bad rows of the chart are counted, coded warnings, and nothing else is', () => {
  expect([...codesOf(1001)].sort()).toEqual(
    [
      'BAD_BLOOD_PRESSURE',
      'BAD_MEASUREMENT_VALUE',
      'CPP_ISSUE_MISSING',
      'LAB_REPORT_INFO_MISSING',
      'LAB_REPORT_MISSING',
      'LAB_RESULT_WITHOUT_VALUE',
      'LOCAL_MEASUREMENT_CODE',
      'LOCAL_PREVENTION_CODE',
      'PROVIDER_WITHOUT_CPSID',
      'UNKNOWN_CODING_SYSTEM',
      'UNKNOWN_PREVENTION_TYPE',
      'UNKNOWN_RELATIONSHIP',
      'UNKNOWN_UNIT',
    ].sort(),
  );
  const messages = (warnings.get(1001) ?? []).map((warning) => warning.message).join('\n');
  expect(messages).not.toMatch(/Fixture1001|Pat|note \d+ text|Mother|Godmother/);
});

test('without note text the CPP sections and encounters carry none', async () => {
  const plain = await readBatch(source, 1, [1001], false);
  const built = buildPatientRecord(plain, 1001, reference, {
    includeNoteText: false,
    snapshotTime: source.snapshotTime,
  });
  expect(built.ok).toBe(true);
  if (!built.ok) return;
  const texts = [
    ...built.record.encounters,
    ...built.record.alerts,
    ...built.record.familyHistory,
    ...built.record.riskFactors,
  ].map((entry) => entry.text);
  expect(texts.length).toBe(
    EXPECTED_1001.encounters + EXPECTED_1001.alerts + EXPECTED_1001.familyHistory + EXPECTED_1001.riskFactors,
  );
  expect(texts.filter((text) => text !== undefined)).toEqual([]);
});
