/**
 * The rule that ties a medication's top-level fields to its prescriptions, shared by writer and
 * reader: the top level describes the drug as of its newest prescription (`prescriptions[0]`).
 * The writer writes a top-level field only where it differs from the newest prescription, and
 * gives a medication without prescriptions one prescription made from its top-level fields; the
 * reader fills each missing top-level field from the newest prescription. So reading back a
 * written medication gives {@link asWritten} of it.
 */
import type { Medication, Prescription } from './record';

/** The top-level fields that describe the newest prescription. */
export const NEWEST_PRESCRIPTION_FIELDS = [
  'start',
  'end',
  'dose',
  'frequency',
  'route',
  'prn',
  'longTerm',
  'status',
  'instructions',
  'prescriberId',
  'prescriberIdRoot',
] as const satisfies readonly (keyof Medication & keyof Prescription)[];

/** One of the fields shared by a medication and its prescriptions. */
export type NewestPrescriptionField = (typeof NEWEST_PRESCRIPTION_FIELDS)[number];

/** The prescription the writer makes for a medication that has none: its top-level fields, no id. */
export function synthesizedPrescription(med: Medication): Prescription {
  const prescription: Prescription = {};
  for (const field of NEWEST_PRESCRIPTION_FIELDS) {
    if (med[field] !== undefined) (prescription as Record<string, unknown>)[field] = med[field];
  }
  return prescription;
}

/** The medication with every top-level field it lacks taken from its newest prescription (a new object). */
export function fillFromNewest(med: Medication): Medication {
  const newest = med.prescriptions?.[0];
  if (newest === undefined) return med;
  const filled: Medication = { ...med };
  for (const field of NEWEST_PRESCRIPTION_FIELDS) {
    if (filled[field] === undefined && newest[field] !== undefined)
      (filled as Record<string, unknown>)[field] = newest[field];
  }
  return filled;
}

/** What the writer writes for a medication and the reader gives back: prescriptions always present, top level filled. */
export function asWritten(med: Medication): Medication {
  const prescriptions =
    med.prescriptions !== undefined && med.prescriptions.length > 0
      ? med.prescriptions
      : [synthesizedPrescription(med)];
  return fillFromNewest({ ...med, prescriptions });
}

/** True when two field values are the same (plain data: compared as JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b));
}
