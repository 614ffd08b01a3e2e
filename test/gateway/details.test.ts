/**
 * The details of issue 19, item 8, against the real gateway in-process and the real Mongo-wire
 * server: the documented depth limit (200, XML_TOO_DEEP past it — not the parser's 100 as
 * NOT_XML), `<!DOCTYPE` as text inside CDATA or a comment (accepted; as markup still refused),
 * one patient for `05` and `5`, header elements of a foreign namespace not read, and 404 answers
 * that do not echo the caller's input.
 */
import { CHAN, CLEESE, TEST_CLINIC, postRecord, sampleXml, startTestGateway, type TestGateway } from './support';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(__filename);
});

afterAll(async () => {
  await gw?.close();
});

/** A real document with `extra` placed right after its `<title>` (a child of the root). */
function withAfterTitle(demographicNo: string, extra: string): string {
  return sampleXml(CLEESE, demographicNo).replace(/(<title>[^<]*<\/title>)/, `$1${extra}`);
}

/** Elements nested so that the deepest is at `depth` (the root is at depth 1). */
function nestedTo(depth: number): string {
  return '<nest>'.repeat(depth - 1) + '</nest>'.repeat(depth - 1);
}

async function storedPatient(key: string): Promise<Record<string, unknown> | null> {
  return gw.db.collection('patients').findOne({ _id: key as never });
}

describe('nesting depth', () => {
  test('150 deep is read (documented limit 200), and reads the sections as without it', async () => {
    const plain = await postRecord(gw.baseUrl, sampleXml(CLEESE, '8801'));
    const deep = await postRecord(gw.baseUrl, withAfterTitle('8802', nestedTo(150)));
    expect(deep.status).toBe(201);
    expect(deep.body.sections).toEqual(plain.body.sections);
  });

  test('200 deep is read; 201 deep is XML_TOO_DEEP', async () => {
    expect((await postRecord(gw.baseUrl, withAfterTitle('8803', nestedTo(200)))).status).toBe(201);
    const tooDeep = await postRecord(gw.baseUrl, withAfterTitle('8804', nestedTo(201)));
    expect({ status: tooDeep.status, error: tooDeep.body.error }).toEqual({ status: 400, error: 'XML_TOO_DEEP' });
    expect(await storedPatient(`${TEST_CLINIC}:8804`)).toBeNull();
  });
});

describe('DOCTYPE', () => {
  test('the text <!DOCTYPE inside CDATA or a comment is data, not a declaration', async () => {
    const cdata = await postRecord(
      gw.baseUrl,
      withAfterTitle('8811', '<subtitle><![CDATA[<!DOCTYPE html> <!ENTITY x "y">]]></subtitle>'),
    );
    expect(cdata.status).toBe(201);
    const comment = await postRecord(gw.baseUrl, withAfterTitle('8812', '<!-- <!DOCTYPE ClinicalDocument> -->'));
    expect(comment.status).toBe(201);
  });

  test('a DOCTYPE declaration (any case) is still refused as hostile', async () => {
    const xml = sampleXml(CLEESE, '8813').replace('?>', '?><!doctype ClinicalDocument SYSTEM "file:///etc/passwd">');
    expect(xml).toMatch(/^<\?xml[^>]*\?><!doctype /);
    const refused = await postRecord(gw.baseUrl, xml);
    expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 400, error: 'HOSTILE_XML' });
  });
});

describe('patient ids', () => {
  test('05 and 5 are one patient; a re-send of the 05 document is unchanged', async () => {
    const padded = sampleXml(CLEESE, '0907');
    const first = await postRecord(gw.baseUrl, padded);
    expect(first.body).toMatchObject({ patientKey: `${TEST_CLINIC}:907`, outcome: 'created' });
    const second = await postRecord(gw.baseUrl, sampleXml(CHAN, '907'));
    expect(second.body).toMatchObject({ patientKey: `${TEST_CLINIC}:907`, outcome: 'updated' });
    expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '00907'))).body).toMatchObject({
      patientKey: `${TEST_CLINIC}:907`,
      outcome: 'updated',
    });
    expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '00907'))).body).toMatchObject({ outcome: 'unchanged' });
    const stored = await gw.db
      .collection('patients')
      .find({ demographicNo: { $in: ['907', '0907', '00907'] } })
      .toArray();
    expect(stored.map((patient) => [patient._id, patient.demographicNo])).toEqual([[`${TEST_CLINIC}:907`, '907']]);
  });
});

describe('namespaces', () => {
  test('header elements of a foreign namespace are not read (prefixed or under a default namespace); the E2E-DTC ones are', async () => {
    const foreign =
      '<x:administrativeGenderCode xmlns:x="urn:example:not-hl7" code="F" codeSystem="2.16.840.1.113883.5.1"/>' +
      '<birthTime xmlns="urn:example:not-hl7" value="19000101"/>';
    const xml = sampleXml(CLEESE, '8821').replace(
      '<administrativeGenderCode code="M"',
      `${foreign}<administrativeGenderCode code="M"`,
    );
    expect(xml).toContain(foreign);
    const answer = await postRecord(gw.baseUrl, xml);
    expect(answer.status).toBe(201);
    expect(answer.body.warnings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: 'UNEXPECTED_ENTRY',
          message: expect.stringMatching(/^2 elements in a namespace other than urn:hl7-org:v3/),
        }),
      ]),
    );
    const stored = await storedPatient(`${TEST_CLINIC}:8821`);
    expect({ gender: stored?.gender, birthDate: (stored?.birthDate as Date).toISOString().slice(0, 10) }).toEqual({
      gender: 'M',
      birthDate: '1940-09-25',
    });
  });
});

describe('404', () => {
  test('a 404 repeats at most 80 characters of the path', async () => {
    const path = `/${'a'.repeat(8000)}`;
    const answer = await fetch(`${gw.baseUrl}${path}`);
    const text = await answer.text();
    expect(answer.status).toBe(404);
    expect(text.length).toBeLessThan(250);
    expect(JSON.parse(text)).toMatchObject({
      error: 'NOT_FOUND',
      message: expect.stringContaining(`/${'a'.repeat(79)}…`),
    });
  });
});
