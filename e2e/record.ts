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
  /**
   * The responsible physician: the CPSID (root 2.16.840.1.113883.3.40.2.11), else the MSP billing number, else
   * OSCAR's local provider number under OSCAR's root. `idRoot` says which.
   */
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

/** HL7 ActStatus of a medication. */
export type MedicationStatus = 'active' | 'completed' | 'suspended' | 'aborted';

/**
 * One prescription of a medication (an OSCAR `drugs` row): written as the nested prescription
 * (`entryRelationship/substanceAdministration` moodCode RQO) that E2E consumers read dates, dose,
 * frequency and route from.
 */
export interface Prescription extends EntryBase {
  start?: string;
  end?: string;
  /** When it was written (drugs.written_date). */
  written?: string;
  /** Units per administration (OSCAR takemin–takemax: tablets, puffs, mL …). */
  dose?: ObservedValue;
  /** Frequency as written (OSCAR freqcode: OD, BID, Q4H, weekly …). */
  frequency?: string;
  /** Duration as prescribed (drugs.duration, durunit D/W/M → d/wk/mo). */
  duration?: { value: number; unit: string };
  route?: Coded;
  prn?: boolean;
  longTerm?: boolean;
  /** This prescription's own status by the EMR's rule. */
  status?: MedicationStatus;
  /** Instructions as free text (sig). */
  instructions?: string;
  /** The prescriber: CPSID, else MSP number, else local number (see DocumentInfo.author). */
  prescriberId?: string;
  /** The root of `prescriberId` when it is not a CPSID (ID_OIDS.mspBilling, ID_OIDS.oscar). */
  prescriberIdRoot?: string;
}

/**
 * A medication (one drug: OSCAR groups the prescriptions of one DIN, else ATC, else name). The
 * top-level fields describe the drug as of its newest prescription; `prescriptions` keeps every
 * prescription, newest first, so "active at a date" can be decided for any date.
 */
export interface Medication extends EntryBase {
  din?: Coded;
  atc?: Coded;
  /** Drug name as written (generic, else brand, else the custom name). */
  name?: string;
  /** Brand name when it differs from `name` (OSCAR drugs.BN; written as e2e:desc). */
  brandName?: string;
  /** Strength of one unit (OSCAR drugs.dosage "20 MG" → 20 mg; written as e2e:ingredient/e2e:quantity). */
  strength?: { quantity: number; unit?: string };
  dose?: ObservedValue;
  frequency?: string;
  route?: Coded;
  form?: Coded;
  prn?: boolean;
  longTerm?: boolean;
  start?: string;
  end?: string;
  status?: MedicationStatus;
  /** Instructions as free text (sig). */
  instructions?: string;
  prescriberId?: string;
  /** The root of `prescriberId` when it is not a CPSID. */
  prescriberIdRoot?: string;
  /** Every prescription of the drug, newest first (absent when the document had none). */
  prescriptions?: Prescription[];
}

/** A problem or diagnosis. */
export interface Problem extends EntryBase {
  /** The diagnosis code with its code system (ICD9 in OSCAR; ICD10 or SNOMED CT elsewhere), kept as written. */
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
  /** Archived in the EMR: `inactive` (written as ActStatus completed). */
  status?: 'active' | 'inactive';
}

/** Why an immunization or screening was not given (OSCAR preventions.refused '1' / '2'). */
export type NotGivenReason = 'refused' | 'ineligible';

/** An immunization given or not given. */
export interface Immunization extends EntryBase {
  /** Vaccine code (ATC, SNOMED CT or another vocabulary). */
  code?: Coded;
  name?: string;
  date?: string;
  /** Not given (negationInd): refused or ineligible. */
  refused?: boolean;
  /** Why it was not given, when `refused`. */
  notGivenReason?: NotGivenReason;
  lot?: string;
  route?: Coded;
  site?: string;
}

/**
 * A screening test or procedure recorded as a prevention (PAP, mammogram, FOBT, colonoscopy …),
 * written in the laboratory section as a coded result so that consumers count it as a test done.
 */
export interface Screening extends EntryBase {
  /** What was done: SNOMED CT or LOINC, else the EMR's prevention type as a local code. */
  code: Coded;
  /** The EMR's name of the screening (OSCAR prevention_type). */
  name?: string;
  date?: string;
  /** Not done (negationInd): refused or ineligible. */
  refused?: boolean;
  notGivenReason?: NotGivenReason;
}

/** A laboratory result (one OBX of an uploaded lab report, or a lab value kept as a measurement). */
export interface LabResult extends EntryBase {
  /** Test code with its code system (pCLOCD/LOINC, or the lab's own code), as the lab sent it. */
  code: Coded;
  name?: string;
  value?: ObservedValue;
  referenceRange?: { low?: number; high?: number; text?: string };
  /** HL7 interpretation code: N, A, H, L, HH, LL. */
  interpretation?: string;
  time?: string;
  /** The lab report the result belongs to (OSCAR lab_no): results of one report are written as one entry. */
  reportId?: string;
  /** Report status: `final` (OSCAR F, C) or `preliminary` (P). */
  status?: 'final' | 'preliminary';
  /** The report's accession number. */
  accession?: string;
}

/** A vital sign or other clinically measured observation (OSCAR measurements rows without a lab report). */
export interface VitalSign extends EntryBase {
  /** LOINC code of the observation, else the EMR's measurement type as a local code; blood pressure uses the panel code 55284-4. */
  code: Coded;
  value?: ObservedValue;
  /** Blood pressure only: the two numbers in mm[Hg]. */
  bloodPressure?: { systolic: number; diastolic: number };
  time?: string;
}

/** An encounter (visit). Free text only when the caller asked for it. */
export interface Encounter extends EntryBase {
  date?: string;
  /** The physician seen: CPSID, else MSP number, else local number. */
  providerId?: string;
  /** The root of `providerId` when it is not a CPSID. */
  providerIdRoot?: string;
  reason?: string;
  /** Note text: only present when the export was configured to include it. */
  text?: string;
}

/** An alert or reminder (OSCAR CPP "Reminders"). Text only when the caller asked for note text. */
export interface Alert extends EntryBase {
  date?: string;
  /** Archived in the EMR: `inactive`. */
  status?: 'active' | 'inactive';
  text?: string;
}

/** A family history entry (OSCAR CPP "FamHistory" with its Relationship, Age at Onset and ICD9). */
export interface FamilyHistory extends EntryBase {
  date?: string;
  /** The relative: HL7 PersonalRelationshipRoleType (MTH, FTH, SIS …) with the EMR's word as display name. */
  relationship?: Coded;
  /** The relative's condition (ICD9 in OSCAR). */
  condition?: Coded;
  ageAtOnset?: number;
  /** Free text: only present when the caller asked for note text. */
  text?: string;
}

/** A risk factor or social history entry (OSCAR CPP "RiskFactors" and "SocHistory"). */
export interface RiskFactor extends EntryBase {
  date?: string;
  /** Which CPP list it came from. */
  kind?: 'riskFactor' | 'socialHistory';
  status?: 'active' | 'inactive';
  /** Free text: only present when the caller asked for note text. */
  text?: string;
}

/** The clinical sections, in document order. */
export interface ClinicalSections {
  medications: Medication[];
  problems: Problem[];
  allergies: Allergy[];
  immunizations: Immunization[];
  labResults: LabResult[];
  /** Written inside the laboratory section (see {@link Screening}). */
  screenings: Screening[];
  vitalSigns: VitalSign[];
  encounters: Encounter[];
  alerts: Alert[];
  familyHistory: FamilyHistory[];
  riskFactors: RiskFactor[];
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
  'screenings',
  'vitalSigns',
  'encounters',
  'alerts',
  'familyHistory',
  'riskFactors',
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
    screenings: [],
    vitalSigns: [],
    encounters: [],
    alerts: [],
    familyHistory: [],
    riskFactors: [],
  };
}
