/**
 * Writes a complete E2E-DTC document: the header, then one section per entry kind (entry-kinds.ts)
 * with a narrative table and coded entries, or the "without entries" form with the section's own
 * "no information" text and a nullFlavor entry. Plain string building (no DOM); every text goes
 * through escapeXml.
 */
import { ENTRY_KINDS, type Cells, type EntryKind, type EntryWriteOptions } from '../entry-kinds';
import type { PatientRecord, PersonName } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID } from '../vocab/code-systems';
import { DOCUMENT_OIDS, ID_OIDS } from '../vocab/oids';
import { SECTION_BY_FIELD } from '../vocab/sections';
import { escapeXml } from '../xml-text';
import { attr, textElement, tsElement } from './xml';

/** Options of the writer (see WriteOptions in index.ts). */
export type DocumentWriteOptions = EntryWriteOptions;

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

function narrativeTable(columns: readonly string[], rows: Cells[]): string {
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

function section(kind: EntryKind, record: PatientRecord, options: DocumentWriteOptions): string {
  const row = SECTION_BY_FIELD[kind.section];
  const { code } = row;
  let entries = '';
  const rows: Cells[] = [];
  for (const field of kind.fields) {
    const part = field.write(record, options);
    entries += part.entries;
    rows.push(...part.rows);
  }
  const hasEntries = rows.length > 0;
  let xml = '<component typeCode="COMP" contextConductionInd="true"><section classCode="DOCSECT" moodCode="EVN">';
  xml += `<templateId root="${hasEntries ? row.templateWithEntries : row.templateWithoutEntries}"/>`;
  xml += `<code code="${code.code}" codeSystem="${code.codeSystem}" codeSystemName="${code.codeSystemName}" displayName="${escapeXml(code.displayName)}"/>`;
  xml += `<title>${escapeXml(row.title)} [${hasEntries ? 'with' : 'without'} entries]</title>`;
  xml += hasEntries
    ? narrativeTable(kind.columns, rows) + entries
    : `<text mediaType="text/x-hl7-text+xml">${escapeXml(row.emptyText)}</text>` + PLACEHOLDER_ENTRY;
  return xml + '</section></component>';
}

/** The whole document as text. */
export function writeDocument(record: PatientRecord, options: DocumentWriteOptions): string {
  let xml = header(record);
  xml += '<component typeCode="COMP" contextConductionInd="true"><structuredBody classCode="DOCBODY" moodCode="EVN">';
  for (const kind of ENTRY_KINDS) xml += section(kind, record, options);
  return xml + '</structuredBody></component></ClinicalDocument>\n';
}
