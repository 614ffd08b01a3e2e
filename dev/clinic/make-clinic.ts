/**
 * The synthetic OSCAR clinic generator: drops and recreates the database named in the URL,
 * creates the OSCAR tables (schema.ts), and fills N patients deterministically from the seed,
 * in chunks of patients (flat memory) loaded with LOAD DATA LOCAL INFILE (or multi-row INSERTs)
 * over two connections while the next chunk is generated.
 */
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { EndpointError } from '../../core/errors';
import { parseMysqlUrl } from '../services/mariadb';
import { BulkLoader, type LoadMethod } from './bulk-load';
import { ClinicCalendar, IdCounters, PATIENT_TABLES, PatientRows, type PatientTable } from './clinic-rows';
import { DirtRecorder, drawDirt, type DirtManifest } from './dirt';
import { writeAllergies, writeDemographic, writeProblems, type GeneratorSetup } from './patient';
import { writeMeasurements } from './patient-chart';
import { writeMedications } from './patient-drugs';
import { writeLabReports } from './patient-labs';
import { writeNotes } from './patient-notes';
import { writePreventions } from './patient-preventions';
import { Random } from './prng';
import { referenceRows } from './reference-rows';
import { sqlString, type RowBatch } from './sql-text';
import { createIndexStatements, createTableStatements, type OscarSchemaVariant } from './schema';

export type { OscarSchemaVariant } from './schema';
export type { DirtKind, DirtManifest, DirtCount } from './dirt';

/** The synthetic clinic's "today" unless told otherwise: every generated date is on or before it. */
export const DEFAULT_REFERENCE_DATE = '2025-06-30';

/** What to generate. */
export interface MakeClinicOptions {
  /** mysql:// URL including the database to (re)create. */
  oscarUrl: string;
  patients: number;
  seed: number;
  schema: OscarSchemaVariant;
  /** The clinic's "today" (YYYY-MM-DD); default {@link DEFAULT_REFERENCE_DATE}. */
  referenceDate?: string;
  /** Patients generated per chunk (memory bound); default 2000. */
  chunkSize?: number;
  /** How rows are loaded: `load-data` (default; INSERT when the server refuses LOCAL INFILE) or `insert`. */
  loadMethod?: LoadMethod;
}

/** What was generated. */
export interface ClinicSummary {
  database: string;
  schema: OscarSchemaVariant;
  seed: number;
  referenceDate: string;
  patients: number;
  /** Patients with patient_status 'AC' (the ones a full export sends). */
  activePatients: number;
  /** Rows per table. */
  rows: Record<string, number>;
  /** What dirt was planted, per kind. */
  dirt: DirtManifest;
  /** How the rows were loaded (`insert` when asked, or when the server refused LOCAL INFILE). */
  loadMethod: LoadMethod;
  seconds: number;
}

/** Opens a connection for bulk work: utf8mb4, zero dates allowed, no unique/foreign key checks. */
export async function openClinicConnection(oscarUrl: string, withDatabase = true): Promise<mysql.Connection> {
  const target = parseMysqlUrl(oscarUrl);
  const connection = await mysql.createConnection({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: withDatabase ? target.database : undefined,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
  });
  await connection.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', unique_checks = 0, foreign_key_checks = 0");
  return connection;
}

const TABLE_LANES: Readonly<Record<PatientTable, 0 | 1>> = {
  demographic: 0,
  dxresearch: 0,
  drugs: 0,
  allergies: 0,
  preventions: 0,
  preventionsExt: 0,
  casemgmt_issue: 0,
  casemgmt_issue_notes: 0,
  measurements: 1,
  measurementsExt: 1,
  patientLabRouting: 1,
  hl7TextInfo: 0,
  casemgmt_note: 0,
  casemgmt_note_ext: 0,
};

async function runInOrder(connection: mysql.Connection, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await connection.query(statement);
}

async function loadInOrder(loader: BulkLoader, batches: readonly RowBatch[]): Promise<void> {
  for (const batch of batches) await loader.load(batch);
}

function generateChunk(setup: GeneratorSetup, seed: number, first: number, last: number): void {
  for (let demographicNo = first; demographicNo <= last; demographicNo++) {
    const random = new Random(seed, demographicNo);
    const patient = writeDemographic(setup, demographicNo, random, drawDirt(random));
    writeProblems(setup, patient);
    const drugs = writeMedications(setup, patient);
    writeAllergies(setup, patient);
    writeMeasurements(setup, patient);
    writeLabReports(setup, patient, drugs);
    writePreventions(setup, patient);
    writeNotes(setup, patient);
  }
}

/** The database comment that marks a database as a synthetic clinic (so it may be dropped and made again). */
export const SYNTHETIC_MARK = 'e2e-endpoint synthetic OSCAR clinic';

/** Refuses to drop a database that has tables but was not made by makeClinic (e.g. a real OSCAR copy). */
async function refuseRealDatabase(connection: mysql.Connection, database: string): Promise<void> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT s.SCHEMA_COMMENT AS mark, (SELECT COUNT(*) FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = s.SCHEMA_NAME) AS tables
     FROM information_schema.SCHEMATA s WHERE s.SCHEMA_NAME = ?`,
    [database],
  );
  const found = rows[0];
  if (found !== undefined && Number(found.tables) > 0 && found.mark !== SYNTHETIC_MARK) {
    throw new EndpointError(
      'CONFLICT',
      `database '${database}' has tables and was not made by make-clinic; refusing to drop it (drop it yourself or pick another name).`,
    );
  }
}

function validate(options: MakeClinicOptions): string {
  const database = parseMysqlUrl(options.oscarUrl).database;
  if (database === undefined)
    throw new EndpointError('USAGE', 'make-clinic needs a database name in the OSCAR URL (or --database).');
  if (!/^[A-Za-z0-9_]{1,64}$/.test(database))
    throw new EndpointError('USAGE', `database name '${database}' must be letters, digits and _ only.`);
  if (!Number.isInteger(options.patients) || options.patients < 1)
    throw new EndpointError('USAGE', '--patients must be a positive whole number.');
  if (!Number.isInteger(options.seed)) throw new EndpointError('USAGE', '--seed must be a whole number.');
  return database;
}

/** Creates the OSCAR tables in the database (dropping it first) and fills them from the seed. */
export async function makeClinic(options: MakeClinicOptions): Promise<ClinicSummary> {
  const started = process.hrtime.bigint();
  const database = validate(options);
  const referenceDate = options.referenceDate ?? DEFAULT_REFERENCE_DATE;
  const calendar = new ClinicCalendar(referenceDate);
  const chunkSize = options.chunkSize ?? 2000;

  const admin = await openClinicConnection(options.oscarUrl, false);
  try {
    await refuseRealDatabase(admin, database);
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(
      `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci COMMENT ${sqlString(SYNTHETIC_MARK)}`,
    );
  } finally {
    await admin.end();
  }
  const lanes = [await openClinicConnection(options.oscarUrl), await openClinicConnection(options.oscarUrl)] as const;
  try {
    await runInOrder(lanes[0], createTableStatements(options.schema));
    const reference = referenceRows(calendar);
    await runInOrder(lanes[0], reference.statements);

    const rows = new PatientRows();
    const dirt = new DirtRecorder();
    const load = { method: options.loadMethod ?? ('load-data' as LoadMethod) };
    const loaders = [new BulkLoader(lanes[0], load), new BulkLoader(lanes[1], load)] as const;
    const setup: GeneratorSetup = {
      schema: options.schema,
      calendar,
      ids: new IdCounters(),
      rows,
      dirt,
      issueIdByCode: reference.issueIdByCode,
    };
    let inFlight: Promise<unknown> = Promise.resolve();
    for (let first = 1; first <= options.patients; first += chunkSize) {
      generateChunk(setup, options.seed, first, Math.min(options.patients, first + chunkSize - 1));
      const batches = rows.drain();
      await inFlight;
      const byLane: [RowBatch[], RowBatch[]] = [[], []];
      for (const table of PATIENT_TABLES) {
        const batch = batches.get(table);
        if (batch !== undefined) byLane[TABLE_LANES[table]].push(batch);
      }
      inFlight = Promise.all([loadInOrder(loaders[0], byLane[0]), loadInOrder(loaders[1], byLane[1])]);
    }
    await inFlight;

    const indexes = createIndexStatements(options.schema);
    await Promise.all([
      runInOrder(
        lanes[0],
        indexes.filter((_, i) => i % 2 === 0),
      ),
      runInOrder(
        lanes[1],
        indexes.filter((_, i) => i % 2 === 1),
      ),
    ]);

    const manifest = dirt.manifest();
    return {
      database,
      schema: options.schema,
      seed: options.seed,
      referenceDate,
      patients: options.patients,
      activePatients: options.patients - manifest.inactivePatient.patients,
      rows: { ...reference.rows, ...rows.counts() },
      dirt: manifest,
      loadMethod: load.method,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
    };
  } finally {
    await Promise.all(lanes.map((lane) => lane.end()));
  }
}
