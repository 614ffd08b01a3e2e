/**
 * Round trip: readE2E(writeE2E(r)).record equals r, for fast-check random records and for the
 * hand-made realistic ones; every written document validates against the XSD (one xmllint run).
 */
import fc from 'fast-check';
import { readE2E, writeE2E, type PatientRecord } from '../../e2e';
import { validateE2E } from '../../e2e/validate';
import { removeIllegalXmlChars } from '../../e2e/xml-text';
import { REALISTIC_RECORDS } from '../fixtures/e2e/realistic-records';
import { patientRecord } from './arbitraries';

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
        expect(roundTrip(record)).toEqual(record);
      }),
      { numRuns: 300 },
    );
  });

  test.each(Object.keys(REALISTIC_RECORDS))('hand-made record %s survives write → read unchanged', (name) => {
    expect(roundTrip(REALISTIC_RECORDS[name])).toEqual(REALISTIC_RECORDS[name]);
  });

  test('note text is left out unless the writer is asked for it', () => {
    const record = REALISTIC_RECORDS.DIABETIC_PATIENT;
    const xml = writeE2E(record);
    written.push(xml);
    expect(xml).not.toContain('discuss diet');
    expect(readE2E(xml, { keepNoteText: true }).record.encounters[0].text).toBeUndefined();
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
    expect(narratives.join('')).not.toContain('discuss diet');
  });

  test('an empty section is written in its "without entries" form with a nullFlavor entry', () => {
    const xml = writeE2E(REALISTIC_RECORDS.EMPTY_CHART_PATIENT);
    expect(xml.match(/\[without entries\]/g)).toHaveLength(7);
    expect(xml.match(/<entry nullFlavor="NI"/g)).toHaveLength(7);
    expect(xml).toContain('<templateId root="2.16.840.1.113883.3.1818.10.2.19"/>');
    const { sections, warnings } = readE2E(xml);
    expect(Object.values(sections).every((n) => n === 0)).toBe(true);
    expect(warnings).toEqual([]);
  });

  test('every written document validates against the XSD (one batch)', async () => {
    expect(written.length).toBeGreaterThan(300);
    const results = await validateE2E(written);
    const invalid = results.filter((r) => !r.valid);
    expect(invalid.slice(0, 3)).toEqual([]);
  });
});
