/** Reads the document header: document info and the patient. */
import { EndpointError } from '../../core/errors';
import type { Address, DocumentInfo, Gender, Patient, PersonName, Telecom } from '../record';
import { attr, date, many, one, path, prune, text, warn, type ReadContext, type XmlNode } from './nodes';

const GENDERS: ReadonlySet<string> = new Set(['M', 'F', 'UN']);

/**
 * A demographic number usable in a patient key (the store's `_id`, admin URLs, log lines): OSCAR's
 * are integers; 1–64 letters, digits, '.', '-' and '_', starting with a letter or digit, are allowed.
 */
const DEMOGRAPHIC_NO = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A person's name: given names and family name, or the whole text as family name. */
export function personName(node: XmlNode | undefined): PersonName | undefined {
  if (node === undefined || attr(node, 'nullFlavor') !== undefined) return undefined;
  const given = many(node, 'given')
    .map(text)
    .filter((g): g is string => g !== undefined);
  const family = text(one(node, 'family'));
  if (family === undefined && given.length === 0) {
    const whole = text(node);
    return whole === undefined ? { given: [] } : { given: [], family: whole };
  }
  return family === undefined ? { given } : { given, family };
}

/** Header facts; throws NO_PATIENT_KEY when the document id has no extension. */
export function readDocumentInfo(root: XmlNode, ctx: ReadContext): DocumentInfo {
  const demographicNo = attr(one(root, 'id'), 'extension')?.trim();
  if (demographicNo === undefined || demographicNo === '') {
    throw new EndpointError(
      'NO_PATIENT_KEY',
      'The document has no demographic number (ClinicalDocument/id/@extension).',
    );
  }
  if (!DEMOGRAPHIC_NO.test(demographicNo)) {
    throw new EndpointError(
      'NO_PATIENT_KEY',
      "The document's demographic number (ClinicalDocument/id/@extension) cannot be a patient key: it must be 1–64 letters, digits, '.', '-' or '_', starting with a letter or digit.",
    );
  }
  const info: DocumentInfo = {
    demographicNo,
    effectiveTime: date(one(root, 'effectiveTime'), ctx, 'document.effectiveTime'),
  };
  const assigned = path(root, 'author', 'assignedAuthor');
  if (assigned !== undefined) {
    const id = one(assigned, 'id');
    const author = prune({
      id: attr(id, 'extension'),
      idRoot: attr(id, 'extension') === undefined ? undefined : attr(id, 'root'),
      name: personName(path(assigned, 'assignedPerson', 'name')),
    });
    if (Object.keys(author).length > 0) info.author = author;
  }
  const organization = path(root, 'custodian', 'assignedCustodian', 'representedCustodianOrganization');
  if (organization !== undefined) {
    const custodian = prune({ id: attr(one(organization, 'id'), 'extension'), name: text(one(organization, 'name')) });
    if (Object.keys(custodian).length > 0) info.custodian = custodian;
  }
  return prune(info);
}

function address(node: XmlNode | undefined): Address | undefined {
  if (node === undefined) return undefined;
  const streets = many(node, 'streetAddressLine')
    .map(text)
    .filter((s): s is string => s !== undefined);
  const value = prune({
    street: streets.length > 0 ? streets.join(', ') : undefined,
    city: text(one(node, 'city')),
    province: text(one(node, 'state')),
    postalCode: text(one(node, 'postalCode')),
    country: text(one(node, 'country')),
  });
  return Object.keys(value).length > 0 ? value : undefined;
}

/** The patient of the record target. */
export function readPatient(root: XmlNode, ctx: ReadContext): Patient {
  const role = path(root, 'recordTarget', 'patientRole');
  const person = one(role, 'patient');
  const patient: Patient = { telecoms: [] };
  for (const id of many(role, 'id')) {
    const value = attr(id, 'extension');
    const oid = attr(id, 'root');
    if (value !== undefined && oid !== undefined) {
      patient.healthNumber = { value, assigningOid: oid };
      break;
    }
  }
  patient.name = personName(one(person, 'name'));
  patient.birthDate = date(one(person, 'birthTime'), ctx, 'patient.birthDate');
  const gender = attr(one(person, 'administrativeGenderCode'), 'code');
  if (gender !== undefined) {
    if (GENDERS.has(gender.toUpperCase())) patient.gender = gender.toUpperCase() as Gender;
    else warn(ctx, 'BAD_VALUE', `patient.gender: unknown administrative gender code ${gender}.`);
  }
  patient.language = attr(path(person, 'languageCommunication', 'languageCode'), 'code');
  patient.address = address(one(role, 'addr'));
  for (const telecom of many(role, 'telecom')) {
    const value = attr(telecom, 'value');
    if (value === undefined) continue;
    const use = attr(telecom, 'use');
    patient.telecoms.push(use === undefined ? ({ value } as Telecom) : { value, use });
  }
  return prune(patient);
}
