/**
 * Record → stored patient: the privacy-reduced, query-shaped copy of a PatientRecord. Keeps
 * codes, dates and numbers; drops names, addresses, phones and (unless configured) note text;
 * the health number only as a keyed HMAC. Active flags and flat code arrays are decided here,
 * once, so the hub's queries are plain filters. The entries are derived in derive-entries.ts.
 */
import type { PatientRecord, SectionCounts } from '../../e2e/record';
import {
  compact,
  deriveAllergy,
  deriveEncounter,
  deriveFamilyHistory,
  deriveImmunization,
  deriveLab,
  deriveMedication,
  deriveProblem,
  deriveScreening,
  deriveVital,
  providerKeyOf,
  screeningObservation,
  systemKeyOf,
  toDate,
} from './derive-entries';
import { healthNumberHmac } from './hmac';
import { DERIVATION_VERSION } from './derivation-version';
import { canonicalDemographicNo, patientKey, type StoredObservation, type StoredPatient } from './patient-document';

export { providerKeyOf, toDate };

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

/** The birth date as a Date only when known to the day. */
function fullDate(value: string | undefined): Date | undefined {
  return value !== undefined && /^\d{4}-\d{2}-\d{2}/.test(value) ? toDate(value.slice(0, 10)) : undefined;
}

/** Distinct non-empty values, in first-seen order. */
function distinct(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))];
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
  const activeMedications = medications.filter((medication) => medication.active);
  const activeProblems = record.problems.filter((problem) => deriveProblem(problem).active);
  const problems = record.problems.map(deriveProblem);
  const screenings = record.screenings.map(deriveScreening);
  const observations: StoredObservation[] = [
    ...record.labResults.map(deriveLab),
    ...record.vitalSigns.flatMap(deriveVital),
    ...screenings.map(screeningObservation).filter((o): o is StoredObservation => o !== undefined),
  ];
  return compact({
    _id: patientKey(context.clinicId, document.demographicNo),
    clinicId: context.clinicId,
    demographicNo: canonicalDemographicNo(document.demographicNo),
    hinHmac: patient.healthNumber ? healthNumberHmac(context.hmacSecret, patient.healthNumber.value) : undefined,
    birthDate: fullDate(patient.birthDate),
    birthYear:
      patient.birthDate !== undefined && /^\d{4}/.test(patient.birthDate)
        ? Number(patient.birthDate.slice(0, 4))
        : undefined,
    gender: patient.gender,
    postalPrefix: postalPrefixOf(patient.address?.postalCode),
    providerId: providerKeyOf(document.author),
    medications,
    problems,
    observations,
    immunizations: record.immunizations.map(deriveImmunization),
    screenings,
    allergies: record.allergies.map(deriveAllergy),
    encounters: record.encounters.map((encounter) => deriveEncounter(encounter, context.keepNoteText)),
    familyHistory: record.familyHistory.map(deriveFamilyHistory),
    activeProblemCodes: distinct(
      activeProblems.filter((problem) => systemKeyOf(problem.code) === 'icd9').map((problem) => problem.code?.code),
    ),
    activeProblemOtherCodes: distinct(
      activeProblems.map((problem) => {
        const key = systemKeyOf(problem.code);
        return key === undefined || key === 'icd9' || problem.code === undefined
          ? undefined
          : `${key}:${problem.code.code}`;
      }),
    ),
    activeMedicationAtc: distinct(activeMedications.map((medication) => medication.atc)),
    activeMedicationDin: distinct(activeMedications.map((medication) => medication.din)),
    activeMedicationCount: activeMedications.length,
    sectionCounts: { ...context.sections },
    sourceHash: context.sourceHash,
    derivationVersion: DERIVATION_VERSION,
    createdAt: context.createdAt ?? context.now,
    updatedAt: context.now,
  });
}
