/**
 * Row → entry builders, one per clinical section: `medicationsFromDrugs`,
 * `problemsFromDxresearch`, `allergiesFromRows`, `immunizationsFromPreventions`,
 * `vitalSignsFromMeasurements`, `encountersFromNotes`. Each row is mapped on its own: a row
 * that cannot be mapped becomes a warning (ROW_UNREADABLE), never an aborted patient.
 */
import type { Allergy, Encounter, Immunization, LabResult, Medication, Problem, SectionName, VitalSign } from '../../e2e/index';
import type { SqlRow } from '../source/oscar-source';
import { dateOf, flagOf, idOf, numberOf, textOf } from './values';
import {
  ALLERGY_SEVERITIES, ALLERGY_TYPES, DRUG_FORMS, DX_CODING_SYSTEMS, DX_STATUS, MEASUREMENT_CODES, PREVENTION_TYPES, ROUTES, coded, lookup,
} from './vocab';
import type { WarningCollector } from './warnings';

/** What every builder gets besides its rows. */
export interface BuildContext {
  warnings: WarningCollector;
  /** The snapshot's date (YYYY-MM-DD): drugs ended before it are `completed`. */
  today: string;
  includeNoteText: boolean;
}

/** Maps each row with `build`; a throwing row becomes ROW_UNREADABLE. */
function eachRow<T>(rows: readonly SqlRow[] | undefined, section: SectionName, table: string, context: BuildContext, build: (row: SqlRow) => T | undefined): T[] {
  const entries: T[] = [];
  for (const row of rows ?? []) {
    try {
      const entry = build(row);
      if (entry !== undefined) entries.push(entry);
    } catch {
      context.warnings.add('ROW_UNREADABLE', section, table);
    }
  }
  return entries;
}

/** drugs → medications: DIN, ATC, dose, frequency, route, form, PRN, long term, status. */
export function medicationsFromDrugs(rows: readonly SqlRow[] | undefined, context: BuildContext): Medication[] {
  const { warnings } = context;
  const site = (column: string) => ({ section: 'medications' as const, column: `drugs.${column}` });
  return eachRow(rows, 'medications', 'drugs', context, (row) => {
    const medication: Medication = { id: idOf(row, 'drugid') };
    const din = idOf(row, 'regional_identifier');
    if (din !== undefined) {
      if (/^\d{1,8}$/.test(din)) medication.din = coded('din', din.padStart(8, '0'));
      else warnings.add('BAD_DIN', 'medications', 'drugs.regional_identifier');
    }
    const atc = idOf(row, 'ATC');
    if (atc !== undefined && /^[A-Z]\d{2}[A-Z]{0,2}\d{0,2}$/i.test(atc)) medication.atc = coded('atc', atc.toUpperCase());
    medication.name = textOf(row, 'BN', warnings, site('BN')) ?? textOf(row, 'GN', warnings, site('GN')) ?? textOf(row, 'customName', warnings, site('customName'));
    const takeMin = numberOf(row, 'takemin');
    const takeMax = numberOf(row, 'takemax');
    const unit = textOf(row, 'unit', warnings, site('unit'));
    if (takeMin !== undefined && takeMin > 0) {
      medication.dose = takeMax !== undefined && takeMax > takeMin ? { text: `${takeMin}-${takeMax}${unit ? ' ' + unit : ''}` } : { quantity: takeMin, ...(unit ? { unit } : {}) };
    }
    medication.frequency = textOf(row, 'freqcode', warnings, site('freqcode'));
    const routeText = idOf(row, 'route');
    const route = lookup(ROUTES, routeText);
    if (route !== undefined) medication.route = coded('route', route[0], route[1]);
    else if (routeText !== undefined) warnings.add('UNKNOWN_ROUTE', 'medications', 'drugs.route');
    const formText = textOf(row, 'drug_form', warnings, site('drug_form'));
    const form = lookup(DRUG_FORMS, formText) ?? lookup(DRUG_FORMS, formText?.split(' (')[0]);
    if (form !== undefined) medication.form = coded('drugForm', form, formText);
    else if (formText !== undefined) warnings.add('UNKNOWN_DRUG_FORM', 'medications', 'drugs.drug_form');
    medication.prn = flagOf(row, 'prn');
    medication.longTerm = flagOf(row, 'long_term');
    medication.start = dateOf(row, 'rx_date', warnings, site('rx_date'));
    medication.end = dateOf(row, 'end_date', warnings, site('end_date'), { zeroMeansUnset: true });
    medication.status = flagOf(row, 'archived') ? 'aborted' : medication.end !== undefined && medication.end.slice(0, 10) < context.today ? 'completed' : 'active';
    medication.instructions = textOf(row, 'special', warnings, site('special'));
    medication.prescriberId = idOf(row, 'provider_no');
    return prune(medication);
  });
}

/** dxresearch → problems (ICD9 and friends); a NULL status is a warning, deleted rows are left out. */
export function problemsFromDxresearch(rows: readonly SqlRow[] | undefined, context: BuildContext): Problem[] {
  const { warnings } = context;
  return eachRow(rows, 'problems', 'dxresearch', context, (row) => {
    const statusText = idOf(row, 'status');
    const status = lookup(DX_STATUS, statusText);
    if (status === 'deleted') return undefined;
    const problem: Problem = { id: idOf(row, 'dxresearch_no') };
    if (status === undefined) warnings.add('MISSING_PROBLEM_STATUS', 'problems', 'dxresearch.status');
    else problem.status = status;
    const code = idOf(row, 'dxresearch_code');
    const system = lookup(DX_CODING_SYSTEMS, idOf(row, 'coding_system') ?? 'icd9');
    if (code !== undefined) {
      if (system !== undefined) problem.code = coded(system, code);
      else warnings.add('UNKNOWN_CODING_SYSTEM', 'problems', 'dxresearch.coding_system');
    }
    problem.onset = dateOf(row, 'start_date', warnings, { section: 'problems', column: 'dxresearch.start_date' });
    if (problem.status === 'resolved') problem.resolved = dateOf(row, 'update_date', warnings, { section: 'problems', column: 'dxresearch.update_date' });
    return prune(problem);
  });
}

/** allergies → allergies: agent, type, reaction, severity, onset, status (archived → inactive). */
export function allergiesFromRows(rows: readonly SqlRow[] | undefined, context: BuildContext): Allergy[] {
  const { warnings } = context;
  const site = (column: string) => ({ section: 'allergies' as const, column: `allergies.${column}` });
  return eachRow(rows, 'allergies', 'allergies', context, (row) => {
    const allergy: Allergy = { id: idOf(row, 'allergyid') };
    allergy.description = textOf(row, 'DESCRIPTION', warnings, site('DESCRIPTION'));
    const din = idOf(row, 'regional_identifier');
    const atc = idOf(row, 'atc');
    if (din !== undefined && /^\d{1,8}$/.test(din)) allergy.allergen = coded('din', din.padStart(8, '0'), allergy.description);
    else if (atc !== undefined && /^[A-Z]\d{2}/i.test(atc)) allergy.allergen = coded('atc', atc.toUpperCase(), allergy.description);
    allergy.type = flagOf(row, 'nonDrug') ? 'other' : (lookup(ALLERGY_TYPES, idOf(row, 'TYPECODE')) ?? 'other');
    allergy.reaction = textOf(row, 'reaction', warnings, site('reaction'));
    allergy.severity = lookup(ALLERGY_SEVERITIES, idOf(row, 'severity_of_reaction')) ?? 'unknown';
    allergy.onset = dateOf(row, 'start_date', warnings, site('start_date'));
    allergy.status = flagOf(row, 'archived') ? 'inactive' : 'active';
    return prune(allergy);
  });
}

/** preventions (+ preventionsExt) → immunizations; screening preventions are not immunizations. */
export function immunizationsFromPreventions(rows: readonly SqlRow[] | undefined, extRows: readonly SqlRow[] | undefined, context: BuildContext): Immunization[] {
  const { warnings } = context;
  const extByPrevention = new Map<string, Map<string, SqlRow>>();
  for (const ext of extRows ?? []) {
    const id = String(ext.prevention_id);
    if (!extByPrevention.has(id)) extByPrevention.set(id, new Map());
    extByPrevention.get(id)?.set(String(ext.keyval ?? '').toLowerCase(), ext);
  }
  return eachRow(rows, 'immunizations', 'preventions', context, (row) => {
    if (flagOf(row, 'deleted')) return undefined;
    const vaccine = lookup(PREVENTION_TYPES, idOf(row, 'prevention_type'));
    if (vaccine === 'screening') return undefined;
    if (vaccine === undefined) {
      warnings.add('UNKNOWN_PREVENTION_TYPE', 'immunizations', 'preventions.prevention_type');
      return undefined;
    }
    const ext = extByPrevention.get(String(row.id)) ?? new Map<string, SqlRow>();
    const extText = (key: string) => {
      const extRow = ext.get(key);
      return extRow === undefined ? undefined : textOf(extRow, 'val', warnings, { section: 'immunizations', column: `preventionsExt.${key}` });
    };
    const immunization: Immunization = {
      id: idOf(row, 'id'),
      code: coded('atc', vaccine.atc, vaccine.display),
      name: extText('name') ?? vaccine.display,
      date: dateOf(row, 'prevention_date', warnings, { section: 'immunizations', column: 'preventions.prevention_date' }),
      refused: flagOf(row, 'refused'),
      lot: extText('lot'),
      site: extText('location'),
    };
    const route = lookup(ROUTES, extText('route'));
    if (route !== undefined) immunization.route = coded('route', route[0], route[1]);
    return prune(immunization);
  });
}

const BLOOD_PRESSURE = /^\s*(\d{2,3}(?:\.\d+)?)\s*\/\s*(\d{2,3}(?:\.\d+)?)\s*$/;

/** Measurements split by section: vital signs and flowsheet lab values. */
export interface MeasurementEntries {
  vitalSigns: VitalSign[];
  labResults: LabResult[];
}

/**
 * measurements → vital signs and lab results through MEASUREMENT_CODES; BP "120/80" →
 * bloodPressure; a BP that is not two numbers → BAD_BLOOD_PRESSURE, skipped.
 */
export function entriesFromMeasurements(rows: readonly SqlRow[] | undefined, context: BuildContext): MeasurementEntries {
  const { warnings } = context;
  const labResults: LabResult[] = [];
  const vitalSigns = eachRow(rows, 'vitalSigns', 'measurements', context, (row): VitalSign | undefined => {
    const type = idOf(row, 'type');
    const mapping = lookup(MEASUREMENT_CODES, type);
    if (mapping === undefined) {
      warnings.add('UNMAPPED_MEASUREMENT', 'vitalSigns', `measurements.type ${String(type).slice(0, 10)}`);
      return undefined;
    }
    const section = mapping.section ?? 'vitalSigns';
    const value = textOf(row, 'dataField', warnings, { section, column: 'measurements.dataField' }) ?? '';
    const entry: VitalSign = {
      id: idOf(row, 'id'),
      code: coded('loinc', mapping.loinc, mapping.display),
      time: dateOf(row, 'dateObserved', warnings, { section, column: 'measurements.dateObserved' }),
    };
    if (mapping.kind === 'bloodPressure') {
      const match = BLOOD_PRESSURE.exec(value);
      if (match === null) {
        warnings.add('BAD_BLOOD_PRESSURE', section, 'measurements.dataField (BP)');
        return undefined;
      }
      entry.bloodPressure = { systolic: Number(match[1]), diastolic: Number(match[2]) };
    } else if (mapping.kind === 'text') {
      if (value === '') return undefined;
      entry.value = { text: value };
    } else {
      const number = /^-?\d+(?:\.\d+)?$/.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(number)) {
        warnings.add('BAD_MEASUREMENT_VALUE', section, `measurements.dataField (${mapping.loinc})`);
        return undefined;
      }
      entry.value = { quantity: number, ...(mapping.unit ? { unit: mapping.unit } : {}) };
    }
    if (section === 'labResults') {
      labResults.push(prune({ id: entry.id, code: entry.code, name: mapping.display, value: entry.value, time: entry.time }));
      return undefined;
    }
    return prune(entry);
  });
  return { vitalSigns, labResults };
}

/** measurements → vital signs only (the lab values are left to {@link entriesFromMeasurements}). */
export function vitalSignsFromMeasurements(rows: readonly SqlRow[] | undefined, context: BuildContext): VitalSign[] {
  return entriesFromMeasurements(rows, context).vitalSigns;
}

/**
 * casemgmt_note → encounters: the latest version of each note (versions share `uuid`; the
 * highest update_date, then note_id, wins); archived latest versions left out; locked or
 * password-protected notes NEVER exported (even when an older version was not locked).
 */
export function encountersFromNotes(rows: readonly SqlRow[] | undefined, context: BuildContext): Encounter[] {
  const latest = new Map<string, SqlRow>();
  for (const row of rows ?? []) {
    const key = idOf(row, 'uuid') ?? `note:${String(row.note_id)}`;
    const current = latest.get(key);
    if (current === undefined || isNewer(row, current)) latest.set(key, row);
  }
  const { warnings } = context;
  return eachRow([...latest.values()], 'encounters', 'casemgmt_note', context, (row) => {
    if (flagOf(row, 'locked') || flagOf(row, 'has_password') || flagOf(row, 'archived')) return undefined;
    const encounter: Encounter = {
      id: idOf(row, 'note_id'),
      date: dateOf(row, 'observation_date', warnings, { section: 'encounters', column: 'casemgmt_note.observation_date' }),
      providerId: idOf(row, 'provider_no'),
    };
    if (context.includeNoteText) encounter.text = textOf(row, 'note', warnings, { section: 'encounters', column: 'casemgmt_note.note' });
    return prune(encounter);
  });
}

function isNewer(candidate: SqlRow, current: SqlRow): boolean {
  const a = String(candidate.update_date ?? '');
  const b = String(current.update_date ?? '');
  if (a !== b) return a > b;
  return Number(candidate.note_id) > Number(current.note_id);
}

/** Removes keys whose value is undefined (the model leaves absent values out). */
export function prune<T extends object>(entry: T): T {
  for (const key of Object.keys(entry) as (keyof T)[]) if (entry[key] === undefined) delete entry[key];
  return entry;
}

