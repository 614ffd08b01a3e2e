/**
 * Reads an allergy entry: a concern act around an intolerance observation (or the observation
 * alone). Status: active, else inactive (completed, resolved, suspended, aborted …); onset from
 * the observation, else the act's effectiveTime.
 */
import type { Allergy } from '../record';
import { ALLERGY_SEVERITY, ALLERGY_TYPE, ARCHIVED_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
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

function applyInnerObservation(inner: XmlNode, allergy: Allergy, ctx: ReadContext, field: string): void {
  const code = attr(one(inner, 'code'), 'code');
  if (code === P.severity) {
    const value = one(inner, 'value');
    const severity = attr(value, 'code');
    if (severity === undefined) allergy.severity = 'unknown';
    else {
      allergy.severity = ALLERGY_SEVERITY.read.get(severity.toUpperCase());
      if (allergy.severity === undefined)
        warn(ctx, 'BAD_VALUE', `${field}.severity: unknown severity code ${severity}.`);
    }
  } else if (code === P.reaction) {
    allergy.reaction ??= text(one(inner, 'text')) ?? attr(one(inner, 'value'), 'displayName');
  }
}

/** The allergy of one entry, or undefined when the entry holds neither an act nor an observation. */
export function readAllergy(entry: XmlNode, ctx: ReadContext, index: number): Allergy | undefined {
  const act = one(entry, 'act');
  const field = `allergies[${index}]`;
  const obs = act === undefined ? one(entry, 'observation') : one(one(act, 'entryRelationship'), 'observation');
  if (act === undefined && obs === undefined) return undefined;
  const allergy: Allergy = { id: idOf(act) ?? idOf(obs) };
  allergy.status = mapped(one(act ?? obs, 'statusCode'), ARCHIVED_STATUS, ctx, `${field}.status`);
  if (obs !== undefined) {
    const type = attr(one(obs, 'code'), 'code');
    if (type !== undefined) {
      allergy.type = ALLERGY_TYPE.read.get(type.toUpperCase());
      if (allergy.type === undefined) warn(ctx, 'BAD_VALUE', `${field}.type: unknown allergy type code ${type}.`);
    }
    allergy.onset = interval(one(obs, 'effectiveTime'), ctx, `${field}.onset`).low;
    const agent = path(obs, 'participant', 'participantRole', 'playingEntity');
    allergy.allergen = coded(one(agent, 'code'), ctx, `${field}.allergen`);
    allergy.description = text(one(agent, 'name')) ?? text(one(obs, 'text'));
    for (const relationship of many(obs, 'entryRelationship')) {
      const inner = one(relationship, 'observation');
      if (inner !== undefined) applyInnerObservation(inner, allergy, ctx, field);
    }
  }
  allergy.onset ??= interval(one(act, 'effectiveTime'), ctx, `${field}.onset`).low;
  if (allergy.allergen === undefined && allergy.description === undefined)
    warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: no allergen code or description.`);
  return prune(allergy);
}
