/**
 * Writes the entries of the CPP note sections as OSCAR's template does: an alert (3.2: observation
 * OTHERALRT), a family history entry (3.10: observation DX with the relative as subject, the
 * condition as value and ICD9CODE, age at onset LOINC 30972-4) and a risk factor (3.17: organizer
 * with one observation coded by kind). Note text only when the export includes note text.
 */
import type { Alert, FamilyHistory, RiskFactor } from '../record';
import { FAMILY_HISTORY_CODES, RISK_FACTOR_KIND_CODES } from '../vocab/clinical-codes';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { ARCHIVED_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { icd9CodeObservation, PITO_OBS } from './observations';
import { codedElement, decimal, idElement, interval, textElement } from './xml';

type Status = Alert['status'];
type Cells = (string | undefined)[];

function statusCode(status: Status): string {
  return status === undefined ? '' : `<statusCode code="${ARCHIVED_STATUS.write[status]}"/>`;
}

function noteText(text: string | undefined, includeNoteText: boolean): string {
  return includeNoteText ? textElement('text', text) : '';
}

function entry(template: string, body: string): string {
  return `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${template}"/>${body}</entry>`;
}

/** The entry XML of one alert. */
export function alertEntry(alert: Alert, includeNoteText: boolean): string {
  return entry(
    ENTRY_TEMPLATES.alert,
    `<observation classCode="OBS" moodCode="EVN">${idElement(ID_OIDS.oscar, alert.id)}` +
      `<code code="${P.otherAlert}" displayName="Other Alert" ${PITO_OBS}/>` +
      noteText(alert.text, includeNoteText) +
      statusCode(alert.status) +
      interval(alert.date, undefined) +
      `</observation>`,
  );
}

/** Narrative columns and one row per alert (no note text in the narrative). */
export const ALERT_COLUMNS = ['Alert', 'Date', 'Status'];
export function alertRow(alert: Alert): Cells {
  return ['Other Alert', alert.date, alert.status];
}

function ageAtOnset(age: number | undefined): string {
  if (age === undefined) return '';
  const value = Number.isInteger(age)
    ? `<value xsi:type="INT" value="${age}"/>`
    : `<value xsi:type="PQ" value="${decimal(age)}" unit="a"/>`;
  return `<entryRelationship typeCode="COMP" contextConductionInd="true"><observation classCode="OBS" moodCode="EVN"><code code="${FAMILY_HISTORY_CODES.ageAtOnset}" displayName="Age at onset" codeSystem="${CODE_SYSTEM_OID.loinc}" codeSystemName="${CODE_SYSTEM_NAME.loinc}"/>${value}</observation></entryRelationship>`;
}

/** The entry XML of one family history entry. */
export function familyHistoryEntry(history: FamilyHistory, includeNoteText: boolean): string {
  const subject =
    history.relationship === undefined
      ? ''
      : `<subject typeCode="SBJ" contextControlCode="OP"><relatedSubject classCode="PRS">${codedElement('code', history.relationship)}</relatedSubject></subject>`;
  return entry(
    ENTRY_TEMPLATES.familyHistory,
    `<observation classCode="OBS" moodCode="EVN">${idElement(ID_OIDS.oscar, history.id)}` +
      `<code code="${FAMILY_HISTORY_CODES.observation}" displayName="Diagnosis" codeSystem="${CODE_SYSTEM_OID.actCode}" codeSystemName="${CODE_SYSTEM_NAME.actCode}"/>` +
      noteText(history.text, includeNoteText) +
      interval(history.date, undefined) +
      codedElement('value', history.condition, ' xsi:type="CD"') +
      subject +
      icd9CodeObservation(history.condition) +
      ageAtOnset(history.ageAtOnset) +
      `</observation>`,
  );
}

/** Narrative columns and one row per family history entry (no note text). */
export const FAMILY_HISTORY_COLUMNS = ['Relative', 'Condition', 'Code', 'Age at onset', 'Date'];
export function familyHistoryRow(history: FamilyHistory): Cells {
  return [
    history.relationship?.displayName ?? history.relationship?.code,
    history.condition?.displayName,
    history.condition?.code,
    history.ageAtOnset === undefined ? undefined : String(history.ageAtOnset),
    history.date,
  ];
}

/** The entry XML of one risk factor or social history entry. */
export function riskFactorEntry(risk: RiskFactor, includeNoteText: boolean): string {
  const snomed = `codeSystem="${CODE_SYSTEM_OID.snomed}" codeSystemName="${CODE_SYSTEM_NAME.snomed}"`;
  const kind =
    risk.kind === undefined ? '<code nullFlavor="NI"/>' : codedElement('code', RISK_FACTOR_KIND_CODES[risk.kind]);
  return entry(
    ENTRY_TEMPLATES.riskFactor,
    `<organizer classCode="CLUSTER" moodCode="EVN">${idElement(ID_OIDS.oscar, risk.id)}` +
      `<code code="${RISK_FACTOR_KIND_CODES.riskFactor.code}" displayName="Risk factor (observable entity)" ${snomed}/>` +
      (risk.status === undefined ? '<statusCode nullFlavor="NI"/>' : statusCode(risk.status)) +
      `<component typeCode="COMP" contextConductionInd="true"><observation classCode="OBS" moodCode="EVN">${kind}` +
      noteText(risk.text, includeNoteText) +
      interval(risk.date, undefined) +
      `<value xsi:type="BL" value="true"/></observation></component></organizer>`,
  );
}

/** Narrative columns and one row per risk factor (no note text). */
export const RISK_FACTOR_COLUMNS = ['Kind', 'Date', 'Status'];
export function riskFactorRow(risk: RiskFactor): Cells {
  return [risk.kind === undefined ? undefined : RISK_FACTOR_KIND_CODES[risk.kind].displayName, risk.date, risk.status];
}
