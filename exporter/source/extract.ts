/**
 * Set-wise extraction. The patients to export are listed once; then, per batch of demographic
 * numbers, ONE query per clinical table (`WHERE demographic_no IN (…)`), rows grouped by
 * patient. The clinical tables are described as rows of a table, not as code.
 */
import type { OscarSource, SqlRow } from './oscar-source';
import { hasColumn } from './schema-detect';

/** The per-patient tables of a batch. */
export type ClinicalTableKey = 'demographic' | 'drugs' | 'allergies' | 'dxresearch' | 'measurements' | 'preventions' | 'preventionsExt' | 'notes';

/** How one clinical table is read. */
interface ClinicalTable {
  key: ClinicalTableKey;
  /** FROM clause (with alias `t`). */
  from: string;
  /** The column holding the demographic number, qualified. */
  patientColumn: string;
  /** Columns always selected (qualified or plain expressions with aliases). */
  columns: readonly string[];
  /** Columns selected when the schema has them: [table, column]. */
  optional?: readonly (readonly [string, string])[];
  /** The "row changed at" column for differential runs, or null. */
  changedColumn: string | null;
  /** ORDER BY, for stable documents. */
  orderBy: string;
}

/** The tables, in the order they are read. */
export const CLINICAL_TABLES: readonly ClinicalTable[] = [
  {
    key: 'demographic',
    from: 'demographic t',
    patientColumn: 't.demographic_no',
    columns: ['demographic_no', 'last_name', 'first_name', 'address', 'city', 'province', 'postal', 'phone', 'phone2', 'email', 'year_of_birth', 'month_of_birth', 'date_of_birth', 'hin', 'hc_type', 'sex', 'official_lang', 'provider_no', 'patient_status', 'lastUpdateDate'],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no',
  },
  {
    key: 'drugs',
    from: 'drugs t',
    patientColumn: 't.demographic_no',
    columns: ['drugid', 'demographic_no', 'provider_no', 'rx_date', 'end_date', 'BN', 'GN', 'customName', 'takemin', 'takemax', 'freqcode', 'prn', 'special', 'archived', 'ATC', 'regional_identifier', 'unit', 'route', 'drug_form', 'long_term'],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no, t.drugid',
  },
  {
    key: 'allergies',
    from: 'allergies t',
    patientColumn: 't.demographic_no',
    columns: ['allergyid', 'demographic_no', 'DESCRIPTION', 'TYPECODE', 'reaction', 'archived', 'start_date', 'severity_of_reaction', 'regional_identifier'],
    optional: [['allergies', 'atc'], ['allergies', 'nonDrug']],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no, t.allergyid',
  },
  {
    key: 'dxresearch',
    from: 'dxresearch t',
    patientColumn: 't.demographic_no',
    columns: ['dxresearch_no', 'demographic_no', 'start_date', 'update_date', 'status', 'dxresearch_code', 'coding_system'],
    changedColumn: 't.update_date',
    orderBy: 't.demographic_no, t.dxresearch_no',
  },
  {
    key: 'measurements',
    from: 'measurements t',
    patientColumn: 't.demographicNo',
    columns: ['id', 'demographicNo AS demographic_no', 'type', 'dataField', 'dateObserved'],
    changedColumn: 't.dateEntered',
    orderBy: 't.demographicNo, t.id',
  },
  {
    key: 'preventions',
    from: 'preventions t',
    patientColumn: 't.demographic_no',
    columns: ['id', 'demographic_no', 'prevention_date', 'prevention_type', 'deleted', 'refused', 'never', 'provider_no'],
    optional: [['preventions', 'snomedId']],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no, t.id',
  },
  {
    key: 'preventionsExt',
    from: 'preventionsExt t JOIN preventions p ON p.id = t.prevention_id',
    patientColumn: 'p.demographic_no',
    columns: ['p.demographic_no AS demographic_no', 'prevention_id', 'keyval', 'val'],
    changedColumn: null,
    orderBy: 't.prevention_id, t.id',
  },
  {
    key: 'notes',
    from: 'casemgmt_note t',
    patientColumn: 't.demographic_no',
    columns: ['note_id', 'demographic_no', 'uuid', 'update_date', 'observation_date', 'provider_no', 'archived', 'locked', "(t.password IS NOT NULL AND t.password <> '') AS has_password"],
    changedColumn: 't.update_date',
    orderBy: 't.demographic_no, t.note_id',
  },
];

/** One batch of patients with their rows, grouped by demographic number. */
export interface PatientBatch {
  /** Position of the batch in the run (0-based). */
  index: number;
  demographicNos: number[];
  rows: Record<ClinicalTableKey, Map<number, SqlRow[]>>;
}

/** Which patients a run exports. */
export interface PatientSelection {
  /** Only patients of these providers (demographic.provider_no); empty: all. */
  consentProviders: readonly string[];
  /** Differential runs: rows changed at or after this database time. */
  since?: string;
}

function qualify(column: string): string {
  return /[ .(]/.test(column) ? column : `t.\`${column}\``;
}

function selectList(source: OscarSource, table: ClinicalTable, includeNoteText: boolean): string {
  const columns = table.columns.map(qualify);
  for (const [tableName, column] of table.optional ?? []) {
    if (hasColumn(source.schema, tableName, column)) columns.push(`t.\`${column}\``);
  }
  if (table.changedColumn !== null) columns.push(`${table.changedColumn} AS changed_at`);
  if (table.key === 'notes' && includeNoteText) columns.push('t.note');
  return columns.join(', ');
}

function consentClause(selection: PatientSelection, values: unknown[]): string {
  if (selection.consentProviders.length === 0) return '';
  values.push(selection.consentProviders);
  return ' AND d.provider_no IN (?)';
}

/**
 * Lists the demographic numbers to export: active (patient_status AC), consented, and for a
 * differential run changed in any table since the watermark. Two queries at most.
 */
export async function listPatients(source: OscarSource, selection: PatientSelection): Promise<number[]> {
  const values: unknown[] = [];
  let join = '';
  if (selection.since !== undefined) {
    const changed = CLINICAL_TABLES.filter((table) => table.changedColumn !== null).map((table) => {
      values.push(selection.since);
      return `SELECT ${table.patientColumn} AS changed_no FROM ${table.from} WHERE ${table.changedColumn} >= ?`;
    });
    // A materialised derived table, not a dependent IN-subquery evaluated per patient.
    join = ` JOIN (${changed.join(' UNION ')}) c ON c.changed_no = d.demographic_no`;
  }
  const sql = `SELECT d.demographic_no AS demographic_no FROM demographic d${join} WHERE d.patient_status = 'AC'` + consentClause(selection, values);
  const rows = await source.query(sql + ' ORDER BY d.demographic_no', values);
  return rows.map((row) => Number(row.demographic_no));
}

/** Differential runs: patients changed since the watermark whose status is no longer AC. */
export async function listPatientsLeftActive(source: OscarSource, selection: PatientSelection & { since: string }): Promise<number[]> {
  const values: unknown[] = [selection.since];
  const sql =
    "SELECT d.demographic_no AS demographic_no FROM demographic d WHERE d.lastUpdateDate >= ? AND (d.patient_status IS NULL OR d.patient_status <> 'AC')" +
    consentClause(selection, values) +
    ' ORDER BY d.demographic_no';
  return (await source.query(sql, values)).map((row) => Number(row.demographic_no));
}

/** Reads one batch: one query per clinical table; read again on a new connection if the connection is lost. */
export function readBatch(source: OscarSource, index: number, demographicNos: number[], includeNoteText: boolean): Promise<PatientBatch> {
  return source.withReconnect({ batch: index + 1 }, () => readBatchOnce(source, index, demographicNos, includeNoteText));
}

async function readBatchOnce(source: OscarSource, index: number, demographicNos: number[], includeNoteText: boolean): Promise<PatientBatch> {
  const rows = {} as PatientBatch['rows'];
  for (const table of CLINICAL_TABLES) {
    const sql = `SELECT ${selectList(source, table, includeNoteText)} FROM ${table.from} WHERE ${table.patientColumn} IN (?) ORDER BY ${table.orderBy}`;
    const byPatient = new Map<number, SqlRow[]>();
    for (const row of await source.query(sql, [demographicNos])) {
      const key = Number(row.demographic_no);
      let list = byPatient.get(key);
      if (list === undefined) byPatient.set(key, (list = []));
      list.push(row);
    }
    rows[table.key] = byPatient;
  }
  return { index, demographicNos, rows };
}

/**
 * Iterates the batches of `demographicNos`, reading the next batch while the caller works on
 * the current one (one batch ahead, so memory stays flat).
 */
export async function* batchesOf(source: OscarSource, demographicNos: readonly number[], batchSize: number, includeNoteText: boolean): AsyncGenerator<PatientBatch> {
  const count = Math.ceil(demographicNos.length / batchSize);
  const read = (index: number) => readBatch(source, index, demographicNos.slice(index * batchSize, (index + 1) * batchSize), includeNoteText);
  let next: Promise<PatientBatch> | undefined = count > 0 ? read(0) : undefined;
  for (let index = 0; index < count; index++) {
    const current = await (next as Promise<PatientBatch>);
    next = index + 1 < count ? read(index + 1) : undefined;
    // Keep a failed prefetch from becoming an unhandled rejection while the caller works.
    next?.catch(() => undefined);
    yield current;
  }
}

/** Reference rows read once per run: providers (for authors) and the clinic (custodian). */
export interface ReferenceData {
  providers: Map<string, SqlRow>;
  clinic?: SqlRow;
}

/** Reads the provider and clinic tables (two queries per run). */
export async function readReferenceData(source: OscarSource): Promise<ReferenceData> {
  const providers = new Map<string, SqlRow>();
  for (const row of await source.query('SELECT provider_no, first_name, last_name, practitionerNo FROM provider')) providers.set(String(row.provider_no), row);
  const clinic = hasColumn(source.schema, 'clinic', 'clinic_name') ? (await source.query('SELECT clinic_no, clinic_name FROM clinic ORDER BY clinic_no LIMIT 1'))[0] : undefined;
  return { providers, clinic };
}
