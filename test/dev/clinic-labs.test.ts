/**
 * The synthetic clinic's HL7 lab reports, checked by SQL as an oracle test would count them (schema
 * latest, 400 patients, seed 7): one hl7TextInfo and routing row per report, OSCAR's measurementsExt
 * keys per result, measurements.type from measurementMap's FLOWSHEET rows else '', labs that follow
 * the patient's problems, drugs, sex and age, measurements without a lab number, and the lab dirt.
 */
import { ageAt, ext, LAB_RESULTS, makeFidelityClinic, type FidelityClinic } from './clinic-sql';

jest.setTimeout(120_000);

let clinic: FidelityClinic;
const count = (sql: string): Promise<number> => clinic.count(sql);
const column = (sql: string): Promise<string[]> => clinic.column(sql);

beforeAll(async () => {
  clinic = await makeFidelityClinic(__filename, 'latest');
});

afterAll(async () => {
  await clinic?.close();
});

describe('lab reports, as OSCAR stores an uploaded HL7 report', () => {
  test('one hl7TextInfo row and one HL7 routing row per report, each with results; statuses F, P and C', async () => {
    const reports = clinic.summary.rows.hl7TextInfo ?? 0;
    expect(reports).toBeGreaterThan(200);
    expect(await count("SELECT COUNT(*) AS n FROM patientLabRouting WHERE lab_type = 'HL7'")).toBe(reports);
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM patientLabRouting r LEFT JOIN hl7TextInfo h ON h.lab_no = r.lab_no WHERE h.id IS NULL',
      ),
    ).toBe(0);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM hl7TextInfo h WHERE NOT EXISTS (SELECT 1 FROM measurementsExt x WHERE x.keyval = 'lab_no' AND x.val = h.lab_no)",
      ),
    ).toBe(0);
    expect(await column('SELECT DISTINCT report_status FROM hl7TextInfo ORDER BY 1')).toEqual(['C', 'F', 'P']);
    expect(await count("SELECT COUNT(*) AS n FROM hl7TextInfo WHERE report_status = 'F'")).toBeGreaterThan(
      reports * 0.8,
    );
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM hl7TextInfo WHERE discipline NOT IN ('CHEM', 'HEM', 'CHEM/HEM', 'HEM/CHEM')",
      ),
    ).toBe(0);
    // The report names the routed patient: health number, sex, names as the lab sent them (upper case).
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM hl7TextInfo h JOIN patientLabRouting r ON r.lab_no = h.lab_no JOIN demographic d ON d.demographic_no = r.demographic_no
         WHERE h.health_no <> COALESCE(d.hin, '') OR h.sex <> d.sex OR h.last_name <> UPPER(d.last_name)`,
      ),
    ).toBe(0);
  });

  test('every result carries OSCAR’s measurementsExt keys, providerNo 0, and dateObserved = its datetime', async () => {
    const results = await count(`SELECT COUNT(*) AS n FROM ${LAB_RESULTS}`);
    expect(results).toBeGreaterThan(1000);
    for (const key of [
      'abnormal',
      'identifier',
      'name',
      'labname',
      'accession',
      'request_datetime',
      'datetime',
      'olis_status',
      'other_id',
    ])
      expect({
        key,
        missing: await count(`SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE ${ext(key)} IS NULL`),
      }).toEqual({ key, missing: 0 });
    expect(await count(`SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE m.providerNo <> '0'`)).toBe(0);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE DATE_FORMAT(m.dateObserved, '%Y-%m-%d %H:%i:%s') <> ${ext('datetime')}`,
      ),
    ).toBe(0);
    expect(
      await count(`SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE ${ext('other_id')} NOT REGEXP '^[0-9]+-[0-9]+$'`),
    ).toBe(0);
    // The reference range as OSCAR splits it: numeric → minimum/maximum, text → range; the comment test has none.
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE ${ext('identifier')} <> 'X10025' AND ${ext('range')} IS NULL AND ${ext('minimum')} IS NULL AND ${ext('maximum')} IS NULL`,
      ),
    ).toBe(0);
    for (const key of ['range', 'minimum', 'maximum'])
      expect({
        key,
        used: (await count(`SELECT COUNT(*) AS n FROM measurementsExt WHERE keyval = '${key}'`)) > 0,
      }).toEqual({ key, used: true });
    expect(await column("SELECT DISTINCT val FROM measurementsExt WHERE keyval = 'abnormal' ORDER BY 1")).toEqual([
      'A',
      'H',
      'L',
      'N',
    ]);
  });

  test('type is the flowsheet type measurementMap maps the test to (FLOWSHEET row), else empty', async () => {
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE m.type <> COALESCE((
           SELECT b.ident_code FROM measurementMap a JOIN measurementMap b ON b.loinc_code = a.loinc_code AND b.lab_type = 'FLOWSHEET'
           JOIN measurementType t ON t.type = b.ident_code WHERE a.ident_code = ${ext('identifier')} LIMIT 1), '')`,
      ),
    ).toBe(0);
    const mapped = await column(
      `SELECT DISTINCT CONCAT(m.type, '=', ${ext('identifier')}) FROM ${LAB_RESULTS} WHERE m.type <> '' ORDER BY 1`,
    );
    expect(mapped).toEqual([
      'A1C=4548-4',
      'EGFR=33914-3',
      'FBS=14771-0',
      'HDL=14646-4',
      'LDL=22748-8',
      'SCR=14682-9',
      'TCHL=14647-2',
      'TG=14927-8',
    ]);
    const unmapped = await column(
      `SELECT DISTINCT ${ext('identifier')} FROM ${LAB_RESULTS} WHERE m.type = '' ORDER BY 1`,
    );
    for (const code of [
      '2823-3',
      '2951-2',
      '6690-2',
      '718-7',
      '777-3',
      '6301-6',
      '1742-6',
      '3016-3',
      '2857-1',
      'X10025',
      '9318-7',
      '14959-1',
      '9322-9',
    ])
      expect({ code, unmapped: unmapped.includes(code) }).toEqual({ code, unmapped: true });
    // The comment test has a text value.
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE ${ext('identifier')} = 'X10025' AND m.dataField REGEXP '^[0-9.]+$'`,
      ),
    ).toBe(0);
  });

  test('labs follow the patient: INR for warfarin users, TSH for hypothyroidism, ACR for diabetes or CKD, PSA for men ≥ 50', async () => {
    const resultsOf = (identifiers: string, condition: string): Promise<number> =>
      count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} JOIN demographic d ON d.demographic_no = m.demographicNo WHERE ${ext('identifier')} IN (${identifiers}) AND ${condition}`,
      );
    const has = (icd9: string): string =>
      `EXISTS (SELECT 1 FROM dxresearch x WHERE x.demographic_no = d.demographic_no AND x.dxresearch_code = '${icd9}')`;
    const onWarfarin = "EXISTS (SELECT 1 FROM drugs g WHERE g.demographic_no = d.demographic_no AND g.ATC = 'B01AA03')";
    expect(await resultsOf("'6301-6'", onWarfarin)).toBeGreaterThan(0);
    expect(await resultsOf("'6301-6'", `NOT ${onWarfarin}`)).toBe(0);
    expect(await resultsOf("'3016-3'", `NOT ${has('244')}`)).toBe(0);
    expect(await resultsOf("'9318-7', '14959-1'", `NOT ${has('250')} AND NOT ${has('585')}`)).toBe(0);
    expect(await resultsOf("'2857-1'", `(d.sex <> 'M' OR ${ageAt('m.dateObserved')} < 50)`)).toBe(0);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM demographic d WHERE ${has('244')} AND EXISTS (SELECT 1 FROM patientLabRouting r WHERE r.demographic_no = d.demographic_no)
         AND NOT EXISTS (SELECT 1 FROM ${LAB_RESULTS} WHERE m.demographicNo = d.demographic_no AND ${ext('identifier')} = '3016-3')`,
      ),
    ).toBe(0);
  });

  test('measurements without a lab number: vitals and types no LOINC table knows (SMK, EXE, DIET, FTE, PHQS)', async () => {
    const clinical =
      'FROM measurements m WHERE NOT EXISTS (SELECT 1 FROM measurementsExt x WHERE x.measurement_id = m.id)';
    const types = await column(`SELECT DISTINCT m.type ${clinical} ORDER BY 1`);
    for (const type of ['BP', 'WT', 'HT', 'SMK', 'EXE', 'DIET', 'FTE', 'PHQS'])
      expect({ type, used: types.includes(type) }).toEqual({ type, used: true });
    expect(types).not.toContain('');
    expect(
      await column(`SELECT DISTINCT m.dataField ${clinical} AND m.type IN ('SMK', 'EXE', 'DIET', 'FTE') ORDER BY 1`),
    ).toEqual(['no', 'yes']);
    expect(
      await count(`SELECT COUNT(*) AS n ${clinical} AND m.type = 'PHQS' AND m.dataField NOT REGEXP '^[0-9]+$'`),
    ).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM measurementType WHERE CHAR_LENGTH(type) > 4')).toBe(0);
  });

  test('planted: text and empty results, unknown units, results whose report is missing', async () => {
    const { dirt } = clinic.summary;
    const notComment = `${ext('identifier')} <> 'X10025'`;
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE ${notComment} AND m.dataField <> '' AND m.dataField NOT REGEXP '^[0-9.]+$'`,
      ),
    ).toBe(dirt.labResultText.rows);
    expect(await count(`SELECT COUNT(*) AS n FROM ${LAB_RESULTS} WHERE m.dataField = ''`)).toBe(
      dirt.labResultEmpty.rows,
    );
    expect(
      await count("SELECT COUNT(*) AS n FROM measurementsExt WHERE keyval = 'unit' AND val IN ('xyz/zz', 'per HPF ?')"),
    ).toBe(dirt.unknownLabUnit.rows);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} LEFT JOIN patientLabRouting r ON r.lab_no = e.val AND r.lab_type = 'HL7' AND r.demographic_no = m.demographicNo WHERE r.id IS NULL`,
      ),
    ).toBe(dirt.labReportMissing.rows);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ${LAB_RESULTS} LEFT JOIN hl7TextInfo h ON h.lab_no = e.val WHERE h.id IS NULL`,
      ),
    ).toBe(dirt.labReportMissing.rows);
    for (const kind of ['labResultText', 'labResultEmpty', 'unknownLabUnit', 'labReportMissing'] as const)
      expect({ kind, planted: dirt[kind].patients > 0 }).toEqual({ kind, planted: true });
  });
});
