/**
 * What else the synthetic clinic holds, checked by SQL as an oracle test would count it (schema
 * 12.1, 400 patients, seed 7): preventions and screenings in their sex and age bands, repeat and
 * ended prescriptions, CPP notes through casemgmt_issue, providers without CPSID, and their dirt.
 */
import { ageAt, makeFidelityClinic, type FidelityClinic } from './clinic-sql';

jest.setTimeout(120_000);

let clinic: FidelityClinic;
const count = (sql: string): Promise<number> => clinic.count(sql);
const column = (sql: string): Promise<string[]> => clinic.column(sql);

beforeAll(async () => {
  clinic = await makeFidelityClinic(__filename, '12.1');
});

afterAll(async () => {
  await clinic?.close();
});

const REFERENCE_DAY = "'2025-06-30'";
const ZERO = "('0000-00-00', '0001-01-01')";

describe('preventions and screenings', () => {
  const bands: [type: string, sex: string, minAge: number, maxAge: number][] = [
    ['PAP', 'F', 21, 69],
    ['MAM', 'F', 50, 74],
    ['FOBT', '', 50, 74],
    ['COLONOSCOPY', '', 50, 74],
    ['PSA', 'M', 50, 74],
  ];

  test('screenings only in their sex and age band (age at the test)', async () => {
    for (const [type, sex, minAge, maxAge] of bands) {
      const rows = `FROM preventions p JOIN demographic d USING (demographic_no) WHERE p.prevention_type = '${type}'`;
      expect({ type, rows: (await count(`SELECT COUNT(*) AS n ${rows}`)) > 0 }).toEqual({ type, rows: true });
      const outside = await count(
        `SELECT COUNT(*) AS n ${rows} AND (${sex === '' ? 'FALSE' : `d.sex <> '${sex}'`} OR ${ageAt('p.prevention_date')} NOT BETWEEN ${minAge} AND ${maxAge})`,
      );
      expect({ type, outside }).toEqual({ type, outside: 0 });
    }
  });

  test('OSCAR prevention types and later names; ineligible, refused and deleted rows with their reasons', async () => {
    const types = await column('SELECT DISTINCT prevention_type FROM preventions');
    for (const type of [
      'Flu',
      'Td',
      'Tdap-IPV',
      'DTaP-IPV-Hib',
      'DTaP-HBV-IPV-Hib',
      'MenC-C',
      'H1N1',
      'HepA',
      'HepB',
      'HPV Vaccine',
      'Pneu-C',
      'Pneumovax',
      'Rot',
      'MMR',
      'MMRV',
      'VZ',
      'RZV',
      'COVID-19',
    ])
      expect({ type, used: types.includes(type) }).toEqual({ type, used: true });
    const total = clinic.summary.rows.preventions ?? 0;
    const ineligible = await count("SELECT COUNT(*) AS n FROM preventions WHERE refused = '2'");
    expect(ineligible / total).toBeGreaterThan(0.015);
    expect(ineligible / total).toBeLessThan(0.06);
    expect(await count("SELECT COUNT(*) AS n FROM preventions WHERE refused = '1'")).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM preventions WHERE deleted = '1'")).toBeGreaterThan(0);
    expect(await column('SELECT DISTINCT refused FROM preventions ORDER BY 1')).toEqual(['0', '1', '2']);
    const withExt = (key: string): string =>
      `EXISTS (SELECT 1 FROM preventionsExt x WHERE x.prevention_id = p.id AND x.keyval = '${key}')`;
    expect(
      await count(`SELECT COUNT(*) AS n FROM preventions p WHERE refused <> '0' AND NOT ${withExt('neverReason')}`),
    ).toBe(0);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM preventions p WHERE refused = '0' AND prevention_type IN ('PAP', 'MAM', 'FOBT', 'COLONOSCOPY', 'PSA') AND NOT ${withExt('result')}`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM preventions p WHERE refused = '0' AND prevention_type IN ('Flu', 'RZV', 'COVID-19') AND NOT ${withExt('lot')}`,
      ),
    ).toBe(0);
    const notZero = `p.prevention_date >= '1900-01-01'`;
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM preventions p WHERE prevention_type = 'H1N1' AND ${notZero} AND (prevention_date < '2009-10-26' OR prevention_date >= '2010-01-01')`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM preventions p JOIN demographic d USING (demographic_no) WHERE prevention_type = 'RZV' AND ${notZero} AND (${ageAt('p.prevention_date')} < 50 OR prevention_date < '2018-01-01')`,
      ),
    ).toBe(0);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM preventions p WHERE prevention_type = 'COVID-19' AND ${notZero} AND prevention_date < '2021-01-01'`,
      ),
    ).toBe(0);
  });
});

describe('drugs', () => {
  test('repeat prescriptions of one DIN: the newest row (highest drugid) has the latest rx_date', async () => {
    const group = 'x.demographic_no = d.demographic_no AND x.regional_identifier = d.regional_identifier';
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM (SELECT demographic_no FROM drugs WHERE regional_identifier <> '' GROUP BY demographic_no, regional_identifier HAVING COUNT(*) > 2) g`,
      ),
    ).toBeGreaterThan(20);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM drugs d WHERE d.regional_identifier <> '' AND d.drugid = (SELECT MAX(x.drugid) FROM drugs x WHERE ${group})
         AND d.rx_date < (SELECT MAX(x.rx_date) FROM drugs x WHERE ${group})`,
      ),
    ).toBe(0);
    // drugs.dosage is the product's strength ("500 MG"), except the planted unparseable doses.
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM drugs WHERE regional_identifier <> '' AND takemin IS NOT NULL AND dosage NOT REGEXP '^[0-9.]+ [A-Z]'",
      ),
    ).toBe(0);
  });

  test('planted: long-term drugs whose end date passed, zero end dates (long- and short-term), NULL long_term', async () => {
    const { dirt } = clinic.summary;
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM drugs d WHERE long_term = 1 AND archived = 0 AND end_date < ${REFERENCE_DAY} AND end_date NOT IN ${ZERO}
         AND regional_identifier <> '' AND drugid = (SELECT MAX(x.drugid) FROM drugs x WHERE x.demographic_no = d.demographic_no AND x.regional_identifier = d.regional_identifier)`,
      ),
    ).toBe(dirt.longTermEnded.rows);
    expect(await count(`SELECT COUNT(*) AS n FROM drugs WHERE end_date IN ${ZERO}`)).toBe(dirt.zeroEndDate.rows);
    expect(
      await column(`SELECT DISTINCT COALESCE(long_term, 0) FROM drugs WHERE end_date IN ${ZERO} ORDER BY 1`),
    ).toEqual(['0', '1']);
    expect(await count('SELECT COUNT(*) AS n FROM drugs WHERE long_term IS NULL')).toBe(dirt.nullLongTerm.rows);
    for (const kind of ['longTermEnded', 'zeroEndDate', 'nullLongTerm'] as const)
      expect({ kind, planted: dirt[kind].rows > 0 }).toEqual({ kind, planted: true });
  });
});

describe('CPP notes', () => {
  const cpp = `FROM casemgmt_note n JOIN casemgmt_issue_notes l ON l.note_id = n.note_id JOIN casemgmt_issue c ON c.id = l.id
               JOIN issue i ON i.issue_id = c.issue_id`;

  test('every CPP list has notes linked through casemgmt_issue_notes → casemgmt_issue → issue, with revisions and some archived', async () => {
    expect(await column(`SELECT DISTINCT i.code ${cpp} WHERE i.type = 'system' ORDER BY 1`)).toEqual([
      'Concerns',
      'FamHistory',
      'MedHistory',
      'OMeds',
      'Reminders',
      'RiskFactors',
      'SocHistory',
    ]);
    expect(await count(`SELECT COUNT(*) AS n ${cpp} WHERE i.type = 'system' AND n.archived = 1`)).toBeGreaterThan(0);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM (SELECT n.uuid ${cpp} WHERE i.type = 'system' GROUP BY n.uuid HAVING COUNT(*) > 1) v`,
      ),
    ).toBeGreaterThan(0);
  });

  test('family history: billing_code an ICD9 code, Relationship / Age at Onset / Life Stage on every revision', async () => {
    const family = `${cpp} WHERE i.code = 'FamHistory'`;
    const notes = await count(`SELECT COUNT(*) AS n ${family}`);
    expect(notes).toBeGreaterThan(20);
    expect(await count(`SELECT COUNT(*) AS n ${family} AND n.billing_code IN (SELECT icd9 FROM icd9)`)).toBeGreaterThan(
      notes * 0.8,
    );
    for (const key of ['Relationship', 'Age at Onset', 'Life Stage'])
      expect({
        key,
        without: await count(
          `SELECT COUNT(*) AS n ${family} AND NOT EXISTS (SELECT 1 FROM casemgmt_note_ext x WHERE x.note_id = n.note_id AND x.key_val = '${key}')`,
        ),
      }).toEqual({ key, without: 0 });
    const relationships = await column("SELECT DISTINCT value FROM casemgmt_note_ext WHERE key_val = 'Relationship'");
    for (const word of ['Mother', 'Father', '', 'Maternal uncle']) expect(relationships).toContain(word);
  });

  test('planted: CPP notes whose casemgmt_issue row is gone', async () => {
    const gone = await count(
      'SELECT COUNT(*) AS n FROM casemgmt_note n JOIN casemgmt_issue_notes l ON l.note_id = n.note_id LEFT JOIN casemgmt_issue c ON c.id = l.id WHERE c.id IS NULL',
    );
    expect(gone).toBe(clinic.summary.dirt.cppIssueMissing.rows);
    expect(gone).toBeGreaterThan(0);
  });
});

test('panel doctors without CPSID (NULL or empty practitionerNo), one without an MSP number either, as planted', async () => {
  const without = "p.practitionerNo IS NULL OR p.practitionerNo = ''";
  expect(
    await count(`SELECT COUNT(*) AS n FROM demographic d JOIN provider p USING (provider_no) WHERE ${without}`),
  ).toBe(clinic.summary.dirt.providerWithoutCpsid.patients);
  expect(
    await column(
      `SELECT DISTINCT CONCAT(COALESCE(p.practitionerNo, 'NULL'), '/', COALESCE(p.ohip_no, 'NULL')) FROM demographic d JOIN provider p USING (provider_no) WHERE ${without} ORDER BY 1`,
    ),
  ).toEqual(['/89012', 'NULL/78901', 'NULL/NULL']);
});
