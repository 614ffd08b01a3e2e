/**
 * Reads a medication entry: the drug (DIN, ATC, name, e2e:desc brand, e2e:formCode,
 * e2e:ingredient strength) and the top-level facts of the substanceAdministration, then every
 * nested prescription (prescription.ts) into `prescriptions`, in document order (newest first as
 * written). Top-level fields the entry lacks are filled from the first prescription
 * (prescriptions.ts), so OSCAR's documents, which carry dates, dose and frequency only in the
 * nested prescription, read as before. An entry without nested prescriptions has no `prescriptions`.
 */
import { fillFromNewest } from '../prescriptions';
import type { Medication } from '../record';
import { findCodeSystem } from '../vocab/code-systems';
import { MEDICATION_STATUS } from '../vocab/value-maps';
import {
  attr,
  coded,
  idOf,
  many,
  mapped,
  numberAttr,
  one,
  path,
  prune,
  text,
  warn,
  type ReadContext,
  type XmlNode,
} from './nodes';
import { applyAdministration, applyObservation, readPrescription } from './prescription';

function readDrug(material: XmlNode | undefined, med: Medication, ctx: ReadContext, field: string): void {
  for (const codeNode of many(material, 'code')) {
    const value = coded(codeNode, ctx, `${field}.drug`);
    if (value === undefined) continue;
    const key = findCodeSystem(value.codeSystem, value.codeSystemName)?.key;
    if (key === 'atc') med.atc ??= value;
    else if (key === 'din' || key === undefined) med.din ??= value;
  }
  med.name = text(one(material, 'name'));
  med.brandName = text(one(material, 'desc'));
  med.form = coded(one(material, 'formCode'), ctx, `${field}.form`);
  const quantity = path(material, 'ingredient', 'quantity');
  const strength = numberAttr(quantity, 'value', ctx, `${field}.strength`);
  if (strength !== undefined) {
    const unit = attr(quantity, 'unit');
    med.strength = unit === undefined ? { quantity: strength } : { quantity: strength, unit };
  }
}

/** The medication of one entry, or undefined when the entry holds no substanceAdministration. */
export function readMedication(entry: XmlNode, ctx: ReadContext, index: number): Medication | undefined {
  const sa = one(entry, 'substanceAdministration');
  const field = `medications[${index}]`;
  if (sa === undefined) return undefined;
  const med: Medication = { id: idOf(sa) };
  med.status = mapped(one(sa, 'statusCode'), MEDICATION_STATUS, ctx, `${field}.status`);
  med.instructions = text(one(sa, 'text'));
  const drug = path(sa, 'consumable', 'manufacturedProduct');
  readDrug(one(drug, 'manufacturedLabeledDrug') ?? one(drug, 'manufacturedMaterial'), med, ctx, field);
  applyAdministration(sa, med, ctx, field);
  const prescriptions = [];
  for (const relationship of many(sa, 'entryRelationship')) {
    const obs = one(relationship, 'observation');
    if (obs !== undefined) applyObservation(obs, med, ctx, field);
    const nested = one(relationship, 'substanceAdministration');
    if (nested !== undefined)
      prescriptions.push(readPrescription(nested, ctx, `${field}.prescriptions[${prescriptions.length}]`));
  }
  if (prescriptions.length > 0) med.prescriptions = prescriptions;
  if (med.din === undefined && med.atc === undefined && med.name === undefined) {
    warn(ctx, 'ENTRY_WITHOUT_CODE', `${field}: no DIN, ATC code or drug name.`);
  }
  return fillFromNewest(prune(med));
}
