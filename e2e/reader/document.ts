/**
 * Reads an E2E document: the gate (input.ts), one fast-xml-parser parse, then a walk over the
 * header and the sections. Sections are matched by templateId and code through the section
 * table; each entry goes to its section's reader in the entry-kind table (entry-kinds.ts);
 * nullFlavor placeholders are skipped. Elements the gate found in a namespace other than HL7
 * v3's and the E2E-DTC profile's are cut out before the parse (the parser drops prefixes, so they
 * would read as HL7's).
 */
import { XMLParser } from 'fast-xml-parser';
import { EndpointError } from '../../core/errors';
import { ENTRY_KIND_BY_SECTION } from '../entry-kinds';
import type { DataWarning, PatientRecord } from '../record';
import { countSections, emptyRecord } from '../record';
import { HL7_V3_NAMESPACE } from '../vocab/oids';
import { findSection } from '../vocab/sections';
import { WARNING_CODES } from '../warnings';
import { readDocumentInfo, readPatient } from './header';
import { decodeInput, INPUT_DEFAULTS, markupBudget, scanStructure } from './input';
import { addWarning, attr, many, one, path, warn, type ReadContext, type XmlNode } from './nodes';
import { pairBloodPressures } from './vital-sign';

/** Elements that repeat: always arrays, so the walk never checks. */
const REPEATED = new Set([
  'component',
  'entry',
  'templateId',
  'entryRelationship',
  'participant',
  'telecom',
  'given',
  'id',
  'code',
]);

/**
 * The parser for documents nested at most `maxDepth` deep (the gate refuses deeper ones with
 * XML_TOO_DEEP first; the parser's own limit, 100 by default, must not refuse them as NOT_XML):
 * no value parsing, no entities (references are decoded by the reader's helpers), narrative text
 * left unparsed.
 */
function makeParser(maxDepth: number): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    trimValues: true,
    stopNodes: ['*.section.text'],
    isArray: (name) => REPEATED.has(name),
    maxNestedTags: maxDepth + 1,
  });
}

/** The parser of the default depth limit. */
export const parser = makeParser(INPUT_DEFAULTS.maxDepth);

function parserFor(maxDepth: number): XMLParser {
  return maxDepth === INPUT_DEFAULTS.maxDepth ? parser : makeParser(maxDepth);
}

/** The text without the given `[start, end)` ranges (in order, not overlapping). */
function without(xml: string, ranges: [number, number][]): string {
  const kept: string[] = [];
  let from = 0;
  for (const [start, end] of ranges) {
    kept.push(xml.slice(from, start));
    from = end;
  }
  kept.push(xml.slice(from));
  return kept.join('');
}

/** Options after defaults. */
export interface DocumentReadOptions {
  maxBytes: number;
  maxDepth: number;
  keepNoteText: boolean;
}

/** True for a "no information" placeholder entry. */
function isPlaceholder(entry: XmlNode): boolean {
  if (attr(entry, 'nullFlavor') !== undefined) return true;
  for (const key of Object.keys(entry)) {
    if (key.startsWith('@_') || key === 'templateId') continue;
    const act = one(entry, key);
    if (act !== undefined && attr(act, 'nullFlavor') !== undefined) return true;
  }
  return false;
}

function readSection(
  section: XmlNode,
  record: PatientRecord,
  warnings: DataWarning[],
  options: DocumentReadOptions,
): void {
  const templateIds = many(section, 'templateId')
    .map((t) => attr(t, 'root'))
    .filter((t): t is string => t !== undefined);
  const code = attr(one(section, 'code'), 'code');
  const found = findSection(templateIds, code);
  if (found === undefined) {
    addWarning(warnings, {
      code: WARNING_CODES.UNKNOWN_SECTION,
      message: `A section with templateId ${templateIds.join(', ') || '(none)'} and code ${code ?? '(none)'} is not in the section table; skipped.`,
    });
    return;
  }
  const name = found.section.field;
  if (name === null) return;
  const kind = ENTRY_KIND_BY_SECTION.get(name)!;
  const ctx: ReadContext = { section: name, warnings, keepNoteText: options.keepNoteText };
  for (const entry of many(section, 'entry')) {
    if (isPlaceholder(entry)) continue;
    if (!kind.read(entry, record, ctx))
      warn(ctx, 'UNEXPECTED_ENTRY', `An entry of an unexpected kind in the ${name} section was skipped.`);
  }
}

/** Reads one document (see readE2E). */
export function readDocument(
  input: string | Buffer,
  options: Partial<DocumentReadOptions>,
): { record: PatientRecord; warnings: DataWarning[] } {
  const settings: DocumentReadOptions = {
    maxBytes: options.maxBytes ?? INPUT_DEFAULTS.maxBytes,
    maxDepth: options.maxDepth ?? INPUT_DEFAULTS.maxDepth,
    keepNoteText: options.keepNoteText === true,
  };
  const xml = decodeInput(input, settings.maxBytes);
  const root = scanStructure(xml, settings.maxDepth, markupBudget(settings.maxBytes));
  if (root.localName !== 'ClinicalDocument')
    throw new EndpointError('NOT_E2E', `The root element is ${root.localName.slice(0, 64)}, not ClinicalDocument.`);
  if (root.namespace !== undefined && root.namespace !== HL7_V3_NAMESPACE)
    throw new EndpointError(
      'NOT_E2E',
      `The root element is a ClinicalDocument of namespace ${root.namespace.slice(0, 64)}, not ${HL7_V3_NAMESPACE}.`,
    );
  const foreign = root.foreignElements;
  let tree: XmlNode;
  try {
    tree = parserFor(settings.maxDepth).parse(foreign.length === 0 ? xml : without(xml, foreign)) as XmlNode;
  } catch (error) {
    throw new EndpointError('NOT_XML', 'The document is not well-formed XML.', { cause: error });
  }
  const clinicalDocument = one(tree, 'ClinicalDocument');
  if (clinicalDocument === undefined) throw new EndpointError('NOT_E2E', 'The root element is not ClinicalDocument.');
  const warnings: DataWarning[] = [];
  if (foreign.length > 0) {
    addWarning(warnings, {
      code: WARNING_CODES.UNEXPECTED_ENTRY,
      message: `${foreign.length} element${foreign.length === 1 ? '' : 's'} in a namespace other than ${HL7_V3_NAMESPACE} and the E2E-DTC profile's (or under an undeclared prefix) ${foreign.length === 1 ? 'was' : 'were'} not read.`,
    });
  }
  const header: ReadContext = { section: 'header', warnings, keepNoteText: settings.keepNoteText };
  const document = readDocumentInfo(clinicalDocument, header);
  const record = emptyRecord(document.demographicNo);
  record.document = document;
  record.patient = readPatient(clinicalDocument, header);
  for (const component of many(path(clinicalDocument, 'component', 'structuredBody'), 'component')) {
    for (const section of many(component, 'section')) readSection(section, record, warnings, settings);
  }
  record.vitalSigns = pairBloodPressures(record.vitalSigns);
  return { record, warnings };
}

export { countSections };
