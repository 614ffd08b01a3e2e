/** Reads a problem entry: diagnosis code from the value, or OSCAR's ICD9CODE observation. */
import type { Problem } from '../record';
import { CONDITION_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
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
      if (attr(one(inner, 'code'), 'code') === P.icd9)
        problem.code ??= coded(one(inner, 'value'), ctx, `${field}.code`);
    }
  }
  if (problem.code === undefined) warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: no diagnosis code.`);
  const status = attr(one(obs, 'statusCode'), 'code');
  if (status !== undefined) {
    problem.status = CONDITION_STATUS.read.get(status.toUpperCase());
    if (problem.status === undefined) warn(ctx, 'BAD_VALUE', `${field}.status: unknown status code ${status}.`);
  }
  const { low, high } = interval(one(obs, 'effectiveTime'), ctx, `${field}.effectiveTime`);
  problem.onset = low;
  problem.resolved = high;
  return prune(problem);
}
