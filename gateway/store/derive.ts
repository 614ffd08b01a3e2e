/**
 * Record → stored patient: the privacy-reduced, query-shaped copy of a PatientRecord. Keeps
 * codes, dates and numbers; drops names, addresses, phones and (unless configured) note text;
 * the health number only as a keyed HMAC. Active flags and flat code arrays are decided here,
 * once, so the hub's queries are plain filters.
 */
import type {
  Allergy,
  Encounter,
  Immunization,
  LabResult,
  Medication,
  PatientRecord,
  Problem,
  SectionCounts,
  VitalSign,
} from '../../e2e/record';
import { healthNumberHmac } from './hmac';
import {
  patientKey,
  type StoredAllergy,
  type StoredEncounter,
  type StoredImmunization,
  type StoredMedication,
  type StoredObservation,
  type StoredPatient,
  type StoredProblem,
} from './patient-document';

/** LOINC codes of the two numbers of a blood pressure. */
export const BLOOD_PRESSURE_CODES = { systolic: '8480-6', diastolic: '8462-4' } as const;
const LOINC_OID = '2.16.840.1.113883.6.1';
const BLOOD_PRESSURE_UNIT = 'mm[Hg]';

/** What the derivation needs besides the record. */
export interface DeriveContext {
  clinicId: string;
  hmacSecret: string;
  keepNoteText: boolean;
  sourceHash: string;
  sections: SectionCounts;
  /** When the document was received (decides "ended" medications). */
  now: Date;
  /** The first time this patient was stored (kept across updates). */
  createdAt?: Date;
}

/** Parses an ISO date of any precision (`2014`, `2014-06`, `2014-06-12T10:30…`); undefined if invalid. */
export function toDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(T.*)?$/.exec(value.trim());
  if (!match) return undefined;
  const [, year, month = '01', day = '01', time] = match;
  const text = time === undefined ? `${year}-${month}-${day}T00:00:00Z` : `${year}-${month}-${day}${/[zZ]|[+-]\d{2}:?\d{2}$/.test(time) ? time : `${time}Z`}`;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The birth date as a Date only when known to the day. */
function fullDate(value: string | undefined): Date | undefined {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}/.test(value) ? toDate(value.slice(0, 10)) : undefined;
}

const INACTIVE_MEDICATION_STATUSES = new Set(['completed', 'suspended', 'aborted']);
const INACTIVE_STATUSES = new Set(['inactive', 'resolved']);

function deriveMedication(medication: Medication, now: Date): StoredMedication {
  const end = toDate(medication.end);
  const ended = end !== undefined && end.getTime() < now.getTime() && medication.longTerm !== true;
  const active = !INACTIVE_MEDICATION_STATUSES.has(medication.status ?? '') && !ended;
  return compact({
    din: medication.din?.code,
    atc: medication.atc?.code,
    status: medication.status,
    active,
    longTerm: medication.longTerm,
    prn: medication.prn,
    start: toDate(medication.start),
    end,
  });
}

function deriveProblem(problem: Problem): StoredProblem {
  const active = !INACTIVE_STATUSES.has(problem.status ?? '') && problem.resolved === undefined;
  return compact({ code: problem.code?.code, system: problem.code?.codeSystem, status: problem.status, active, onset: toDate(problem.onset) });
}

function deriveLab(lab: LabResult): StoredObservation {
  const value = lab.value !== undefined && 'quantity' in lab.value ? lab.value : undefined;
  return compact({ kind: 'lab' as const, code: lab.code.code, system: lab.code.codeSystem, value: value?.quantity, unit: value?.unit, time: toDate(lab.time) });
}

/** The two numbers of a blood pressure, from the structured field or a `120/80` text value. */
function bloodPressureOf(vital: VitalSign): { systolic: number; diastolic: number } | undefined {
  if (vital.bloodPressure) return vital.bloodPressure;
  if (vital.value !== undefined && 'text' in vital.value) {
    const match = /^\s*(\d{2,3}(?:\.\d+)?)\s*\/\s*(\d{2,3}(?:\.\d+)?)\s*$/.exec(vital.value.text);
    if (match) return { systolic: Number(match[1]), diastolic: Number(match[2]) };
  }
  return undefined;
}

function deriveVital(vital: VitalSign): StoredObservation[] {
  const time = toDate(vital.time);
  const bloodPressure = bloodPressureOf(vital);
  if (bloodPressure) {
    return [
      compact({ kind: 'vital' as const, code: BLOOD_PRESSURE_CODES.systolic, system: LOINC_OID, value: bloodPressure.systolic, unit: BLOOD_PRESSURE_UNIT, time }),
      compact({ kind: 'vital' as const, code: BLOOD_PRESSURE_CODES.diastolic, system: LOINC_OID, value: bloodPressure.diastolic, unit: BLOOD_PRESSURE_UNIT, time }),
    ];
  }
  const value = vital.value !== undefined && 'quantity' in vital.value ? vital.value : undefined;
  return [compact({ kind: 'vital' as const, code: vital.code.code, system: vital.code.codeSystem, value: value?.quantity, unit: value?.unit, time })];
}

function deriveImmunization(immunization: Immunization): StoredImmunization {
  return compact({ code: immunization.code?.code, system: immunization.code?.codeSystem, date: toDate(immunization.date), refused: immunization.refused === true });
}

function deriveAllergy(allergy: Allergy): StoredAllergy {
  return compact({ code: allergy.allergen?.code, system: allergy.allergen?.codeSystem, type: allergy.type, active: !INACTIVE_STATUSES.has(allergy.status ?? '') });
}

function deriveEncounter(encounter: Encounter, keepNoteText: boolean): StoredEncounter {
  return compact({ date: toDate(encounter.date), providerId: encounter.providerId, text: keepNoteText ? encounter.text : undefined });
}

/** Distinct non-empty values, in first-seen order. */
function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))];
}

/** Removes keys whose value is undefined (MongoDB would store them as null). */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/** The postal code's first three characters (forward sortation area), upper case. */
function postalPrefixOf(postalCode: string | undefined): string | undefined {
  const cleaned = postalCode?.replace(/\s/g, '').toUpperCase();
  return cleaned !== undefined && cleaned.length >= 3 ? cleaned.slice(0, 3) : undefined;
}

/** Derives the stored patient document from a record read from an E2E document. */
export function derivePatient(record: PatientRecord, context: DeriveContext): StoredPatient {
  const { patient, document } = record;
  const medications = record.medications.map((medication) => deriveMedication(medication, context.now));
  const problems = record.problems.map(deriveProblem);
  const activeMedications = medications.filter((medication) => medication.active);
  return compact({
    _id: patientKey(context.clinicId, document.demographicNo),
    clinicId: context.clinicId,
    demographicNo: document.demographicNo,
    hinHmac: patient.healthNumber ? healthNumberHmac(context.hmacSecret, patient.healthNumber.value) : undefined,
    birthDate: fullDate(patient.birthDate),
    birthYear: patient.birthDate !== undefined && /^\d{4}/.test(patient.birthDate) ? Number(patient.birthDate.slice(0, 4)) : undefined,
    gender: patient.gender,
    postalPrefix: postalPrefixOf(patient.address?.postalCode),
    providerId: document.author?.id,
    medications,
    problems,
    observations: [...record.labResults.map(deriveLab), ...record.vitalSigns.flatMap(deriveVital)],
    immunizations: record.immunizations.map(deriveImmunization),
    allergies: record.allergies.map(deriveAllergy),
    encounters: record.encounters.map((encounter) => deriveEncounter(encounter, context.keepNoteText)),
    activeProblemCodes: distinct(problems.filter((problem) => problem.active).map((problem) => problem.code)),
    activeMedicationAtc: distinct(activeMedications.map((medication) => medication.atc)),
    activeMedicationDin: distinct(activeMedications.map((medication) => medication.din)),
    activeMedicationCount: activeMedications.length,
    sectionCounts: { ...context.sections },
    sourceHash: context.sourceHash,
    createdAt: context.createdAt ?? context.now,
    updatedAt: context.now,
  });
}
