/**
 * What a clinic holds by OSCAR's own export rules (E2EPatientExport, e2etemplate.vm, Hl7textResultsData),
 * counted with SQL on the clinic's tables: the oracle that pipeline tests and benchmarks compare the store
 * with. Every rule is one query over the active patients (patient_status AC); none reads our records.
 */
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { PREVENTION_TYPES } from '../../exporter/mapping/prevention-types';

/** Active patients' rows of a table, by its demographic number column. */
const active = (column: string) => `JOIN demographic p ON p.demographic_no = ${column} AND p.patient_status = 'AC'`;

/** Age in whole years at a day (`?` is bound to the day). */
const AGE = `TIMESTAMPDIFF(YEAR, STR_TO_DATE(CONCAT(p.year_of_birth, '-', p.month_of_birth, '-', p.date_of_birth), '%Y-%m-%d'), ?)`;

/** The OSCAR prevention types that are screenings, not vaccines (layout PAPMAM and the tuberculin skin test). */
const SCREENING_TYPES = [...PREVENTION_TYPES]
  .filter(([, type]) => type.kind === 'screening')
  .map(([name]) => mysql.escape(name))
  .join(', ');

/** One medication per drug (DIN, else ATC, else name) and its newest prescription (newest = 1). */
const NEWEST_DRUGS = `SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.demographic_no,
    COALESCE(NULLIF(TRIM(d.regional_identifier), ''), NULLIF(UPPER(TRIM(d.ATC)), ''), UPPER(COALESCE(NULLIF(TRIM(d.GN), ''), NULLIF(TRIM(d.BN), ''), d.customName, d.drugid)))
    ORDER BY d.rx_date DESC, d.drugid DESC) AS newest FROM drugs d ${active('d.demographic_no')}`;

/** OSCAR's status rule on the newest prescription, at the database's clock (the exporter's snapshot). */
const ACTIVE_DRUG = `newest = 1 AND archived = 0 AND (long_term = 1 OR (end_date >= CURDATE() AND end_date NOT IN ('0000-00-00', '0001-01-01')))`;

/** The latest revision of each note (by uuid), with its CPP issue codes, locked and protected ones left out. */
const LATEST_NOTES = `SELECT x.*, (SELECT GROUP_CONCAT(i.code) FROM casemgmt_issue_notes l JOIN casemgmt_issue ci ON ci.id = l.id
      JOIN issue i ON i.issue_id = ci.issue_id WHERE l.note_id = x.note_id
      AND i.code IN ('OMeds', 'SocHistory', 'MedHistory', 'Concerns', 'Reminders', 'FamHistory', 'RiskFactors')) AS cpp
    FROM (SELECT n.*, ROW_NUMBER() OVER (PARTITION BY n.demographic_no, COALESCE(n.uuid, n.note_id) ORDER BY n.update_date DESC, n.note_id DESC) AS latest
          FROM casemgmt_note n ${active('n.demographic_no')}) x
    WHERE x.latest = 1 AND COALESCE(x.locked, '0') <> '1' AND (x.password IS NULL OR x.password = '')`;

/** A lab result whose lab_no is a report routed to the patient, with its hl7TextInfo row (m = measurement). */
const ROUTED_RESULTS = `FROM measurements m ${active('m.demographicNo')}
    JOIN measurementsExt e ON e.measurement_id = m.id AND e.keyval = 'lab_no'
    WHERE EXISTS (SELECT 1 FROM patientLabRouting r JOIN hl7TextInfo h ON h.lab_no = r.lab_no
                  WHERE r.demographic_no = m.demographicNo AND r.lab_type = 'HL7' AND r.lab_no = e.val)`;

/** Flowsheet lab values typed in the clinic (no lab report), the types OSCAR files under labs. */
const FLOWSHEET_LAB_TYPES = "('A1C', 'FBS', 'LDL', 'HDL', 'TCHL', 'TG', 'EGFR', 'SCR', 'TSH', 'ALT', 'HB', 'INR')";

/** The rules: a count each (the reference day is bound to every `?`). */
export const OSCAR_RULES = {
  activePatients: `SELECT COUNT(*) FROM demographic p WHERE p.patient_status = 'AC'`,
  routedLabResults: `SELECT COUNT(*) ${ROUTED_RESULTS}`,
  unmappedLabResults: `SELECT COUNT(*) ${ROUTED_RESULTS} AND m.type = ''`,
  potassiumResults: `SELECT COUNT(*) ${ROUTED_RESULTS} AND EXISTS (SELECT 1 FROM measurementsExt x WHERE x.measurement_id = m.id AND x.keyval = 'identifier' AND x.val = '2823-3')`,
  flowsheetLabValues: `SELECT COUNT(*) FROM measurements m ${active('m.demographicNo')}
    WHERE m.type IN ${FLOWSHEET_LAB_TYPES} AND TRIM(m.dataField) <> ''
      AND NOT EXISTS (SELECT 1 FROM measurementsExt e WHERE e.measurement_id = m.id AND e.keyval = 'lab_no')`,
  prescriptions: `SELECT COUNT(*) FROM drugs d ${active('d.demographic_no')}`,
  activeMedications: `SELECT COUNT(*) FROM (${NEWEST_DRUGS}) x WHERE ${ACTIVE_DRUG}`,
  statinUsers: `SELECT COUNT(DISTINCT demographic_no) FROM (${NEWEST_DRUGS}) x WHERE ${ACTIVE_DRUG}
    AND (UPPER(ATC) LIKE 'C10AA%' OR UPPER(ATC) LIKE 'C10BA%' OR UPPER(ATC) LIKE 'C10BX%')`,
  fluEligible65: `SELECT COUNT(*) FROM demographic p WHERE p.patient_status = 'AC' AND ${AGE} >= 65`,
  fluCovered65: `SELECT COUNT(DISTINCT p.demographic_no) FROM demographic p JOIN preventions v ON v.demographic_no = p.demographic_no
    WHERE p.patient_status = 'AC' AND ${AGE} >= 65 AND v.prevention_type IN ('Flu', 'H1N1') AND v.deleted = '0' AND v.refused = '0'
      AND v.prevention_date >= DATE_SUB(?, INTERVAL 12 MONTH) AND v.prevention_date < DATE_ADD(?, INTERVAL 1 DAY)`,
  vaccinesNotGiven: `SELECT COUNT(*) FROM preventions v ${active('v.demographic_no')}
    WHERE v.deleted = '0' AND v.refused IN ('1', '2') AND v.prevention_type NOT IN (${SCREENING_TYPES})`,
  vaccinesIneligible: `SELECT COUNT(*) FROM preventions v ${active('v.demographic_no')}
    WHERE v.deleted = '0' AND v.refused = '2' AND v.prevention_type NOT IN (${SCREENING_TYPES})`,
  papIn36MonthsWomen21to69: `SELECT COUNT(DISTINCT p.demographic_no) FROM demographic p JOIN preventions v ON v.demographic_no = p.demographic_no
    WHERE p.patient_status = 'AC' AND p.sex = 'F' AND ${AGE} BETWEEN 21 AND 69 AND v.prevention_type = 'PAP'
      AND v.deleted = '0' AND v.refused = '0'
      AND v.prevention_date >= DATE_SUB(?, INTERVAL 36 MONTH) AND v.prevention_date < DATE_ADD(?, INTERVAL 1 DAY)`,
  encounters: `SELECT COUNT(*) FROM (${LATEST_NOTES}) y WHERE y.archived = 0 AND y.cpp IS NULL`,
  alerts: `SELECT COUNT(*) FROM (${LATEST_NOTES}) y WHERE FIND_IN_SET('Reminders', y.cpp) > 0`,
  familyHistory: `SELECT COUNT(*) FROM (${LATEST_NOTES}) y WHERE y.archived = 0
    AND FIND_IN_SET('FamHistory', y.cpp) > 0 AND FIND_IN_SET('Reminders', y.cpp) = 0`,
  riskFactors: `SELECT COUNT(*) FROM (${LATEST_NOTES}) y WHERE (FIND_IN_SET('RiskFactors', y.cpp) > 0 OR FIND_IN_SET('SocHistory', y.cpp) > 0)
    AND FIND_IN_SET('Reminders', y.cpp) = 0 AND FIND_IN_SET('FamHistory', y.cpp) = 0`,
} as const;

/** The name of a rule. */
export type OscarRuleName = keyof typeof OSCAR_RULES;

async function withConnection<T>(url: string, use: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: url, dateStrings: true });
  try {
    return await use(connection);
  } finally {
    await connection.end();
  }
}

/** Counts one rule on the clinic at `url`, as of `referenceDay` (YYYY-MM-DD). */
export function countByRule(url: string, rule: OscarRuleName, referenceDay: string): Promise<number> {
  const sql = OSCAR_RULES[rule];
  const values = Array.from({ length: sql.split('?').length - 1 }, () => referenceDay);
  return withConnection(url, async (connection) => {
    const [rows] = await connection.query<RowDataPacket[]>(sql, values);
    return Number(Object.values(rows[0])[0]);
  });
}

/**
 * Active patients per physician identity, by OSCAR's order of preference: the CPSID, else `msp:` + the
 * MSP billing number, else `oscar:` + the provider number; `unknown` without a provider.
 */
export function providerCounts(url: string): Promise<Record<string, number>> {
  const sql = `SELECT CASE WHEN NULLIF(TRIM(p.provider_no), '') IS NULL THEN 'unknown'
      WHEN NULLIF(TRIM(pr.practitionerNo), '') IS NOT NULL THEN TRIM(pr.practitionerNo)
      WHEN NULLIF(TRIM(pr.ohip_no), '') IS NOT NULL THEN CONCAT('msp:', TRIM(pr.ohip_no))
      ELSE CONCAT('oscar:', TRIM(p.provider_no)) END AS provider, COUNT(*) AS n
    FROM demographic p LEFT JOIN provider pr ON pr.provider_no = p.provider_no
    WHERE p.patient_status = 'AC' GROUP BY provider`;
  return withConnection(url, async (connection) => {
    const [rows] = await connection.query<RowDataPacket[]>(sql);
    return Object.fromEntries(rows.map((row) => [String(row.provider), Number(row.n)]));
  });
}
