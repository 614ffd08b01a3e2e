/**
 * Writes a complete E2E-DTC document: the header, then one section per clinical kind with a
 * narrative table and coded entries, or the "without entries" form with a nullFlavor entry.
 * Plain string building (no DOM); every text goes through escapeXml.
 */
import type { ClinicalSections, PatientRecord, PersonName, SectionName } from '../record';
import { SECTION_NAMES } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { DOCUMENT_OIDS, ID_OIDS } from '../vocab/oids';
import { SECTION_BY_FIELD } from '../vocab/sections';
import { escapeXml } from '../xml-text';
import { ALLERGY_COLUMNS, allergyEntry, allergyRow } from './allergy';
import { ENCOUNTER_COLUMNS, encounterEntry, encounterRow } from './encounter';
import { IMMUNIZATION_COLUMNS, immunizationEntry, immunizationRow } from './immunization';
import { LAB_RESULT_COLUMNS, labResultEntry, labResultRow } from './lab-result';
import { MEDICATION_COLUMNS, medicationEntry, medicationRow } from './medication';
import { PROBLEM_COLUMNS, problemEntry, problemRow } from './problem';
import { VITAL_SIGN_COLUMNS, vitalSignEntry, vitalSignRow } from './vital-sign';
import { attr, textElement, tsElement } from './xml';

/** Options of the writer (see WriteOptions in index.ts). */
export interface DocumentWriteOptions {
  includeNoteText: boolean;
}

function nameElement(name: PersonName | undefined): string {
  if (name === undefined) return '';
  let xml = '<name use="L">';
  for (const given of name.given) xml += textElement('given', given);
  return xml + textElement('family', name.family) + '</name>';
}

function recordTarget(record: PatientRecord): string {
  const { patient } = record;
  const hn = patient.healthNumber;
  let xml = '<recordTarget typeCode="RCT" contextControlCode="OP"><patientRole classCode="PAT">';
  xml +=
    hn === undefined ? '<id nullFlavor="NI"/>' : `<id${attr('root', hn.assigningOid)}${attr('extension', hn.value)}/>`;
  const a = patient.address;
  if (a !== undefined) {
    xml += `<addr use="H">${textElement('streetAddressLine', a.street)}${textElement('city', a.city)}${textElement('state', a.province)}${textElement('postalCode', a.postalCode)}${textElement('country', a.country)}</addr>`;
  }
  for (const telecom of patient.telecoms) xml += `<telecom${attr('value', telecom.value)}${attr('use', telecom.use)}/>`;
  xml += '<patient classCode="PSN" determinerCode="INSTANCE">' + nameElement(patient.name);
  xml +=
    patient.gender === undefined
      ? '<administrativeGenderCode nullFlavor="NI"/>'
      : `<administrativeGenderCode code="${patient.gender}" codeSystem="${CODE_SYSTEM_OID.gender}"/>`;
  xml += tsElement('birthTime', patient.birthDate);
  if (patient.language !== undefined)
    xml += `<languageCommunication><languageCode${attr('code', patient.language)}/></languageCommunication>`;
  return xml + '</patient></patientRole></recordTarget>';
}

function header(record: PatientRecord): string {
  const doc = record.document;
  const author = doc.author;
  const authorId =
    author?.id === undefined
      ? '<id nullFlavor="NI"/>'
      : `<id${attr('root', author.idRoot ?? ID_OIDS.cpsid)}${attr('extension', author.id)}/>`;
  const authorPerson =
    author?.name === undefined
      ? ''
      : `<assignedPerson classCode="PSN" determinerCode="INSTANCE">${nameElement(author.name)}</assignedPerson>`;
  const custodian = doc.custodian;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:e2e="http://standards.pito.bc.ca/E2E-DTC/cda" classCode="DOCCLIN" moodCode="EVN">' +
    `<realmCode code="CA-BC"/><typeId root="${DOCUMENT_OIDS.cdaTypeId}" extension="POCD_HD000040"/>` +
    `<templateId root="${DOCUMENT_OIDS.pitoHeader}"/><templateId root="${DOCUMENT_OIDS.pitoConversion}"/>` +
    `<id root="${DOCUMENT_OIDS.documentIdRoot}"${attr('extension', doc.demographicNo)}/>` +
    `<code code="11503-0" codeSystem="${CODE_SYSTEM_OID.loinc}" codeSystemName="${CODE_SYSTEM_NAME.loinc}" displayName="Medical Records"/>` +
    '<title>PITO EMR-2-EMR Record</title>' +
    tsElement('effectiveTime', doc.effectiveTime) +
    `<confidentialityCode code="N" codeSystem="${CODE_SYSTEM_OID.confidentiality}" displayName="Normal"/><languageCode code="en-CA"/>` +
    recordTarget(record) +
    `<author typeCode="AUT" contextControlCode="OP">${tsElement('time', doc.effectiveTime)}<assignedAuthor classCode="ASSIGNED">${authorId}${authorPerson}</assignedAuthor></author>` +
    '<custodian typeCode="CST"><assignedCustodian classCode="ASSIGNED"><representedCustodianOrganization classCode="ORG" determinerCode="INSTANCE">' +
    (custodian?.id === undefined
      ? '<id nullFlavor="NI"/>'
      : `<id root="${ID_OIDS.oscar}"${attr('extension', custodian.id)}/>`) +
    textElement('name', custodian?.name) +
    '</representedCustodianOrganization></assignedCustodian></custodian>'
  );
}

type Cells = (string | undefined)[];

/** Entry XML and narrative row of the entries of one section: the switch over entry types. */
function sectionParts(
  name: SectionName,
  record: ClinicalSections,
  options: DocumentWriteOptions,
): { columns: string[]; rows: Cells[]; entries: string } {
  let entries = '';
  const rows: Cells[] = [];
  switch (name) {
    case 'medications':
      for (const e of record.medications) {
        entries += medicationEntry(e);
        rows.push(medicationRow(e));
      }
      return { columns: MEDICATION_COLUMNS, rows, entries };
    case 'problems':
      for (const e of record.problems) {
        entries += problemEntry(e);
        rows.push(problemRow(e));
      }
      return { columns: PROBLEM_COLUMNS, rows, entries };
    case 'allergies':
      for (const e of record.allergies) {
        entries += allergyEntry(e);
        rows.push(allergyRow(e));
      }
      return { columns: ALLERGY_COLUMNS, rows, entries };
    case 'immunizations':
      for (const e of record.immunizations) {
        entries += immunizationEntry(e);
        rows.push(immunizationRow(e));
      }
      return { columns: IMMUNIZATION_COLUMNS, rows, entries };
    case 'labResults':
      for (const e of record.labResults) {
        entries += labResultEntry(e);
        rows.push(labResultRow(e));
      }
      return { columns: LAB_RESULT_COLUMNS, rows, entries };
    case 'vitalSigns':
      for (const e of record.vitalSigns) {
        entries += vitalSignEntry(e);
        rows.push(vitalSignRow(e));
      }
      return { columns: VITAL_SIGN_COLUMNS, rows, entries };
    case 'encounters':
      for (const e of record.encounters) {
        entries += encounterEntry(e, options.includeNoteText);
        rows.push(encounterRow(e));
      }
      return { columns: ENCOUNTER_COLUMNS, rows, entries };
  }
}

function narrativeTable(columns: string[], rows: Cells[]): string {
  let xml = '<text mediaType="text/x-hl7-text+xml"><table border="1"><thead><tr>';
  for (const column of columns) xml += `<th>${column}</th>`;
  xml += '</tr></thead><tbody>';
  for (const row of rows) {
    xml += '<tr>';
    for (const cell of row) xml += cell === undefined ? '<td/>' : `<td>${escapeXml(cell)}</td>`;
    xml += '</tr>';
  }
  return xml + '</tbody></table></text>';
}

/** The placeholder entry of a section without entries (the pattern of OSCAR's exports). */
const PLACEHOLDER_ENTRY =
  '<entry nullFlavor="NI" typeCode="DRIV" contextConductionInd="true"><observation nullFlavor="NI" classCode="OBS" moodCode="EVN"><code nullFlavor="NI"/><text nullFlavor="NI"/><statusCode code="completed"/><effectiveTime nullFlavor="NI"/></observation></entry>';

function section(name: SectionName, record: PatientRecord, options: DocumentWriteOptions): string {
  const row = SECTION_BY_FIELD[name];
  const { code } = row;
  const parts = sectionParts(name, record, options);
  const hasEntries = parts.rows.length > 0;
  let xml = '<component typeCode="COMP" contextConductionInd="true"><section classCode="DOCSECT" moodCode="EVN">';
  xml += `<templateId root="${hasEntries ? row.templateWithEntries : row.templateWithoutEntries}"/>`;
  xml += `<code code="${code.code}" codeSystem="${code.codeSystem}" codeSystemName="${code.codeSystemName}" displayName="${escapeXml(code.displayName)}"/>`;
  xml += `<title>${escapeXml(row.title)} [${hasEntries ? 'with' : 'without'} entries]</title>`;
  xml += hasEntries
    ? narrativeTable(parts.columns, parts.rows) + parts.entries
    : '<text mediaType="text/x-hl7-text+xml">No information for this section for this patient</text>' +
      PLACEHOLDER_ENTRY;
  return xml + '</section></component>';
}

/** The whole document as text. */
export function writeDocument(record: PatientRecord, options: DocumentWriteOptions): string {
  let xml = header(record);
  xml += '<component typeCode="COMP" contextConductionInd="true"><structuredBody classCode="DOCBODY" moodCode="EVN">';
  for (const name of SECTION_NAMES) xml += section(name, record, options);
  return xml + '</structuredBody></component></ClinicalDocument>\n';
}
