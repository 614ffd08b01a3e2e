/** Reads an immunization entry (substanceAdministration; negationInd = refused). */
import type { Immunization } from '../record';
import {
  attr,
  coded,
  idOf,
  interval,
  many,
  one,
  path,
  prune,
  text,
  warn,
  type ReadContext,
  type XmlNode,
} from './nodes';

/** The immunization of one entry, or undefined when the entry holds no substanceAdministration. */
export function readImmunization(entry: XmlNode, ctx: ReadContext, index: number): Immunization | undefined {
  const sa = one(entry, 'substanceAdministration');
  const field = `immunizations[${index}]`;
  if (sa === undefined) return undefined;
  const negation = attr(sa, 'negationInd');
  const material = path(sa, 'consumable', 'manufacturedProduct', 'manufacturedMaterial');
  const imm: Immunization = {
    id: idOf(sa),
    code: coded(one(material, 'code'), ctx, `${field}.code`),
    name: text(one(material, 'name')),
    date: interval(one(sa, 'effectiveTime'), ctx, `${field}.date`).low,
    refused: negation === 'true' ? true : negation === 'false' ? false : undefined,
    lot: text(one(material, 'lotNumberText')),
    route: coded(one(sa, 'routeCode'), ctx, `${field}.route`),
  };
  for (const participant of many(sa, 'participant')) {
    if (attr(participant, 'typeCode') === 'LOC')
      imm.site ??= text(one(path(participant, 'participantRole', 'playingEntity'), 'name'));
  }
  if (imm.code === undefined && imm.name === undefined)
    warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: no vaccine code or name.`);
  return prune(imm);
}
