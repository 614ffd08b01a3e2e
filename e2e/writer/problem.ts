/** Writes a problem entry (PITO Problem template 3.15). */
import type { Problem } from '../record';
import { CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { CONDITION_STATUS } from '../vocab/value-maps';
import { codedElement, idElement, interval, textElement } from './xml';

/** The entry XML of one problem. */
export function problemEntry(problem: Problem): string {
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.problem}"/>` +
    `<observation classCode="OBS" moodCode="EVN">${idElement(ID_OIDS.oscar, problem.id)}` +
    `<code code="282291009" displayName="Diagnosis" codeSystem="${CODE_SYSTEM_OID.snomed}" codeSystemName="SNOMED-CT"/>` +
    textElement('text', problem.description) +
    (problem.status === undefined ? '' : `<statusCode code="${CONDITION_STATUS.write[problem.status]}"/>`) +
    interval(problem.onset, problem.resolved) +
    codedElement('value', problem.code, ' xsi:type="CD"') +
    `</observation></entry>`
  );
}

/** Narrative columns and one row per problem. */
export const PROBLEM_COLUMNS = ['Problem', 'Code', 'Onset', 'Status'];
export function problemRow(problem: Problem): (string | undefined)[] {
  return [problem.description ?? problem.code?.displayName, problem.code?.code, problem.onset, problem.status];
}
