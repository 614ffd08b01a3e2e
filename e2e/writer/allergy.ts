/**
 * Writes an allergy entry (PITO Allergy template 3.3: a concern act around an intolerance
 * observation). The act carries the status (ActStatus: archived → completed) and the onset as its
 * effectiveTime low, where E2E consumers take the allergy's date from.
 */
import type { Allergy } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { ALLERGY_SEVERITY, ALLERGY_TYPE, ARCHIVED_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { codedElement, idElement, interval, textElement } from './xml';

const ACT_CODE = `codeSystem="${CODE_SYSTEM_OID.actCode}" codeSystemName="${CODE_SYSTEM_NAME.actCode}"`;

function severity(allergy: Allergy): string {
  if (allergy.severity === undefined) return '';
  const value =
    allergy.severity === 'unknown'
      ? '<value xsi:type="CD" nullFlavor="UNK"/>'
      : `<value xsi:type="CD" code="${ALLERGY_SEVERITY.write[allergy.severity]}" codeSystem="${CODE_SYSTEM_OID.observationValue}" codeSystemName="${CODE_SYSTEM_NAME.observationValue}"/>`;
  return `<entryRelationship typeCode="SUBJ" contextConductionInd="true" inversionInd="true"><templateId root="${ENTRY_TEMPLATES.severity}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.severity}" displayName="Severity" ${ACT_CODE}/>${value}</observation></entryRelationship>`;
}

function reaction(allergy: Allergy): string {
  if (allergy.reaction === undefined) return '';
  return `<entryRelationship typeCode="MFST" contextConductionInd="true" inversionInd="true"><observation classCode="OBS" moodCode="EVN"><code code="${P.reaction}" displayName="Reaction Observation" codeSystem="${CODE_SYSTEM_OID.pitoObservationType}" codeSystemName="${CODE_SYSTEM_NAME.pitoObservationType}"/>${textElement('text', allergy.reaction)}</observation></entryRelationship>`;
}

/** The entry XML of one allergy. */
export function allergyEntry(allergy: Allergy): string {
  const type =
    allergy.type === undefined
      ? '<code nullFlavor="NI"/>'
      : `<code code="${ALLERGY_TYPE.write[allergy.type]}" ${ACT_CODE}/>`;
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.allergy}"/>` +
    `<act classCode="ACT" moodCode="EVN">${idElement(ID_OIDS.oscar, allergy.id)}` +
    `<code code="CONC" displayName="Concern" codeSystem="${CODE_SYSTEM_OID.actClass}" codeSystemName="${CODE_SYSTEM_NAME.actClass}"/>` +
    (allergy.status === undefined ? '' : `<statusCode code="${ARCHIVED_STATUS.write[allergy.status]}"/>`) +
    interval(allergy.onset, undefined) +
    `<entryRelationship typeCode="SUBJ" contextConductionInd="true"><observation classCode="OBS" moodCode="EVN">` +
    type +
    interval(allergy.onset, undefined) +
    `<participant typeCode="CSM" contextControlCode="OP"><participantRole classCode="MANU"><playingEntity classCode="MMAT" determinerCode="INSTANCE">` +
    codedElement('code', allergy.allergen) +
    textElement('name', allergy.description) +
    `</playingEntity></participantRole></participant>` +
    severity(allergy) +
    reaction(allergy) +
    `</observation></entryRelationship></act></entry>`
  );
}

/** Narrative columns and one row per allergy. */
export const ALLERGY_COLUMNS = ['Allergen', 'Type', 'Reaction', 'Severity', 'Status'];
export function allergyRow(allergy: Allergy): (string | undefined)[] {
  return [
    allergy.description ?? allergy.allergen?.displayName,
    allergy.type,
    allergy.reaction,
    allergy.severity,
    allergy.status,
  ];
}
