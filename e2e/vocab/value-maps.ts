/**
 * Small two-way maps between the record's enumerations and the codes written in documents.
 * `write` is what the writer writes; `read` also holds the spellings met in real documents.
 */
import type { Alert, Allergy, LabResult, Medication, NotGivenReason, Problem } from '../record';

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

/**
 * The HL7 ActStatus codes: every statusCode the writer writes is one of them (problems'
 * `resolved`/`inactive` and labs' `final`/`preliminary` are not, and are only read).
 */
export const ACT_STATUS_CODES: readonly string[] = [
  'normal',
  'aborted',
  'active',
  'cancelled',
  'completed',
  'held',
  'new',
  'suspended',
  'nullified',
  'obsolete',
];

/** Problem status → ActStatus (resolved → completed, inactive → suspended); the old spellings are read too. */
export const PROBLEM_STATUS = valueMap<NonNullable<Problem['status']>>(
  { active: 'active', resolved: 'completed', inactive: 'suspended' },
  { resolved: 'resolved', complete: 'resolved', inactive: 'inactive', aborted: 'inactive' },
);

/**
 * Status of an entry the EMR archives (allergies, alerts, risk factors) → ActStatus: archived is
 * `inactive`, written `completed`; OSCAR's `complete` and the other ended states are read as inactive.
 */
export const ARCHIVED_STATUS = valueMap<NonNullable<Alert['status']>>(
  { active: 'active', inactive: 'completed' },
  { complete: 'inactive', resolved: 'inactive', inactive: 'inactive', suspended: 'inactive', aborted: 'inactive' },
);

/** Lab report status → ActStatus (final → completed, preliminary → active); OSCAR's literal spellings are read too. */
export const LAB_STATUS = valueMap<NonNullable<LabResult['status']>>(
  { final: 'completed', preliminary: 'active' },
  { final: 'final', corrected: 'final', complete: 'final', preliminary: 'preliminary' },
);

/**
 * Why an immunization or screening was not given → HL7 ActReason (2.16.840.1.113883.5.8):
 * refused → PATOBJ (patient objection), ineligible → MEDPREC (medical precaution).
 */
export const NOT_GIVEN_REASON = valueMap<NotGivenReason>({ refused: 'PATOBJ', ineligible: 'MEDPREC' });

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
  billing: 'BILLINGCODE',
  otherAlert: 'OTHERALRT',
  instructions: 'INSTRUCT',
  longTermText: 'Long Term',
  shortTermText: 'Short Term',
  frequencyPrefix: 'Frequency: ',
  dosePrefix: 'Dose: ',
} as const;
