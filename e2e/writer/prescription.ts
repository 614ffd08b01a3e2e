/**
 * Writes one nested prescription of a medication entry as OSCAR's template does and E2E consumers
 * read it: entryRelationship COMP (template 4.20) → substanceAdministration RQO with its dates,
 * consumable and prescriber, then the dose instruction (4.8: sig text, duration, PIVL_TS
 * frequency, route, dose low/high), the PRN indicator and the patient instructions (INSTRUCT).
 * What the dose instruction cannot carry exactly (a frequency or dose text the tables do not
 * give back) is added as an UNBOUND line so that it reads back unchanged.
 */
import type { Coded, Medication, ObservedValue, Prescription } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { codeOfTiming, timingOfCode, type Timing } from '../vocab/frequencies';
import { ENTRY_TEMPLATES, ID_OIDS } from '../vocab/oids';
import { MEDICATION_STATUS, PITO_OBSERVATION_CODES as P } from '../vocab/value-maps';
import { PITO_OBS, prnObservation, unboundObservation } from './observations';
import { attr, codedElement, decimal, idElement, textElement, ts } from './xml';

const DRUG_CODE = `<code code="DRUG" displayName="Drug Therapy" codeSystem="${CODE_SYSTEM_OID.actCode}" codeSystemName="${CODE_SYSTEM_NAME.actCode}"/>`;

/** A dose written as `low-high` (OSCAR takemin–takemax): two different plain decimals. */
const DOSE_RANGE = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/;

/** The drug's codes and name (the consumable of the prescription: which drug, nothing more). */
export function drugCodes(med: Medication): string {
  if (med.din === undefined && med.atc === undefined) return '<code nullFlavor="NI"/>';
  return (med.din ? codedElement('code', med.din) : '') + (med.atc ? codedElement('code', med.atc) : '');
}

function prescriptionConsumable(med: Medication): string {
  return `<consumable typeCode="CSM"><templateId root="${ENTRY_TEMPLATES.drugProduct}"/><manufacturedProduct classCode="MANU"><manufacturedLabeledDrug classCode="MMAT" determinerCode="KIND">${drugCodes(med)}${textElement('name', med.name)}</manufacturedLabeledDrug></manufacturedProduct></consumable>`;
}

/** The dose instruction's consumable: the same drug, named by the prescription around it. */
const SAME_DRUG =
  '<consumable typeCode="CSM"><manufacturedProduct classCode="MANU"><manufacturedLabeledDrug classCode="MMAT" determinerCode="KIND" nullFlavor="NA"/></manufacturedProduct></consumable>';

/** The IVL_TS of the prescription's dates: always present (consumers fail on a prescription without one). */
function dates(p: Prescription): string {
  const low = ts(p.start);
  const high = ts(p.end);
  if (low === undefined && high === undefined) return '<effectiveTime xsi:type="IVL_TS" nullFlavor="NI"/>';
  return `<effectiveTime xsi:type="IVL_TS">${low === undefined ? '' : `<low value="${low}"/>`}${high === undefined ? '' : `<high value="${high}"/>`}</effectiveTime>`;
}

function author(p: Prescription): string {
  if (p.written === undefined && p.prescriberId === undefined) return '';
  const time = ts(p.written);
  const id =
    p.prescriberId === undefined
      ? '<id nullFlavor="NI"/>'
      : `<id root="${p.prescriberIdRoot ?? ID_OIDS.cpsid}"${attr('extension', p.prescriberId)}/>`;
  return `<author typeCode="AUT" contextControlCode="OP"><templateId root="${ENTRY_TEMPLATES.author}"/>${time === undefined ? '<time nullFlavor="UNK"/>' : `<time value="${time}"/>`}<assignedAuthor classCode="ASSIGNED">${id}</assignedAuthor></author>`;
}

function pivl(timing: Timing): string {
  const body =
    timing.kind === 'frequency'
      ? `<frequency><numerator value="${timing.count}"/><denominator value="${timing.per}" unit="${timing.unit}"/></frequency>`
      : `<period xsi:type="URG_PQ"><low value="${timing.low}" unit="${timing.unit}"/><high value="${timing.high}" unit="${timing.unit}"/></period>`;
  return `<effectiveTime xsi:type="PIVL_TS" institutionSpecified="true">${body}</effectiveTime>`;
}

/** The PIVL_TS of a frequency the table knows, and whether the text reads back exactly from it. */
function frequency(text: string | undefined): { xml: string; exact: boolean } {
  if (text === undefined) return { xml: '', exact: true };
  const timing = timingOfCode(text);
  if (timing === undefined) return { xml: '', exact: false };
  return { xml: pivl(timing), exact: codeOfTiming(timing) === text };
}

/** doseQuantity low/high (a quantity, or a text "1-2"), or undefined when the dose is other text. */
function doseQuantity(dose: ObservedValue | undefined): string | undefined {
  if (dose === undefined) return '';
  if ('quantity' in dose) {
    const bound = `value="${decimal(dose.quantity)}"${attr('unit', dose.unit)}`;
    return `<doseQuantity><low ${bound}/><high ${bound}/></doseQuantity>`;
  }
  const range = DOSE_RANGE.exec(dose.text);
  if (range === null) return undefined;
  const [low, high] = [Number(range[1]), Number(range[2])];
  if (low === high || `${decimal(low)}-${decimal(high)}` !== dose.text) return undefined;
  return `<doseQuantity><low value="${decimal(low)}"/><high value="${decimal(high)}"/></doseQuantity>`;
}

function doseInstruction(p: Prescription, form: Coded | undefined, freq: string, dose: string): string {
  const duration =
    p.duration === undefined
      ? ''
      : `<effectiveTime xsi:type="IVL_TS"><width value="${decimal(p.duration.value)}"${attr('unit', p.duration.unit)}/></effectiveTime>`;
  return (
    `<entryRelationship typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.dosageInstruction}"/>` +
    `<substanceAdministration classCode="SBADM" moodCode="RQO">${textElement('text', p.instructions)}${duration}${freq}` +
    (p.route === undefined ? '' : codedElement('routeCode', p.route)) +
    dose +
    (form === undefined ? '' : codedElement('administrationUnitCode', form)) +
    `${SAME_DRUG}</substanceAdministration></entryRelationship>`
  );
}

function instructions(text: string | undefined): string {
  if (text === undefined) return '';
  return `<entryRelationship typeCode="SUBJ" contextConductionInd="true" inversionInd="true"><observation classCode="OBS" moodCode="EVN"><templateId root="${ENTRY_TEMPLATES.instruction}"/><code code="${P.instructions}" displayName="Instructions" ${PITO_OBS}/>${textElement('text', text)}<participant typeCode="PRCP" contextControlCode="OP"><participantRole classCode="PAT"/></participant></observation></entryRelationship>`;
}

/** The nested prescription (entryRelationship) of one prescription of the medication. */
export function prescriptionRelationship(med: Medication, p: Prescription): string {
  const freq = frequency(p.frequency);
  const dose = doseQuantity(p.dose);
  const status = p.status === undefined ? '' : `<statusCode code="${MEDICATION_STATUS.write[p.status]}"/>`;
  const longTerm = p.longTerm === undefined ? '' : unboundObservation(p.longTerm ? P.longTermText : P.shortTermText);
  return (
    `<entryRelationship typeCode="COMP" contextConductionInd="true"><templateId root="${ENTRY_TEMPLATES.prescription}"/>` +
    `<substanceAdministration classCode="SBADM" moodCode="RQO">${idElement(ID_OIDS.oscar, p.id)}${DRUG_CODE}${status}${dates(p)}` +
    prescriptionConsumable(med) +
    author(p) +
    doseInstruction(p, med.form, freq.xml, dose ?? '') +
    longTerm +
    (freq.exact ? '' : unboundObservation(P.frequencyPrefix + p.frequency)) +
    (dose === undefined && p.dose !== undefined && 'text' in p.dose
      ? unboundObservation(P.dosePrefix + p.dose.text)
      : '') +
    prnObservation(p.prn) +
    instructions(p.instructions) +
    `</substanceAdministration></entryRelationship>`
  );
}
