/**
 * The shape of one patient in the `patients` collection: what the hub's queries need and no
 * more (no names, addresses, phones; the health number only as a keyed HMAC). Shaped for the
 * queries on both MongoDB and FerretDB 1.24: flat code arrays, precomputed counts and birth
 * year, dates as BSON dates, no nested arrays, so filters are `$elemMatch`/`$in`/ranges only.
 */

/** One prescription of a stored medication: the interval "active at a date" is decided from. */
export interface StoredPrescription {
  start?: Date;
  end?: Date;
  longTerm?: boolean;
  /** The prescription's own ActStatus as the document gave it. */
  status?: string;
}

/**
 * A medication as stored. `active` is decided at ingest (the document's status, the end date and
 * long term); `prescriptions` keeps every interval so a query can decide "active at a date" itself.
 */
export interface StoredMedication {
  din?: string;
  atc?: string;
  status?: string;
  active: boolean;
  longTerm?: boolean;
  prn?: boolean;
  start?: Date;
  end?: Date;
  /** Every prescription, newest first (sub-documents: FerretDB 1.24 takes arrays of documents that hold arrays). */
  prescriptions?: StoredPrescription[];
}

/** A problem as stored. */
export interface StoredProblem {
  code?: string;
  /** Canonical OID of the code system (aliases and typo OIDs resolved); absent when unknown. */
  system?: string;
  status?: string;
  active: boolean;
  onset?: Date;
}

/**
 * A lab result, screening or vital sign as stored, one observation per number: a blood pressure is
 * stored as two observations, systolic (LOINC 8480-6) and diastolic (8462-4). A screening counts
 * here only when it was done (refused ones are in `screenings` only).
 */
export interface StoredObservation {
  kind: 'lab' | 'vital' | 'screening';
  code: string;
  system?: string;
  /** The numeric value, when the result is a number (text results have none). */
  value?: number;
  unit?: string;
  time?: Date;
  /** Lab results of a preliminary report. */
  preliminary?: boolean;
}

/** Why an immunization or screening was not given. */
export type StoredNotGivenReason = 'refused' | 'ineligible';

/** An immunization as stored. */
export interface StoredImmunization {
  code?: string;
  system?: string;
  date?: Date;
  /** Not given (refused or ineligible). */
  refused: boolean;
  reason?: StoredNotGivenReason;
}

/** A screening (PAP, mammogram, FOBT, colonoscopy …) as stored, done or not. */
export interface StoredScreening {
  code: string;
  system?: string;
  date?: Date;
  refused: boolean;
  reason?: StoredNotGivenReason;
}

/** A family history entry as stored: who, which condition, at what age (no text). */
export interface StoredFamilyHistory {
  /** HL7 PersonalRelationshipRoleType code (MTH, FTH …). */
  relationship?: string;
  code?: string;
  system?: string;
  ageAtOnset?: number;
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
  /**
   * The responsible physician (document author), for breakdowns by provider: the CPSID as it is,
   * `msp:<number>` or `oscar:<provider_no>` when the document had only those.
   */
  providerId?: string;

  medications: StoredMedication[];
  problems: StoredProblem[];
  observations: StoredObservation[];
  immunizations: StoredImmunization[];
  screenings: StoredScreening[];
  allergies: StoredAllergy[];
  encounters: StoredEncounter[];
  familyHistory: StoredFamilyHistory[];

  /** Flat code arrays for `$in` filters and prefix `$regex`: ICD9 codes of active problems only. */
  activeProblemCodes: string[];
  /** Active problem codes of other code systems, as `<system key>:<code>` (`snomed:44054006`, `icd10:E11`). */
  activeProblemOtherCodes: string[];
  activeMedicationAtc: string[];
  activeMedicationDin: string[];
  /** Precomputed because FerretDB 1.24 has no `$size`. */
  activeMedicationCount: number;

  /** Entry counts per section as received. */
  sectionCounts: Record<string, number>;
  /** SHA-256 of the received document bytes: an identical re-send is a no-op. */
  sourceHash: string;
  /** The derivation (store/derivation-version.ts) that wrote it; absent: written before versions were kept per patient. */
  derivationVersion?: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One spelling per patient: OSCAR's demographic numbers are integers, so a number of digits only
 * is stored as the number it is (`05`, `005` and `5` are one patient, `5`); other ids are kept as
 * written.
 */
export function canonicalDemographicNo(demographicNo: string): string {
  return /^0+\d+$/.test(demographicNo) ? demographicNo.replace(/^0+(?=\d)/, '') : demographicNo;
}

/** The patient key used as `_id` (the demographic number in its {@link canonicalDemographicNo} spelling). */
export function patientKey(clinicId: string, demographicNo: string): string {
  return `${clinicId}:${canonicalDemographicNo(demographicNo)}`;
}
