/**
 * Ingest against the real Mongo-wire server over real HTTP: outcomes, the stored document's
 * privacy, the legacy multipart form, unusable documents, concurrent sends of one patient,
 * runs and the full-run sweep, deletion, re-import, and logs free of patient data.
 */
import { createHash } from 'node:crypto';
import type { Db } from 'mongodb';
import { healthNumberHmac } from '../../gateway/store/hmac';
import {
  CHAN,
  CLEESE,
  TEST_CLINIC,
  TEST_SECRETS,
  callJson,
  logCapture,
  postRecord,
  sampleXml,
  startTestGateway,
  type TestGateway,
} from './support';

const log = logCapture();
let gw: TestGateway;
let db: Db;
beforeAll(async () => {
  gw = await startTestGateway(__filename, { logStream: log.stream });
  db = gw.db;
});
afterAll(async () => {
  await gw.close();
});

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const ingestAuth = { token: TEST_SECRETS.ingestToken };

async function startRun(mode: 'full' | 'differential'): Promise<string> {
  const answer = await callJson(gw.baseUrl, 'POST', '/runs', { ...ingestAuth, body: { mode } });
  expect(answer.status).toBe(201);
  return String(answer.body.runId);
}

async function patientKeys(): Promise<string[]> {
  return (
    await db
      .collection('patients')
      .find({}, { projection: { _id: 1 } })
      .toArray()
  )
    .map((doc) => String(doc._id))
    .sort();
}

describe('ingest', () => {
  test('created → unchanged → updated, with counts per section', async () => {
    const xml = sampleXml(CLEESE, '1001');
    const created = await postRecord(gw.baseUrl, xml);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      patientKey: `${TEST_CLINIC}:1001`,
      outcome: 'created',
      warnings: expect.any(Array),
    });
    expect((created.body.sections as Record<string, number>).medications).toBeGreaterThan(0);
    const before = await db.collection('patients').findOne({ _id: `${TEST_CLINIC}:1001` as never });

    const unchanged = await postRecord(gw.baseUrl, xml);
    expect(unchanged.status).toBe(200);
    expect(unchanged.body).toMatchObject({
      patientKey: `${TEST_CLINIC}:1001`,
      outcome: 'unchanged',
      sections: created.body.sections,
    });
    expect(await db.collection('patients').findOne({ _id: `${TEST_CLINIC}:1001` as never })).toEqual(before);

    const updated = await postRecord(gw.baseUrl, xml + '\n<!-- re-sent -->\n');
    expect(updated.body).toMatchObject({ outcome: 'updated' });
    const after = await db.collection('patients').findOne({ _id: `${TEST_CLINIC}:1001` as never });
    expect(after?.sourceHash).toBe(sha256(xml + '\n<!-- re-sent -->\n'));
    expect(after?.createdAt).toEqual(before?.createdAt);
    expect((await db.collection('sources').findOne({ _id: `${TEST_CLINIC}:1001` as never }))?.sourceHash).toBe(
      after?.sourceHash,
    );
  });

  test('the stored patient holds no name, health number or address, and the HMAC is stable', async () => {
    await postRecord(gw.baseUrl, sampleXml(CHAN, '1002'));
    const stored = await db.collection('patients').findOne({ _id: `${TEST_CLINIC}:1002` as never });
    const json = JSON.stringify(stored);
    for (const phi of ['DALE', 'CHAN', 'Dale', '448000005']) expect(json).not.toContain(phi);
    expect(stored?.hinHmac).toBe(healthNumberHmac(TEST_SECRETS.hmacSecret, '448000005'));
    expect(stored).toMatchObject({
      clinicId: TEST_CLINIC,
      demographicNo: '1002',
      gender: 'F',
      birthDate: new Date('1973-01-29T00:00:00Z'),
    });
    expect(stored?.medications).toEqual(
      expect.arrayContaining([expect.objectContaining({ din: '00509558', atc: 'C01CA24', active: false })]),
    );
    expect(stored).toMatchObject({ activeMedicationDin: [], activeMedicationCount: 0, activeProblemCodes: ['244'] });
  });

  test('the legacy multipart form field "content" is accepted, as a text field or a file part (bytes kept exactly)', async () => {
    const form = new FormData();
    const fieldXml = sampleXml(CHAN, '1003') + '<!-- Montréal -->';
    form.set('content', fieldXml);
    const response = await fetch(`${gw.baseUrl}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.ingestToken}` },
      body: form,
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ patientKey: `${TEST_CLINIC}:1003`, outcome: 'created' });
    // A form text field travels with CRLF line breaks (HTML form encoding); those are the bytes received.
    expect((await postRecord(gw.baseUrl, fieldXml.replace(/\r?\n/g, '\r\n'))).body.outcome).toBe('unchanged');
    const latin1Xml = Buffer.from(
      sampleXml(CHAN, '1005').replace('encoding="UTF-8"', 'encoding="ISO-8859-1"') + '<!-- Montr\u00e9al -->',
      'latin1',
    );
    const boundary = 'legacy-boundary-7e1';
    const legacyBody = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"\r\n\r\n`),
      latin1Xml,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const legacy = await postRecord(gw.baseUrl, legacyBody, {
      contentType: `multipart/form-data; boundary=${boundary}`,
    });
    expect(legacy.status).toBe(201);
    expect((await postRecord(gw.baseUrl, latin1Xml)).body.outcome).toBe('unchanged');

    const asFile = new FormData();
    const fileXml = sampleXml(CHAN, '1004') + '<!-- Montréal, café -->\n';
    asFile.set('content', new Blob([fileXml], { type: 'text/xml' }), 'document.xml');
    const fileAnswer = await fetch(`${gw.baseUrl}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.ingestToken}` },
      body: asFile,
    });
    expect(fileAnswer.status).toBe(201);
    expect((await postRecord(gw.baseUrl, fileXml)).body.outcome).toBe('unchanged');
    const empty = new FormData();
    empty.set('other', 'x');
    const missing = await fetch(`${gw.baseUrl}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.ingestToken}` },
      body: empty,
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: 'INVALID_REQUEST' });
  });

  test.each([
    ['not XML', 400, 'this is not xml at all', ['NOT_XML']],
    ['XML that is not E2E', 400, '<?xml version="1.0"?><html><body/></html>', ['NOT_E2E']],
    [
      'an E2E document without a demographic number',
      422,
      sampleXml(CHAN).replace(/<id extension="[^"]*"/, '<id'),
      ['NO_PATIENT_KEY'],
    ],
  ])('%s → %i', async (_name, status, body, codes) => {
    const count = await db.collection('patients').countDocuments();
    const answer = await postRecord(gw.baseUrl, body);
    expect(answer.status).toBe(status);
    expect(codes).toContain(answer.body.error);
    expect(typeof answer.body.message).toBe('string');
    expect(await db.collection('patients').countDocuments()).toBe(count);
  });

  test('20 concurrent sends of one patient (two contents) leave one consistent document', async () => {
    const first = sampleXml(CHAN, '1100');
    const second = first + '\n<!-- second version -->\n';
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => postRecord(gw.baseUrl, i % 2 === 0 ? first : second)),
    );
    expect(answers.map((a) => a.status).every((s) => s === 200 || s === 201)).toBe(true);
    expect(answers.filter((a) => a.body.outcome === 'created')).toHaveLength(1);
    const stored = await db
      .collection('patients')
      .find({ _id: `${TEST_CLINIC}:1100` as never })
      .toArray();
    expect(stored).toHaveLength(1);
    expect([sha256(first), sha256(second)]).toContain(stored[0].sourceHash);
    const source = await db.collection('sources').findOne({ _id: `${TEST_CLINIC}:1100` as never });
    expect(source?.sourceHash).toBe(stored[0].sourceHash);
  });
});

describe('runs', () => {
  test('a full run removes exactly the patients it did not send, and refuses on a count mismatch', async () => {
    await callJson(gw.baseUrl, 'DELETE', '/records?confirm=wipe-all-records');
    for (const no of ['1', '2', '3'])
      expect((await postRecord(gw.baseUrl, sampleXml(CHAN, `20${no}`))).status).toBe(201);

    const mismatched = await startRun('full');
    expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '201'), { runId: mismatched })).body.outcome).toBe(
      'unchanged',
    );
    expect((await postRecord(gw.baseUrl, sampleXml(CLEESE, '202'), { runId: mismatched })).body.outcome).toBe(
      'updated',
    );
    const refused = await callJson(gw.baseUrl, 'POST', `/runs/${mismatched}/complete`, {
      ...ingestAuth,
      body: { patientsSent: 3 },
    });
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({
      swept: false,
      removed: 0,
      patientsSent: 3,
      patientsReceived: 2,
      reason: expect.stringContaining('3'),
    });
    expect(await patientKeys()).toEqual([`${TEST_CLINIC}:201`, `${TEST_CLINIC}:202`, `${TEST_CLINIC}:203`]);
    const retried = await callJson(gw.baseUrl, 'POST', `/runs/${mismatched}/complete`, {
      ...ingestAuth,
      body: { patientsSent: 3 },
    });
    expect(retried).toMatchObject({ status: 200, body: refused.body });
    const again = await callJson(gw.baseUrl, 'POST', `/runs/${mismatched}/complete`, {
      ...ingestAuth,
      body: { patientsSent: 2 },
    });
    expect(again).toMatchObject({ status: 409, body: { error: 'CONFLICT' } });
    expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '201'), { runId: mismatched })).status).toBe(409);

    const full = await startRun('full');
    for (const no of ['201', '202'])
      expect((await postRecord(gw.baseUrl, sampleXml(no === '201' ? CHAN : CLEESE, no), { runId: full })).status).toBe(
        200,
      );
    const swept = await callJson(gw.baseUrl, 'POST', `/runs/${full}/complete`, {
      ...ingestAuth,
      body: { patientsSent: 2 },
    });
    expect(swept.body).toMatchObject({ runId: full, mode: 'full', swept: true, removed: 1, patientsReceived: 2 });
    expect(await patientKeys()).toEqual([`${TEST_CLINIC}:201`, `${TEST_CLINIC}:202`]);
    expect(await db.collection('sources').countDocuments()).toBe(2);

    const status = await callJson(gw.baseUrl, 'GET', '/status', { token: null });
    expect(status.body).toMatchObject({
      patientCount: 2,
      lastRun: { runId: full, state: 'complete', sweep: { performed: true, removed: 1 } },
    });
  });

  test('a differential run removes nothing', async () => {
    const run = await startRun('differential');
    await postRecord(gw.baseUrl, sampleXml(CHAN, '201'), { runId: run });
    const done = await callJson(gw.baseUrl, 'POST', `/runs/${run}/complete`, {
      ...ingestAuth,
      body: { patientsSent: 1 },
    });
    expect(done.body).toMatchObject({ swept: false, removed: 0, reason: expect.any(String) });
    expect(await patientKeys()).toHaveLength(2);
  });
});

describe('admin', () => {
  test('delete one patient, then re-derive the rest from their sources', async () => {
    expect(await callJson(gw.baseUrl, 'DELETE', `/records/${TEST_CLINIC}:202`, ingestAuth)).toMatchObject({
      status: 401,
    });
    expect(await callJson(gw.baseUrl, 'DELETE', `/records/${TEST_CLINIC}:202`)).toMatchObject({
      status: 200,
      body: { removed: true },
    });
    expect(await patientKeys()).toEqual([`${TEST_CLINIC}:201`]);

    await db
      .collection('patients')
      .updateOne({ _id: `${TEST_CLINIC}:201` as never }, { $set: { activeMedicationCount: 99 } });
    expect(await callJson(gw.baseUrl, 'POST', '/admin/reimport')).toMatchObject({ status: 202 });
    let reimport: Record<string, unknown> = {};
    for (let i = 0; i < 100 && reimport.state !== 'done'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reimport = (await callJson(gw.baseUrl, 'GET', '/status', { token: null })).body.reimport as Record<
        string,
        unknown
      >;
    }
    expect(reimport).toMatchObject({ state: 'done', total: 1, done: 1, failed: 0 });
    expect(
      (await db.collection('patients').findOne({ _id: `${TEST_CLINIC}:201` as never }))?.activeMedicationCount,
    ).not.toBe(99);
  });

  test('wipe removes every record and counts them', async () => {
    const wiped = await callJson(gw.baseUrl, 'DELETE', '/records?confirm=wipe-all-records');
    expect(wiped.body).toMatchObject({ wiped: true, removed: { patients: 1, sources: 1 }, runsCut: 0 });
    expect(await patientKeys()).toEqual([]);
  });

  test('metrics count ingests by outcome', async () => {
    const text = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    for (const outcome of ['created', 'updated', 'unchanged'])
      expect(text).toMatch(new RegExp(`endpoint_ingest_total\\{outcome="${outcome}"\\} [1-9]`));
    expect(text).toMatch(/endpoint_errors_total\{code="NO_PATIENT_KEY"\} 1/);
  });

  test('the logs of all of this carry no patient names or health numbers', () => {
    const text = log.text();
    expect(text).toContain('document ingested');
    for (const phi of ['CLEESE', 'JOHN', 'DALE', 'CHAN', '448000001', '448000005']) expect(text).not.toContain(phi);
  });
});
