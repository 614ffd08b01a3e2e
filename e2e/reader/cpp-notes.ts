/**
 * Reads the CPP note sections: alerts (one observation per entry), family history (observation
 * with the relative as subject, the condition as value or ICD9CODE/BILLINGCODE, age at onset LOINC
 * 30972-4) and risk factors (an organizer: each component observation is one risk factor, its kind
 * told by its code). Status: active, else inactive. Note text kept only when asked for.
 */
import type { Alert, FamilyHistory, PatientRecord, RiskFactor } from '../record';
import { FAMILY_HISTORY_CODES, riskFactorKindOf } from '../vocab/clinical-codes';
import { ARCHIVED_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import {
  attr,
  coded,
  idOf,
  interval,
  many,
  mapped,
  numberAttr,
  one,
  path,
  prune,
  text,
  type ReadContext,
  type XmlNode,
} from './nodes';

function noteText(obs: XmlNode | undefined, ctx: ReadContext): string | undefined {
  return ctx.keepNoteText ? text(one(obs, 'text')) : undefined;
}

/** The alert of one entry, or undefined when the entry holds no observation. */
export function readAlert(entry: XmlNode, ctx: ReadContext, index: number): Alert | undefined {
  const obs = one(entry, 'observation');
  if (obs === undefined) return undefined;
  const field = `alerts[${index}]`;
  return prune({
    id: idOf(obs),
    date: interval(one(obs, 'effectiveTime'), ctx, `${field}.date`).low,
    status: mapped(one(obs, 'statusCode'), ARCHIVED_STATUS, ctx, `${field}.status`),
    text: noteText(obs, ctx),
  });
}

function ageAtOnset(obs: XmlNode, ctx: ReadContext, field: string): number | undefined {
  for (const relationship of many(obs, 'entryRelationship')) {
    const inner = one(relationship, 'observation');
    if (attr(one(inner, 'code'), 'code') === FAMILY_HISTORY_CODES.ageAtOnset)
      return numberAttr(one(inner, 'value'), 'value', ctx, `${field}.ageAtOnset`);
  }
  return undefined;
}

/** The family history entry of one entry, or undefined when the entry holds no observation. */
export function readFamilyHistory(entry: XmlNode, ctx: ReadContext, index: number): FamilyHistory | undefined {
  const obs = one(entry, 'observation');
  if (obs === undefined) return undefined;
  const field = `familyHistory[${index}]`;
  const history: FamilyHistory = {
    id: idOf(obs),
    date: interval(one(obs, 'effectiveTime'), ctx, `${field}.date`).low,
    relationship: coded(path(obs, 'subject', 'relatedSubject', 'code'), ctx, `${field}.relationship`),
    condition: coded(one(obs, 'value'), ctx, `${field}.condition`),
    ageAtOnset: ageAtOnset(obs, ctx, field),
    text: noteText(obs, ctx),
  };
  if (history.condition === undefined) {
    for (const relationship of many(obs, 'entryRelationship')) {
      const inner = one(relationship, 'observation');
      const code = attr(one(inner, 'code'), 'code');
      if (code === P.icd9 || code === P.billing)
        history.condition ??= coded(one(inner, 'value'), ctx, `${field}.condition`);
    }
  }
  return prune(history);
}

/** The risk factors of one entry (one per component observation of the organizer), appended to the record. */
export function readRiskFactors(entry: XmlNode, record: PatientRecord, ctx: ReadContext): boolean {
  const organizer = one(entry, 'organizer');
  const lone = one(entry, 'observation');
  if (organizer === undefined && lone === undefined) return false;
  const field = `riskFactors[${record.riskFactors.length}]`;
  const status = mapped(one(organizer ?? lone, 'statusCode'), ARCHIVED_STATUS, ctx, `${field}.status`);
  const date = interval(one(organizer, 'effectiveTime'), ctx, `${field}.date`).low;
  const observations =
    organizer === undefined ? [lone!] : many(organizer, 'component').map((c) => one(c, 'observation'));
  let found = false;
  for (const obs of observations) {
    if (obs === undefined) continue;
    found = true;
    const at = `riskFactors[${record.riskFactors.length}]`;
    record.riskFactors.push(
      prune<RiskFactor>({
        id: idOf(obs) ?? idOf(organizer),
        date: interval(one(obs, 'effectiveTime'), ctx, `${at}.date`).low ?? date,
        kind: riskFactorKindOf(coded(one(obs, 'code'), ctx, `${at}.kind`)),
        status,
        text: noteText(obs, ctx),
      }),
    );
  }
  if (!found) record.riskFactors.push(prune<RiskFactor>({ id: idOf(organizer), date, status }));
  return true;
}
