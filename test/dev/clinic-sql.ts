/**
 * Shared by the synthetic-clinic fidelity tests: one 400-patient clinic (seed 7) per test file in
 * its own database, and SQL helpers that count as an oracle test would.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type mysql from 'mysql2/promise';
import {
  makeClinic,
  openClinicConnection,
  type ClinicSummary,
  type OscarSchemaVariant,
} from '../../dev/clinic/make-clinic';
import { createTestOscarDatabase } from '../support/services';

/** A clinic made for one test file, with a connection to query it. */
export interface FidelityClinic {
  summary: ClinicSummary;
  count(sql: string): Promise<number>;
  column(sql: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Makes the test file's clinic (400 patients, seed 7) in a fresh database. */
export async function makeFidelityClinic(testFile: string, schema: OscarSchemaVariant): Promise<FidelityClinic> {
  const database = await createTestOscarDatabase(testFile);
  const summary = await makeClinic({ oscarUrl: database.url, patients: 400, seed: 7, schema });
  const connection: mysql.Connection = await openClinicConnection(database.url);
  return {
    summary,
    async count(sql) {
      const [rows] = await connection.query<RowDataPacket[]>(sql);
      return Number(rows[0]?.n);
    },
    async column(sql) {
      const [rows] = await connection.query<RowDataPacket[]>(sql);
      return rows.map((row) => String(Object.values(row)[0]));
    },
    async close() {
      await connection.end();
      await database.drop();
    },
  };
}

/** Lab results: measurements with a measurementsExt lab_no (m = measurement, e = its lab_no row). */
export const LAB_RESULTS = "measurements m JOIN measurementsExt e ON e.measurement_id = m.id AND e.keyval = 'lab_no'";

/** A lab result's ext value of a key. */
export const ext = (key: string): string =>
  `(SELECT x.val FROM measurementsExt x WHERE x.measurement_id = m.id AND x.keyval = '${key}')`;

/** Age in whole years at a date column, from demographic d. */
export const ageAt = (date: string): string =>
  `TIMESTAMPDIFF(YEAR, STR_TO_DATE(CONCAT(d.year_of_birth, '-', d.month_of_birth, '-', d.date_of_birth), '%Y-%m-%d'), ${date})`;
