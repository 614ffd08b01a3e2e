/**
 * Writes a medication entry (PITO Medication template 3.18) in the shape of OSCAR's template: a
 * top-level substanceAdministration EVN with the drug's status, its consumable (DIN and ATC codes,
 * name, e2e:desc brand name, e2e:formCode, e2e:ingredient strength), the Long Term / Short Term
 * UNBOUND observation, then one nested prescription per prescription, newest first (see
 * prescription.ts). Other top-level fields are written only where they differ from the newest
 * prescription (the reader fills them from it: prescriptions.ts).
 */
import { asWritten, NEWEST_PRESCRIPTION_FIELDS, sameValue, type NewestPrescriptionField } from '../prescriptions';
import type { Medication, ObservedValue } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { MEDICATION_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { prnObservation, unboundObservation } from './observations';
import { drugCodes, prescriptionRelationship } from './prescription';
import { attr, codedElement, decimal, idElement, interval, textElement } from './xml';

function dose(value: ObservedValue | undefined): { quantity: string; text: string } {
  if (value === undefined) return { quantity: '', text: '' };
  if ('quantity' in value)
    return { quantity: `<doseQuantity value="${decimal(value.quantity)}"${attr('unit', value.unit)}/>`, text: '' };
  return { quantity: '', text: unboundObservation(P.dosePrefix + value.text) };
}

function strength(med: Medication): string {
  if (med.strength === undefined) return '';
  return `<e2e:ingredient classCode="INGR"><e2e:quantity value="${decimal(med.strength.quantity)}"${attr('unit', med.strength.unit)}/><e2e:ingredient classCode="MMAT" determinerCode="KIND">${textElement('e2e:name', med.name)}</e2e:ingredient></e2e:ingredient>`;
}

function consumable(med: Medication): string {
  return (
    `<consumable typeCode="CSM"><templateId root="${ENTRY_TEMPLATES.drugProduct}"/><manufacturedProduct classCode="MANU"><manufacturedLabeledDrug classCode="MMAT" determinerCode="KIND">` +
    drugCodes(med) +
    textElement('name', med.name) +
    textElement('e2e:desc', med.brandName) +
    (med.form === undefined ? '' : codedElement('e2e:formCode', med.form)) +
    strength(med) +
    `</manufacturedLabeledDrug></manufacturedProduct></consumable>`
  );
}

/** The top-level fields to write: those that differ from the newest prescription (status and long term always). */
function topLevel(med: Medication): Partial<Pick<Medication, NewestPrescriptionField>> {
  const newest = med.prescriptions![0];
  const top: Partial<Pick<Medication, NewestPrescriptionField>> = {};
  for (const field of NEWEST_PRESCRIPTION_FIELDS) {
    const always = field === 'status' || field === 'longTerm';
    if (med[field] !== undefined && (always || !sameValue(med[field], newest[field])))
      (top as Record<string, unknown>)[field] = med[field];
  }
  return top;
}

/** The entry XML of one medication. */
export function medicationEntry(medication: Medication): string {
  const med = asWritten(medication);
  const top = topLevel(med);
  const { quantity, text: doseText } = dose(top.dose);
  const author =
    top.prescriberId === undefined
      ? ''
      : `<author typeCode="AUT" contextControlCode="OP"><templateId root="${ENTRY_TEMPLATES.author}"/><time nullFlavor="NI"/><assignedAuthor classCode="ASSIGNED"><id root="${top.prescriberIdRoot ?? ID_OIDS.cpsid}"${attr('extension', top.prescriberId)}/></assignedAuthor></author>`;
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.medication}"/>` +
    `<substanceAdministration classCode="SBADM" moodCode="EVN">${idElement(ID_OIDS.oscar, med.id)}` +
    `<code code="DRUG" displayName="Drug Therapy" codeSystem="${CODE_SYSTEM_OID.actCode}" codeSystemName="${CODE_SYSTEM_NAME.actCode}"/>` +
    textElement('text', top.instructions) +
    (top.status === undefined ? '' : `<statusCode code="${MEDICATION_STATUS.write[top.status]}"/>`) +
    interval(top.start, top.end) +
    (top.route === undefined ? '' : codedElement('routeCode', top.route)) +
    quantity +
    consumable(med) +
    author +
    (top.longTerm === undefined ? '' : unboundObservation(top.longTerm ? P.longTermText : P.shortTermText)) +
    (top.frequency === undefined ? '' : unboundObservation(P.frequencyPrefix + top.frequency)) +
    doseText +
    prnObservation(top.prn) +
    med.prescriptions!.map((p) => prescriptionRelationship(med, p)).join('') +
    `</substanceAdministration></entry>`
  );
}

/** Narrative columns and one row per medication. */
export const MEDICATION_COLUMNS = ['Medication', 'DIN', 'Dose', 'Frequency', 'Start', 'Status'];
export function medicationRow(medication: Medication): (string | undefined)[] {
  const med = asWritten(medication);
  const dose =
    med.dose === undefined
      ? undefined
      : 'quantity' in med.dose
        ? `${med.dose.quantity} ${med.dose.unit ?? ''}`.trim()
        : med.dose.text;
  return [
    med.name ?? med.brandName ?? med.din?.displayName ?? med.atc?.displayName,
    med.din?.code,
    dose,
    med.frequency,
    med.start,
    med.status,
  ];
}
