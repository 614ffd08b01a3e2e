/**
 * Set-wise extraction. The patients to export are listed once; then, per batch of demographic
 * numbers, ONE query per clinical table (`WHERE demographic_no IN (…)`), rows grouped by
 * patient. The clinical tables are described as rows of a table (clinical-tables.ts), not as code.
 */
import {
  CLINICAL_TABLES,
  extraCondition,
  fromClause,
  isReadable,
  selectList,
  type ClinicalTableKey,
} from './clinical-tables';
import { consentProviderNumbers } from './consent';
import type { OscarSource, SqlRow } from './oscar-source';

export { CLINICAL_TABLES, type ClinicalTableKey } from './clinical-tables';
export { readReferenceData, type ReferenceData } from './reference-data';

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

/** The consent condition: the providers of the list, resolved from CPSIDs, MSP or provider numbers (one query per run). */
async function consentClause(source: OscarSource, selection: PatientSelection, values: unknown[]): Promise<string> {
  if (selection.consentProviders.length === 0) return '';
  const providerNos = await consentProviderNumbers(source, selection.consentProviders);
  if (providerNos.length === 0) return ' AND 1 = 0';
  values.push(providerNos);
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
    const changed = CLINICAL_TABLES.filter(
      (table) => table.changedColumn !== null && isReadable(source.schema, table),
    ).map((table) => {
      values.push(selection.since);
      return `SELECT ${table.patientColumn} AS changed_no FROM ${table.from} WHERE ${table.changedColumn} >= ?${extraCondition(table)}`;
    });
    // A materialised derived table, not a dependent IN-subquery evaluated per patient.
    join = ` JOIN (${changed.join(' UNION ')}) c ON c.changed_no = d.demographic_no`;
  }
  const sql =
    `SELECT d.demographic_no AS demographic_no FROM demographic d${join} WHERE d.patient_status = 'AC'` +
    (await consentClause(source, selection, values));
  const rows = await source.query(sql + ' ORDER BY d.demographic_no', values);
  return rows.map((row) => Number(row.demographic_no));
}

/** Differential runs: patients changed since the watermark whose status is no longer AC. */
export async function listPatientsLeftActive(
  source: OscarSource,
  selection: PatientSelection & { since: string },
): Promise<number[]> {
  const values: unknown[] = [selection.since];
  const sql =
    "SELECT d.demographic_no AS demographic_no FROM demographic d WHERE d.lastUpdateDate >= ? AND (d.patient_status IS NULL OR d.patient_status <> 'AC')" +
    (await consentClause(source, selection, values)) +
    ' ORDER BY d.demographic_no';
  return (await source.query(sql, values)).map((row) => Number(row.demographic_no));
}

/** Reads one batch: one query per clinical table; read again on a new connection if the connection is lost. */
export function readBatch(
  source: OscarSource,
  index: number,
  demographicNos: number[],
  includeNoteText: boolean,
): Promise<PatientBatch> {
  return source.withReconnect({ batch: index + 1 }, () =>
    readBatchOnce(source, index, demographicNos, includeNoteText),
  );
}

async function readBatchOnce(
  source: OscarSource,
  index: number,
  demographicNos: number[],
  includeNoteText: boolean,
): Promise<PatientBatch> {
  const rows = {} as PatientBatch['rows'];
  const readable = CLINICAL_TABLES.filter((table) => isReadable(source.schema, table));
  const statements = readable.map((table) => ({
    sql:
      `SELECT ${selectList(source.schema, table, includeNoteText)} FROM ${fromClause(source.schema, table)} ` +
      `WHERE ${table.patientColumn} IN (?)${extraCondition(table)}${table.orderBy === undefined ? '' : ` ORDER BY ${table.orderBy}`}`,
    values: [demographicNos],
  }));
  // One round trip for the whole batch: the server reads every table while the previous batch is being built.
  const results = await source.queryAll(statements);
  for (const table of CLINICAL_TABLES) rows[table.key] = new Map<number, SqlRow[]>();
  readable.forEach((table, position) => {
    const byPatient = rows[table.key];
    for (const row of results[position]) {
      const key = Number(row.demographic_no);
      let list = byPatient.get(key);
      if (list === undefined) byPatient.set(key, (list = []));
      list.push(row);
    }
  });
  return { index, demographicNos, rows };
}

/**
 * Iterates the batches of `demographicNos`, reading the next batch while the caller works on
 * the current one (one batch ahead, so memory stays flat).
 */
export async function* batchesOf(
  source: OscarSource,
  demographicNos: readonly number[],
  batchSize: number,
  includeNoteText: boolean,
): AsyncGenerator<PatientBatch> {
  const count = Math.ceil(demographicNos.length / batchSize);
  const read = (index: number) =>
    readBatch(source, index, demographicNos.slice(index * batchSize, (index + 1) * batchSize), includeNoteText);
  let next: Promise<PatientBatch> | undefined = count > 0 ? read(0) : undefined;
  for (let index = 0; index < count; index++) {
    const current = await (next as Promise<PatientBatch>);
    next = index + 1 < count ? read(index + 1) : undefined;
    // Keep a failed prefetch from becoming an unhandled rejection while the caller works.
    next?.catch(() => undefined);
    yield current;
  }
}
