/**
 * Hostile and broken inputs: each gets the right typed error, fast (no entity expansion, no
 * external fetch, no recursion), and encodings are handled (BOM, UTF-16, invalid UTF-8).
 */
import fc from 'fast-check';
import { isEndpointError, type ErrorCode } from '../../core/errors';
import { readE2E, WARNING_CODES, writeE2E } from '../../e2e';
import { REALISTIC_RECORDS } from '../fixtures/e2e/realistic-records';

const GOOD = writeE2E(REALISTIC_RECORDS.DIABETIC_PATIENT);

function expectError(input: string | Buffer, code: ErrorCode, options = {}): void {
  const started = process.hrtime.bigint();
  let thrown: unknown;
  try {
    readE2E(input, options);
  } catch (error) {
    thrown = error;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  expect(isEndpointError(thrown) ? thrown.code : thrown).toBe(code);
  expect(ms).toBeLessThan(1000);
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><id extension="1"/><title>&lol9;</title></ClinicalDocument>`;

const XXE = `<?xml version="1.0"?><!DOCTYPE ClinicalDocument [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><id extension="&xxe;"/></ClinicalDocument>`;

const PARAMETER_ENTITY = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:1/evil.dtd"> %remote;]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><id extension="1"/></ClinicalDocument>`;

describe('hostile and broken E2E input', () => {
  test('billion laughs → HOSTILE_XML, no expansion', () => expectError(BILLION_LAUGHS, 'HOSTILE_XML'));
  test('external entity to /etc/passwd → HOSTILE_XML', () => expectError(XXE, 'HOSTILE_XML'));
  test('parameter entities → HOSTILE_XML', () => expectError(PARAMETER_ENTITY, 'HOSTILE_XML'));
  test('an internal subset hidden after the declaration in lower case → HOSTILE_XML', () =>
    expectError(`<?xml version="1.0"?><!doctype x><ClinicalDocument/>`, 'HOSTILE_XML'));

  test('10,000-deep nesting → XML_TOO_DEEP (iterative scan, no stack overflow)', () => {
    const deep =
      '<ClinicalDocument><id extension="1"/>' + '<a>'.repeat(10_000) + '</a>'.repeat(10_000) + '</ClinicalDocument>';
    expectError(deep, 'XML_TOO_DEEP');
    expectError('<ClinicalDocument>' + '<a>'.repeat(1_000_000), 'XML_TOO_DEEP');
  });

  test('the depth limit is an option', () => {
    expect(() => readE2E(GOOD, { maxDepth: 5 })).toThrow(expect.objectContaining({ code: 'XML_TOO_DEEP' }));
    expect(readE2E(GOOD, { maxDepth: 40 }).record.document.demographicNo).toBe('1042');
  });

  test('larger than maxBytes → BODY_TOO_LARGE (string and Buffer)', () => {
    expectError(GOOD, 'BODY_TOO_LARGE', { maxBytes: 1000 });
    expectError(Buffer.from(GOOD), 'BODY_TOO_LARGE', { maxBytes: 1000 });
  });

  test.each([0.1, 0.5, 0.9, 0.999])('a document truncated at %p of its length → NOT_XML', (fraction) => {
    expectError(GOOD.slice(0, Math.floor(GOOD.length * fraction)), 'NOT_XML');
  });

  test.each([
    ['plain text', 'hello, world'],
    ['JSON', '{"demographicNo": "1"}'],
    ['empty', ''],
    ['mismatched tags', '<ClinicalDocument><id extension="1"></ClinicalDocument>'],
    ['two roots', '<ClinicalDocument><id extension="1"/></ClinicalDocument><ClinicalDocument/>'],
    ['an unterminated comment', '<ClinicalDocument><id extension="1"/><!-- </ClinicalDocument>'],
  ])('not XML (%s) → NOT_XML', (_name, input) => expectError(input, 'NOT_XML'));

  test('wrong root element → NOT_E2E', () => {
    expectError('<html><body><p>hi</p></body></html>', 'NOT_E2E');
    expectError('<?xml version="1.0"?><hl7:Patient xmlns:hl7="urn:hl7-org:v3"/>', 'NOT_E2E');
  });

  test('no demographic number → NO_PATIENT_KEY', () => {
    expectError(GOOD.replace(/(<id root="[^"]*") extension="1042"\/>/, '$1/>'), 'NO_PATIENT_KEY');
    expectError('<ClinicalDocument xmlns="urn:hl7-org:v3"><id extension="  "/></ClinicalDocument>', 'NO_PATIENT_KEY');
    expectError('<ClinicalDocument xmlns="urn:hl7-org:v3"/>', 'NO_PATIENT_KEY');
  });

  test('a prefixed root (hl7:ClinicalDocument) is accepted', () => {
    const prefixed = '<hl7:ClinicalDocument xmlns:hl7="urn:hl7-org:v3"><hl7:id extension="9"/></hl7:ClinicalDocument>';
    expect(readE2E(prefixed).record.document.demographicNo).toBe('9');
  });

  test('UTF-8 with BOM, UTF-16 LE/BE with BOM and UTF-16 LE without BOM are decoded', () => {
    const expected = readE2E(GOOD).record;
    const utf16le = Buffer.from(GOOD, 'utf16le');
    const utf16be = Buffer.from(utf16le).swap16();
    expect(readE2E(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(GOOD)])).record).toEqual(expected);
    expect(readE2E(Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le])).record).toEqual(expected);
    expect(readE2E(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be])).record).toEqual(expected);
    expect(readE2E(utf16le).record).toEqual(expected);
    expect(readE2E('\ufeff' + GOOD).record).toEqual(expected);
  });

  test('invalid UTF-8 → NOT_XML with a clear message (not silently replaced)', () => {
    const bytes = Buffer.from(GOOD);
    const at = bytes.indexOf('Burnaby');
    bytes[at] = 0xc3;
    bytes[at + 1] = 0x28;
    expect(() => readE2E(bytes)).toThrow(/not valid UTF-8/);
    expectError(bytes, 'NOT_XML');
  });

  test('a Latin-1 document that says so is decoded', () => {
    const latin = Buffer.from(
      `<?xml version="1.0" encoding="ISO-8859-1"?><ClinicalDocument xmlns="urn:hl7-org:v3"><id extension="3"/><custodian><assignedCustodian><representedCustodianOrganization><name>Clinique Ste-Thérèse</name></representedCustodianOrganization></assignedCustodian></custodian></ClinicalDocument>`,
      'latin1',
    );
    expect(readE2E(latin).record.document.custodian?.name).toBe('Clinique Ste-Thérèse');
  });

  test('data-quality problems are warnings without patient data, never errors', () => {
    const dirty = GOOD.replace('<birthTime value="19561102"/>', '<birthTime value="19561332"/>')
      .replace('codeSystem="2.16.840.1.113883.6.42"', 'codeSystem="9.9.9.9"')
      .replace(
        '<section classCode="DOCSECT" moodCode="EVN"><templateId root="2.16.840.1.113883.3.1818.10.2.21.1"/><code code="11450-4"',
        '<section classCode="DOCSECT" moodCode="EVN"><templateId root="1.2.3"/><code code="XYZ"',
      );
    const { record, warnings } = readE2E(dirty);
    expect(record.patient.birthDate).toBeUndefined();
    expect(warnings.map((w) => w.code).sort()).toEqual(['INVALID_DATE', 'UNKNOWN_SECTION']);
    // An unknown OID with a known name resolves through the name (no warning); both unknown: a warning.
    expect(readE2E(GOOD.replace('codeSystem="2.16.840.1.113883.6.42"', 'codeSystem="9.9.9.9"')).warnings).toEqual([]);
    const withUnknownSystem = readE2E(
      GOOD.replace(
        'codeSystem="2.16.840.1.113883.6.42" codeSystemName="ICD9"',
        'codeSystem="9.9.9.9" codeSystemName="Local"',
      ),
    );
    expect(withUnknownSystem.warnings.map((w) => w.code)).toEqual(['UNKNOWN_CODE_SYSTEM']);
    for (const w of [...warnings, ...withUnknownSystem.warnings]) expect(Object.keys(WARNING_CODES)).toContain(w.code);
    const text = JSON.stringify(warnings) + JSON.stringify(withUnknownSystem.warnings);
    for (const phi of ['9698658215', 'Łukasiewicz', 'Zoë', '1956', 'Burnaby']) expect(text).not.toContain(phi);
  });

  test('random cuts and splices of a valid document give a record or a typed error, never a crash', () => {
    const sample = writeE2E(REALISTIC_RECORDS.DIABETIC_PATIENT);
    fc.assert(
      fc.property(fc.nat(sample.length), fc.nat(sample.length), fc.nat(sample.length), (a, b, c) => {
        const [from, to] = a < b ? [a, b] : [b, a];
        const mangled = sample.slice(0, from) + sample.slice(to, to + 200) + sample.slice(c);
        try {
          readE2E(mangled);
        } catch (error) {
          expect(isEndpointError(error)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
