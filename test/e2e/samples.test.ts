/**
 * Golden test over every published sample document (../shared/e2e-samples through the
 * `sharedDir` setting): entry counts per section, key codes and header facts against the
 * hand-read table test/fixtures/e2e/sample-expectations.json; and the samples validate.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../core/config/load';
import { readE2E, SECTION_NAMES, type PatientRecord, type SectionName } from '../../e2e';
import { validateE2EFiles } from '../../e2e/validate';
import expectations from '../fixtures/e2e/sample-expectations.json';

interface Expected {
  demographicNo: string;
  gender: string;
  birthDate: string;
  healthNumber?: string;
  sections: Record<SectionName, number>;
  keyCodes: Partial<Record<SectionName, string[]>>;
  codeSystems: Partial<Record<SectionName, string>>;
  prescriptions: number;
  bloodPressures: number;
  bloodPressure?: { systolic: number; diastolic: number };
  warningCodes: string[];
}

const SAMPLES_DIR = path.join(loadConfig().sharedDir, 'e2e-samples');
const FILES = readdirSync(SAMPLES_DIR)
  .filter((file) => file.endsWith('.xml'))
  .sort();
const TABLE = expectations as unknown as Record<string, Expected>;

/** The codes an entry carries (the ones the key-code table names). */
function codesOf(record: PatientRecord, section: SectionName): { codes: string[]; systems: (string | undefined)[] } {
  const coded = (() => {
    switch (section) {
      case 'medications':
        return record.medications.flatMap((m) => [m.din, m.atc]);
      case 'problems':
        return record.problems.map((p) => p.code);
      case 'allergies':
        return record.allergies.map((a) => a.allergen);
      case 'immunizations':
        return record.immunizations.map((i) => i.code);
      case 'labResults':
        return record.labResults.map((l) => l.code);
      case 'screenings':
        return record.screenings.map((s) => s.code);
      case 'vitalSigns':
        return record.vitalSigns.map((v) => v.code);
      case 'familyHistory':
        return record.familyHistory.map((f) => f.condition);
      case 'encounters':
      case 'alerts':
      case 'riskFactors':
        return [];
    }
  })().filter((c) => c !== undefined);
  return { codes: coded.map((c) => c.code), systems: coded.map((c) => c.codeSystem) };
}

describe('published E2E samples (golden)', () => {
  test('every sample in the folder has a reviewed expectation, and the reverse', () => {
    expect(FILES.length).toBe(6);
    expect(FILES).toEqual(
      Object.keys(TABLE)
        .filter((key) => !key.startsWith('_'))
        .sort(),
    );
  });

  test.each(FILES)('%s reads with the expected counts, codes and header', (file) => {
    const expected = TABLE[file];
    const started = process.hrtime.bigint();
    const { record, warnings, sections } = readE2E(readFileSync(path.join(SAMPLES_DIR, file)));
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1000);
    expect(sections).toEqual(expected.sections);
    expect(record.document.demographicNo).toBe(expected.demographicNo);
    expect(record.patient.gender).toBe(expected.gender);
    expect(record.patient.birthDate).toBe(expected.birthDate);
    if (expected.healthNumber !== undefined) {
      expect(record.patient.healthNumber).toEqual({
        value: expected.healthNumber,
        assigningOid: '2.16.840.1.113883.4.50',
      });
    }
    for (const [section, codes] of Object.entries(expected.keyCodes) as [SectionName, string[]][]) {
      expect(codesOf(record, section).codes).toEqual(expect.arrayContaining(codes));
    }
    for (const [section, oid] of Object.entries(expected.codeSystems) as [SectionName, string][]) {
      expect(codesOf(record, section).systems).toContain(oid);
    }
    expect(record.medications.flatMap((m) => m.prescriptions ?? [])).toHaveLength(expected.prescriptions);
    expect(record.vitalSigns.filter((v) => v.bloodPressure !== undefined)).toHaveLength(expected.bloodPressures);
    if (expected.bloodPressure !== undefined)
      expect(record.vitalSigns.find((v) => v.bloodPressure)?.bloodPressure).toEqual(expected.bloodPressure);
    expect([...new Set(warnings.map((w) => w.code))].sort()).toEqual(expected.warningCodes);
  });

  test.each(FILES)('%s loses no section: each clinical section holding real entries yields entries', (file) => {
    const xml = readFileSync(path.join(SAMPLES_DIR, file), 'utf8');
    const { sections } = readE2E(xml);
    const expected = TABLE[file].sections;
    for (const name of SECTION_NAMES) expect(sections[name] > 0).toBe(expected[name] > 0);
  });

  test("OSCAR's medications: the nested prescription gives dates, dose, frequency, route, prescriber and written date", () => {
    const { record } = readE2E(readFileSync(path.join(SAMPLES_DIR, '11_sample10_DALE_CHAN_5_29011973.xml')));
    const epipen = record.medications.find((m) => m.din?.code === '00509558')!;
    expect(epipen).toMatchObject({
      status: 'completed',
      longTerm: false,
      brandName: 'EPIPEN 0.3MG/0.3ML AUTO-INJECTOR',
      strength: { quantity: 1, unit: 'MG' },
      start: '2013-09-27',
      end: '2013-09-27',
      prn: true,
    });
    expect(epipen.prescriptions).toEqual([
      {
        id: 'MedicationPrescriptions-28',
        start: '2013-09-27',
        end: '2013-09-27',
        written: '2013-09-27',
        prescriberId: 'cpsid',
        route: {
          code: 'IM',
          codeSystem: '2.16.840.1.113883.5.112',
          codeSystemName: 'RouteOfAdministration',
          displayName: 'IM',
        },
        dose: { quantity: 1 },
        prn: true,
      },
    ]);
    const cleese = readE2E(readFileSync(path.join(SAMPLES_DIR, '08_JOHN_CLEESE_1_25091940.xml'))).record;
    // PIVL_TS 4/1d → QID; 1/1d (OSCAR's QAM) → OD, the table's code of that timing; takemin 1 takemax 2 → "1-2".
    expect(cleese.medications[0]).toMatchObject({ frequency: 'QID', dose: { text: '1-2' }, start: '2013-09-27' });
    expect(cleese.medications.filter((m) => m.frequency === 'OD')).toHaveLength(6);
  });

  test('CPP sections: alerts, family history and risk factors as a careful reader counts them', () => {
    const pito = readE2E(readFileSync(path.join(SAMPLES_DIR, '01_PITO_Ex001_Conversion_FullyLoaded_V1-30-00.xml')));
    expect(pito.record.alerts).toEqual([{ id: '12366', date: '1980', status: 'active' }]);
    expect(pito.record.familyHistory[0]).toMatchObject({
      relationship: { code: 'NMTH', displayName: 'Natural Mother' },
      condition: { code: '312824007', codeSystem: '2.16.840.1.113883.6.96' },
      ageAtOnset: 54,
    });
    expect(pito.record.riskFactors).toHaveLength(2);
    const cleese = readE2E(readFileSync(path.join(SAMPLES_DIR, '08_JOHN_CLEESE_1_25091940.xml')), {
      keepNoteText: true,
    });
    expect(cleese.record.alerts).toEqual([
      { id: 'Alerts-10', date: '2013-09-26T16:20:35', status: 'active', text: 'Heart Attack' },
    ]);
    expect(cleese.record.riskFactors).toEqual([
      { id: 'RiskFactors-6', date: '2013-09-26T16:18:23', status: 'active', text: 'Situational Crisis' },
    ]);
  });

  test('encounter note text is dropped unless asked for', () => {
    const xml = readFileSync(path.join(SAMPLES_DIR, '08_JOHN_CLEESE_1_25091940.xml'));
    expect(readE2E(xml).record.encounters.some((e) => e.text !== undefined)).toBe(false);
    expect(
      readE2E(xml, { keepNoteText: true }).record.encounters.some((e) => e.text?.includes('Tel-Progress Notes')),
    ).toBe(true);
  });

  test('all six samples validate against the XSD (one xmllint run)', async () => {
    const results = await validateE2EFiles(FILES.map((file) => path.join(SAMPLES_DIR, file)));
    expect(results.filter((r) => !r.valid)).toEqual([]);
    expect(results).toHaveLength(FILES.length);
  });
});
