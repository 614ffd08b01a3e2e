/**
 * Reads the entries of the laboratory section: each result observation of each battery is one
 * result. A result whose code is a screening code (vocab/clinical-codes.ts: the SNOMED CT / LOINC
 * codes of PAP, mammogram, FOBT, colonoscopy, or any OSCAR prevention type) is a Screening; every
 * other result is a LabResult. Results under an entry observation with an id belong to that report
 * (`reportId`); status from the result's statusCode (completed/final/corrected → final,
 * active/preliminary → preliminary); the accession number from the id under its root.
 */
import type { Coded, LabResult, PatientRecord, Screening } from '../record';
import { isScreeningCode } from '../vocab/clinical-codes';
import { ID_OIDS } from '../vocab/oids';
import { LAB_STATUS } from '../vocab/value-maps';
import { negationOf, notGivenReasonOf } from './immunization';
import {
  attr,
  coded,
  idOf,
  interval,
  many,
  mapped,
  numberAttr,
  observed,
  one,
  prune,
  text,
  warn,
  type ReadContext,
  type XmlNode,
} from './nodes';

/** The extensions of a result's ids: its own id (any root but the accession's) and the accession number. */
function resultIds(obs: XmlNode): { id?: string; accession?: string } {
  const ids: { id?: string; accession?: string } = {};
  for (const id of many(obs, 'id')) {
    const extension = attr(id, 'extension');
    if (extension === undefined) continue;
    if (attr(id, 'root') === ID_OIDS.labAccession) ids.accession ??= extension;
    else ids.id ??= extension;
  }
  return ids;
}

function readResult(
  obs: XmlNode,
  code: Coded,
  reportId: string | undefined,
  ctx: ReadContext,
  field: string,
): LabResult {
  const { id, accession } = resultIds(obs);
  const result: LabResult = {
    id,
    code,
    name: text(one(obs, 'text')),
    value: observed(one(obs, 'value'), ctx, `${field}.value`),
    interpretation: attr(one(obs, 'interpretationCode'), 'code'),
    time: interval(one(obs, 'effectiveTime'), ctx, `${field}.time`).low,
    reportId,
    status: mapped(one(obs, 'statusCode'), LAB_STATUS, ctx, `${field}.status`),
    accession,
  };
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

function readScreening(obs: XmlNode, code: Coded, ctx: ReadContext, field: string): Screening {
  const screening: Screening = {
    id: resultIds(obs).id,
    code,
    name: text(one(obs, 'text')),
    date: interval(one(obs, 'effectiveTime'), ctx, `${field}.date`).low,
    refused: negationOf(obs),
  };
  if (screening.refused === true) screening.notGivenReason = notGivenReasonOf(obs, ctx, field);
  return prune(screening);
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

/** The results and screenings of one lab entry, appended to the record. Always true (an entry of the section). */
export function readLabEntry(entry: XmlNode, record: PatientRecord, ctx: ReadContext): boolean {
  const main = one(entry, 'observation');
  let observations = organizerResults(one(entry, 'organizer'));
  let reportId: string | undefined;
  for (const relationship of many(main, 'entryRelationship')) {
    const results = organizerResults(one(relationship, 'organizer'));
    if (results.length > 0) reportId ??= idOf(main);
    observations = observations.concat(results);
  }
  if (observations.length === 0 && main !== undefined && attr(one(main, 'code'), 'code') !== undefined)
    observations = [main];
  for (const obs of observations) {
    const field = `labResults[${record.labResults.length}]`;
    const code = coded(one(obs, 'code'), ctx, `${field}.code`);
    if (code === undefined) {
      if (attr(obs, 'nullFlavor') === undefined)
        warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: a result without a test code was left out.`);
    } else if (isScreeningCode(code)) {
      record.screenings.push(readScreening(obs, code, ctx, `screenings[${record.screenings.length}]`));
    } else record.labResults.push(readResult(obs, code, reportId, ctx, field));
  }
  return true;
}
