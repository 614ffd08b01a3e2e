/**
 * The public face of e2e/: the record model, `readE2E` and `writeE2E`. Exporter and gateway
 * import from here only. Validation against the XSD is in `validate.ts`.
 */
import { readDocument } from './reader/document';
import { writeDocument } from './writer/document';
import { countSections, type DataWarning, type PatientRecord, type SectionCounts } from './record';

export * from './record';
export { WARNING_CODES, type WarningCode } from './warnings';

/** Limits and options of the reader. */
export interface ReadOptions {
  /** Largest document accepted, in bytes (BODY_TOO_LARGE beyond). */
  maxBytes?: number;
  /** Deepest element nesting accepted (XML_TOO_DEEP beyond). */
  maxDepth?: number;
  /** Keep note text of encounters, alerts, family history and risk factors (dropped unless asked for). */
  keepNoteText?: boolean;
}

/** What the reader returns: the record, data-quality warnings and entry counts per section. */
export interface ReadResult {
  record: PatientRecord;
  warnings: DataWarning[];
  sections: SectionCounts;
}

/**
 * Reads an E2E document. Throws EndpointError NOT_XML, NOT_E2E, HOSTILE_XML, XML_TOO_DEEP,
 * BODY_TOO_LARGE or NO_PATIENT_KEY when the document cannot be used at all; everything else
 * becomes a warning.
 */
export function readE2E(xml: string | Buffer, options: ReadOptions = {}): ReadResult {
  const { record, warnings } = readDocument(xml, options);
  return { record, warnings, sections: countSections(record) };
}

/** Options of the writer. */
export interface WriteOptions {
  /** Write note text of encounters, alerts, family history and risk factors (left out unless asked for). */
  includeNoteText?: boolean;
}

/** Writes a complete E2E-DTC document for the record. */
export function writeE2E(record: PatientRecord, options: WriteOptions = {}): string {
  return writeDocument(record, { includeNoteText: options.includeNoteText === true });
}
