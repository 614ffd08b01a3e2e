/**
 * The floors: the least any design of the pipeline must spend on each of its three kinds of
 * work, measured with nothing else running. `read` streams every row the export needs from
 * MariaDB with one plain SELECT per table and discards it; `parse` runs fast-xml-parser over
 * every generated document held in memory; `store` inserts the final patient documents into an
 * empty collection in batches of 1,000.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import mysql from 'mysql2';
import { readE2E } from '../e2e/index';
import { parser } from '../e2e/reader/document';
import { PATIENT_INDEXES } from '../gateway/store/connect';
import { derivePatient } from '../gateway/store/derive';
import { parseMysqlUrl } from '../dev/services/mariadb';
import { CLINICAL_TABLES } from '../exporter/source/extract';

/** Patients per insertMany in the store floor. */
export const STORE_BATCH = 1000;

/** The reference tables the exporter reads once per run (exporter/source/extract.ts readReferenceData). */
const REFERENCE_SELECTS = [
  'SELECT provider_no, first_name, last_name, practitionerNo, ohip_no FROM provider',
  'SELECT clinic_no, clinic_name FROM clinic',
  'SELECT type, typeDescription, typeDisplayName FROM measurementType',
  'SELECT ident_code, loinc_code FROM measurementMap',
  'SELECT icd9, description FROM icd9',
];

/** The read floor's result. */
export interface ReadFloor {
  seconds: number;
  rows: number;
  rowsByTable: Record<string, number>;
  statements: number;
}

function qualified(column: string): string {
  return /[ .(]/.test(column) ? column : `t.\`${column}\``;
}

/**
 * One plain SELECT per table with the columns the exporter's batches select (optional columns
 * when the schema has them, the change column, no note text): no WHERE, no ORDER BY. Columns
 * the exporter takes from a joined table (preventionsExt's patient number) are left out, so
 * each statement reads one table.
 */
function floorSelects(columnsOf: Map<string, Set<string>>): { table: string; sql: string }[] {
  const selects = CLINICAL_TABLES.map((table) => {
    const name = table.from.split(' ')[0];
    const columns = table.columns.filter((column) => !/^[a-z]+\./.test(column) || column.startsWith('t.')).map(qualified);
    for (const [owner, column] of table.optional ?? []) if (columnsOf.get(owner.toLowerCase())?.has(column)) columns.push(`t.\`${column}\``);
    if (table.changedColumn !== null) columns.push(`${table.changedColumn} AS changed_at`);
    return { table: name, sql: `SELECT ${columns.join(', ')} FROM ${name} t` };
  });
  return [...selects, ...REFERENCE_SELECTS.map((sql) => ({ table: sql.split(' FROM ')[1], sql }))];
}

function streamRows(connection: mysql.Connection, sql: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    connection
      .query(sql)
      .stream({ highWaterMark: 1000 })
      .on('data', () => rows++)
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

/** The read floor over the clinic at `oscarUrl` (connection options as the exporter's source). */
export async function measureReadFloor(oscarUrl: string): Promise<ReadFloor> {
  const target = parseMysqlUrl(oscarUrl);
  const connection = mysql.createConnection({ ...target, charset: 'utf8mb4', dateStrings: true, supportBigNumbers: true });
  try {
    const columnsOf = new Map<string, Set<string>>();
    const [schemaRows] = await connection
      .promise()
      .query<mysql.RowDataPacket[]>('SELECT LOWER(TABLE_NAME) AS tableName, COLUMN_NAME AS columnName FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?', [target.database]);
    for (const row of schemaRows) {
      const columns = columnsOf.get(String(row.tableName)) ?? new Set<string>();
      columns.add(String(row.columnName));
      columnsOf.set(String(row.tableName), columns);
    }
    const selects = floorSelects(columnsOf);
    const rowsByTable: Record<string, number> = {};
    const started = performance.now();
    for (const { table, sql } of selects) rowsByTable[table] = await streamRows(connection, sql);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, rows: Object.values(rowsByTable).reduce((sum, count) => sum + count, 0), rowsByTable, statements: selects.length };
  } finally {
    await connection.promise().end();
  }
}

/** Every `.xml` document in `dir`, read into memory, in demographic-number order. */
export function loadDocuments(dir: string): Buffer[] {
  const files = readdirSync(dir).filter((name) => name.endsWith('.xml'));
  files.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  return files.map((name) => readFileSync(path.join(dir, name)));
}

/** The parse floor's result. */
export interface ParseFloor {
  seconds: number;
  documents: number;
  megabytes: number;
  parser: string;
}

/** One fast-xml-parser pass over the documents (the e2e reader's parser and options). */
export function measureParseFloor(documents: readonly Buffer[]): ParseFloor {
  const started = performance.now();
  for (const document of documents) parser.parse(document);
  const seconds = (performance.now() - started) / 1000;
  const bytes = documents.reduce((sum, document) => sum + document.length, 0);
  return {
    seconds,
    documents: documents.length,
    megabytes: Math.round(bytes / 1e5) / 10,
    parser: 'fast-xml-parser, the e2e reader’s instance and options (e2e/reader/document.ts `parser`), over the Buffers',
  };
}

/** The store floor's result. */
export interface StoreFloor {
  seconds: number;
  documents: number;
  batchSize: number;
  /** Time spent reading and deriving the documents between the batches (not part of the floor). */
  deriveSeconds: number;
}

/**
 * Derives the stored patients as the gateway does (readE2E, then derivePatient with its
 * context) batch by batch, and times only the `insertMany` of each batch into an empty
 * `patients` collection that has the gateway's indexes.
 */
export async function measureStoreFloor(documents: readonly Buffer[], mongoUri: string, database: string, clinicId: string, hmacSecret: string): Promise<StoreFloor> {
  const client = await MongoClient.connect(mongoUri);
  try {
    const db = client.db(database);
    await db.dropDatabase();
    const patients = db.collection('patients');
    await patients.createIndexes(PATIENT_INDEXES);
    let insertMs = 0;
    let deriveMs = 0;
    for (let first = 0; first < documents.length; first += STORE_BATCH) {
      const deriveStarted = performance.now();
      const batch: Document[] = documents.slice(first, first + STORE_BATCH).map((bytes) => {
        const read = readE2E(bytes);
        const now = new Date();
        const sourceHash = createHash('sha256').update(bytes).digest('hex');
        return derivePatient(read.record, { clinicId, hmacSecret, keepNoteText: false, sourceHash, sections: read.sections, now }) as unknown as Document;
      });
      const insertStarted = performance.now();
      deriveMs += insertStarted - deriveStarted;
      await patients.insertMany(batch);
      insertMs += performance.now() - insertStarted;
    }
    const stored = await patients.countDocuments({});
    if (stored !== documents.length) throw new Error(`store floor: ${stored} patients stored of ${documents.length}`);
    return { seconds: insertMs / 1000, documents: documents.length, batchSize: STORE_BATCH, deriveSeconds: deriveMs / 1000 };
  } finally {
    await client.db(database).dropDatabase().catch(() => undefined);
    await client.close();
  }
}
