/**
 * Writes a screening (PAP, mammogram, FOBT, colonoscopy …) inside the laboratory section as a lab
 * entry with one result: code = the screening code, text = its name, effectiveTime = its date;
 * not done (refused, ineligible) is negationInd="true" on the result with the ActReason reason.
 * The reader tells it from a lab result by its code (vocab/clinical-codes.ts).
 */
import type { Screening } from '../record';
import { ID_OIDS } from '../vocab/oids';
import { labEntry, resultComponent } from './lab-result';
import { notGivenReasonObservation } from './observations';
import { codedElement, idElement, textElement, ts } from './xml';

/** The entry XML of one screening. */
export function screeningEntry(screening: Screening): string {
  const time = ts(screening.date);
  const negation = screening.refused === undefined ? '' : ` negationInd="${screening.refused}"`;
  const body =
    idElement(ID_OIDS.oscar, screening.id) +
    codedElement('code', screening.code) +
    textElement('text', screening.name) +
    '<statusCode code="completed"/>' +
    (time === undefined ? '' : `<effectiveTime value="${time}"/>`) +
    (screening.refused === true ? notGivenReasonObservation(screening.notGivenReason) : '');
  return labEntry(undefined, 'completed', resultComponent(negation, body));
}

/** One narrative row per screening, in the laboratory section's columns (Test, Code, Result, Flag, Time). */
export function screeningRow(screening: Screening): (string | undefined)[] {
  const done =
    screening.refused === undefined
      ? undefined
      : screening.refused
        ? `not done (${screening.notGivenReason ?? 'refused'})`
        : 'done';
  return [screening.name ?? screening.code.displayName, screening.code.code, done, undefined, screening.date];
}
