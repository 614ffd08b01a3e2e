/**
 * Writes a vital sign entry (PITO Clinically Measured Observation template 3.7: an organizer).
 * Blood pressure is written as one organizer coded with the panel code, holding a systolic
 * and a diastolic observation in mm[Hg] (the reader also reads OSCAR's other forms).
 */
import type { VitalSign } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { BLOOD_PRESSURE_CODES } from '../vocab/value-maps';
import { codedElement, decimal, idElement, interval } from './xml';
import { observedValue } from './lab-result';

function component(code: string, body: string, when: string): string {
  return `<component typeCode="COMP" contextConductionInd="true"><observation classCode="OBS" moodCode="EVN">${code}${when}${body}</observation></component>`;
}

function bpPart(code: string, name: string, value: number, when: string): string {
  const coded = `<code code="${code}" displayName="${name}" codeSystem="${CODE_SYSTEM_OID.loinc}" codeSystemName="${CODE_SYSTEM_NAME.loinc}"/>`;
  return component(coded, `<value xsi:type="PQ" value="${decimal(value)}" unit="mm[Hg]"/>`, when);
}

/** The entry XML of one vital sign. */
export function vitalSignEntry(vital: VitalSign): string {
  const when = interval(vital.time, undefined);
  let body: string;
  if (vital.bloodPressure !== undefined) {
    body =
      codedElement('code', vital.code) +
      `<statusCode code="completed"/>` +
      bpPart(BLOOD_PRESSURE_CODES.systolic, 'Systolic Blood Pressure', vital.bloodPressure.systolic, when) +
      bpPart(BLOOD_PRESSURE_CODES.diastolic, 'Diastolic Blood Pressure', vital.bloodPressure.diastolic, when);
  } else {
    body =
      `<code nullFlavor="NI"/><statusCode code="completed"/>` +
      component(codedElement('code', vital.code), observedValue(vital.value), when);
  }
  return `<entry typeCode="DRIV" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.clinicalObservation}"/><organizer classCode="CLUSTER" moodCode="EVN">${idElement(ID_OIDS.oscar, vital.id)}${body}</organizer></entry>`;
}

/** Narrative columns and one row per vital sign. */
export const VITAL_SIGN_COLUMNS = ['Observation', 'Code', 'Value', 'Time'];
export function vitalSignRow(vital: VitalSign): (string | undefined)[] {
  const value =
    vital.bloodPressure !== undefined
      ? `${vital.bloodPressure.systolic}/${vital.bloodPressure.diastolic} mm[Hg]`
      : vital.value === undefined
        ? undefined
        : 'quantity' in vital.value
          ? `${vital.value.quantity} ${vital.value.unit ?? ''}`.trim()
          : vital.value.text;
  return [vital.code.displayName, vital.code.code, value, vital.time];
}
