/**
 * drugs → medications by OSCAR's rules (E2EPatientExport + e2etemplate.vm): every drugs row of the patient
 * (archived included) is one prescription; the prescriptions of one drug (DIN, else ATC, else name) make one
 * medication entry, newest first, whose status is the newest prescription's at the snapshot date: archived →
 * aborted; long term → active; end date on or after today → active; else (a NULL or zero end date too) completed.
 */
import type { Medication, MedicationStatus, Prescription } from '../../e2e/index';
import type { SqlRow } from '../source/oscar-source';
import { eachRow, prune, type BuildContext } from './sections';
import { dateOf, flagOf, idOf, numberOf, textOf } from './values';
import { DRUG_FORMS, ROUTES, coded, lookup } from './vocab';

/** drugs.durunit → UCUM time unit. */
const DURATION_UNITS: Readonly<Record<string, string>> = { D: 'd', W: 'wk', M: 'mo', Y: 'a' };

/** Strength units as drugs.dosage spells them (upper case) → UCUM. */
const STRENGTH_UNITS: Readonly<Record<string, string>> = {
  MG: 'mg',
  MCG: 'ug',
  UG: 'ug',
  µG: 'ug',
  G: 'g',
  GM: 'g',
  ML: 'mL',
  L: 'L',
  '%': '%',
  IU: '[iU]',
  UNIT: '[iU]',
  UNITS: '[iU]',
  MMOL: 'mmol',
  MEQ: 'meq',
  'MG/ML': 'mg/mL',
  'MCG/ML': 'ug/mL',
  'MG/G': 'mg/g',
  'MCG/DOSE': 'ug/{dose}',
  'MG/DOSE': 'mg/{dose}',
  'IU/ML': '[iU]/mL',
  'UNITS/ML': '[iU]/mL',
  'UNIT/ML': '[iU]/mL',
  'MG/H': 'mg/h',
  'MCG/H': 'ug/h',
  'MCG/HR': 'ug/h',
  'MG/24H': 'mg/(24.h)',
};

const STRENGTH = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-zµ%]+(?:\s*\/\s*[A-Za-z0-9]+)?)(?![A-Za-z0-9])/;

/** drugs.dosage "20 MG" → 20 mg; undefined unless it starts with a number and a unit we know. */
export function strengthOf(dosage: string | undefined): Medication['strength'] {
  const match = dosage === undefined ? null : STRENGTH.exec(dosage);
  if (match === null) return undefined;
  const unit = STRENGTH_UNITS[match[2].replace(/\s+/g, '').toUpperCase()];
  return unit === undefined ? undefined : { quantity: Number(match[1]), unit };
}

/** OSCAR's status rule for one drugs row at `today` (YYYY-MM-DD). */
export function drugStatus(
  archived: boolean,
  longTerm: boolean,
  end: string | undefined,
  today: string,
): MedicationStatus {
  if (archived) return 'aborted';
  if (longTerm) return 'active';
  return end !== undefined && end.slice(0, 10) >= today ? 'active' : 'completed';
}

/** One drugs row read once: its prescription and what identifies and names its drug. */
interface DrugRow {
  row: SqlRow;
  prescription: Prescription;
  din?: string;
  atc?: string;
  name?: string;
  brand?: string;
  /** rx_date for ordering ('' when missing), then drugid. */
  order: [string, number];
}

function readDrugRow(row: SqlRow, context: BuildContext): DrugRow {
  const { warnings } = context;
  const site = (column: string) => ({ section: 'medications' as const, column: `drugs.${column}` });
  const dinText = idOf(row, 'regional_identifier');
  let din: string | undefined;
  if (dinText !== undefined) {
    if (/^\d{1,8}$/.test(dinText)) din = dinText.padStart(8, '0');
    else warnings.add('BAD_DIN', 'medications', 'drugs.regional_identifier');
  }
  const atcText = idOf(row, 'ATC');
  const atc =
    atcText !== undefined && /^[A-Z]\d{2}[A-Z]{0,2}\d{0,2}$/i.test(atcText) ? atcText.toUpperCase() : undefined;
  const generic = textOf(row, 'GN', warnings, site('GN'));
  const brand = textOf(row, 'BN', warnings, site('BN'));
  const name = generic ?? brand ?? textOf(row, 'customName', warnings, site('customName'));

  const prescription: Prescription = { id: idOf(row, 'drugid') };
  prescription.start = dateOf(row, 'rx_date', warnings, site('rx_date'));
  prescription.end = dateOf(row, 'end_date', warnings, site('end_date'), { zeroMeansUnset: true });
  prescription.written = dateOf(row, 'written_date', warnings, site('written_date'), { zeroMeansUnset: true });
  const takeMin = numberOf(row, 'takemin');
  const takeMax = numberOf(row, 'takemax');
  const unit = textOf(row, 'unit', warnings, site('unit'));
  if (takeMin !== undefined && takeMin > 0) {
    prescription.dose =
      takeMax !== undefined && takeMax > takeMin
        ? { text: `${takeMin}-${takeMax}${unit ? ' ' + unit : ''}` }
        : { quantity: takeMin, ...(unit ? { unit } : {}) };
  }
  prescription.frequency = textOf(row, 'freqcode', warnings, site('freqcode'));
  const duration = numberOf(row, 'duration');
  const durationUnit = DURATION_UNITS[idOf(row, 'durunit')?.toUpperCase() ?? 'D'];
  if (duration !== undefined && duration > 0 && durationUnit !== undefined)
    prescription.duration = { value: duration, unit: durationUnit };
  const routeText = idOf(row, 'route');
  const route = lookup(ROUTES, routeText);
  if (route !== undefined) prescription.route = coded('route', route[0], route[1]);
  else if (routeText !== undefined) warnings.add('UNKNOWN_ROUTE', 'medications', 'drugs.route');
  prescription.prn = flagOf(row, 'prn');
  prescription.longTerm = flagOf(row, 'long_term');
  prescription.status = drugStatus(flagOf(row, 'archived'), prescription.longTerm, prescription.end, context.today);
  prescription.instructions = textOf(row, 'special', warnings, site('special'));
  const prescriber = context.providers.entryIdentity(
    idOf(row, 'provider_no'),
    warnings,
    'medications',
    'drugs.provider_no',
  );
  prescription.prescriberId = prescriber.id;
  prescription.prescriberIdRoot = prescriber.idRoot;
  return {
    row,
    prescription: prune(prescription),
    din,
    atc,
    name,
    brand,
    order: [prescription.start ?? '', Number(row.drugid) || 0],
  };
}

/** Newest first: later rx_date, then higher drugid. */
function newestFirst(a: DrugRow, b: DrugRow): number {
  if (a.order[0] !== b.order[0]) return a.order[0] < b.order[0] ? 1 : -1;
  return b.order[1] - a.order[1];
}

function groupKey(drug: DrugRow): string {
  if (drug.din !== undefined) return `din:${drug.din}`;
  if (drug.atc !== undefined) return `atc:${drug.atc}`;
  if (drug.name !== undefined) return `name:${drug.name.toUpperCase()}`;
  return `drug:${String(drug.row.drugid)}`;
}

/** One medication from its drug's rows, newest first. */
function medicationOf(drugs: readonly DrugRow[], context: BuildContext): Medication {
  const { warnings } = context;
  const [newest] = drugs;
  const first = <T>(pick: (drug: DrugRow) => T | undefined): T | undefined =>
    drugs.map(pick).find((value) => value !== undefined);
  const medication: Medication = { id: newest.prescription.id };
  const din = first((drug) => drug.din);
  if (din !== undefined) medication.din = coded('din', din, newest.name);
  const atc = first((drug) => drug.atc);
  if (atc !== undefined) medication.atc = coded('atc', atc);
  medication.name = newest.name ?? first((drug) => drug.name);
  const brand = newest.brand ?? first((drug) => drug.brand);
  if (brand !== undefined && brand.toUpperCase() !== medication.name?.toUpperCase()) medication.brandName = brand;
  medication.strength = strengthOf(
    textOf(newest.row, 'dosage', warnings, { section: 'medications', column: 'drugs.dosage' }),
  );
  const formText = textOf(newest.row, 'drug_form', warnings, { section: 'medications', column: 'drugs.drug_form' });
  const form = lookup(DRUG_FORMS, formText) ?? lookup(DRUG_FORMS, formText?.split(' (')[0]);
  if (form !== undefined) medication.form = coded('drugForm', form, formText);
  else if (formText !== undefined) warnings.add('UNKNOWN_DRUG_FORM', 'medications', 'drugs.drug_form');
  const { prescription } = newest;
  Object.assign(medication, {
    dose: prescription.dose,
    frequency: prescription.frequency,
    route: prescription.route,
    prn: prescription.prn,
    longTerm: prescription.longTerm,
    start: prescription.start,
    end: prescription.end,
    status: prescription.status,
    instructions: prescription.instructions,
    prescriberId: prescription.prescriberId,
    prescriberIdRoot: prescription.prescriberIdRoot,
  });
  medication.prescriptions = drugs.map((drug) => drug.prescription);
  return prune(medication);
}

/** drugs → medications: one per drug (DIN, else ATC, else name), newest drug first, each with its prescriptions. */
export function medicationsFromDrugs(rows: readonly SqlRow[] | undefined, context: BuildContext): Medication[] {
  const drugs = eachRow(rows, 'medications', 'drugs', context, (row) => readDrugRow(row, context)).sort(newestFirst);
  const groups = new Map<string, DrugRow[]>();
  for (const drug of drugs) {
    const key = groupKey(drug);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [drug]);
    else group.push(drug);
  }
  return eachRow([...groups.values()], 'medications', 'drugs', context, (group) => medicationOf(group, context));
}
