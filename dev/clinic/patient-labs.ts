/**
 * A synthetic patient's uploaded HL7 lab reports, stored as OSCAR's lab upload stores them
 * (oscarLab Hl7textResultsData): per report one hl7TextInfo row and one patientLabRouting row
 * (lab_type 'HL7'); per OBX result one `measurements` row (providerNo '0', type = the flowsheet
 * type when measurementMap maps the test, else '', dateObserved = the result time) and its
 * measurementsExt rows in OSCAR's order (lab_no, abnormal A/L/N, identifier, name, labname,
 * accession, request_datetime, datetime, olis_status, unit, range or minimum/maximum, other_id
 * "OBR-OBX"). Which batteries a patient gets follows their problems, drugs, age and sex.
 * Dirt: text and empty results, unknown units, results whose report is missing.
 */
import { LAB_TEXT_RESULTS, UNKNOWN_LAB_UNITS } from './dirt';
import { hasCondition, type GeneratorSetup, type Patient } from './patient';
import { MEASUREMENT_KINDS } from './vocabulary-clinical';
import {
  LAB_BATTERIES,
  LAB_BATTERIES_BY_DRUG,
  LAB_BATTERIES_BY_PROBLEM,
  LAB_TESTS,
  LABORATORIES,
  REPORT_STATUSES,
  type LabTest,
  type Laboratory,
} from './vocabulary-labs';

/** OSCAR's split of a reference range (Hl7textResultsData.splitRefRange): [range text, minimum, maximum]. */
export function splitRefRange(text: string): readonly [range: string, minimum: string, maximum: string] {
  const trimmed = text.trim();
  if (trimmed === '') return ['', '', ''];
  const textual = [...trimmed].some(
    (character, i) => !'-. 0123456789'.includes(character) && (i > 0 || (character !== '>' && character !== '<')),
  );
  if (textual) return [trimmed, '', ''];
  if (trimmed.startsWith('>')) return ['', trimmed.slice(1).trim(), ''];
  if (trimmed.startsWith('<')) return ['', '', trimmed.slice(1).trim()];
  const parts = trimmed.split('-');
  return parts.length === 2 ? ['', (parts[0] as string).trim(), (parts[1] as string).trim()] : [trimmed, '', ''];
}

/** A test's range as measurementsExt rows, and the numeric bounds its abnormal flag is decided by. */
interface RangeFacts {
  readonly ext: readonly (readonly [string, string])[];
  readonly low: number;
  readonly high: number;
}

const RANGE_FACTS: ReadonlyMap<string, RangeFacts> = new Map(
  [...LAB_TESTS.values()].map((test) => {
    const [range, minimum, maximum] = splitRefRange(test.range);
    const ext: [string, string][] = range !== '' ? [['range', range]] : [];
    if (minimum !== '') ext.push(['minimum', minimum]);
    if (maximum !== '') ext.push(['maximum', maximum]);
    const between = /(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)/.exec(test.range);
    const below = /<(\d+(?:\.\d+)?)/.exec(test.range);
    const above = />(\d+(?:\.\d+)?)/.exec(test.range);
    const low = between !== null ? Number(between[1]) : above !== null ? Number(above[1]) : -Infinity;
    const high = between !== null ? Number(between[2]) : below !== null ? Number(below[1]) : Infinity;
    return [test.key, { ext, low, high }];
  }),
);

/** The batteries the patient's labs include, with the chance each is in a draw. */
function batteryChances(patient: Patient, drugs: ReadonlySet<string>, lab: Laboratory): Map<string, number> {
  const { random } = patient;
  const chances = new Map<string, number>();
  const add = (batteries: readonly (readonly [battery: string, chance: number])[]): void => {
    for (const [battery, chance] of batteries) {
      const key = battery === 'ACR' ? lab.acrBattery : battery;
      chances.set(key, Math.max(chances.get(key) ?? 0, chance));
    }
  };
  for (const condition of patient.conditions) add(LAB_BATTERIES_BY_PROBLEM.get(condition.icd9) ?? []);
  for (const drug of drugs) add(LAB_BATTERIES_BY_DRUG.get(drug) ?? []);
  if (patient.ageYears >= 40 && random.chance(0.4)) add([['LIPID', 0.8]]);
  if (patient.ageYears >= 18 && random.chance(0.25))
    add([
      ['CBC', 0.6],
      ['GLU', 0.4],
    ]);
  // Men ≥ 50 at every draw (draws go back 4 years).
  if (patient.sex === 'M' && patient.ageYears >= 54 && random.chance(0.25)) add([['PSA', 0.7]]);
  return chances;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** A result value drawn for the patient (diabetics' A1C and glucose, CKD's eGFR and creatinine, warfarin's INR …). */
function resultValue(patient: Patient, test: LabTest): string {
  const { random } = patient;
  const diabetic = hasCondition(patient, '250');
  const ckd = hasCondition(patient, '585');
  let value: number;
  if (test.key === 'A1C') value = clamp(random.normal(diabetic ? 7.6 : 5.6, diabetic ? 1.2 : 0.3), 5, 11);
  else if (test.key === 'FBS') value = clamp(random.normal(diabetic ? 8 : 5.3, diabetic ? 2 : 0.6), 3, 25);
  else if (test.key === 'EGFR') value = clamp(random.normal(ckd ? 42 : 80, ckd ? 12 : 16), 8, 120);
  else if (test.key === 'SCR') value = Math.max(30, random.normal(ckd ? 160 : 84, ckd ? 50 : 20));
  else if (test.key === 'K' && ckd) value = random.normal(4.9, 0.5);
  else if (test.key === 'HGB') value = random.normal(patient.sex === 'F' ? 132 : 148, 12);
  else value = Math.max(test.mean / 5, random.normal(test.mean, test.sd));
  return value.toFixed(test.decimals);
}

/** OSCAR's stored flag: A (abnormal, also for high), L (low), N; a few H as other versions keep it. */
function abnormalFlag(patient: Patient, test: LabTest, value: string): string {
  const facts = RANGE_FACTS.get(test.key) as RangeFacts;
  const number = Number(value);
  if (value === '' || Number.isNaN(number)) return value === 'Positive' ? 'A' : 'N';
  if (number < facts.low) return 'L';
  if (number > facts.high) return patient.random.chance(0.15) ? 'H' : 'A';
  return 'N';
}

interface ReportContext {
  readonly labNo: number;
  readonly lab: Laboratory;
  readonly accession: string;
  readonly status: 'F' | 'P' | 'C';
  readonly collectedMs: number;
  readonly enteredMs: number;
}

/** Writes one report's results (measurements + measurementsExt); returns how many, and whether any is abnormal. */
function writeResults(
  setup: GeneratorSetup,
  patient: Patient,
  report: ReportContext,
  batteries: readonly string[],
  planted: Set<string>,
): { results: number; abnormal: boolean } {
  const { calendar, rows, ids } = setup;
  const { random, demographicNo, dirt } = patient;
  const collected = calendar.dateTime(report.collectedMs);
  const entered = calendar.dateTime(report.enteredMs);
  let results = 0;
  let anyAbnormal = false;
  const withComment = random.chance(0.08);
  batteries.forEach((batteryKey, obr) => {
    const battery = LAB_BATTERIES.get(batteryKey);
    if (battery === undefined) return;
    const resultTime = calendar.dateTime(calendar.later(report.collectedMs, random.int(120, 2160)));
    const tests = obr === 0 && withComment ? [...battery.tests, 'COMMENT'] : battery.tests;
    tests.forEach((testKey, obx) => {
      const test = LAB_TESTS.get(testKey) as LabTest;
      let value = test.texts !== undefined ? random.pick(test.texts) : resultValue(patient, test);
      let unit = test.unit;
      if (test.texts === undefined && dirt.has('labResultText') && !planted.has('labResultText')) {
        value = random.pick(LAB_TEXT_RESULTS);
        planted.add('labResultText');
        setup.dirt.plant('labResultText', demographicNo);
      } else if (test.texts === undefined && dirt.has('labResultEmpty') && !planted.has('labResultEmpty')) {
        value = '';
        planted.add('labResultEmpty');
        setup.dirt.plant('labResultEmpty', demographicNo);
      }
      if (unit !== '' && dirt.has('unknownLabUnit') && !planted.has('unknownLabUnit')) {
        unit = random.pick(UNKNOWN_LAB_UNITS);
        planted.add('unknownLabUnit');
        setup.dirt.plant('unknownLabUnit', demographicNo);
      }
      const abnormal = test.texts !== undefined ? 'N' : abnormalFlag(patient, test, value);
      anyAbnormal ||= abnormal !== 'N';
      const id = ids.take('measurements');
      const type = test.flowsheetType ?? '';
      rows.add('measurements', [
        id,
        type,
        demographicNo,
        '0',
        value,
        type === '' ? '' : (MEASUREMENT_KINDS.get(type)?.instruction ?? ''),
        '',
        resultTime,
        entered,
        0,
      ]);
      const ext: (readonly [string, string])[] = [
        ['lab_no', String(report.labNo)],
        ['abnormal', abnormal],
        ['identifier', test.identifier],
        ['name', test.name],
        ['labname', report.lab.name],
        ['accession', report.accession],
        ['request_datetime', collected],
        ['datetime', resultTime],
        ['olis_status', report.status],
      ];
      if (unit !== '') ext.push(['unit', unit]);
      ext.push(...(RANGE_FACTS.get(test.key) as RangeFacts).ext, ['other_id', `${obr}-${obx}`]);
      for (const [keyval, val] of ext) rows.add('measurementsExt', [ids.take('measurementsExt'), id, keyval, val]);
      results += 1;
    });
  });
  return { results, abnormal: anyAbnormal };
}

function pickBatteries(patient: Patient, chances: ReadonlyMap<string, number>): string[] {
  const chosen = [...chances].filter(([, chance]) => patient.random.chance(chance)).map(([battery]) => battery);
  if (chosen.length > 0) return chosen;
  let best = '';
  let bestChance = -1;
  for (const [battery, chance] of chances) if (chance > bestChance) [best, bestChance] = [battery, chance];
  return [best];
}

/** Writes the patient's lab reports (and, when planted, results of a report that does not exist). */
export function writeLabReports(setup: GeneratorSetup, patient: Patient, drugs: ReadonlySet<string>): void {
  const { calendar, rows, ids } = setup;
  const { random, demographicNo } = patient;
  const lab = random.pick(LABORATORIES);
  const chances = batteryChances(patient, drugs, lab);
  const planted = new Set<string>();
  const draws: string[][] = [];
  if (chances.size > 0) {
    const count = hasCondition(patient, '250') ? random.int(2, 4) : random.int(1, 2);
    for (let i = 0; i < count; i++) draws.push(pickBatteries(patient, chances));
    if (drugs.has('warfarin')) for (let i = random.int(2, 4); i > 0; i--) draws.push(['INR']);
  }
  const requester = `${patient.provider.lastName.toUpperCase()}, ${patient.provider.firstName.toUpperCase()}`;
  for (const batteries of draws) {
    const labNo = ids.take('labNo');
    const collectedMs = calendar.visit(random, patient.joinedMs, 4 * 365);
    const enteredMs = calendar.later(collectedMs, random.int(2200, 3000));
    const status = random.weighted(REPORT_STATUSES, ([, weight]) => weight)[0];
    const accession = `${calendar.date(collectedMs).slice(2, 4)}-${random.digits(9)}`;
    const report: ReportContext = { labNo, lab, accession, status, collectedMs, enteredMs };
    const { results, abnormal } = writeResults(setup, patient, report, batteries, planted);
    rows.add('patientLabRouting', [
      ids.take('patientLabRouting'),
      demographicNo,
      labNo,
      'HL7',
      calendar.dateTime(enteredMs),
    ]);
    const disciplines = [...new Set(batteries.map((key) => LAB_BATTERIES.get(key)?.discipline ?? 'CHEM'))];
    rows.add('hl7TextInfo', [
      ids.take('hl7TextInfo'),
      labNo,
      patient.sex,
      patient.hin,
      abnormal ? 'A' : '',
      status === 'P' ? 0 : results,
      calendar.dateTime(collectedMs),
      random.chance(0.05) ? 'S' : 'R',
      requester,
      disciplines.join('/'),
      patient.lastName.toUpperCase(),
      patient.firstName.toUpperCase(),
      status,
      accession,
      `${accession}-${lab.facility}`,
      lab.facility,
    ]);
  }
  if (patient.dirt.has('labReportMissing')) {
    // Results pointing at a lab_no that has no hl7TextInfo and no patientLabRouting row.
    const collectedMs = calendar.visit(random, patient.joinedMs, 2 * 365);
    const battery = draws[0]?.[0] ?? 'CBC';
    const report: ReportContext = {
      labNo: ids.take('labNo'),
      lab,
      accession: `${calendar.date(collectedMs).slice(2, 4)}-${random.digits(9)}`,
      status: 'F',
      collectedMs,
      enteredMs: calendar.later(collectedMs, random.int(2200, 3000)),
    };
    const { results } = writeResults(
      setup,
      patient,
      report,
      [battery],
      new Set(['labResultText', 'labResultEmpty', 'unknownLabUnit']),
    );
    setup.dirt.plant('labReportMissing', demographicNo, results);
  }
}
