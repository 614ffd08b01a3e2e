/**
 * Reads an immunization entry (substanceAdministration; negationInd = not given) and why it was
 * not given: a REASON observation whose value is an HL7 ActReason code (PATOBJ refused, MEDPREC
 * ineligible). Reasons in other vocabularies or as free text are not read.
 */
import type { Immunization, NotGivenReason } from '../record';
import { findCodeSystem } from '../vocab/code-systems';
import { NOT_GIVEN_REASON, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import {
  attr,
  coded,
  idOf,
  interval,
  many,
  mapped,
  one,
  path,
  prune,
  text,
  warn,
  type ReadContext,
  type XmlNode,
} from './nodes';

/** negationInd → not given (true), given (false) or unknown. */
export function negationOf(node: XmlNode): boolean | undefined {
  const negation = attr(node, 'negationInd');
  return negation === 'true' ? true : negation === 'false' ? false : undefined;
}

/** The ActReason of the first REASON observation under `node`, if it has one. */
export function notGivenReasonOf(node: XmlNode, ctx: ReadContext, field: string): NotGivenReason | undefined {
  for (const relationship of many(node, 'entryRelationship')) {
    const obs = one(relationship, 'observation');
    if (attr(one(obs, 'code'), 'code') !== P.reason) continue;
    const value = one(obs, 'value');
    if (findCodeSystem(attr(value, 'codeSystem'), attr(value, 'codeSystemName'))?.key !== 'actReason') continue;
    return mapped(value, NOT_GIVEN_REASON, ctx, `${field}.notGivenReason`);
  }
  return undefined;
}

/** The immunization of one entry, or undefined when the entry holds no substanceAdministration. */
export function readImmunization(entry: XmlNode, ctx: ReadContext, index: number): Immunization | undefined {
  const sa = one(entry, 'substanceAdministration');
  const field = `immunizations[${index}]`;
  if (sa === undefined) return undefined;
  const material = path(sa, 'consumable', 'manufacturedProduct', 'manufacturedMaterial');
  const imm: Immunization = {
    id: idOf(sa),
    code: coded(one(material, 'code'), ctx, `${field}.code`),
    name: text(one(material, 'name')),
    date: interval(one(sa, 'effectiveTime'), ctx, `${field}.date`).low,
    refused: negationOf(sa),
    lot: text(one(material, 'lotNumberText')),
    route: coded(one(sa, 'routeCode'), ctx, `${field}.route`),
  };
  if (imm.refused === true) imm.notGivenReason = notGivenReasonOf(sa, ctx, field);
  for (const participant of many(sa, 'participant')) {
    if (attr(participant, 'typeCode') === 'LOC')
      imm.site ??= text(one(path(participant, 'participantRole', 'playingEntity'), 'name'));
  }
  if (imm.code === undefined && imm.name === undefined)
    warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: no vaccine code or name.`);
  return prune(imm);
}
