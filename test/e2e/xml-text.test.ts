/** HL7 TS ↔ ISO text, and the typo-OID and alias tables the reader resolves codes through. */
import { findCodeSystem } from '../../e2e/vocab/code-systems';
import { findSection } from '../../e2e/vocab/sections';
import { escapeXml, hl7ToIso, isoToHl7 } from '../../e2e/xml-text';

describe('HL7 timestamps', () => {
  test.each([
    ['2014', '2014'],
    ['201406', '2014-06'],
    ['20140612', '2014-06-12'],
    ['2014061210', '2014-06-12T10:00'],
    ['201406121030', '2014-06-12T10:30'],
    ['20140612103005', '2014-06-12T10:30:05'],
    ['20140612103005.123', '2014-06-12T10:30:05.123'],
    ['20140612103005.1234-0700', '2014-06-12T10:30:05.1234-07:00'],
    ['201406121030+0530', '2014-06-12T10:30+05:30'],
    ['20140612103005+0000', '2014-06-12T10:30:05Z'],
  ])('%s → %s', (ts, iso) => expect(hl7ToIso(ts)).toBe(iso));

  test.each(['00000000', '20141301', '20140231', '2014061225', 'yesterday', '2014-06-12', '20140612103005.+0700', ''])(
    '%p is invalid',
    (ts) => expect(hl7ToIso(ts)).toBeUndefined(),
  );

  test('ISO text → TS keeps precision and zone', () => {
    expect(isoToHl7('2014-06-12T10:30:05.250-07:00')).toBe('20140612103005.250-0700');
    expect(isoToHl7('2014-06-12T10:30Z')).toBe('201406121030+0000');
    expect(isoToHl7('2014-02-30')).toBeUndefined();
  });
});

describe('vocabulary tables', () => {
  test('code-system aliases and typo OIDs resolve to the canonical OID', () => {
    expect(findCodeSystem('2.16.840.1.113.883.5.1105', 'hc-DIN')?.oid).toBe('2.16.840.1.113883.5.1105');
    expect(findCodeSystem(undefined, 'SNOMED CT')?.oid).toBe('2.16.840.1.113883.6.96');
    expect(findCodeSystem('2.16.840.1.113883.3.1818.10.2.8.3', 'SNOMED-CT')?.key).toBe('snomed');
    expect(findCodeSystem(undefined, 'whoATC')?.key).toBe('atc');
    expect(findCodeSystem('1.2.3.4', 'Exclleris')).toBeUndefined();
  });

  test('section variants: medications 10160-0/10160-6/19009-0, encounters under 2.12.1 and 2.22.1', () => {
    const T = '2.16.840.1.113883.3.1818.10.2.';
    expect(findSection([`${T}19.1`], '10160-6')?.section.field).toBe('medications');
    expect(findSection([`${T}19`], '10160-0')?.section.field).toBe('medications');
    expect(findSection([`${T}19.1`], '19009-0')?.section.field).toBe('medications');
    expect(findSection([`${T}22.1`], '46240-8')?.section.field).toBe('encounters');
    expect(findSection([`${T}12.1`], '46240-8')?.section.field).toBe('encounters');
    expect(findSection([`${T}22`], '42349-1')?.section.field).toBeNull();
    expect(findSection([], '48765-2')?.section.field).toBe('allergies');
    expect(findSection(['9.9'], 'NOPE')).toBeUndefined();
  });

  test('escaping removes illegal characters and escapes markup', () => {
    expect(escapeXml('a\u0001<b>&"c"\u0000\uFFFE]]>')).toBe('a&lt;b&gt;&amp;&quot;c&quot;]]&gt;');
  });
});
