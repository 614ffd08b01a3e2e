/**
 * Record entries → stored entries: codes with canonical code-system OIDs, dates as BSON dates,
 * numbers; no free text (encounter note text only when configured). One function per entry kind.
 */
import type {
  Allergy,
  Coded,
  Encounter,
  FamilyHistory,
  Immunization,
  LabResult,
  Medication,
  Prescription,
  Problem,
  Screening,
  VitalSign,
} from '../../e2e/record';
import { CODE_SYSTEM_OID, findCodeSystem } from '../../e2e/vocab/code-systems';
import { ID_OIDS } from '../../e2e/vocab/oids';
import { BLOOD_PRESSURE_CODES } from '../../e2e/vocab/value-maps';
import type {
  StoredAllergy,
  StoredEncounter,
  StoredFamilyHistory,
  StoredImmunization,
  StoredMedication,
  StoredObservation,
  StoredPrescription,
  StoredProblem,
  StoredScreening,
} from './patient-document';

const BLOOD_PRESSURE_UNIT = 'mm[Hg]';
const INACTIVE_MEDICATION_STATUSES = new Set(['completed', 'suspended', 'aborted']);
const INACTIVE_STATUSES = new Set(['inactive', 'resolved']);

/** Parses an ISO date of any precision (`2014`, `2014-06`, `2014-06-12T10:30…`); undefined if invalid. */
export function toDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?(T.*)?$/.exec(value.trim());
  if (!match) return undefined;
  const [, year, month = '01', day = '01', time] = match;
  const zoned = time !== undefined && /[zZ]|[+-]\d{2}:?\d{2}$/.test(time);
  const text =
    time === undefined ? `${year}-${month}-${day}T00:00:00Z` : `${year}-${month}-${day}${zoned ? time : `${time}Z`}`;
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Removes keys whose value is undefined (MongoDB would store them as null). */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/** The canonical OID of a coded value's system (alias spellings and typo OIDs resolved), else the OID as written. */
export function systemOf(coded: Coded | undefined): string | undefined {
  if (coded === undefined) return undefined;
  return findCodeSystem(coded.codeSystem, coded.codeSystemName)?.oid ?? coded.codeSystem;
}

/** The code-system key of a coded value (`icd9`, `snomed` …), when the system is known. */
export function systemKeyOf(coded: Coded | undefined): string | undefined {
  return coded === undefined ? undefined : findCodeSystem(coded.codeSystem, coded.codeSystemName)?.key;
}

function derivePrescription(prescription: Prescription): StoredPrescription {
  return compact({
    start: toDate(prescription.start),
    end: toDate(prescription.end),
    longTerm: prescription.longTerm,
    status: prescription.status,
  });
}

/** A medication; `now` decides whether an ended short-term medication still counts as active. */
export function deriveMedication(medication: Medication, now: Date): StoredMedication {
  const end = toDate(medication.end);
  const ended = end !== undefined && end.getTime() < now.getTime() && medication.longTerm !== true;
  const active = !INACTIVE_MEDICATION_STATUSES.has(medication.status ?? '') && !ended;
  const prescriptions = medication.prescriptions?.map(derivePrescription);
  return compact({
    din: medication.din?.code,
    atc: medication.atc?.code,
    status: medication.status,
    active,
    longTerm: medication.longTerm,
    prn: medication.prn,
    start: toDate(medication.start),
    end,
    prescriptions: prescriptions === undefined || prescriptions.length === 0 ? undefined : prescriptions,
  });
}

/** A problem: active unless its status says inactive/resolved or it has a resolution date. */
export function deriveProblem(problem: Problem): StoredProblem {
  const active = !INACTIVE_STATUSES.has(problem.status ?? '') && problem.resolved === undefined;
  return compact({
    code: problem.code?.code,
    system: systemOf(problem.code),
    status: problem.status,
    active,
    onset: toDate(problem.onset),
  });
}

/** A lab result: numeric values only (text results keep their code and time). */
export function deriveLab(lab: LabResult): StoredObservation {
  const value = lab.value !== undefined && 'quantity' in lab.value ? lab.value : undefined;
  return compact({
    kind: 'lab' as const,
    code: lab.code.code,
    system: systemOf(lab.code),
    value: value?.quantity,
    unit: value?.unit,
    time: toDate(lab.time),
    preliminary: lab.status === 'preliminary' ? true : undefined,
  });
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

/** A vital sign: one observation, or two for a blood pressure (systolic and diastolic, LOINC). */
export function deriveVital(vital: VitalSign): StoredObservation[] {
  const time = toDate(vital.time);
  const bloodPressure = bloodPressureOf(vital);
  if (bloodPressure) {
    const part = (code: string, value: number): StoredObservation =>
      compact({ kind: 'vital' as const, code, system: CODE_SYSTEM_OID.loinc, value, unit: BLOOD_PRESSURE_UNIT, time });
    return [
      part(BLOOD_PRESSURE_CODES.systolic, bloodPressure.systolic),
      part(BLOOD_PRESSURE_CODES.diastolic, bloodPressure.diastolic),
    ];
  }
  const value = vital.value !== undefined && 'quantity' in vital.value ? vital.value : undefined;
  return [
    compact({
      kind: 'vital' as const,
      code: vital.code.code,
      system: systemOf(vital.code),
      value: value?.quantity,
      unit: value?.unit,
      time,
    }),
  ];
}

/** An immunization; not given (refused or ineligible) is kept with its reason. */
export function deriveImmunization(immunization: Immunization): StoredImmunization {
  const refused = immunization.refused === true;
  return compact({
    code: immunization.code?.code,
    system: systemOf(immunization.code),
    date: toDate(immunization.date),
    refused,
    reason: refused ? immunization.notGivenReason : undefined,
  });
}

/** A screening, done or not. */
export function deriveScreening(screening: Screening): StoredScreening {
  const refused = screening.refused === true;
  return compact({
    code: screening.code.code,
    system: systemOf(screening.code),
    date: toDate(screening.date),
    refused,
    reason: refused ? screening.notGivenReason : undefined,
  });
}

/** A done screening as an observation, so "a PAP in the last 36 months" is an observation criterion. */
export function screeningObservation(screening: StoredScreening): StoredObservation | undefined {
  if (screening.refused) return undefined;
  return compact({ kind: 'screening' as const, code: screening.code, system: screening.system, time: screening.date });
}

/** An allergy. */
export function deriveAllergy(allergy: Allergy): StoredAllergy {
  return compact({
    code: allergy.allergen?.code,
    system: systemOf(allergy.allergen),
    type: allergy.type,
    active: !INACTIVE_STATUSES.has(allergy.status ?? ''),
  });
}

/** A family history entry: relationship, condition and age at onset only. */
export function deriveFamilyHistory(entry: FamilyHistory): StoredFamilyHistory {
  return compact({
    relationship: entry.relationship?.code,
    code: entry.condition?.code,
    system: systemOf(entry.condition),
    ageAtOnset: entry.ageAtOnset,
  });
}

/** Prefix of a provider key by the author id's root: the CPSID stands alone, the fallbacks say what they are. */
const PROVIDER_KEY_PREFIX: Readonly<Record<string, string>> = {
  [ID_OIDS.cpsid]: '',
  [ID_OIDS.mspBilling]: 'msp:',
  [ID_OIDS.oscar]: 'oscar:',
};

/** The physician key of an author or provider id (see StoredPatient.providerId). */
export function providerKeyOf(author: { id?: string; idRoot?: string } | undefined): string | undefined {
  if (author?.id === undefined) return undefined;
  const prefix = author.idRoot === undefined ? '' : (PROVIDER_KEY_PREFIX[author.idRoot] ?? '');
  return `${prefix}${author.id}`;
}

/** An encounter; note text only when the gateway keeps it. */
export function deriveEncounter(encounter: Encounter, keepNoteText: boolean): StoredEncounter {
  return compact({
    date: toDate(encounter.date),
    providerId: providerKeyOf({ id: encounter.providerId, idRoot: encounter.providerIdRoot }),
    text: keepNoteText ? encounter.text : undefined,
  });
}
