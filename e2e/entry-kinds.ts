/**
 * The one table of entry kinds that writer and reader both walk: for each section the record
 * models, which record fields are written in it (entries and narrative rows), the narrative
 * columns, and the reader of one of its entries. The laboratory section holds two fields: lab
 * results and screenings.
 */
import type { ClinicalSections, PatientRecord, SectionName } from './record';
import { readAllergy } from './reader/allergy';
import { readAlert, readFamilyHistory, readRiskFactors } from './reader/cpp-notes';
import { readEncounter } from './reader/encounter';
import { readImmunization } from './reader/immunization';
import { readLabEntry } from './reader/lab-result';
import { readMedication } from './reader/medication';
import type { ReadContext, XmlNode } from './reader/nodes';
import { readProblem } from './reader/problem';
import { readVitalSigns } from './reader/vital-sign';
import type { SectionField } from './vocab/sections';
import { ALLERGY_COLUMNS, allergyEntry, allergyRow } from './writer/allergy';
import {
  ALERT_COLUMNS,
  alertEntry,
  alertRow,
  FAMILY_HISTORY_COLUMNS,
  familyHistoryEntry,
  familyHistoryRow,
  RISK_FACTOR_COLUMNS,
  riskFactorEntry,
  riskFactorRow,
} from './writer/cpp-notes';
import { ENCOUNTER_COLUMNS, encounterEntry, encounterRow } from './writer/encounter';
import { IMMUNIZATION_COLUMNS, immunizationEntry, immunizationRow } from './writer/immunization';
import { LAB_RESULT_COLUMNS, labResultEntries, labResultRow } from './writer/lab-result';
import { MEDICATION_COLUMNS, medicationEntry, medicationRow } from './writer/medication';
import { PROBLEM_COLUMNS, problemEntry, problemRow } from './writer/problem';
import { screeningEntry, screeningRow } from './writer/screening';
import { VITAL_SIGN_COLUMNS, vitalSignEntry, vitalSignRow } from './writer/vital-sign';

/** Cells of one narrative row (undefined: an empty cell). */
export type Cells = (string | undefined)[];

/** Options of the writer that entry writers see. */
export interface EntryWriteOptions {
  includeNoteText: boolean;
}

/** How one record field is written: its entries' XML and its narrative rows. */
export interface FieldWriter {
  field: SectionName;
  write(record: ClinicalSections, options: EntryWriteOptions): { entries: string; rows: Cells[] };
}

/** One section the record models. */
export interface EntryKind {
  section: SectionField;
  columns: readonly string[];
  fields: readonly FieldWriter[];
  /** Reads one entry into the record; false when the entry is not of the section's kind. */
  read(entry: XmlNode, record: PatientRecord, ctx: ReadContext): boolean;
}

type Entry<F extends SectionName> = ClinicalSections[F][number];

/** A field whose entries are written one by one. */
function each<F extends SectionName>(
  field: F,
  entry: (value: Entry<F>, options: EntryWriteOptions) => string,
  row: (value: Entry<F>) => Cells,
): FieldWriter {
  return {
    field,
    write(record, options) {
      const list = record[field] as Entry<F>[];
      let entries = '';
      for (const value of list) entries += entry(value, options);
      return { entries, rows: list.map(row) };
    },
  };
}

/** A field whose entries are written all at once (results grouped by report). */
function all<F extends SectionName>(
  field: F,
  entries: (list: readonly Entry<F>[]) => string,
  row: (value: Entry<F>) => Cells,
): FieldWriter {
  return {
    field,
    write(record) {
      const list = record[field] as Entry<F>[];
      return { entries: entries(list), rows: list.map(row) };
    },
  };
}

/** A reader of entries that each give at most one value of the field. */
function readOne<F extends SectionName>(
  field: F,
  read: (entry: XmlNode, ctx: ReadContext, index: number) => Entry<F> | undefined,
): EntryKind['read'] {
  return (entry, record, ctx) => {
    const list = record[field] as Entry<F>[];
    const value = read(entry, ctx, list.length);
    if (value === undefined) return false;
    list.push(value);
    return true;
  };
}

/** Every section the record models, in document order. */
export const ENTRY_KINDS: readonly EntryKind[] = [
  {
    section: 'medications',
    columns: MEDICATION_COLUMNS,
    fields: [each('medications', medicationEntry, medicationRow)],
    read: readOne('medications', readMedication),
  },
  {
    section: 'problems',
    columns: PROBLEM_COLUMNS,
    fields: [each('problems', problemEntry, problemRow)],
    read: readOne('problems', readProblem),
  },
  {
    section: 'allergies',
    columns: ALLERGY_COLUMNS,
    fields: [each('allergies', allergyEntry, allergyRow)],
    read: readOne('allergies', readAllergy),
  },
  {
    section: 'immunizations',
    columns: IMMUNIZATION_COLUMNS,
    fields: [each('immunizations', immunizationEntry, immunizationRow)],
    read: readOne('immunizations', readImmunization),
  },
  {
    section: 'labResults',
    columns: LAB_RESULT_COLUMNS,
    fields: [all('labResults', labResultEntries, labResultRow), each('screenings', screeningEntry, screeningRow)],
    read: readLabEntry,
  },
  {
    section: 'vitalSigns',
    columns: VITAL_SIGN_COLUMNS,
    fields: [each('vitalSigns', vitalSignEntry, vitalSignRow)],
    read: (entry, record, ctx) => {
      readVitalSigns(entry, ctx, record.vitalSigns);
      return true;
    },
  },
  {
    section: 'encounters',
    columns: ENCOUNTER_COLUMNS,
    fields: [each('encounters', (e, o) => encounterEntry(e, o.includeNoteText), encounterRow)],
    read: readOne('encounters', readEncounter),
  },
  {
    section: 'alerts',
    columns: ALERT_COLUMNS,
    fields: [each('alerts', (e, o) => alertEntry(e, o.includeNoteText), alertRow)],
    read: readOne('alerts', readAlert),
  },
  {
    section: 'familyHistory',
    columns: FAMILY_HISTORY_COLUMNS,
    fields: [each('familyHistory', (e, o) => familyHistoryEntry(e, o.includeNoteText), familyHistoryRow)],
    read: readOne('familyHistory', readFamilyHistory),
  },
  {
    section: 'riskFactors',
    columns: RISK_FACTOR_COLUMNS,
    fields: [each('riskFactors', (e, o) => riskFactorEntry(e, o.includeNoteText), riskFactorRow)],
    read: readRiskFactors,
  },
];

/** The entry kind of each section, by section field (for the reader). */
export const ENTRY_KIND_BY_SECTION = new Map<SectionField, EntryKind>(ENTRY_KINDS.map((kind) => [kind.section, kind]));
