/**
 * Reads an encounter entry. Note text (a COMMENT observation, or a multi-line REASON text as
 * OSCAR writes its progress notes) is kept only when the caller asked for it.
 */
import type { Encounter } from '../record';
import { PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { attr, idOf, interval, many, one, providerIdRoot, prune, text, type ReadContext, type XmlNode } from './nodes';

/** The encounter of one entry, or undefined when the entry holds no encounter. */
export function readEncounter(entry: XmlNode, ctx: ReadContext, index: number): Encounter | undefined {
  const enc = one(entry, 'encounter');
  if (enc === undefined) return undefined;
  const encounter: Encounter = {
    id: idOf(enc),
    date: interval(one(enc, 'effectiveTime'), ctx, `encounters[${index}].date`).low,
  };
  for (const participant of many(enc, 'participant')) {
    if (attr(participant, 'typeCode') === 'PRF')
      if (encounter.providerId === undefined) {
        const id = one(one(participant, 'participantRole'), 'id');
        encounter.providerId = attr(id, 'extension');
        encounter.providerIdRoot = encounter.providerId === undefined ? undefined : providerIdRoot(attr(id, 'root'));
      }
  }
  let note: string | undefined;
  for (const relationship of many(enc, 'entryRelationship')) {
    const obs = one(relationship, 'observation');
    const code = attr(one(obs, 'code'), 'code');
    if (code === P.reason) {
      const reason = text(one(obs, 'text'));
      if (reason !== undefined && reason.includes('\n')) note ??= reason;
      else encounter.reason ??= reason;
    } else if (code === P.comment) {
      note = text(one(obs, 'value')) ?? text(one(obs, 'text')) ?? note;
    }
  }
  if (ctx.keepNoteText && note !== undefined) encounter.text = note;
  return prune(encounter);
}
