/**
 * The shape of one patient in the `patients` collection: what the hub's queries need and no
 * more (no names, addresses, phones; the health number only as a keyed HMAC). Shaped for the
 * queries on both MongoDB and FerretDB 1.24: flat code arrays, precomputed counts and birth
 * year, dates as BSON dates, no nested arrays, so filters are `$elemMatch`/`$in`/ranges only.
 */

/** A medication as stored. `active` is decided at ingest (status and end date). */
export interface StoredMedication {
  din?: string;
  atc?: string;
  status?: string;
  active: boolean;
  longTerm?: boolean;
  prn?: boolean;
  start?: Date;
  end?: Date;
}

/** A problem as stored. */
export interface StoredProblem {
  code?: string;
  /** Code system OID. */
  system?: string;
  status?: string;
  active: boolean;
  onset?: Date;
}

/**
 * A lab result or vital sign as stored, one observation per number: a blood pressure is
 * stored as two observations, systolic (LOINC 8480-6) and diastolic (8462-4).
 */
export interface StoredObservation {
  kind: 'lab' | 'vital';
  code: string;
  system?: string;
  /** The numeric value, when the result is a number (text results have none). */
  value?: number;
  unit?: string;
  time?: Date;
}

/** An immunization as stored. */
export interface StoredImmunization {
  code?: string;
  system?: string;
  date?: Date;
  refused: boolean;
}

/** An allergy as stored. */
export interface StoredAllergy {
  code?: string;
  system?: string;
  type?: string;
  active: boolean;
}

/** An encounter as stored; `text` only when the gateway is configured to keep note text. */
export interface StoredEncounter {
  date?: Date;
  providerId?: string;
  text?: string;
}

/** One patient document. `_id` is the patient key `clinicId:demographicNo`. */
export interface StoredPatient {
  _id: string;
  clinicId: string;
  demographicNo: string;
  /** HMAC-SHA256 (clinic secret) of the health number, hex; for linkage, never reversible. */
  hinHmac?: string;
  /** Full birth date when known to the day (for age at a reference date). */
  birthDate?: Date;
  birthYear?: number;
  gender?: 'M' | 'F' | 'UN';
  /** First three characters of the postal code (forward sortation area). */
  postalPrefix?: string;
  /** The responsible provider (document author id), for breakdowns by provider. */
  providerId?: string;

  medications: StoredMedication[];
  problems: StoredProblem[];
  observations: StoredObservation[];
  immunizations: StoredImmunization[];
  allergies: StoredAllergy[];
  encounters: StoredEncounter[];

  /** Flat code arrays for `$in` filters and prefix `$regex`. */
  activeProblemCodes: string[];
  activeMedicationAtc: string[];
  activeMedicationDin: string[];
  /** Precomputed because FerretDB 1.24 has no `$size`. */
  activeMedicationCount: number;

  /** Entry counts per section as received. */
  sectionCounts: Record<string, number>;
  /** SHA-256 of the received document bytes: an identical re-send is a no-op. */
  sourceHash: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The patient key used as `_id`. */
export function patientKey(clinicId: string, demographicNo: string): string {
  return `${clinicId}:${demographicNo}`;
}
