/** Reads a medication entry: the PITO/OSCAR shape (drug codes, prescription, dosage instruction). */
import type { Medication } from '../record';
import { findCodeSystem } from '../vocab/code-systems';
import { MEDICATION_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import {
  attr,
  coded,
  idOf,
  interval,
  many,
  numberAttr,
  one,
  path,
  prune,
  text,
  warn,
  type ReadContext,
  type XmlNode,
} from './nodes';

function frequencyOf(pivl: XmlNode): string | undefined {
  const frequency = one(pivl, 'frequency');
  if (frequency !== undefined) {
    const num = attr(one(frequency, 'numerator'), 'value');
    const den = one(frequency, 'denominator');
    if (num === undefined) return undefined;
    const denValue = attr(den, 'value');
    return `${num}/${denValue === undefined || denValue === '1' ? '' : denValue}${attr(den, 'unit') ?? ''}`;
  }
  const period = one(pivl, 'period');
  const value = attr(period, 'value');
  return value === undefined ? undefined : `q${value}${attr(period, 'unit') ?? ''}`;
}

/** Times, route, dose and frequency of a substanceAdministration, filling only what is still missing. */
function applyAdministration(sa: XmlNode, med: Medication, ctx: ReadContext, field: string): void {
  for (const time of many(sa, 'effectiveTime')) {
    const type = attr(time, 'type');
    if (type === 'PIVL_TS' || one(time, 'frequency') !== undefined || one(time, 'period') !== undefined) {
      med.frequency ??= frequencyOf(time);
    } else {
      const { low, high } = interval(time, ctx, `${field}.effectiveTime`);
      med.start ??= low;
      med.end ??= high;
    }
  }
  med.route ??= coded(one(sa, 'routeCode'), ctx, `${field}.route`);
  const dose = one(sa, 'doseQuantity');
  if (med.dose === undefined && dose !== undefined) {
    const value = numberAttr(dose, 'value', ctx, `${field}.dose`);
    const unit = attr(dose, 'unit');
    if (value !== undefined) med.dose = unit === undefined ? { quantity: value } : { quantity: value, unit };
    else {
      const low = attr(one(dose, 'low'), 'value');
      const high = attr(one(dose, 'high'), 'value');
      if (low !== undefined || high !== undefined)
        med.dose = { text: low === high || high === undefined ? `${low}` : `${low ?? ''}-${high}` };
    }
  }
  med.prescriberId ??= attr(one(path(sa, 'author', 'assignedAuthor'), 'id'), 'extension');
}

function applyObservation(obs: XmlNode, med: Medication, ctx: ReadContext, field: string): void {
  const code = attr(one(obs, 'code'), 'code');
  if (code === P.prn) {
    const value = attr(one(obs, 'value'), 'value');
    if (value === 'true' || value === 'false') med.prn = value === 'true';
    else if (value !== undefined) warn(ctx, 'BAD_VALUE', `${field}.prn: not a boolean.`);
  } else if (code === P.unbound) {
    const line = text(one(obs, 'text'));
    if (line === undefined) return;
    if (line === P.longTermText) med.longTerm = true;
    else if (line === P.shortTermText) med.longTerm = false;
    else if (line.startsWith(P.frequencyPrefix)) med.frequency = line.slice(P.frequencyPrefix.length);
    else if (line.startsWith(P.dosePrefix)) med.dose = { text: line.slice(P.dosePrefix.length) };
  }
}

/** Walks entryRelationships (prescription, dosage instruction, observations), at most three levels. */
function applyRelationships(node: XmlNode, med: Medication, ctx: ReadContext, field: string, level: number): void {
  for (const relationship of many(node, 'entryRelationship')) {
    const obs = one(relationship, 'observation');
    if (obs !== undefined) applyObservation(obs, med, ctx, field);
    const sa = one(relationship, 'substanceAdministration');
    if (sa !== undefined) {
      med.instructions ??= text(one(sa, 'text'));
      applyAdministration(sa, med, ctx, field);
      if (level < 3) applyRelationships(sa, med, ctx, field, level + 1);
    }
  }
}

/** The medication of one entry, or undefined when the entry holds no substanceAdministration. */
export function readMedication(entry: XmlNode, ctx: ReadContext, index: number): Medication | undefined {
  const sa = one(entry, 'substanceAdministration');
  const field = `medications[${index}]`;
  if (sa === undefined) return undefined;
  const med: Medication = { id: idOf(sa) };
  const status = attr(one(sa, 'statusCode'), 'code');
  if (status !== undefined) {
    med.status = MEDICATION_STATUS.read.get(status.toUpperCase());
    if (med.status === undefined) warn(ctx, 'BAD_VALUE', `${field}.status: unknown status code ${status}.`);
  }
  med.instructions = text(one(sa, 'text'));
  const drug = path(sa, 'consumable', 'manufacturedProduct');
  const material = one(drug, 'manufacturedLabeledDrug') ?? one(drug, 'manufacturedMaterial');
  for (const codeNode of many(material, 'code')) {
    const value = coded(codeNode, ctx, `${field}.drug`);
    if (value === undefined) continue;
    const key = findCodeSystem(value.codeSystem, value.codeSystemName)?.key;
    if (key === 'atc') med.atc ??= value;
    else if (key === 'din' || key === undefined) med.din ??= value;
  }
  med.name = text(one(material, 'name'));
  med.form = coded(one(material, 'formCode'), ctx, `${field}.form`);
  applyAdministration(sa, med, ctx, field);
  applyRelationships(sa, med, ctx, field, 1);
  if (med.din === undefined && med.atc === undefined && med.name === undefined) {
    warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: no DIN, ATC code or drug name.`);
  }
  return prune(med);
}
