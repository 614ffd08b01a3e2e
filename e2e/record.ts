/**
 * The patient record model: what one E2E document says about one patient, in the terms the
 * network queries. The writer turns it into XML, the reader turns XML back into it, the
 * exporter fills it from OSCAR rows and the gateway stores a privacy-reduced copy of it.
 *
 * Dates are ISO 8601 text keeping the precision they were recorded with: `2014`, `2014-06`,
 * `2014-06-12`, `2014-06-12T10:30`, `2014-06-12T10:30:00`, optionally with fractional
 * seconds and a zone (`Z`, `-07:00`). Absent values are left out, never empty strings.
 */

/** A coded value: always the code together with its code system OID and display name. */
export interface Coded {
  code: string;
  /** The code system's OID (e.g. 2.16.840.1.113883.6.1 for LOINC). */
  codeSystem?: string;
  /** The code system's name as written in the document (informative). */
  codeSystemName?: string;
  displayName?: string;
}

/** A measured or stated value: a physical quantity or plain text. */
export type ObservedValue = { quantity: number; unit?: string } | { text: string };

/** Header facts of the document. */
export interface DocumentInfo {
  /** Document id extension: the OSCAR demographic number (the patient key). */
  demographicNo: string;
  /** When the document was made. */
  effectiveTime?: string;
  /** The responsible provider (OSCAR provider number, CPSID …). */
  author?: { id?: string; idRoot?: string; name?: PersonName };
  /** The organisation that keeps the record (the clinic). */
  custodian?: { id?: string; name?: string };
}

/** A person's name. */
export interface PersonName {
  given: string[];
  family?: string;
}

/** A postal address. */
export interface Address {
  street?: string;
  city?: string;
  province?: string;
  postalCode?: string;
  country?: string;
}

/** A telephone number or e-mail address with its HL7 use code (HP home, WP work, MC mobile). */
export interface Telecom {
  value: string;
  use?: string;
}

/** Administrative gender as HL7 codes it. */
export type Gender = 'M' | 'F' | 'UN';

/** Who the patient is. Carries PHI: the gateway keeps only what queries need. */
export interface Patient {
  /** A health number (BC PHN under 2.16.840.1.113883.4.50, or another province's OID). */
  healthNumber?: { value: string; assigningOid: string };
  name?: PersonName;
  birthDate?: string;
  gender?: Gender;
  /** Preferred language code (e.g. `en`, `fr`). */
  language?: string;
  address?: Address;
  telecoms: Telecom[];
}

/** Fields every clinical entry may carry. */
export interface EntryBase {
  /** The entry's id in the source EMR (extension under the OSCAR OID). */
  id?: string;
}

/** A medication (prescription or patient-reported drug). */
export interface Medication extends EntryBase {
  din?: Coded;
  atc?: Coded;
  /** Drug name as written (brand or generic). */
  name?: string;
  dose?: ObservedValue;
  frequency?: string;
  route?: Coded;
  form?: Coded;
  prn?: boolean;
  longTerm?: boolean;
  start?: string;
  end?: string;
  status?: 'active' | 'completed' | 'suspended' | 'aborted';
  /** Instructions as free text (sig). */
  instructions?: string;
  prescriberId?: string;
}

/** A problem or diagnosis. */
export interface Problem extends EntryBase {
  /** The diagnosis code (ICD9 in OSCAR; SNOMED CT elsewhere). */
  code?: Coded;
  description?: string;
  onset?: string;
  resolved?: string;
  status?: 'active' | 'inactive' | 'resolved';
}

/** An allergy or adverse reaction. */
export interface Allergy extends EntryBase {
  allergen?: Coded;
  description?: string;
  /** What kind of agent: drug, food, environmental or other. */
  type?: 'drug' | 'food' | 'environmental' | 'other';
  reaction?: string;
  severity?: 'mild' | 'moderate' | 'severe' | 'unknown';
  onset?: string;
  status?: 'active' | 'inactive' | 'resolved';
}

/** An immunization given or refused. */
export interface Immunization extends EntryBase {
  /** Vaccine code (ATC, SNOMED CT or another vocabulary). */
  code?: Coded;
  name?: string;
  date?: string;
  refused?: boolean;
  lot?: string;
  route?: Coded;
  site?: string;
}

/** A laboratory result. */
export interface LabResult extends EntryBase {
  /** Test code (pCLOCD or LOINC). */
  code: Coded;
  name?: string;
  value?: ObservedValue;
  referenceRange?: { low?: number; high?: number; text?: string };
  /** HL7 interpretation code: N, A, H, L, HH, LL. */
  interpretation?: string;
  time?: string;
}

/** A vital sign or other clinical observation (weight, height, BP, HbA1c in OSCAR's measurements). */
export interface VitalSign extends EntryBase {
  /** LOINC code of the observation; blood pressure uses the panel code 55284-4. */
  code: Coded;
  value?: ObservedValue;
  /** Blood pressure only: the two numbers in mm[Hg]. */
  bloodPressure?: { systolic: number; diastolic: number };
  time?: string;
}

/** An encounter (visit). Free text only when the caller asked for it. */
export interface Encounter extends EntryBase {
  date?: string;
  providerId?: string;
  reason?: string;
  /** Note text: only present when the export was configured to include it. */
  text?: string;
}

/** The clinical sections, in document order. */
export interface ClinicalSections {
  medications: Medication[];
  problems: Problem[];
  allergies: Allergy[];
  immunizations: Immunization[];
  labResults: LabResult[];
  vitalSigns: VitalSign[];
  encounters: Encounter[];
}

/** The name of a clinical section of the record. */
export type SectionName = keyof ClinicalSections;

/** All section names, in document order. */
export const SECTION_NAMES: readonly SectionName[] = [
  'medications',
  'problems',
  'allergies',
  'immunizations',
  'labResults',
  'vitalSigns',
  'encounters',
];

/** One patient's E2E record. */
export interface PatientRecord extends ClinicalSections {
  document: DocumentInfo;
  patient: Patient;
}

/** A data-quality problem found while reading or building a record. Never carries PHI. */
export interface DataWarning {
  /** Stable kind, e.g. `INVALID_DATE`, `UNKNOWN_CODE_SYSTEM`, `BAD_BLOOD_PRESSURE`. */
  code: string;
  section?: SectionName | 'header';
  /** What is wrong, naming fields and codes, never patient names, numbers or note text. */
  message: string;
}

/** Entry counts per section. */
export type SectionCounts = Record<SectionName, number>;

/** Counts the entries of each section of a record. */
export function countSections(record: ClinicalSections): SectionCounts {
  const counts = {} as SectionCounts;
  for (const name of SECTION_NAMES) counts[name] = record[name].length;
  return counts;
}

/** A record with no clinical entries, for builders to fill. */
export function emptyRecord(demographicNo: string): PatientRecord {
  return {
    document: { demographicNo },
    patient: { telecoms: [] },
    medications: [],
    problems: [],
    allergies: [],
    immunizations: [],
    labResults: [],
    vitalSigns: [],
    encounters: [],
  };
}
