/**
 * One patient's rows → a PatientRecord and its warnings: the header (demographic, author from
 * the provider table, custodian from the clinic table) and the clinical sections.
 */
import type { DataWarning, Patient, PatientRecord, Telecom } from '../../e2e/index';
import { emptyRecord } from '../../e2e/index';
import { HEALTH_NUMBER_OIDS, ID_OIDS } from '../../e2e/vocab/oids';
import { CLINICAL_TABLES, type PatientBatch, type ReferenceData } from '../source/extract';
import type { SqlRow } from '../source/oscar-source';
import { measurementEntries } from './measurements';
import { medicationsFromDrugs } from './medications';
import { noteEntries } from './notes';
import { preventionEntries } from './preventions';
import { ProviderDirectory } from './providers';
import { allergiesFromRows, problemsFromDxresearch, prune, type BuildContext } from './sections';
import { idOf, isCalendarDate, textOf } from './values';
import { GENDERS, LANGUAGES, lookup } from './vocab';
import { WarningCollector } from './warnings';

/** Options of {@link buildPatientRecord}. */
export interface BuildOptions {
  includeNoteText: boolean;
  /** The snapshot time (`YYYY-MM-DD HH:MM:SS`), used as the document time and "today". */
  snapshotTime: string;
}

/** A built record, or why the patient could not be built. */
export type BuildResult =
  { ok: true; record: PatientRecord; warnings: DataWarning[] } | { ok: false; reason: string; warnings: DataWarning[] };

/** One provider directory per run's reference data. */
const directories = new WeakMap<ReferenceData, ProviderDirectory>();

/** Builds the record of `demographicNo` from its batch; never throws. */
export function buildPatientRecord(
  batch: PatientBatch,
  demographicNo: number,
  reference: ReferenceData,
  options: BuildOptions,
): BuildResult {
  const warnings = new WarningCollector();
  const demographic = batch.rows.demographic.get(demographicNo)?.[0];
  if (demographic === undefined)
    return { ok: false, reason: 'NO_DEMOGRAPHIC_ROW: the demographic row is gone', warnings: [] };
  try {
    const record = emptyRecord(String(demographicNo));
    const providers = directories.get(reference) ?? new ProviderDirectory(reference.providers);
    directories.set(reference, providers);
    const context: BuildContext = {
      warnings,
      today: options.snapshotTime.slice(0, 10),
      includeNoteText: options.includeNoteText,
      providers,
      reference,
    };
    const rowsOf = (key: keyof PatientBatch['rows']) => batch.rows[key].get(demographicNo);
    record.document = documentInfo(demographicNo, demographic, context, batch);
    record.patient = patientOf(demographic, warnings);
    record.medications = medicationsFromDrugs(rowsOf('drugs'), context);
    record.problems = problemsFromDxresearch(rowsOf('dxresearch'), context);
    record.allergies = allergiesFromRows(rowsOf('allergies'), context);
    Object.assign(record, preventionEntries(rowsOf('preventions'), rowsOf('preventionsExt'), context));
    Object.assign(
      record,
      measurementEntries(
        {
          measurements: rowsOf('measurements'),
          measurementsExt: rowsOf('measurementsExt'),
          labReports: rowsOf('labReports'),
        },
        context,
      ),
    );
    Object.assign(
      record,
      noteEntries({ notes: rowsOf('notes'), noteIssues: rowsOf('noteIssues'), noteExt: rowsOf('noteExt') }, context),
    );
    return { ok: true, record, warnings: warnings.list() };
  } catch (error) {
    return {
      ok: false,
      reason: `BUILD_FAILED: ${error instanceof Error ? error.name : 'error'}`,
      warnings: warnings.list(),
    };
  }
}

const CHANGED_AT = /^[1-9]\d{3}-\d\d-\d\d \d\d:\d\d:\d\d$/;

/** The tables whose rows carry a change time (the others, measurementsExt and the like, are many and have none). */
const CHANGE_TABLES = CLINICAL_TABLES.filter((table) => table.changedColumn !== null).map((table) => table.key);

function latestChange(batch: PatientBatch, demographicNo: number): string | undefined {
  let latest = '';
  for (const key of CHANGE_TABLES) {
    for (const row of batch.rows[key].get(demographicNo) ?? []) {
      const changedAt = row.changed_at;
      // Only a later value can matter: the format check runs for few rows.
      if (typeof changedAt === 'string' && changedAt > latest && CHANGED_AT.test(changedAt)) latest = changedAt;
    }
  }
  return latest === '' ? undefined : latest.replace(' ', 'T');
}

function documentInfo(
  demographicNo: number,
  demographic: SqlRow,
  context: BuildContext,
  batch: PatientBatch,
): PatientRecord['document'] {
  const { reference } = context;
  // The document time is the patient's latest row change, not the run's clock: unchanged data
  // gives a byte-identical document, which the gateway answers as `unchanged` without work.
  const info: PatientRecord['document'] = {
    demographicNo: String(demographicNo),
    effectiveTime: latestChange(batch, demographicNo),
  };
  const providerNo = idOf(demographic, 'provider_no');
  const provider = context.providers.row(providerNo);
  const identity = context.providers.identify(providerNo, context.warnings, 'header', 'demographic.provider_no');
  if (identity !== undefined) {
    const scratch = new WarningCollector();
    const given =
      provider === undefined
        ? undefined
        : textOf(provider, 'first_name', scratch, { section: 'header', column: 'provider.first_name' });
    const family =
      provider === undefined
        ? undefined
        : textOf(provider, 'last_name', scratch, { section: 'header', column: 'provider.last_name' });
    info.author = prune({
      id: identity.id,
      idRoot: identity.idRoot,
      name: family || given ? prune({ given: given ? [given] : [], family }) : undefined,
    });
  }
  const clinicName =
    reference.clinic === undefined
      ? undefined
      : textOf(reference.clinic, 'clinic_name', new WarningCollector(), {
          section: 'header',
          column: 'clinic.clinic_name',
        });
  info.custodian = prune({
    id: reference.clinic === undefined ? undefined : String(reference.clinic.clinic_no),
    name: clinicName,
  });
  return info;
}

function patientOf(row: SqlRow, warnings: WarningCollector): Patient {
  const text = (column: string) =>
    textOf(row, column, warnings, { section: 'header', column: `demographic.${column}` });
  const patient: Patient = { telecoms: [] };
  const hin = idOf(row, 'hin')?.replace(/\s+/g, '');
  if (hin !== undefined && hin !== '') {
    const province = idOf(row, 'hc_type')?.toUpperCase();
    let assigningOid = province === undefined ? ID_OIDS.bcPhn : HEALTH_NUMBER_OIDS[province];
    if (assigningOid === undefined) {
      warnings.add('UNKNOWN_HEALTH_CARD_TYPE', 'header', 'demographic.hc_type');
      assigningOid = ID_OIDS.bcPhn;
    }
    patient.healthNumber = { value: hin, assigningOid };
  }
  const given = text('first_name');
  const family = text('last_name');
  if (given !== undefined || family !== undefined)
    patient.name = prune({ given: given ? given.split(/\s+/) : [], family });
  patient.birthDate = birthDateOf(row, warnings);
  patient.gender = lookup(GENDERS, idOf(row, 'sex')) ?? 'UN';
  patient.language = lookup(LANGUAGES, idOf(row, 'official_lang'));
  const address = prune({
    street: text('address'),
    city: text('city'),
    province: text('province'),
    postalCode: text('postal')?.toUpperCase(),
  });
  if (Object.keys(address).length > 0) patient.address = address;
  const telecoms: Telecom[] = [];
  for (const [column, use] of [
    ['phone', 'HP'],
    ['phone2', 'WP'],
  ] as const) {
    const value = text(column);
    if (value !== undefined) telecoms.push({ value: `tel:${value.replace(/[^0-9+x-]/g, '')}`, use });
  }
  const email = text('email');
  if (email !== undefined && email.includes('@')) telecoms.push({ value: `mailto:${email}` });
  patient.telecoms = telecoms;
  return prune(patient);
}

function birthDateOf(row: SqlRow, warnings: WarningCollector): string | undefined {
  const year = idOf(row, 'year_of_birth');
  const month = idOf(row, 'month_of_birth');
  const day = idOf(row, 'date_of_birth');
  if (year === undefined) return undefined;
  if (year === '0000' || (month === '00' && day === '00')) {
    warnings.add('ZERO_DATE', 'header', 'demographic.year_of_birth');
    return undefined;
  }
  if (
    !/^\d{4}$/.test(year) ||
    !/^\d{1,2}$/.test(month ?? '') ||
    !/^\d{1,2}$/.test(day ?? '') ||
    !isCalendarDate(Number(year), Number(month), Number(day))
  ) {
    warnings.add('INVALID_DATE', 'header', 'demographic.date_of_birth');
    return undefined;
  }
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
