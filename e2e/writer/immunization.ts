/** Writes an immunization entry (PITO Immunization template 3.11). */
import type { Immunization } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { codedElement, idElement, interval, textElement } from './xml';

const SITE_TEMPLATE = '2.16.840.1.113883.3.1818.10.4.13';

/** The entry XML of one immunization. */
export function immunizationEntry(imm: Immunization): string {
  const negation = imm.refused === undefined ? '' : ` negationInd="${imm.refused}"`;
  const site =
    imm.site === undefined
      ? ''
      : `<participant typeCode="LOC" contextControlCode="OP"><templateId root="${SITE_TEMPLATE}"/><participantRole classCode="SDLOC"><playingEntity>${textElement('name', imm.site)}</playingEntity></participantRole></participant>`;
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
    `</substanceAdministration></entry>`
  );
}

/** Narrative columns and one row per immunization. */
export const IMMUNIZATION_COLUMNS = ['Immunization', 'Code', 'Date', 'Refused', 'Lot'];
export function immunizationRow(imm: Immunization): (string | undefined)[] {
  return [
    imm.name ?? imm.code?.displayName,
    imm.code?.code,
    imm.date,
    imm.refused === undefined ? undefined : imm.refused ? 'yes' : 'no',
    imm.lot,
  ];
}
