/**
 * Small observations several entry writers put in an entryRelationship: the UNBOUND line of
 * text, the PRN indicator, the not-given reason (ActReason) and the ICD9CODE secondary code.
 */
import type { Coded, NotGivenReason } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID, findCodeSystem } from '../vocab/code-systems';
import { ENTRY_TEMPLATES } from '../vocab/oids';
import { NOT_GIVEN_REASON, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { codedElement, textElement } from './xml';

/** codeSystem and codeSystemName of the PITO observation-type vocabulary (attributes). */
export const PITO_OBS = `codeSystem="${CODE_SYSTEM_OID.pitoObservationType}" codeSystemName="${CODE_SYSTEM_NAME.pitoObservationType}"`;

/** An UNBOUND observation carrying one line of text (how OSCAR writes long-term and similar facts). */
export function unboundObservation(text: string): string {
  return `<entryRelationship typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.unboundObservation}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.unbound}" displayName="Unbound Observation" ${PITO_OBS}/>${textElement('text', text)}</observation></entryRelationship>`;
}

/** The PRN indicator observation (true: as needed), or nothing when unknown. */
export function prnObservation(prn: boolean | undefined): string {
  if (prn === undefined) return '';
  return `<entryRelationship typeCode="SUBJ" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.prnIndicator}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.prn}" displayName="PRN Indicator" ${PITO_OBS}/><value xsi:type="BL" value="${prn}"/></observation></entryRelationship>`;
}

/** Why it was not given, as a REASON observation whose value is an ActReason code, or nothing. */
export function notGivenReasonObservation(reason: NotGivenReason | undefined): string {
  if (reason === undefined) return '';
  const code = NOT_GIVEN_REASON.write[reason];
  return `<entryRelationship typeCode="RSON" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.reasonObservation}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.reason}" displayName="Reason Observation" ${PITO_OBS}/><value xsi:type="CD" code="${code}" codeSystem="${CODE_SYSTEM_OID.actReason}" codeSystemName="${CODE_SYSTEM_NAME.actReason}" displayName="${reason}"/></observation></entryRelationship>`;
}

/**
 * The ICD9CODE secondary-code observation E2E consumers read a diagnosis from (OSCAR's template
 * calls it BILLINGCODE), when the code is an ICD9 code; otherwise nothing.
 */
export function icd9CodeObservation(code: Coded | undefined): string {
  if (code === undefined || findCodeSystem(code.codeSystem, code.codeSystemName)?.key !== 'icd9') return '';
  return `<entryRelationship typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.billingCode}"/><observation classCode="OBS" moodCode="EVN"><code code="${P.icd9}" displayName="ICD9 Code" ${PITO_OBS}/>${codedElement('value', code, ' xsi:type="CD"')}</observation></entryRelationship>`;
}
