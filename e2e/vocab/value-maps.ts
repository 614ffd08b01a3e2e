/**
 * Small two-way maps between the record's enumerations and the codes written in documents.
 * `write` is what the writer writes; `read` also holds the spellings met in real documents.
 */
import type { Allergy, Medication, Problem } from '../record';

/** A two-way map: record value → written code, and every known code → record value. */
export interface ValueMap<V extends string> {
  write: Readonly<Record<V, string>>;
  read: ReadonlyMap<string, V>;
}

function valueMap<V extends string>(write: Record<V, string>, aliases: Record<string, V> = {}): ValueMap<V> {
  const read = new Map<string, V>();
  for (const [value, code] of Object.entries(write) as [V, string][]) read.set(code.toUpperCase(), value);
  for (const [code, value] of Object.entries(aliases)) read.set(code.toUpperCase(), value);
  return { write, read };
}

/** Allergy agent type → HL7 ObservationIntoleranceType (OSCAR writes MED for drugs). */
export const ALLERGY_TYPE = valueMap<NonNullable<Allergy['type']>>(
  { drug: 'DALG', food: 'FALG', environmental: 'EALG', other: 'ALG' },
  { MED: 'drug', DINT: 'drug', FOOD: 'food', FINT: 'food', EINT: 'environmental', OINT: 'other', ALLERGY: 'other' },
);

/**
 * Allergy severity → HL7 ObservationValue code as the PITO examples write it (A2 mild, A3
 * moderate, A4 severe; unknown is written as nullFlavor UNK). HL7 SeverityObservation L/M/H read too.
 */
export const ALLERGY_SEVERITY = valueMap<Exclude<NonNullable<Allergy['severity']>, 'unknown'>>(
  { mild: 'A2', moderate: 'A3', severe: 'A4' },
  {
    A1: 'mild',
    L: 'mild',
    MI: 'mild',
    MILD: 'mild',
    M: 'moderate',
    MO: 'moderate',
    MODERATE: 'moderate',
    H: 'severe',
    SEV: 'severe',
    SEVERE: 'severe',
    LIFE: 'severe',
  },
);

/** Status of problems and allergies → statusCode. */
export const CONDITION_STATUS = valueMap<NonNullable<Problem['status']>>(
  { active: 'active', inactive: 'inactive', resolved: 'resolved' },
  { completed: 'resolved', complete: 'resolved', aborted: 'inactive', suspended: 'inactive' },
);

/** Medication status → statusCode (HL7 ActStatus). */
export const MEDICATION_STATUS = valueMap<NonNullable<Medication['status']>>(
  { active: 'active', completed: 'completed', suspended: 'suspended', aborted: 'aborted' },
  { complete: 'completed', nullified: 'aborted', cancelled: 'aborted', held: 'suspended' },
);

/** LOINC codes of blood pressure: the panel and its two components. */
export const BLOOD_PRESSURE_CODES = { panel: '55284-4', systolic: '8480-6', diastolic: '8462-4' } as const;

/** Other LOINC codes OSCAR's exports use for a whole blood pressure written as text ("120/80"). */
export const BLOOD_PRESSURE_PANEL_ALIASES: readonly string[] = ['55284-4', '35094-2', '85354-9', 'BP'];

/** Codes of the PITO observation-type vocabulary the writer and reader use inside entries. */
export const PITO_OBSERVATION_CODES = {
  unbound: 'UNBOUND',
  prn: 'PRNIND',
  reason: 'REASON',
  comment: 'COMMENT',
  reaction: 'REACTOBS',
  severity: 'SEV',
  icd9: 'ICD9CODE',
  longTermText: 'Long Term',
  shortTermText: 'Short Term',
  frequencyPrefix: 'Frequency: ',
  dosePrefix: 'Dose: ',
} as const;
