/**
 * The row → value rules as tables: grants that can write, text repair, dates, blood pressures,
 * notes (latest version, locked never), drugs. Pure functions on rows shaped like mysql2's.
 */
import { parseGrant, writePrivilegesIn, type GrantLine } from '../../exporter/source/grants';
import { dateOf, repairDoubleEncoding, textOf } from '../../exporter/mapping/values';
import { measurementEntries } from '../../exporter/mapping/measurements';
import { medicationsFromDrugs } from '../../exporter/mapping/medications';
import { noteEntries } from '../../exporter/mapping/notes';
import { ProviderDirectory } from '../../exporter/mapping/providers';
import { problemsFromDxresearch, type BuildContext } from '../../exporter/mapping/sections';
import { WarningCollector } from '../../exporter/mapping/warnings';
import type { SqlRow } from '../../exporter/source/oscar-source';
import { retryAfterMs } from '../../exporter/send/gateway-client';
import { waitForBackup } from '../../exporter/schedule';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const context = (): BuildContext => ({
  warnings: new WarningCollector(),
  today: '2025-06-30',
  includeNoteText: true,
  providers: new ProviderDirectory(
    new Map([['101', { provider_no: '101', practitionerNo: '20871', ohip_no: '12345' }]]),
  ),
  reference: {
    providers: new Map(),
    measurementTypes: new Map([['ZZZZ', 'Zed test']]),
    labCodeToLoinc: new Map(),
    icd9Descriptions: new Map([['250', 'DIABETES MELLITUS']]),
    hasLabReportInfo: true,
  },
});
const vitalSignsFromMeasurements = (rows: SqlRow[], build: BuildContext) =>
  measurementEntries({ measurements: rows }, build).vitalSigns;

test.each([
  ['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION', 'oscar', true],
  ['GRANT SELECT ON `oscar`.* TO `ro`@`%`', 'oscar', false],
  ["GRANT USAGE ON *.* TO `ro`@`%` IDENTIFIED BY PASSWORD '*AB'", 'oscar', false],
  ['GRANT SELECT, INSERT ON `oscar`.* TO `rw`@`%`', 'oscar', true],
  ['GRANT SELECT, INSERT ON `other`.* TO `rw`@`%`', 'oscar', false],
  ['GRANT UPDATE (`city`) ON `oscar`.`demographic` TO `u`@`%`', 'oscar', true],
  ['GRANT SELECT ON `osc%`.* TO `u`@`%`', 'oscar', false],
  ['GRANT DELETE ON `osc%`.* TO `u`@`%`', 'oscar', true],
])('grant %s on %s → writable %s', (line, database, writable) => {
  const parsed = parseGrant(line);
  expect(parsed).toBeDefined();
  expect(writePrivilegesIn([parsed as GrantLine], database).length > 0).toBe(writable);
});

test('a granted role is followed', () => {
  expect(parseGrant('GRANT `exporter_role` TO `u`@`%`')).toEqual({ role: 'exporter_role' });
});

test.each([
  ['RÃ©action cutanÃ©e', 'Réaction cutanée'],
  ["Rue de l'Ã‰glise", "Rue de l'Église"],
  ['cafÃ© & crÃ¨me', 'café & crème'],
  ['Réaction', undefined],
  ['Ã la carte', undefined],
  ['plain', undefined],
])('repairDoubleEncoding(%j) → %j', (input, expected) => {
  expect(repairDoubleEncoding(input)).toBe(expected);
});

test.each([
  ['2014-06-12', '2014-06-12', []],
  ['2014-06-12 10:30:05', '2014-06-12T10:30:05', []],
  ['2014-06-12 00:00:00', '2014-06-12', []],
  ['0000-00-00', undefined, ['ZERO_DATE']],
  ['0001-01-01 00:00:00', undefined, ['ZERO_DATE']],
  ['2014-02-30', undefined, ['INVALID_DATE']],
  [null, undefined, []],
])('dateOf(%j) → %j with warnings %j', (raw, expected, codes) => {
  const warnings = new WarningCollector();
  expect(dateOf({ d: raw }, 'd', warnings, { section: 'problems', column: 't.d' })).toBe(expected);
  expect(warnings.list().map((warning) => warning.code)).toEqual(codes);
});

test('text with control characters is made XML-safe and warned about, never thrown', () => {
  const warnings = new WarningCollector();
  expect(textOf({ t: 'Pasted\x01report\x0B' }, 't', warnings, { section: 'encounters', column: 'n.t' })).toBe(
    'Pasted report',
  );
  expect(warnings.list().map((warning) => warning.code)).toEqual(['TEXT_REPLACED']);
});

test.each([
  ['120/80', { systolic: 120, diastolic: 80 }, []],
  [' 135 / 85 ', { systolic: 135, diastolic: 85 }, []],
  ['120/', undefined, ['BAD_BLOOD_PRESSURE']],
  ['abc', undefined, ['BAD_BLOOD_PRESSURE']],
  ['120/80/70', undefined, ['BAD_BLOOD_PRESSURE']],
  ['130 / 85 sitting', undefined, ['BAD_BLOOD_PRESSURE']],
])('BP %j → %j', (value, expected, codes) => {
  const build = context();
  const signs = vitalSignsFromMeasurements(
    [{ id: 1, demographic_no: 1, type: 'BP', dataField: value, dateObserved: '2024-01-02 10:00:00' }],
    build,
  );
  expect(signs[0]?.bloodPressure).toEqual(expected);
  expect(build.warnings.list().map((warning) => warning.code)).toEqual(codes);
});

test('measurements without a lab report: every type (LOINC where known, else the OSCAR type as a local code), flowsheet labs to lab results, text kept', () => {
  const build = context();
  const { vitalSigns: signs, labResults } = measurementEntries(
    {
      measurements: [
        { id: 1, type: 'WT', dataField: '81.5', dateObserved: '2024-01-02 10:00:00' },
        { id: 2, type: 'A1C', dataField: '7.1', dateObserved: '2024-01-02 10:00:00' },
        { id: 3, type: 'HT', dataField: 'tall', dateObserved: '2024-01-02 10:00:00' },
        { id: 4, type: 'ZZZZ', dataField: '1', dateObserved: '2024-01-02 10:00:00' },
        { id: 5, type: '', dataField: '1', dateObserved: '2024-01-02 10:00:00' },
        { id: 6, type: 'WT', dataField: ' ', dateObserved: '2024-01-02 10:00:00' },
      ],
    },
    build,
  );
  expect(signs).toEqual([
    {
      id: '1',
      code: expect.objectContaining({ code: '3141-9' }),
      value: { quantity: 81.5, unit: 'kg' },
      time: '2024-01-02T10:00:00',
    },
    {
      id: '3',
      code: expect.objectContaining({ code: '8302-2' }),
      value: { text: 'tall' },
      time: '2024-01-02T10:00:00',
    },
    {
      id: '4',
      code: {
        code: 'ZZZZ',
        codeSystem: '2.16.840.1.113883.3.3331.2.1',
        codeSystemName: 'OSCAR-MeasurementType',
        displayName: 'Zed test',
      },
      value: { quantity: 1 },
      time: '2024-01-02T10:00:00',
    },
  ]);
  expect(labResults).toEqual([
    {
      id: '2',
      code: expect.objectContaining({ code: '4548-4' }),
      name: 'Hemoglobin A1c',
      value: { quantity: 7.1, unit: '%' },
      time: '2024-01-02T10:00:00',
    },
  ]);
  expect(
    build.warnings
      .list()
      .map((warning) => warning.code)
      .sort(),
  ).toEqual(['BAD_MEASUREMENT_VALUE', 'LOCAL_MEASUREMENT_CODE', 'UNMAPPED_MEASUREMENT']);
});

test('notes: the latest version of each uuid; a note whose latest version is locked, protected or archived is left out', () => {
  const note = (id: number, uuid: string, update: string, extra: Record<string, string | number> = {}) => ({
    note_id: id,
    uuid,
    update_date: update,
    observation_date: '2024-01-01 09:00:00',
    provider_no: '101',
    archived: 0,
    locked: '0',
    has_password: 0,
    note: `text ${id}`,
    ...extra,
  });
  const { encounters } = noteEntries(
    {
      notes: [
        note(1, 'a', '2024-01-01 10:00:00'),
        note(2, 'a', '2024-01-02 10:00:00'),
        note(3, 'b', '2024-01-01 10:00:00'),
        note(4, 'b', '2024-01-03 10:00:00', { locked: '1' }),
        note(5, 'c', '2024-01-01 10:00:00', { has_password: 1 }),
        note(6, 'd', '2024-01-01 10:00:00', { archived: 1 }),
      ],
    },
    context(),
  );
  expect(encounters.map((encounter) => [encounter.id, encounter.text])).toEqual([['2', 'text 2']]);
});

test('drugs: DIN, route, form, PRN, status from archived and end date; zero end date means none', () => {
  const medications = medicationsFromDrugs(
    [
      {
        drugid: 1,
        regional_identifier: '2230713',
        ATC: 'C10AA05',
        BN: 'LIPITOR 20MG',
        GN: 'ATORVASTATIN',
        takemin: 1,
        takemax: 1,
        unit: 'tab',
        freqcode: 'OD',
        route: 'PO',
        drug_form: 'TABLET (CHEWABLE)',
        prn: 0,
        long_term: 1,
        rx_date: '2024-01-03',
        end_date: '0001-01-01',
        archived: 0,
        provider_no: '101',
      },
      {
        drugid: 2,
        regional_identifier: 'n/a',
        BN: 'X',
        takemin: 1,
        takemax: 2,
        unit: 'tab',
        route: 'ZZ',
        drug_form: 'GOO',
        prn: 1,
        rx_date: '2024-01-02',
        end_date: '2024-02-01',
        archived: 0,
      },
      { drugid: 3, BN: 'Y', rx_date: '2024-01-01', end_date: '2030-01-01', archived: 1 },
    ],
    context(),
  );
  expect(medications.map((medication) => medication.id)).toEqual(['1', '2', '3']);
  expect(medications[0]).toMatchObject({
    din: { code: '02230713' },
    atc: { code: 'C10AA05' },
    name: 'ATORVASTATIN',
    brandName: 'LIPITOR 20MG',
    route: { code: 'PO' },
    form: { code: 'TAB' },
    prn: false,
    longTerm: true,
    status: 'active',
    dose: { quantity: 1, unit: 'tab' },
    prescriberId: '20871',
  });
  expect(medications[0].end).toBeUndefined();
  expect(medications[1]).toMatchObject({ prn: true, status: 'completed', dose: { text: '1-2 tab' } });
  expect(medications[1].din).toBeUndefined();
  expect(medications[2].status).toBe('aborted');
});

test('dxresearch: NULL status is a warning, deleted rows are left out, unknown coding systems uncoded', () => {
  const build = context();
  const problems = problemsFromDxresearch(
    [
      { dxresearch_no: 1, dxresearch_code: '250', coding_system: 'icd9', status: 'A', start_date: '2020-01-01' },
      { dxresearch_no: 2, dxresearch_code: '401', coding_system: 'icd9', status: null, start_date: '2020-01-01' },
      { dxresearch_no: 3, dxresearch_code: '401', coding_system: 'icd9', status: 'D', start_date: '2020-01-01' },
      { dxresearch_no: 4, dxresearch_code: 'X1', coding_system: 'ichppccode', status: 'A', start_date: '2020-01-01' },
    ],
    build,
  );
  expect(problems.map((problem) => [problem.id, problem.status, problem.code?.code])).toEqual([
    ['1', 'active', '250'],
    ['2', undefined, '401'],
    ['4', 'active', undefined],
  ]);
  expect(build.warnings.list().map((warning) => warning.code)).toEqual([
    'MISSING_PROBLEM_STATUS',
    'UNKNOWN_CODING_SYSTEM',
  ]);
});

test.each([
  ['5', 5000],
  [' 0 ', 0],
  [undefined, undefined],
  ['soon', undefined],
])('Retry-After %j → %j ms', (header, expected) => {
  expect(retryAfterMs(header)).toBe(expected);
});

test('waitForBackup: waits for a marker newer than the last run, gives up after the wait limit', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'export-marker-'));
  const marker = path.join(dir, 'backup.done');
  const lastRun = new Date();
  expect(await waitForBackup({ marker, newerThan: lastRun, waitMs: 100, pollMs: 20 })).toBe(false);
  writeFileSync(marker, '');
  utimesSync(marker, new Date(lastRun.getTime() - 60_000), new Date(lastRun.getTime() - 60_000));
  expect(await waitForBackup({ marker, newerThan: lastRun, waitMs: 100, pollMs: 20 })).toBe(false);
  setTimeout(() => utimesSync(marker, new Date(), new Date(lastRun.getTime() + 5000)), 50);
  try {
    expect(await waitForBackup({ marker, newerThan: lastRun, waitMs: 2000, pollMs: 20 })).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
