/** Writes an encounter entry (PITO Encounter template 3.9). Note text only when asked for. */
import type { Encounter } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { attr, idElement, interval, textElement } from './xml';

const PITO_OBS = `codeSystem="${CODE_SYSTEM_OID.pitoObservationType}" codeSystemName="${CODE_SYSTEM_NAME.pitoObservationType}"`;

/** The reason is one line: line breaks become spaces (a multi-line reason reads as note text). */
function oneLine(text: string): string {
  return text.replace(/\r\n?|\n/g, ' ');
}

/** The entry XML of one encounter. */
export function encounterEntry(enc: Encounter, includeNoteText: boolean): string {
  const provider =
    enc.providerId === undefined
      ? ''
      : `<participant typeCode="PRF" contextControlCode="OP"><templateId root="${ENTRY_TEMPLATES.encounterParticipant}"/><participantRole classCode="PROV"><id root="${enc.providerIdRoot ?? ID_OIDS.cpsid}"${attr('extension', enc.providerId)}/></participantRole></participant>`;
  const reason =
    enc.reason === undefined
      ? ''
      : `<entryRelationship typeCode="SUBJ" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.reasonObservation}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.reason}" displayName="Reason Observation" ${PITO_OBS}/>${textElement('text', oneLine(enc.reason))}</observation></entryRelationship>`;
  const note =
    !includeNoteText || enc.text === undefined
      ? ''
      : `<entryRelationship typeCode="COMP" contextConductionInd="true"><observation classCode="OBS" moodCode="EVN"><code code="${P.comment}" displayName="Comment Observation" ${PITO_OBS}/>${textElement('value', enc.text, ' xsi:type="ST"')}</observation></entryRelationship>`;
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.encounter}"/>` +
    `<encounter classCode="ENC" moodCode="EVN">${idElement(ID_OIDS.oscar, enc.id)}` +
    interval(enc.date, undefined) +
    provider +
    reason +
    note +
    `</encounter></entry>`
  );
}

/** Narrative columns and one row per encounter (no note text in the narrative). */
export const ENCOUNTER_COLUMNS = ['Date', 'Provider', 'Reason'];
export function encounterRow(enc: Encounter): (string | undefined)[] {
  return [enc.date, enc.providerId, enc.reason === undefined ? undefined : oneLine(enc.reason)];
}
