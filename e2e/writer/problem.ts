/**
 * Writes a problem entry (PITO Problem template 3.15): the diagnosis code as the value and, when
 * it is an ICD9 code, again as the ICD9CODE secondary code E2E consumers read; status as ActStatus.
 */
import type { Problem } from '../record';
import { DIAGNOSIS_CODE } from '../vocab/clinical-codes';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { PROBLEM_STATUS } from '../vocab/value-maps';
import { icd9CodeObservation } from './observations';
import { codedElement, idElement, interval, textElement } from './xml';

/** The entry XML of one problem. */
export function problemEntry(problem: Problem): string {
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.problem}"/>` +
    `<observation classCode="OBS" moodCode="EVN">${idElement(ID_OIDS.oscar, problem.id)}` +
    `<code code="${DIAGNOSIS_CODE.code}" displayName="${DIAGNOSIS_CODE.displayName}" codeSystem="${CODE_SYSTEM_OID.snomed}" codeSystemName="${CODE_SYSTEM_NAME.snomed}"/>` +
    textElement('text', problem.description) +
    (problem.status === undefined ? '' : `<statusCode code="${PROBLEM_STATUS.write[problem.status]}"/>`) +
    interval(problem.onset, problem.resolved) +
    codedElement('value', problem.code, ' xsi:type="CD"') +
    icd9CodeObservation(problem.code) +
    `</observation></entry>`
  );
}

/** Narrative columns and one row per problem. */
export const PROBLEM_COLUMNS = ['Problem', 'Code', 'Onset', 'Status'];
export function problemRow(problem: Problem): (string | undefined)[] {
  return [problem.description ?? problem.code?.displayName, problem.code?.code, problem.onset, problem.status];
}
