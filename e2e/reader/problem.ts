/**
 * Reads a problem entry: the diagnosis code from the value, else from the ICD9CODE (or OSCAR's
 * BILLINGCODE) secondary-code observation; the code system is kept as written. Status: ActStatus
 * completed → resolved, suspended → inactive (the old spellings read too).
 */
import type { Problem } from '../record';
import { PROBLEM_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
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

/** The problem of one entry, or undefined when the entry holds no observation. */
export function readProblem(entry: XmlNode, ctx: ReadContext, index: number): Problem | undefined {
  const obs = one(entry, 'observation') ?? path(entry, 'act', 'entryRelationship', 'observation');
  const field = `problems[${index}]`;
  if (obs === undefined) return undefined;
  const problem: Problem = { id: idOf(obs) ?? idOf(one(entry, 'act')), description: text(one(obs, 'text')) };
  problem.code = coded(one(obs, 'value'), ctx, `${field}.code`);
  if (problem.code === undefined) {
    for (const relationship of many(obs, 'entryRelationship')) {
      const inner = one(relationship, 'observation');
      const code = attr(one(inner, 'code'), 'code');
      if (code === P.icd9 || code === P.billing) problem.code ??= coded(one(inner, 'value'), ctx, `${field}.code`);
    }
  }
  if (problem.code === undefined) warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: no diagnosis code.`);
  problem.status = mapped(one(obs, 'statusCode'), PROBLEM_STATUS, ctx, `${field}.status`);
  const { low, high } = interval(one(obs, 'effectiveTime'), ctx, `${field}.effectiveTime`);
  problem.onset = low;
  problem.resolved = high;
  return prune(problem);
}
