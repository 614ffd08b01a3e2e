/**
 * Schema variant detection from information_schema: the column types that drifted between
 * OSCAR 12.1 and later releases (../shared/oscar/README.md), and the optional columns the
 * extraction selects only when they exist.
 */
import { EndpointError } from '../../core/errors';
import type { SqlRow } from './oscar-source';

/** OSCAR schema generation. */
export type OscarSchemaVariant = '12.1' | 'latest';

/** A drifted column: its type in 12.1 and later. */
interface DriftRow {
  table: string;
  column: string;
  /** Predicate on (DATA_TYPE, CHARACTER_MAXIMUM_LENGTH) that holds in 12.1. */
  is121: (dataType: string, maxLength: number | null) => boolean;
}

/** The drift facts (12.1 vs Open-O 2025). */
const DRIFT: readonly DriftRow[] = [
  { table: 'allergies', column: 'archived', is121: (type) => type === 'char' },
  { table: 'casemgmt_issue', column: 'demographic_no', is121: (type) => type === 'varchar' },
  { table: 'preventions', column: 'prevention_date', is121: (type) => type === 'date' },
  { table: 'measurementType', column: 'type', is121: (_type, length) => length !== null && length <= 4 },
];

/** Tables the export reads and cannot do without. */
export const REQUIRED_TABLES = [
  'demographic',
  'provider',
  'drugs',
  'allergies',
  'dxresearch',
  'measurements',
  'preventions',
  'preventionsExt',
  'casemgmt_note',
] as const;

/** What the exporter knows about the database's tables. */
export interface OscarSchemaFacts {
  variant: OscarSchemaVariant;
  /** Drift columns that voted for 12.1 / latest (for the log). */
  votes: { release121: number; latest: number };
  /**
   * Per-patient tables with no index led by their demographic number column, and joined tables with no index on their
   * join column: each batch scans them whole (OSCAR 12.1's drugs, preventions, preventionsExt, casemgmt_note_ext).
   */
  unindexedPatientTables: string[];
  /** Column names per table (lower-case table name → set of column names). */
  columns: ReadonlyMap<string, ReadonlySet<string>>;
}

/** True when `table` has `column`. */
export function hasColumn(facts: OscarSchemaFacts, table: string, column: string): boolean {
  return facts.columns.get(table.toLowerCase())?.has(column) ?? false;
}

/** True when the database has `table` (optional tables: hl7TextInfo, measurementMap, icd9 …). */
export function hasTable(facts: OscarSchemaFacts, table: string): boolean {
  return facts.columns.has(table.toLowerCase());
}

/** The demographic number column of each per-patient table the extraction reads. */
const PATIENT_COLUMNS: Readonly<Record<string, string>> = {
  demographic: 'demographic_no',
  drugs: 'demographic_no',
  allergies: 'demographic_no',
  dxresearch: 'demographic_no',
  measurements: 'demographicNo',
  preventions: 'demographic_no',
  casemgmt_note: 'demographic_no',
  patientLabRouting: 'demographic_no',
};

/** Tables read per batch through a join on another column than the demographic number (OSCAR 12.1 indexes neither casemgmt_note_ext.note_id nor preventionsExt.prevention_id). */
const JOIN_COLUMNS: Readonly<Record<string, string>> = {
  measurementsExt: 'measurement_id',
  preventionsExt: 'prevention_id',
  casemgmt_note_ext: 'note_id',
  casemgmt_issue_notes: 'note_id',
};

/**
 * Decides the variant from information_schema.COLUMNS rows and notes the per-patient tables
 * without a usable index (from STATISTICS rows: first columns of indexes); throws when required
 * tables are missing.
 */
export function detectSchema(rows: readonly SqlRow[], indexRows: readonly SqlRow[] = []): OscarSchemaFacts {
  const columns = new Map<string, Set<string>>();
  const types = new Map<string, { dataType: string; maxLength: number | null }>();
  for (const row of rows) {
    const table = String(row.tableName).toLowerCase();
    const column = String(row.columnName);
    if (!columns.has(table)) columns.set(table, new Set());
    columns.get(table)?.add(column);
    types.set(`${table}.${column}`, {
      dataType: String(row.dataType).toLowerCase(),
      maxLength: row.maxLength === null ? null : Number(row.maxLength),
    });
  }
  const missing = REQUIRED_TABLES.filter((table) => !columns.has(table.toLowerCase()));
  if (missing.length > 0) {
    throw new EndpointError(
      'SERVICE_UNAVAILABLE',
      `The OSCAR database lacks the tables ${missing.join(', ')}; is ENDPOINT_OSCAR_URL the right database?`,
    );
  }
  const votes = { release121: 0, latest: 0 };
  for (const drift of DRIFT) {
    const type = types.get(`${drift.table.toLowerCase()}.${drift.column}`);
    if (type === undefined) continue;
    if (drift.is121(type.dataType, type.maxLength)) votes.release121++;
    else votes.latest++;
  }
  const indexed = new Set(indexRows.map((row) => `${String(row.tableName).toLowerCase()}.${String(row.columnName)}`));
  const unindexedPatientTables = Object.entries({ ...PATIENT_COLUMNS, ...JOIN_COLUMNS })
    .filter(([table, column]) => columns.has(table.toLowerCase()) && !indexed.has(`${table.toLowerCase()}.${column}`))
    .map(([table]) => table);
  return { variant: votes.latest > votes.release121 ? 'latest' : '12.1', votes, unindexedPatientTables, columns };
}
