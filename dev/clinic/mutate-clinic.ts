/**
 * Changes a synthetic clinic the way a day of clinic work does, for the exporter's differential
 * tests and benchmarks: a deterministic fraction of active patients get a new measurement, a
 * changed drug or an updated demographic field, and a few leave status AC. Every change touches
 * the row's lastUpdateDate / dateEntered column with the given (or the database's current) time.
 */
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { EndpointError } from '../../core/errors';
import { openClinicConnection } from './make-clinic';
import { Random } from './prng';
import { sqlString } from './sql-text';
import { DRUG_BY_KEY } from './vocabulary-clinical';

/** What to change. */
export interface MutateClinicOptions {
  /** mysql:// URL of the clinic database. */
  oscarUrl: string;
  /** Fraction (0–1) of the active patients to change. */
  fraction: number;
  seed: number;
  /** When the changes happen: 'YYYY-MM-DD HH:MM:SS' or a Date (local time); default the database's NOW(). */
  at?: string | Date;
}

/** Which patients were changed, by kind of change (demographic numbers, ascending). */
export interface ClinicMutation {
  /** The time written into the touched date columns. */
  at: string;
  measurementAdded: number[];
  drugChanged: number[];
  demographicUpdated: number[];
  /** Patients whose patient_status went from AC to IN (the gateway should remove them). */
  statusLeftActive: number[];
  /** All of the above. */
  changed: number[];
}

/** The product a changed drug becomes (a real DIN/ATC pair from the vocabulary). */
const REPLACEMENT_DRUG = DRUG_BY_KEY.get('atorvastatin');

function localDateTime(date: Date): string {
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

async function resolveAt(connection: mysql.Connection, at: string | Date | undefined): Promise<string> {
  if (at instanceof Date) return localDateTime(at);
  if (typeof at === 'string') {
    if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(at))
      throw new EndpointError('USAGE', `mutateClinic: 'at' must look like 2025-07-01 12:00:00, not '${at}'.`);
    return at;
  }
  const [rows] = await connection.query<RowDataPacket[]>('SELECT DATE_FORMAT(NOW(), "%Y-%m-%d %H:%i:%s") AS now');
  return String(rows[0]?.now);
}

function chooseDistinct(random: Random, from: readonly number[], count: number): number[] {
  const pool = [...from];
  const chosen: number[] = [];
  for (let i = 0; i < count && i < pool.length; i++) {
    const j = random.int(i, pool.length - 1);
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
    chosen.push(pool[i] as number);
  }
  return chosen;
}

const ascending = (a: number, b: number): number => a - b;

/** Applies the changes and returns the affected demographic numbers by kind of change. */
export async function mutateClinic(options: MutateClinicOptions): Promise<ClinicMutation> {
  if (!(options.fraction >= 0 && options.fraction <= 1))
    throw new EndpointError('USAGE', 'mutateClinic: fraction must be between 0 and 1.');
  const connection = await openClinicConnection(options.oscarUrl);
  try {
    const at = await resolveAt(connection, options.at);
    const atSql = sqlString(at);
    const [activeRows] = await connection.query<RowDataPacket[]>(
      "SELECT demographic_no FROM demographic WHERE patient_status = 'AC' ORDER BY demographic_no",
    );
    const active = activeRows.map((row) => Number(row.demographic_no));
    const changeCount = options.fraction === 0 ? 0 : Math.max(1, Math.round(active.length * options.fraction));
    const leaveCount = options.fraction === 0 ? 0 : Math.max(1, Math.round(changeCount * 0.1));
    const chosen = chooseDistinct(new Random(options.seed, 0x6d757461), active, changeCount + leaveCount);
    const toChange = chosen.slice(0, changeCount);
    const mutation: ClinicMutation = {
      at,
      measurementAdded: toChange.filter((_, i) => i % 3 === 0).sort(ascending),
      drugChanged: toChange.filter((_, i) => i % 3 === 1).sort(ascending),
      demographicUpdated: toChange.filter((_, i) => i % 3 === 2).sort(ascending),
      statusLeftActive: chosen.slice(changeCount).sort(ascending),
      changed: [...chosen].sort(ascending),
    };
    await connection.beginTransaction();
    if (mutation.measurementAdded.length > 0) {
      await connection.query(
        `INSERT INTO measurements (type, demographicNo, providerNo, dataField, measuringInstruction, comments, dateObserved, dateEntered, appointmentNo)
         SELECT 'WT', demographic_no, COALESCE(provider_no, ''), CONCAT(55 + demographic_no % 45, '.5'), 'in kg', '', ${atSql}, ${atSql}, 0
         FROM demographic WHERE demographic_no IN (${mutation.measurementAdded.join(',')})`,
      );
    }
    if (mutation.drugChanged.length > 0 && REPLACEMENT_DRUG !== undefined) {
      const list = mutation.drugChanged.join(',');
      await connection.query(
        `UPDATE drugs d JOIN (SELECT MAX(drugid) AS drugid FROM drugs WHERE demographic_no IN (${list}) AND archived = 0 GROUP BY demographic_no) latest USING (drugid)
         SET d.archived = 1, d.archived_reason = 'doseChange', d.archived_date = ${atSql}, d.lastUpdateDate = ${atSql}`,
      );
      const drug = REPLACEMENT_DRUG;
      await connection.query(
        `INSERT INTO drugs (provider_no, demographic_no, rx_date, end_date, written_date, BN, GCN_SEQNO, takemin, takemax, freqcode, duration, durunit, quantity, \`repeat\`, special, archived, GN, ATC, regional_identifier, unit, method, route, drug_form, create_date, dosage, long_term, position, lastUpdateDate)
         SELECT COALESCE(provider_no, ''), demographic_no, DATE(${atSql}), DATE(${atSql}) + INTERVAL 90 DAY, DATE(${atSql}), ${sqlString(drug.brand)}, 0, 1, 1, 'OD', '90', 'D', '90', 3,
                ${sqlString(`${drug.brand} Take 1 tab OD`)}, 0, ${sqlString(drug.generic)}, ${sqlString(drug.atc)}, ${sqlString(drug.din)}, 'tab', 'Take', 'PO', ${sqlString(drug.form)}, ${atSql}, ${sqlString(drug.strength)}, 1, 99, ${atSql}
         FROM demographic WHERE demographic_no IN (${list})`,
      );
    }
    if (mutation.demographicUpdated.length > 0) {
      await connection.query(
        `UPDATE demographic SET phone = CONCAT('250-555-', LPAD(demographic_no % 10000, 4, '0')), lastUpdateUser = '101', lastUpdateDate = ${atSql}
         WHERE demographic_no IN (${mutation.demographicUpdated.join(',')})`,
      );
    }
    if (mutation.statusLeftActive.length > 0) {
      await connection.query(
        `UPDATE demographic SET patient_status = 'IN', patient_status_date = DATE(${atSql}), lastUpdateDate = ${atSql}
         WHERE demographic_no IN (${mutation.statusLeftActive.join(',')})`,
      );
    }
    await connection.commit();
    return mutation;
  } catch (error) {
    await connection.rollback().catch(() => undefined);
    throw error;
  } finally {
    await connection.end();
  }
}
