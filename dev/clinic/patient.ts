/**
 * One synthetic patient: the demographic row, chronic problems (dxresearch) and allergies, with
 * the planted dirt. Drugs are in patient-drugs.ts, measurements in patient-chart.ts, lab reports in
 * patient-labs.ts, preventions in patient-preventions.ts, notes in patient-notes.ts. Every draw
 * comes from the patient's own random source.
 */
import type { ClinicCalendar, IdCounters, PatientRows } from './clinic-rows';
import { ONE_DAY_MS } from './clinic-rows';
import {
  ACCENTED_TEXTS,
  CONTROL_CHARACTER_TEXTS,
  DOUBLE_ENCODED_TEXTS,
  XML_SPECIAL_TEXTS,
  ZERO_DATES,
  type DirtKind,
  type DirtRecorder,
} from './dirt';
import type { Random } from './prng';
import type { OscarSchemaVariant } from './schema';
import { ALLERGENS, CHRONIC_CONDITIONS, type ChronicCondition } from './vocabulary-clinical';
import {
  AGE_BANDS,
  CITIES,
  FEMALE_NAMES,
  INACTIVE_STATUSES,
  LAST_NAMES,
  MALE_NAMES,
  PANEL_DOCTORS,
  PANEL_DOCTORS_WITHOUT_CPSID,
  STREETS,
  type ClinicProvider,
} from './vocabulary-people';

/** What every patient generator needs: schema, calendar, id counters, row buffers, dirt recorder, issue ids. */
export interface GeneratorSetup {
  readonly schema: OscarSchemaVariant;
  readonly calendar: ClinicCalendar;
  readonly ids: IdCounters;
  readonly rows: PatientRows;
  readonly dirt: DirtRecorder;
  readonly issueIdByCode: ReadonlyMap<string, number>;
}

/** The facts about a patient that the rest of the chart depends on. */
export interface Patient {
  readonly demographicNo: number;
  readonly random: Random;
  readonly sex: 'F' | 'M';
  readonly ageYears: number;
  readonly birthMs: number;
  readonly joinedMs: number;
  readonly provider: ClinicProvider;
  readonly active: boolean;
  readonly conditions: readonly ChronicCondition[];
  readonly dirt: ReadonlySet<DirtKind>;
  readonly lastName: string;
  readonly firstName: string;
  /** demographic.hin ('' when NULL). */
  readonly hin: string;
  /** Smokes now (SMK measurements and risk-factor notes agree). */
  readonly smoker: boolean;
}

/** Whether the patient has a chronic problem (ICD9 code). */
export function hasCondition(patient: Patient, icd9: string): boolean {
  return patient.conditions.some((condition) => condition.icd9 === icd9);
}

function ageBandIndex(ageYears: number): 0 | 1 | 2 {
  return ageYears < 40 ? 0 : ageYears < 65 ? 1 : 2;
}

/** Text for a free-text field: plain, or carrying the patient's planted text dirt (recorded). */
export function dirtyText(setup: GeneratorSetup, patient: Patient, plain: string, kinds: readonly DirtKind[]): string {
  let text = plain;
  for (const kind of kinds) {
    if (!patient.dirt.has(kind)) continue;
    const pool =
      kind === 'accentedText'
        ? ACCENTED_TEXTS
        : kind === 'xmlSpecialCharacters'
          ? XML_SPECIAL_TEXTS
          : kind === 'controlCharacters'
            ? CONTROL_CHARACTER_TEXTS
            : kind === 'doubleEncodedText'
              ? DOUBLE_ENCODED_TEXTS
              : null;
    if (pool === null) continue;
    text += ` ${patient.random.pick(pool)}`;
    setup.dirt.plant(kind, patient.demographicNo);
  }
  return text;
}

/** Draws the patient's basic facts and writes the demographic row. */
export function writeDemographic(
  setup: GeneratorSetup,
  demographicNo: number,
  random: Random,
  dirt: Set<DirtKind>,
): Patient {
  const { calendar, rows } = setup;
  const sex: 'F' | 'M' = random.chance(0.51) ? 'F' : 'M';
  const band = random.weighted(AGE_BANDS, ([, , weight]) => weight);
  const ageYears = random.int(band[0], band[1]);
  const birthMs = calendar.daysAgo(ageYears * 365.25 + random.int(0, 364));
  const joinedMs = Math.max(birthMs + ONE_DAY_MS, calendar.daysAgo(random.int(30, 20 * 365)));
  const provider = random.pick(dirt.has('providerWithoutCpsid') ? PANEL_DOCTORS_WITHOUT_CPSID : PANEL_DOCTORS);
  if (dirt.has('providerWithoutCpsid')) setup.dirt.plant('providerWithoutCpsid', demographicNo);
  const active = !dirt.has('inactivePatient');
  const conditions = CHRONIC_CONDITIONS.filter((condition) =>
    random.chance(condition.prevalence[ageBandIndex(ageYears)] * (condition.icd9 === '244' && sex === 'F' ? 1.6 : 1)),
  );
  const copd = conditions.some((condition) => condition.icd9 === '496');
  const smoker = ageYears >= 16 && random.chance(copd ? 0.45 : 0.14);
  const firstName = random.pick(sex === 'F' ? FEMALE_NAMES : MALE_NAMES);
  const lastName = random.pick(LAST_NAMES);
  const [city, postalPrefix] = random.pick(CITIES);
  const birth = calendar.date(birthMs);
  const letters = 'ABCEGHJKLMNPRSTVWXYZ';
  const postal = `${postalPrefix}${letters[random.int(0, 19)]} ${random.int(0, 9)}${letters[random.int(0, 19)]}${random.int(0, 9)}`;
  let address: string | null = `${random.int(1, 9999)} ${random.pick(STREETS)}`;
  let hin: string | null = `9${random.digits(9)}`;
  let phone: string | null = `604-555-${random.digits(4)}`;
  let email: string | null = random.chance(0.4)
    ? `${firstName.toLowerCase().replace(/[^a-z]/g, '')}${random.int(1, 999)}@example.org`
    : null;
  if (dirt.has('nullOptionalColumn')) {
    hin = null;
    phone = null;
    email = null;
    address = null;
    setup.dirt.plant('nullOptionalColumn', demographicNo);
  }
  if (dirt.has('doubleEncodedText') && address !== null) {
    address = `${random.int(1, 999)} Rue de l'Ã‰glise`;
    setup.dirt.plant('doubleEncodedText', demographicNo);
  }
  let dateJoined = calendar.date(joinedMs);
  let rosterDate: string | null = random.chance(0.85) ? dateJoined : null;
  if (dirt.has('zeroDate')) {
    if (random.chance(0.5)) dateJoined = random.pick(ZERO_DATES);
    else rosterDate = random.pick(ZERO_DATES);
    setup.dirt.plant('zeroDate', demographicNo);
  }
  const patient: Patient = {
    demographicNo,
    random,
    sex,
    ageYears,
    birthMs,
    joinedMs,
    provider,
    active,
    conditions,
    dirt,
    lastName,
    firstName,
    hin: hin ?? '',
    smoker,
  };
  const status = active ? 'AC' : random.weighted(INACTIVE_STATUSES, ([, weight]) => weight)[0];
  const statusMs = active ? joinedMs : calendar.visit(random, joinedMs, 900);
  if (!active) setup.dirt.plant('inactivePatient', demographicNo);
  const lastUpdateMs = calendar.later(Math.max(statusMs, calendar.daysAgo(random.int(0, 1500))), random.int(480, 1000));
  const french = random.chance(0.1);
  rows.add('demographic', [
    demographicNo,
    sex === 'F' ? (ageYears >= 18 ? 'MS' : null) : ageYears >= 18 ? 'MR' : null,
    lastName,
    firstName,
    address,
    city,
    'BC',
    postal,
    phone,
    random.chance(0.2) ? `778-555-${random.digits(4)}` : null,
    email,
    birth.slice(0, 4),
    birth.slice(5, 7),
    birth.slice(8, 10),
    hin,
    '',
    rosterDate === null ? '' : 'RO',
    rosterDate,
    status,
    calendar.date(statusMs),
    dateJoined,
    String(demographicNo),
    french ? 'French' : 'English',
    french ? 'French' : random.pick(['English', 'English', 'English', 'Punjabi', 'Cantonese', 'Mandarin']),
    provider.providerNo,
    sex,
    null,
    calendar.date(joinedMs),
    'BC',
    null,
    `<rdohip>${provider.ohipNo}</rdohip><rd>${provider.lastName},${provider.firstName}</rd>`,
    provider.providerNo,
    calendar.dateTime(lastUpdateMs),
  ]);
  return patient;
}

/** Writes the dxresearch rows (chronic problems; one with NULL status when planted). */
export function writeProblems(setup: GeneratorSetup, patient: Patient): void {
  const { calendar, rows, ids } = setup;
  const { random, demographicNo } = patient;
  const codes = patient.conditions.map((condition) => condition.icd9);
  if (patient.dirt.has('nullDxStatus') && codes.length === 0) codes.push('465');
  codes.forEach((code, index) => {
    const startMs = Math.max(patient.birthMs + 365 * ONE_DAY_MS, calendar.daysAgo(random.int(30, 15 * 365)));
    let status: string | null = random.chance(0.05) ? 'C' : 'A';
    if (index === 0 && patient.dirt.has('nullDxStatus')) {
      status = null;
      setup.dirt.plant('nullDxStatus', demographicNo);
    }
    let startDate = calendar.date(startMs);
    if (index === 0 && patient.dirt.has('zeroDate') && random.chance(0.5)) {
      startDate = '0001-01-01';
      setup.dirt.plant('zeroDate', demographicNo);
    }
    rows.add('dxresearch', [
      ids.take('dxresearch'),
      demographicNo,
      startDate,
      calendar.dateTime(calendar.later(startMs, random.int(1, 60 * 24 * 400))),
      status,
      code,
      'icd9',
      0,
    ]);
  });
}

/** Writes the allergies rows (about a quarter of patients). */
export function writeAllergies(setup: GeneratorSetup, patient: Patient): void {
  const { calendar, rows, ids, schema } = setup;
  const { random, demographicNo } = patient;
  const count = random.chance(0.25) ? random.int(1, 2) : 0;
  for (let i = 0; i < count; i++) {
    const [description, typeCode, reaction] = random.pick(ALLERGENS);
    const entryMs = Math.max(patient.joinedMs, calendar.daysAgo(random.int(1, 3000)));
    const archived = random.chance(0.05);
    rows.add('allergies', [
      ids.take('allergies'),
      demographicNo,
      calendar.date(entryMs),
      description,
      typeCode,
      dirtyText(setup, patient, reaction, i === 0 ? ['accentedText', 'controlCharacters'] : []),
      schema === '12.1' ? (archived ? '1' : '0') : archived,
      random.chance(0.3) ? null : calendar.date(Math.max(patient.birthMs, entryMs - random.int(0, 3000) * ONE_DAY_MS)),
      String(random.int(1, 3)),
      String(random.int(1, 3)),
      typeCode === 0 ? null : String(random.int(10000, 99999)),
      i + 1,
      calendar.dateTime(calendar.later(entryMs, random.int(1, 600))),
      patient.provider.providerNo,
    ]);
  }
}
