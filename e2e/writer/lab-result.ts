/** Writes a lab result entry (PITO Laboratory template 3.12: a battery holding one result). */
import type { LabResult, ObservedValue } from '../record';
import { CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { attr, codedElement, decimal, idElement, textElement, ts } from './xml';

/** A `value` element for a quantity (PQ) or text (ST). */
export function observedValue(value: ObservedValue | undefined): string {
  if (value === undefined) return '';
  if ('quantity' in value)
    return `<value xsi:type="PQ" value="${decimal(value.quantity)}"${attr('unit', value.unit)}/>`;
  return textElement('value', value.text, ' xsi:type="ST"');
}

function referenceRange(range: LabResult['referenceRange']): string {
  if (range === undefined) return '';
  const bounds =
    range.low === undefined && range.high === undefined
      ? ''
      : `<value xsi:type="IVL_REAL">${range.low === undefined ? '' : `<low value="${decimal(range.low)}"/>`}${range.high === undefined ? '' : `<high value="${decimal(range.high)}"/>`}</value>`;
  return `<referenceRange typeCode="REFV"><observationRange classCode="OBS" moodCode="EVN.CRT">${textElement('text', range.text)}${bounds}</observationRange></referenceRange>`;
}

/** The entry XML of one lab result. */
export function labResultEntry(lab: LabResult): string {
  const time = ts(lab.time);
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.lab}"/>` +
    `<observation classCode="OBS" moodCode="EVN"><code nullFlavor="NA"/>` +
    `<entryRelationship typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.labBattery}"/>` +
    `<organizer classCode="BATTERY" moodCode="EVN"><code nullFlavor="UNK"/><statusCode code="completed"/>` +
    `<component typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.labResult}"/>` +
    `<observation classCode="OBS" moodCode="EVN">${idElement(ID_OIDS.oscar, lab.id)}` +
    codedElement('code', lab.code) +
    textElement('text', lab.name) +
    `<statusCode code="completed"/>` +
    (time === undefined ? '' : `<effectiveTime value="${time}"/>`) +
    observedValue(lab.value) +
    (lab.interpretation === undefined
      ? ''
      : `<interpretationCode${attr('code', lab.interpretation)} codeSystem="${CODE_SYSTEM_OID.interpretation}"/>`) +
    referenceRange(lab.referenceRange) +
    `</observation></component></organizer></entryRelationship></observation></entry>`
  );
}

/** Narrative columns and one row per lab result. */
export const LAB_RESULT_COLUMNS = ['Test', 'Code', 'Result', 'Flag', 'Time'];
export function labResultRow(lab: LabResult): (string | undefined)[] {
  const value =
    lab.value === undefined
      ? undefined
      : 'quantity' in lab.value
        ? `${lab.value.quantity} ${lab.value.unit ?? ''}`.trim()
        : lab.value.text;
  return [lab.name ?? lab.code.displayName, lab.code.code, value, lab.interpretation, lab.time];
}
