/**
 * Reads vital signs (clinically measured observations). Blood pressure comes in three forms:
 * an organizer with systolic and diastolic components (this writer), one observation with text
 * "120/80", or OSCAR's separate systolic and diastolic entries (paired afterwards by pairBloodPressures).
 */
import type { Coded, VitalSign } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { BLOOD_PRESSURE_CODES as BP, BLOOD_PRESSURE_PANEL_ALIASES } from '../vocab/value-maps';
import { attr, coded, idOf, interval, many, observed, one, prune, warn, type ReadContext, type XmlNode } from './nodes';

const PANEL: Coded = {
  code: BP.panel,
  codeSystem: CODE_SYSTEM_OID.loinc,
  codeSystemName: CODE_SYSTEM_NAME.loinc,
  displayName: 'Blood pressure',
};
const BP_TEXT = /^\s*(\d{2,3}(?:\.\d+)?)\s*\/\s*(\d{2,3}(?:\.\d+)?)\s*(mm\[?Hg\]?)?\s*$/i;

function readObservation(obs: XmlNode, id: string | undefined, ctx: ReadContext, field: string): VitalSign | undefined {
  const code = coded(one(obs, 'code'), ctx, `${field}.code`);
  if (code === undefined) {
    if (attr(obs, 'nullFlavor') === undefined)
      warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: an observation without a code was left out.`);
    return undefined;
  }
  const vital: VitalSign = {
    id: idOf(obs) ?? id,
    code,
    value: observed(one(obs, 'value'), ctx, `${field}.value`),
    time: interval(one(obs, 'effectiveTime'), ctx, `${field}.time`).low,
  };
  if (BLOOD_PRESSURE_PANEL_ALIASES.includes(code.code) && vital.value !== undefined && 'text' in vital.value) {
    const match = BP_TEXT.exec(vital.value.text);
    if (match !== null) {
      vital.bloodPressure = { systolic: Number(match[1]), diastolic: Number(match[2]) };
      vital.value = undefined;
    } else warn(ctx, 'BAD_BLOOD_PRESSURE', `${field}: blood pressure text is not two numbers.`);
  }
  return prune(vital);
}

function quantityOf(vital: VitalSign): number | undefined {
  return vital.value !== undefined && 'quantity' in vital.value ? vital.value.quantity : undefined;
}

/** The vital signs of one entry (appended to `into`). */
export function readVitalSigns(entry: XmlNode, ctx: ReadContext, into: VitalSign[]): void {
  const organizer = one(entry, 'organizer');
  if (organizer === undefined) {
    const obs = one(entry, 'observation');
    const vital = obs && readObservation(obs, undefined, ctx, `vitalSigns[${into.length}]`);
    if (vital !== undefined) into.push(vital);
    return;
  }
  const organizerId = idOf(organizer);
  const parts: VitalSign[] = [];
  for (const component of many(organizer, 'component')) {
    const obs = one(component, 'observation');
    const vital = obs && readObservation(obs, organizerId, ctx, `vitalSigns[${into.length + parts.length}]`);
    if (vital !== undefined) parts.push(vital);
  }
  const systolic = parts.find((p) => p.code.code === BP.systolic);
  const diastolic = parts.find((p) => p.code.code === BP.diastolic);
  const sys = systolic && quantityOf(systolic);
  const dia = diastolic && quantityOf(diastolic);
  if (sys !== undefined && dia !== undefined) {
    const organizerCode = coded(one(organizer, 'code'), ctx, `vitalSigns[${into.length}].code`);
    const panel =
      organizerCode !== undefined && BLOOD_PRESSURE_PANEL_ALIASES.includes(organizerCode.code) ? organizerCode : PANEL;
    into.push(
      prune({
        id: organizerId ?? systolic!.id,
        code: panel,
        bloodPressure: { systolic: sys, diastolic: dia },
        time: systolic!.time,
      }),
    );
    for (const part of parts) if (part !== systolic && part !== diastolic) into.push(part);
    return;
  }
  into.push(...parts);
}

/**
 * Pairs OSCAR's separate systolic and diastolic entries (same id and time, one after the
 * other) into one blood pressure; lone halves stay as they are.
 */
export function pairBloodPressures(vitals: VitalSign[]): VitalSign[] {
  const paired: VitalSign[] = [];
  for (let i = 0; i < vitals.length; i++) {
    const current = vitals[i];
    const next = vitals[i + 1];
    const sys = quantityOf(current);
    const dia = next && quantityOf(next);
    if (
      current.code.code === BP.systolic &&
      next?.code.code === BP.diastolic &&
      sys !== undefined &&
      dia !== undefined &&
      current.id === next.id &&
      current.time === next.time
    ) {
      paired.push(
        prune({ id: current.id, code: PANEL, bloodPressure: { systolic: sys, diastolic: dia }, time: current.time }),
      );
      i++;
    } else paired.push(current);
  }
  return paired;
}
