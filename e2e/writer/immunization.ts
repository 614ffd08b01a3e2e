/**
 * Writes an immunization entry (PITO Immunization template 3.11). Not given (refused or
 * ineligible) is negationInd="true" with the reason as an ActReason code (PATOBJ, MEDPREC).
 */
import type { Immunization } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { notGivenReasonObservation } from './observations';
import { codedElement, idElement, interval, textElement } from './xml';

/** The entry XML of one immunization. */
export function immunizationEntry(imm: Immunization): string {
  const negation = imm.refused === undefined ? '' : ` negationInd="${imm.refused}"`;
  const site =
    imm.site === undefined
      ? ''
      : `<participant typeCode="LOC" contextControlCode="OP"><templateId root="${ENTRY_TEMPLATES.locationParticipation}"/><participantRole classCode="SDLOC"><playingEntity>${textElement('name', imm.site)}</playingEntity></participantRole></participant>`;
  return (
    `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.immunization}"/>` +
    `<substanceAdministration classCode="SBADM" moodCode="EVN"${negation}>${idElement(ID_OIDS.oscar, imm.id)}` +
    `<code code="IMMUNIZ" displayName="Immunization" codeSystem="${CODE_SYSTEM_OID.actCode}" codeSystemName="${CODE_SYSTEM_NAME.actCode}"/>` +
    interval(imm.date, undefined) +
    (imm.route === undefined ? '' : codedElement('routeCode', imm.route)) +
    `<consumable typeCode="CSM"><manufacturedProduct classCode="MANU"><manufacturedMaterial classCode="MMAT" determinerCode="KIND">` +
    codedElement('code', imm.code) +
    textElement('name', imm.name) +
    textElement('lotNumberText', imm.lot) +
    `</manufacturedMaterial></manufacturedProduct></consumable>` +
    site +
    (imm.refused === true ? notGivenReasonObservation(imm.notGivenReason) : '') +
    `</substanceAdministration></entry>`
  );
}

/** Narrative columns and one row per immunization. */
export const IMMUNIZATION_COLUMNS = ['Immunization', 'Code', 'Date', 'Not given', 'Lot'];
export function immunizationRow(imm: Immunization): (string | undefined)[] {
  return [imm.name ?? imm.code?.displayName, imm.code?.code, imm.date, notGivenCell(imm), imm.lot];
}

/** The narrative cell of a not-given flag: the reason, "yes", "no" or empty. */
export function notGivenCell(entry: Pick<Immunization, 'refused' | 'notGivenReason'>): string | undefined {
  if (entry.refused === undefined) return undefined;
  return entry.refused ? (entry.notGivenReason ?? 'yes') : 'no';
}
