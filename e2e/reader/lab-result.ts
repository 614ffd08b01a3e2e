/** Reads the lab results of one entry: each result observation of each battery is one result. */
import type { LabResult } from '../record';
import {
  attr,
  coded,
  idOf,
  interval,
  many,
  numberAttr,
  observed,
  one,
  prune,
  text,
  warn,
  type ReadContext,
  type XmlNode,
} from './nodes';

function readResult(obs: XmlNode, ctx: ReadContext, field: string): LabResult | undefined {
  const code = coded(one(obs, 'code'), ctx, `${field}.code`);
  if (code === undefined) {
    if (attr(obs, 'nullFlavor') === undefined)
      warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: a result without a test code was left out.`);
    return undefined;
  }
  const result: LabResult = {
    id: idOf(obs),
    code,
    name: text(one(obs, 'text')),
    value: observed(one(obs, 'value'), ctx, `${field}.value`),
  };
  result.interpretation = attr(one(obs, 'interpretationCode'), 'code');
  result.time = interval(one(obs, 'effectiveTime'), ctx, `${field}.time`).low;
  const range = one(one(obs, 'referenceRange'), 'observationRange');
  if (range !== undefined) {
    const bounds = one(range, 'value');
    const referenceRange = prune({
      low: numberAttr(one(bounds, 'low'), 'value', ctx, `${field}.range`),
      high: numberAttr(one(bounds, 'high'), 'value', ctx, `${field}.range`),
      text: text(one(range, 'text')),
    });
    if (Object.keys(referenceRange).length > 0) result.referenceRange = referenceRange;
  }
  return prune(result);
}

/** The result observations under an organizer's components. */
function organizerResults(organizer: XmlNode | undefined): XmlNode[] {
  const list: XmlNode[] = [];
  for (const component of many(organizer, 'component')) {
    const obs = one(component, 'observation');
    if (obs !== undefined) list.push(obs);
  }
  return list;
}

/** The results of one lab entry (appended to `into`). */
export function readLabResults(entry: XmlNode, ctx: ReadContext, into: LabResult[]): void {
  const main = one(entry, 'observation');
  let observations = organizerResults(one(entry, 'organizer'));
  for (const relationship of many(main, 'entryRelationship'))
    observations = observations.concat(organizerResults(one(relationship, 'organizer')));
  if (observations.length === 0 && main !== undefined && attr(one(main, 'code'), 'code') !== undefined)
    observations = [main];
  for (const obs of observations) {
    const result = readResult(obs, ctx, `labResults[${into.length}]`);
    if (result !== undefined) into.push(result);
  }
}
