/**
 * Writes the laboratory section's result entries (PITO Laboratory template 3.12): an observation
 * holding a BATTERY organizer of result observations. The results of one lab report (consecutive
 * results with the same `reportId`) are one entry whose observation id is the report id; a result
 * without a report is an entry of its own. Status as ActStatus (final → completed, preliminary →
 * active), the accession number as a second id of each result.
 */
import type { LabResult, ObservedValue } from '../record';
import { CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { LAB_STATUS } from '../vocab/value-maps';
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

/**
 * One lab entry around result components: the outer observation (id = the report, when there is
 * one) and its battery organizer with the report's status.
 */
export function labEntry(reportId: string | undefined, status: string, components: string): string {
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.lab}"/>` +
    `<observation classCode="OBS" moodCode="EVN">${idElement(ID_OIDS.oscar, reportId)}<code nullFlavor="NA"/>` +
    `<entryRelationship typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.labBattery}"/>` +
    `<organizer classCode="BATTERY" moodCode="EVN"><code nullFlavor="UNK"/><statusCode code="${status}"/>` +
    components +
    `</organizer></entryRelationship></observation></entry>`
  );
}

/** A result component: `<component>` around the result observation's XML (open tag attributes, body). */
export function resultComponent(observationAttrs: string, body: string): string {
  return `<component typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.labResult}"/><observation classCode="OBS" moodCode="EVN"${observationAttrs}>${body}</observation></component>`;
}

function resultObservation(lab: LabResult): string {
  const time = ts(lab.time);
  return resultComponent(
    '',
    idElement(ID_OIDS.oscar, lab.id) +
      idElement(ID_OIDS.labAccession, lab.accession) +
      codedElement('code', lab.code) +
      textElement('text', lab.name) +
      (lab.status === undefined ? '' : `<statusCode code="${LAB_STATUS.write[lab.status]}"/>`) +
      (time === undefined ? '' : `<effectiveTime value="${time}"/>`) +
      observedValue(lab.value) +
      (lab.interpretation === undefined
        ? ''
        : `<interpretationCode${attr('code', lab.interpretation)} codeSystem="${CODE_SYSTEM_OID.interpretation}"/>`) +
      referenceRange(lab.referenceRange),
  );
}

/** The entries of all lab results: one per run of consecutive results of the same report, else one per result. */
export function labResultEntries(results: readonly LabResult[]): string {
  let xml = '';
  for (let start = 0; start < results.length;) {
    const reportId = results[start].reportId;
    let end = start + 1;
    if (reportId !== undefined) while (end < results.length && results[end].reportId === reportId) end++;
    const group = results.slice(start, end);
    const status = group[0].status === undefined ? 'completed' : LAB_STATUS.write[group[0].status];
    xml += labEntry(reportId, status, group.map(resultObservation).join(''));
    start = end;
  }
  return xml;
}

/** Narrative columns (of the whole laboratory section) and one row per lab result. */
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
