/**
 * The synthetic OSCAR clinic against real MariaDB: tables and rows, planted dirt (checked by SQL
 * against the data), determinism from the seed (whatever the chunk size and load method), schema
 * variant drift, mutateClinic, and the CLI. What the clinic holds clinically (lab reports,
 * preventions, drugs, CPP notes) is checked in clinic-fidelity.test.ts.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { makeClinic, openClinicConnection, type ClinicSummary } from '../../dev/clinic/make-clinic';
import { mutateClinic } from '../../dev/clinic/mutate-clinic';
import { OSCAR_TABLES } from '../../dev/clinic/schema';
import { createTestOscarDatabase, testOscarServerUrl, uniqueDatabaseName } from '../support/services';

jest.setTimeout(120_000);

type TestDatabase = Awaited<ReturnType<typeof createTestOscarDatabase>>;

let main: TestDatabase;
let other: TestDatabase;
let summary: ClinicSummary;
let connection: mysql.Connection;

async function count(sql: string): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>(sql);
  return Number(rows[0]?.n);
}

async function checksums(url: string): Promise<string> {
  const c = await openClinicConnection(url);
  try {
    const [rows] = await c.query<RowDataPacket[]>(
      'CHECKSUM TABLE demographic, drugs, measurements, measurementsExt, hl7TextInfo, patientLabRouting, preventions, preventionsExt, casemgmt_note, casemgmt_note_ext, casemgmt_issue, casemgmt_issue_notes, dxresearch, allergies',
    );
    return rows.map((row) => `${String(row.Table).split('.')[1]}=${String(row.Checksum)}`).join(' ');
  } finally {
    await c.end();
  }
}

async function columnTypes(url: string, database: string): Promise<Record<string, string>> {
  const c = await openClinicConnection(url);
  try {
    const [rows] = await c.query<RowDataPacket[]>(
      `SELECT CONCAT(TABLE_NAME, '.', COLUMN_NAME) AS name, COLUMN_TYPE AS type FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = ? AND (TABLE_NAME, COLUMN_NAME) IN (('allergies','archived'),('casemgmt_issue','demographic_no'),('preventions','prevention_date'),('measurementType','type'),('hl7TextInfo','report_status'),('hl7TextInfo','accessionNum'))`,
      [database],
    );
    return Object.fromEntries(rows.map((row) => [String(row.name), String(row.type)]));
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  main = await createTestOscarDatabase(__filename);
  other = await createTestOscarDatabase(__filename);
  summary = await makeClinic({ oscarUrl: main.url, patients: 400, seed: 7, schema: '12.1' });
  connection = await openClinicConnection(main.url);
});

afterAll(async () => {
  await connection?.end();
  await main?.drop();
  await other?.drop();
});

describe('a small synthetic clinic (400 patients, schema 12.1)', () => {
  test('has every OSCAR table, with rows in each, matching the summary', async () => {
    for (const table of OSCAR_TABLES) {
      if (table.name === 'demographicExt') continue;
      const n = await count(`SELECT COUNT(*) AS n FROM \`${table.name}\``);
      expect({ table: table.name, positive: n > 0 }).toEqual({ table: table.name, positive: true });
      expect({ table: table.name, n }).toEqual({ table: table.name, n: summary.rows[table.name] });
    }
    expect(await count('SELECT COUNT(*) AS n FROM demographic')).toBe(400);
    expect(summary.loadMethod).toBe('load-data');
    expect(await count("SELECT COUNT(*) AS n FROM demographic WHERE patient_status = 'AC'")).toBe(
      summary.activePatients,
    );
  });

  test('every measurement type and ICD9 code used has its reference row', async () => {
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM measurements m LEFT JOIN measurementType t ON t.type = m.type WHERE m.type <> '' AND t.id IS NULL",
      ),
    ).toBe(0);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM casemgmt_note WHERE billing_code <> '' AND billing_code NOT IN (SELECT icd9 FROM icd9)",
      ),
    ).toBe(0);
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM dxresearch d LEFT JOIN icd9 i ON i.icd9 = d.dxresearch_code WHERE i.id IS NULL',
      ),
    ).toBe(0);
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM casemgmt_issue_notes l LEFT JOIN casemgmt_note n ON n.note_id = l.note_id WHERE n.note_id IS NULL',
      ),
    ).toBe(0);
  });

  test('the data is clinically coherent: diabetics on diabetes drugs with A1C 5–11, hypertensives with BP readings', async () => {
    const diabetics = await count(
      "SELECT COUNT(DISTINCT demographic_no) AS n FROM dxresearch WHERE dxresearch_code = '250'",
    );
    const treated = await count(
      "SELECT COUNT(DISTINCT x.demographic_no) AS n FROM dxresearch x JOIN drugs d ON d.demographic_no = x.demographic_no AND d.ATC LIKE 'A10%' WHERE x.dxresearch_code = '250'",
    );
    expect(diabetics).toBeGreaterThan(5);
    expect(treated / diabetics).toBeGreaterThan(0.7);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM measurements WHERE type = 'A1C' AND dataField REGEXP '^[0-9.]+$' AND (dataField + 0 < 5 OR dataField + 0 > 11)",
      ),
    ).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM measurements WHERE type = 'A1C'")).toBeGreaterThan(0);
    const hypertensives = await count(
      "SELECT COUNT(DISTINCT demographic_no) AS n FROM dxresearch WHERE dxresearch_code = '401'",
    );
    const withBp = await count(
      "SELECT COUNT(DISTINCT x.demographic_no) AS n FROM dxresearch x JOIN measurements m ON m.demographicNo = x.demographic_no AND m.type = 'BP' WHERE x.dxresearch_code = '401'",
    );
    expect(withBp).toBe(hypertensives);
    expect(
      await count("SELECT COUNT(*) AS n FROM drugs WHERE regional_identifier = '02099233' AND ATC <> 'A10BA02'"),
    ).toBe(0);
    expect(
      await count(
        'SELECT MAX(c) AS n FROM (SELECT COUNT(DISTINCT BN) AS c FROM drugs WHERE archived = 0 GROUP BY demographic_no) x',
      ),
    ).toBeGreaterThanOrEqual(10);
    expect(
      await count('SELECT COUNT(*) AS n FROM (SELECT uuid FROM casemgmt_note GROUP BY uuid HAVING COUNT(*) > 1) v'),
    ).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM preventions WHERE refused = '1'")).toBeGreaterThan(0);
  });

  test('the planted dirt is present in the data, as the manifest says', async () => {
    const { dirt } = summary;
    for (const [kind, entry] of Object.entries(dirt))
      expect({ kind, planted: entry.rows > 0 && entry.patients > 0 }).toEqual({ kind, planted: true });
    expect(await count("SELECT COUNT(*) AS n FROM demographic WHERE patient_status <> 'AC'")).toBe(
      dirt.inactivePatient.patients,
    );
    expect(
      await count("SELECT COUNT(DISTINCT patient_status) AS n FROM demographic WHERE patient_status <> 'AC'"),
    ).toBeGreaterThan(1);
    const zeroDates = await count(
      `SELECT (SELECT COUNT(*) FROM demographic WHERE date_joined IN ('0000-00-00','0001-01-01') OR roster_date IN ('0000-00-00','0001-01-01'))
            + (SELECT COUNT(*) FROM drugs WHERE rx_date IN ('0000-00-00','0001-01-01'))
            + (SELECT COUNT(*) FROM dxresearch WHERE start_date = '0001-01-01')
            + (SELECT COUNT(*) FROM preventions WHERE prevention_date IN ('0000-00-00','0001-01-01'))
            + (SELECT COUNT(*) FROM casemgmt_note_ext WHERE date_value = '0000-00-00') AS n`,
    );
    expect(zeroDates).toBe(dirt.zeroDate.rows);
    expect(await count('SELECT COUNT(*) AS n FROM demographic WHERE hin IS NULL AND phone IS NULL')).toBe(
      dirt.nullOptionalColumn.patients,
    );
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM measurements WHERE type = 'BP' AND dataField NOT REGEXP '^[0-9]+/[0-9]+$'",
      ),
    ).toBe(dirt.malformedBloodPressure.rows);
    expect(await count('SELECT COUNT(*) AS n FROM dxresearch WHERE status IS NULL')).toBe(dirt.nullDxStatus.rows);
    expect(await count('SELECT COUNT(*) AS n FROM drugs WHERE takemin IS NULL')).toBe(dirt.unparseableDose.rows);
    expect(
      await count("SELECT COUNT(*) AS n FROM drugs WHERE regional_identifier IS NULL OR regional_identifier = ''"),
    ).toBe(dirt.drugWithoutDin.rows);
    expect(await count("SELECT COUNT(*) AS n FROM casemgmt_note WHERE locked = '1'")).toBe(dirt.lockedNote.rows);
    // Archived encounter notes (CPP notes, e.g. a resolved alert, are archived too, as clinical data, not dirt).
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM casemgmt_note n WHERE n.archived = 1 AND NOT EXISTS (
           SELECT 1 FROM casemgmt_issue_notes l JOIN casemgmt_issue c ON c.id = l.id JOIN issue i ON i.issue_id = c.issue_id
           WHERE l.note_id = n.note_id AND i.type = 'system')
         AND NOT EXISTS (SELECT 1 FROM casemgmt_issue_notes l LEFT JOIN casemgmt_issue c ON c.id = l.id WHERE l.note_id = n.note_id AND c.id IS NULL)`,
      ),
    ).toBe(dirt.archivedNote.rows);
    const controls = "CONCAT('%', CHAR(1), '%')";
    const controlRows = await count(
      `SELECT (SELECT COUNT(*) FROM casemgmt_note WHERE note LIKE ${controls} OR note LIKE CONCAT('%', CHAR(11), '%') OR note LIKE CONCAT('%', CHAR(12), '%') OR note LIKE CONCAT('%', CHAR(2), '%'))
            + (SELECT COUNT(*) FROM measurements WHERE comments LIKE ${controls} OR comments LIKE CONCAT('%', CHAR(11), '%')) AS n`,
    );
    expect(controlRows).toBeGreaterThan(0);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM casemgmt_note WHERE note LIKE '%]]>%' OR note LIKE '%&%' OR note LIKE '%<%'",
      ),
    ).toBeGreaterThan(0);
    expect(
      await count("SELECT COUNT(*) AS n FROM casemgmt_note WHERE note COLLATE utf8mb4_bin LIKE '%Ã%'"),
    ).toBeGreaterThan(0);
    expect(
      await count("SELECT COUNT(*) AS n FROM demographic WHERE address COLLATE utf8mb4_bin LIKE '%Ã%'"),
    ).toBeGreaterThan(0);
    expect(
      await count("SELECT COUNT(*) AS n FROM casemgmt_note WHERE note COLLATE utf8mb4_bin REGEXP '[éçè]'"),
    ).toBeGreaterThan(0);
    const listed = dirt.inactivePatient.demographicNos.join(',');
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM demographic WHERE patient_status <> 'AC' AND demographic_no IN (${listed})`,
      ),
    ).toBe(dirt.inactivePatient.patients);
  });
});

describe('determinism and schema variants', () => {
  test('the same seed gives identical data (other chunk size, INSERT instead of LOAD DATA); a different seed different data', async () => {
    const first = await checksums(main.url);
    const again = await makeClinic({
      oscarUrl: other.url,
      patients: 400,
      seed: 7,
      schema: '12.1',
      chunkSize: 70,
      loadMethod: 'insert',
    });
    expect(again.loadMethod).toBe('insert');
    expect(again.rows).toEqual(summary.rows);
    expect(again.dirt).toEqual(summary.dirt);
    expect(await checksums(other.url)).toBe(first);
    await makeClinic({ oscarUrl: other.url, patients: 400, seed: 8, schema: '12.1' });
    expect(await checksums(other.url)).not.toBe(first);
  });

  test('12.1 and latest differ in the drifted column types', async () => {
    expect(await columnTypes(main.url, main.name)).toEqual({
      'allergies.archived': 'char(1)',
      'casemgmt_issue.demographic_no': 'varchar(20)',
      'preventions.prevention_date': 'date',
      'measurementType.type': 'varchar(4)',
      'hl7TextInfo.report_status': 'varchar(1)',
      'hl7TextInfo.accessionNum': 'varchar(20)',
    });
    await makeClinic({ oscarUrl: other.url, patients: 60, seed: 7, schema: 'latest' });
    expect(await columnTypes(other.url, other.name)).toEqual({
      'allergies.archived': 'tinyint(1)',
      'casemgmt_issue.demographic_no': 'int(11)',
      'preventions.prevention_date': 'datetime',
      'measurementType.type': 'varchar(50)',
      'hl7TextInfo.report_status': 'varchar(20)',
      'hl7TextInfo.accessionNum': 'varchar(255)',
    });
  });
});

describe('mutateClinic', () => {
  test('changes exactly the returned patients (by the lastUpdateDate / dateEntered columns) and moves some out of AC', async () => {
    const at = '2031-03-04 05:06:07';
    const activeBefore = await count("SELECT COUNT(*) AS n FROM demographic WHERE patient_status = 'AC'");
    const mutation = await mutateClinic({ oscarUrl: main.url, fraction: 0.05, seed: 3, at });
    expect(mutation.changed.length).toBe(
      Math.round(activeBefore * 0.05) + Math.max(1, Math.round(Math.round(activeBefore * 0.05) * 0.1)),
    );
    for (const kind of ['measurementAdded', 'drugChanged', 'demographicUpdated', 'statusLeftActive'] as const)
      expect(mutation[kind].length).toBeGreaterThan(0);
    const [rows] = await connection.query<RowDataPacket[]>(
      `SELECT demographic_no AS d FROM demographic WHERE lastUpdateDate >= ? UNION SELECT demographic_no FROM drugs WHERE lastUpdateDate >= ?
       UNION SELECT demographicNo FROM measurements WHERE dateEntered >= ? UNION SELECT demographic_no FROM allergies WHERE lastUpdateDate >= ?
       UNION SELECT demographic_no FROM dxresearch WHERE update_date >= ? UNION SELECT demographic_no FROM preventions WHERE lastUpdateDate >= ?
       UNION SELECT demographic_no FROM casemgmt_note WHERE update_date >= ? ORDER BY 1`,
      [at, at, at, at, at, at, at],
    );
    expect(rows.map((row) => Number(row.d))).toEqual(mutation.changed);
    expect(await count("SELECT COUNT(*) AS n FROM demographic WHERE patient_status = 'AC'")).toBe(
      activeBefore - mutation.statusLeftActive.length,
    );
    const [left] = await connection.query<RowDataPacket[]>(
      `SELECT DISTINCT patient_status AS s FROM demographic WHERE demographic_no IN (${mutation.statusLeftActive.join(',')})`,
    );
    expect(left.map((row) => row.s)).toEqual(['IN']);
    expect(await count(`SELECT COUNT(*) AS n FROM measurements WHERE dateEntered = '${at}'`)).toBe(
      mutation.measurementAdded.length,
    );
  });
});

describe('safety', () => {
  test('a database with tables that make-clinic did not make is refused and left alone', async () => {
    const real = await createTestOscarDatabase(__filename);
    try {
      const c = await openClinicConnection(real.url);
      await c.query('CREATE TABLE demographic (demographic_no int PRIMARY KEY)');
      await c.query('INSERT INTO demographic VALUES (42)');
      await expect(makeClinic({ oscarUrl: real.url, patients: 5, seed: 1, schema: '12.1' })).rejects.toThrow(
        /was not made by make-clinic; refusing to drop it/,
      );
      const [rows] = await c.query<RowDataPacket[]>('SELECT demographic_no FROM demographic');
      expect(rows.map((row) => row.demographic_no)).toEqual([42]);
      await c.end();
    } finally {
      await real.drop();
    }
  });
});

describe('endpoint dev make-clinic', () => {
  test('makes a 50-patient clinic and prints its summary (exit 0)', async () => {
    const database = uniqueDatabaseName(`${__filename}_cli`);
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli', 'main.js');
    try {
      const result = spawnSync(
        process.execPath,
        [cli, 'dev', 'make-clinic', '--patients', '50', '--database', database],
        {
          encoding: 'utf8',
          env: { ...process.env, ENDPOINT_OSCAR_URL: testOscarServerUrl(), ENDPOINT_LOG_LEVEL: 'silent' },
        },
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const printed = JSON.parse(result.stdout) as ClinicSummary;
      expect(printed).toMatchObject({ database, patients: 50, rows: { demographic: 50 } });
    } finally {
      const server = await mysql.createConnection({ uri: testOscarServerUrl() });
      await server.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await server.end();
    }
  });
});
