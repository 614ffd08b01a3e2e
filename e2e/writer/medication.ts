/** Writes a medication entry (PITO Medication template 3.18). */
import type { Medication, ObservedValue } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { MEDICATION_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { attr, codedElement, decimal, idElement, interval, textElement } from './xml';

const PITO_OBS = `codeSystem="${CODE_SYSTEM_OID.pitoObservationType}" codeSystemName="${CODE_SYSTEM_NAME.pitoObservationType}"`;

/** An UNBOUND observation carrying one line of text (how OSCAR writes long-term and similar facts). */
export function unboundObservation(text: string): string {
  return `<entryRelationship typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.unboundObservation}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.unbound}" displayName="Unbound Observation" ${PITO_OBS}/>${textElement('text', text)}</observation></entryRelationship>`;
}

function dose(value: ObservedValue | undefined): { quantity: string; text: string } {
  if (value === undefined) return { quantity: '', text: '' };
  if ('quantity' in value)
    return { quantity: `<doseQuantity value="${decimal(value.quantity)}"${attr('unit', value.unit)}/>`, text: '' };
  return { quantity: '', text: unboundObservation(P.dosePrefix + value.text) };
}

/** The entry XML of one medication. */
export function medicationEntry(med: Medication): string {
  const { quantity, text: doseText } = dose(med.dose);
  const status = med.status === undefined ? '' : `<statusCode code="${MEDICATION_STATUS.write[med.status]}"/>`;
  const drugCodes =
    med.din === undefined && med.atc === undefined
      ? '<code nullFlavor="NI"/>'
      : (med.din ? codedElement('code', med.din) : '') + (med.atc ? codedElement('code', med.atc) : '');
  const form = med.form === undefined ? '' : codedElement('e2e:formCode', med.form);
  const author =
    med.prescriberId === undefined
      ? ''
      : `<author typeCode="AUT" contextControlCode="OP"><templateId root="${ENTRY_TEMPLATES.author}"/><time nullFlavor="NI"/><assignedAuthor classCode="ASSIGNED"><id root="${ID_OIDS.cpsid}"${attr('extension', med.prescriberId)}/></assignedAuthor></author>`;
  const longTerm =
    med.longTerm === undefined ? '' : unboundObservation(med.longTerm ? P.longTermText : P.shortTermText);
  const frequency = med.frequency === undefined ? '' : unboundObservation(P.frequencyPrefix + med.frequency);
  const prn =
    med.prn === undefined
      ? ''
      : `<entryRelationship typeCode="SUBJ" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.prnIndicator}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.prn}" displayName="PRN Indicator" ${PITO_OBS}/><value xsi:type="BL" value="${med.prn}"/></observation></entryRelationship>`;
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.medication}"/>` +
    `<substanceAdministration classCode="SBADM" moodCode="EVN">${idElement(ID_OIDS.oscar, med.id)}` +
    `<code code="DRUG" displayName="Drug Therapy" codeSystem="${CODE_SYSTEM_OID.actCode}" codeSystemName="${CODE_SYSTEM_NAME.actCode}"/>` +
    textElement('text', med.instructions) +
    status +
    interval(med.start, med.end) +
    (med.route === undefined ? '' : codedElement('routeCode', med.route)) +
    quantity +
    `<consumable typeCode="CSM"><templateId root="${ENTRY_TEMPLATES.drugProduct}"/><manufacturedProduct classCode="MANU"><manufacturedLabeledDrug classCode="MMAT" determinerCode="KIND">` +
    drugCodes +
    textElement('name', med.name) +
    form +
    `</manufacturedLabeledDrug></manufacturedProduct></consumable>` +
    author +
    longTerm +
    frequency +
    doseText +
    prn +
    `</substanceAdministration></entry>`
  );
}

/** Narrative columns and one row per medication. */
export const MEDICATION_COLUMNS = ['Medication', 'DIN', 'Dose', 'Frequency', 'Start', 'Status'];
export function medicationRow(med: Medication): (string | undefined)[] {
  const dose =
    med.dose === undefined
      ? undefined
      : 'quantity' in med.dose
        ? `${med.dose.quantity} ${med.dose.unit ?? ''}`.trim()
        : med.dose.text;
  return [
    med.name ?? med.din?.displayName ?? med.atc?.displayName,
    med.din?.code,
    dose,
    med.frequency,
    med.start,
    med.status,
  ];
}
