/**
 * Round trip: readE2E(writeE2E(r)).record equals asRead(r) (r itself but for the medication rule
 * documented in arbitraries.ts), for fast-check random records and for the hand-made realistic
 * ones; every written document validates against the XSD (one xmllint run).
 */
import fc from 'fast-check';
import { readE2E, writeE2E, type PatientRecord } from '../../e2e';
import { validateE2E } from '../../e2e/validate';
import { removeIllegalXmlChars } from '../../e2e/xml-text';
import { REALISTIC_RECORDS } from '../fixtures/e2e/realistic-records';
import { asRead, patientRecord } from './arbitraries';

const written: string[] = [];

function roundTrip(record: PatientRecord): PatientRecord {
  const xml = writeE2E(record, { includeNoteText: true });
  written.push(xml);
  return readE2E(xml, { keepNoteText: true }).record;
}

describe('E2E round trip', () => {
  test('random records survive write → read unchanged (fast-check)', () => {
    fc.assert(
      fc.property(patientRecord, (record) => {
        expect(roundTrip(record)).toEqual(asRead(record));
      }),
      { numRuns: 300 },
    );
  });

  test.each(Object.keys(REALISTIC_RECORDS))('hand-made record %s survives write → read unchanged', (name) => {
    expect(roundTrip(REALISTIC_RECORDS[name])).toEqual(asRead(REALISTIC_RECORDS[name]));
  });

  test('note text (encounters, alerts, family history, risk factors) is left out unless the writer is asked for it', () => {
    const record = REALISTIC_RECORDS.DIABETIC_PATIENT;
    const xml = writeE2E(record);
    written.push(xml);
    for (const note of ['discuss diet', 'Needle phobia', 'nephropathy', '1/2 pack', 'Lives alone'])
      expect(xml).not.toContain(note);
    const read = readE2E(xml, { keepNoteText: true }).record;
    expect(read.encounters[0].text).toBeUndefined();
    expect([...read.alerts, ...read.familyHistory, ...read.riskFactors].some((e) => e.text !== undefined)).toBe(false);
    expect(read.alerts).toHaveLength(2);
    expect(read.familyHistory[0].ageAtOnset).toBe(54);
    expect(read.riskFactors.map((r) => r.kind)).toEqual(['riskFactor', 'socialHistory']);
  });

  test('note text written is dropped by the reader unless it is asked to keep it', () => {
    const xml = writeE2E(REALISTIC_RECORDS.DIABETIC_PATIENT, { includeNoteText: true });
    const read = readE2E(xml).record;
    expect([...read.encounters, ...read.alerts, ...read.familyHistory, ...read.riskFactors].some((e) => e.text)).toBe(
      false,
    );
    expect(readE2E(xml, { keepNoteText: true }).record.alerts[0].text).toBe('Needle phobia: offer topical anaesthetic');
  });

  test('characters illegal in XML 1.0 are removed, the rest of the text is kept', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), (raw) => {
        const record: PatientRecord = {
          ...REALISTIC_RECORDS.EMPTY_CHART_PATIENT,
          problems: [{ description: `x${raw}x` }],
        };
        const xml = writeE2E(record);
        written.push(xml);
        expect(readE2E(xml).record.problems[0].description).toBe(`x${removeIllegalXmlChars(raw)}x`);
      }),
      { numRuns: 200 },
    );
  });

  test('no text is ever written inside a comment and the narrative carries no note text', () => {
    const xml = writeE2E(REALISTIC_RECORDS.DIABETIC_PATIENT, { includeNoteText: true });
    expect(xml).not.toContain('<!--');
    const narratives = xml.match(/<text mediaType="text\/x-hl7-text\+xml">.*?<\/text>/g) ?? [];
    for (const note of ['discuss diet', 'Needle phobia', 'nephropathy', '1/2 pack', 'Lives alone'])
      expect(narratives.join('')).not.toContain(note);
  });

  test('an empty section is written in its "without entries" form with its own text and a nullFlavor entry', () => {
    const xml = writeE2E(REALISTIC_RECORDS.EMPTY_CHART_PATIENT);
    expect(xml.match(/\[without entries\]/g)).toHaveLength(10);
    expect(xml.match(/<entry nullFlavor="NI"/g)).toHaveLength(10);
    expect(xml).toContain('<templateId root="2.16.840.1.113883.3.1818.10.2.19"/>');
    const texts = [...xml.matchAll(/<text mediaType="text\/x-hl7-text\+xml">([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts).toEqual([
      'No Medication Entries',
      'No Problem Entries',
      'No Allergy Entries',
      'No Immunization Entries',
      'No Laboratory Report Entries',
      'No Clinical Measured Observations',
      'No Encounter Entries',
      'No Alerts',
      'No Family History',
      'No Risk Factors',
    ]);
    const { sections, warnings } = readE2E(xml);
    expect(Object.values(sections).every((n) => n === 0)).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('a laboratory section holding only screenings is written with entries', () => {
    const record: PatientRecord = {
      ...REALISTIC_RECORDS.EMPTY_CHART_PATIENT,
      screenings: REALISTIC_RECORDS.DIABETIC_PATIENT.screenings,
    };
    const xml = writeE2E(record);
    written.push(xml);
    expect(xml).toContain('Laboratory Results and Reports [with entries]');
    expect(readE2E(xml).record.screenings).toEqual(record.screenings);
  });

  test('every written document validates against the XSD (one batch)', async () => {
    expect(written.length).toBeGreaterThan(300);
    const results = await validateE2E(written);
    const invalid = results.filter((r) => !r.valid);
    expect(invalid.slice(0, 3)).toEqual([]);
  });
});
