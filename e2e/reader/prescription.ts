/**
 * Reads the parts of a medication entry that OSCAR's template and PITO nest: each prescription
 * (an entryRelationship substanceAdministration, moodCode RQO) with its dates, prescriber, dose
 * instruction (duration, PIVL_TS frequency, route, dose low/high, sig text), PRN indicator,
 * UNBOUND lines and patient instructions. Also the helpers the top level shares: dose quantities,
 * timings and the observations that may sit at either level.
 */
import type { Medication, ObservedValue, Prescription } from '../record';
import { codeOfTiming, timeUnit, type Timing } from '../vocab/frequencies';
import { MEDICATION_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { decimal } from '../xml-text';
import {
  attr,
  coded,
  date,
  idOf,
  interval,
  many,
  mapped,
  numberAttr,
  one,
  path,
  providerIdRoot,
  prune,
  text,
  warn,
  type ReadContext,
  type XmlNode,
} from './nodes';

/** The fields a prescription shares with the top level of its medication. */
type Administration = Pick<
  Prescription,
  'start' | 'end' | 'dose' | 'frequency' | 'route' | 'prescriberId' | 'prescriberIdRoot'
>;

function numberOf(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** A PIVL_TS → the table's frequency code, else the text `n/d unit` (or `q…`) as written. */
export function frequencyOf(pivl: XmlNode): string | undefined {
  const frequency = one(pivl, 'frequency');
  if (frequency !== undefined) {
    const num = attr(one(frequency, 'numerator'), 'value');
    const den = one(frequency, 'denominator');
    if (num === undefined) return undefined;
    const denValue = attr(den, 'value');
    const unit = attr(den, 'unit') ?? '';
    const [count, per] = [numberOf(num), numberOf(denValue ?? '1')];
    if (count !== undefined && per !== undefined) {
      const known = codeOfTiming({ kind: 'frequency', count, per, unit: timeUnit(unit) });
      if (known !== undefined) return known;
    }
    return `${num}/${denValue === undefined || denValue === '1' ? '' : denValue}${unit}`;
  }
  const period = one(pivl, 'period');
  const value = attr(period, 'value');
  if (value !== undefined) return `q${value}${attr(period, 'unit') ?? ''}`;
  const [low, high] = [one(period, 'low'), one(period, 'high')];
  const [lowValue, highValue] = [numberOf(attr(low, 'value')), numberOf(attr(high, 'value'))];
  if (lowValue === undefined || highValue === undefined) return undefined;
  const unit = attr(low, 'unit') ?? attr(high, 'unit') ?? '';
  const timing: Timing = { kind: 'period', low: lowValue, high: highValue, unit: timeUnit(unit) };
  return codeOfTiming(timing) ?? `q${decimal(lowValue)}-${decimal(highValue)}${unit}`;
}

/** True for a PIVL_TS effectiveTime (by type or by its children). */
export function isPeriodic(time: XmlNode): boolean {
  return attr(time, 'type') === 'PIVL_TS' || one(time, 'frequency') !== undefined || one(time, 'period') !== undefined;
}

/** A doseQuantity: one value, or low/high (equal → that quantity; different → the text "low-high"). */
export function doseOf(node: XmlNode | undefined, ctx: ReadContext, field: string): ObservedValue | undefined {
  if (node === undefined) return undefined;
  const value = numberAttr(node, 'value', ctx, `${field}.dose`);
  const unit = attr(node, 'unit');
  if (value !== undefined) return unit === undefined ? { quantity: value } : { quantity: value, unit };
  const [lowNode, highNode] = [one(node, 'low'), one(node, 'high')];
  const low = numberAttr(lowNode, 'value', ctx, `${field}.dose.low`);
  const high = numberAttr(highNode, 'value', ctx, `${field}.dose.high`);
  if (low === undefined && high === undefined) return undefined;
  const [lowUnit, highUnit] = [attr(lowNode, 'unit'), attr(highNode, 'unit')];
  if (low !== undefined && (high === undefined || (high === low && highUnit === lowUnit)))
    return lowUnit === undefined ? { quantity: low } : { quantity: low, unit: lowUnit };
  return { text: `${low === undefined ? '' : decimal(low)}-${high === undefined ? '' : decimal(high)}` };
}

/** Times, route and dose of a substanceAdministration, filling only what is still missing. */
export function applyAdministration(sa: XmlNode, into: Administration, ctx: ReadContext, field: string): void {
  for (const time of many(sa, 'effectiveTime')) {
    if (isPeriodic(time)) into.frequency ??= frequencyOf(time);
    else if (one(time, 'width') === undefined && into.start === undefined && into.end === undefined) {
      const { low, high } = interval(time, ctx, `${field}.effectiveTime`);
      into.start = low;
      into.end = high;
    }
  }
  into.route ??= coded(one(sa, 'routeCode'), ctx, `${field}.route`);
  into.dose ??= doseOf(one(sa, 'doseQuantity'), ctx, field);
  if (into.prescriberId === undefined) {
    const id = one(path(sa, 'author', 'assignedAuthor'), 'id');
    into.prescriberId = attr(id, 'extension');
    into.prescriberIdRoot = into.prescriberId === undefined ? undefined : providerIdRoot(attr(id, 'root'));
  }
}

/** The medication facts of an observation at either level: PRN, UNBOUND lines; INSTRUCT returned as text. */
export function applyObservation(
  obs: XmlNode,
  into: Pick<Medication, 'prn' | 'longTerm' | 'frequency' | 'dose'>,
  ctx: ReadContext,
  field: string,
): string | undefined {
  const code = attr(one(obs, 'code'), 'code');
  if (code === P.prn) {
    const value = attr(one(obs, 'value'), 'value');
    if (value === 'true' || value === 'false') into.prn = value === 'true';
    else if (value !== undefined) warn(ctx, 'BAD_VALUE', `${field}.prn: not a boolean.`);
  } else if (code === P.unbound) {
    const line = text(one(obs, 'text'));
    if (line === undefined) return undefined;
    if (line === P.longTermText) into.longTerm = true;
    else if (line === P.shortTermText) into.longTerm = false;
    else if (line.startsWith(P.frequencyPrefix)) into.frequency = line.slice(P.frequencyPrefix.length);
    else if (line.startsWith(P.dosePrefix)) into.dose = { text: line.slice(P.dosePrefix.length) };
  } else if (code === P.instructions) return text(one(obs, 'text'));
  return undefined;
}

function duration(time: XmlNode, ctx: ReadContext, field: string): Prescription['duration'] {
  const width = one(time, 'width');
  const value = numberAttr(width, 'value', ctx, `${field}.duration`);
  const unit = attr(width, 'unit');
  if (value === undefined) return undefined;
  if (unit === undefined) {
    warn(ctx, 'BAD_VALUE', `${field}.duration: a duration without a unit; left out.`);
    return undefined;
  }
  return { value, unit };
}

/** The dose instruction (template 4.8): duration, frequency, route, dose where still missing. Returns its sig text. */
function applyDoseInstruction(sa: XmlNode, p: Prescription, ctx: ReadContext, field: string): string | undefined {
  for (const time of many(sa, 'effectiveTime')) {
    if (isPeriodic(time)) p.frequency ??= frequencyOf(time);
    else if (one(time, 'width') !== undefined) p.duration ??= duration(time, ctx, field);
  }
  p.route ??= coded(one(sa, 'routeCode'), ctx, `${field}.route`);
  p.dose ??= doseOf(one(sa, 'doseQuantity'), ctx, field);
  return text(one(sa, 'text'));
}

/** One nested prescription (a substanceAdministration under the medication's top level). */
export function readPrescription(sa: XmlNode, ctx: ReadContext, field: string): Prescription {
  const p: Prescription = { id: idOf(sa) };
  p.status = mapped(one(sa, 'statusCode'), MEDICATION_STATUS, ctx, `${field}.status`);
  applyAdministration(sa, p, ctx, field);
  p.written = date(one(one(sa, 'author'), 'time'), ctx, `${field}.written`);
  const lines: Pick<Medication, 'prn' | 'longTerm' | 'frequency' | 'dose'> = {};
  let instructions: string | undefined;
  let sig: string | undefined;
  for (const relationship of many(sa, 'entryRelationship')) {
    const obs = one(relationship, 'observation');
    if (obs !== undefined) instructions ??= applyObservation(obs, lines, ctx, field);
    const inner = one(relationship, 'substanceAdministration');
    if (inner !== undefined) sig ??= applyDoseInstruction(inner, p, ctx, field);
  }
  // What the UNBOUND lines say wins over the codes (the writer adds a line where the codes are not exact).
  p.prn = lines.prn;
  p.longTerm = lines.longTerm;
  p.frequency = lines.frequency ?? p.frequency;
  p.dose = lines.dose ?? p.dose;
  p.instructions = instructions ?? sig ?? text(one(sa, 'text'));
  return prune(p);
}
