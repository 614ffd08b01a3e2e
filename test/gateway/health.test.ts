/**
 * Health, auth and the errors that need no document reader: livez, readyz, status, metrics,
 * drain/undrain, 401, 415, 413, unknown runs, wipe confirmation.
 */
import { PATIENT_INDEXES } from '../../gateway/store/connect';
import {
  CHAN,
  CLEESE,
  TEST_SECRETS,
  callJson,
  postRecord,
  sampleXml,
  startTestGateway,
  type TestGateway,
} from './support';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(__filename, { overrides: { maxBodyBytes: '100000' } });
});
afterAll(async () => {
  await gw.close();
});

describe('health contract', () => {
  test('livez answers {"status":"ok"}', async () => {
    const response = await fetch(`${gw.baseUrl}/livez`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('readyz is ready with the store up, and 503 with a reason while draining', async () => {
    expect(await callJson(gw.baseUrl, 'GET', '/readyz', { token: null })).toMatchObject({
      status: 200,
      body: { ready: true },
    });
    expect(await callJson(gw.baseUrl, 'POST', '/admin/drain')).toMatchObject({ status: 200, body: { draining: true } });
    const drained = await callJson(gw.baseUrl, 'GET', '/readyz', { token: null });
    expect(drained.status).toBe(503);
    expect(drained.body).toEqual({ ready: false, reasons: ['draining'] });
    const refused = await postRecord(gw.baseUrl, sampleXml(CHAN));
    expect(refused.status).toBe(503);
    expect(refused.body.error).toBe('DRAINING');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await callJson(gw.baseUrl, 'POST', '/admin/undrain')).toMatchObject({
      status: 200,
      body: { draining: false },
    });
    expect(await callJson(gw.baseUrl, 'GET', '/readyz', { token: null })).toMatchObject({
      status: 200,
      body: { ready: true },
    });
  });

  test('status has every field of the contract and counters that grow', async () => {
    const first = await callJson(gw.baseUrl, 'GET', '/status', { token: null });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(
      [
        'version',
        'commit',
        'startedAt',
        'uptimeSeconds',
        'draining',
        'importsInFlight',
        'runningQueries',
        'queuedQueries',
        'queryEngine',
        'progress',
        'lastRun',
        'patientCount',
        'reimport',
      ].sort(),
    );
    expect(first.body).toMatchObject({
      draining: false,
      importsInFlight: 0,
      runningQueries: 0,
      queryEngine: null,
      patientCount: 0,
    });
    expect(typeof first.body.commit === 'string' || first.body.commit === null).toBe(true);
    const second = await callJson(gw.baseUrl, 'GET', '/status', { token: null });
    const progress = (answer: typeof first): number =>
      (answer.body.progress as { requestsCompleted: number }).requestsCompleted;
    expect(progress(second)).toBeGreaterThan(progress(first));
  });

  test('metrics are Prometheus text with errors by code and event-loop lag', async () => {
    await postRecord(gw.baseUrl, '<x/>', { token: 'wrong' });
    const response = await fetch(`${gw.baseUrl}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/endpoint_errors_total\{code="UNAUTHORIZED"\} \d+/);
    expect(text).toContain('endpoint_event_loop_lag_seconds');
    expect(text).toContain('endpoint_ingest_duration_seconds_bucket{le="+Inf"}');
    expect(text).toContain('endpoint_imports_in_flight 0');
  });
});

describe('store', () => {
  test('every index the hub queries need is created (and accepted by the Mongo-wire server)', async () => {
    let names: string[] = [];
    for (let i = 0; i < 50 && names.length < PATIENT_INDEXES.length + 1; i += 1) {
      names = (await gw.db.collection('patients').indexes()).map((index) => String(index.name));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(names.sort()).toEqual(['_id_', ...PATIENT_INDEXES.map((index) => String(index.name))].sort());
  });
});

describe('refusals', () => {
  test('401 without a token, with a wrong one, and with the admin token on ingest', async () => {
    for (const token of [null, 'wrong', TEST_SECRETS.adminToken]) {
      const refused = await postRecord(gw.baseUrl, sampleXml(CHAN), { token });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual({ error: 'UNAUTHORIZED', message: expect.any(String) });
    }
    const adminWithIngest = await callJson(gw.baseUrl, 'POST', '/admin/drain', { token: TEST_SECRETS.ingestToken });
    expect(adminWithIngest.status).toBe(401);
  });

  test('415 for JSON and for no content type', async () => {
    const json = await postRecord(gw.baseUrl, '{"a":1}', { contentType: 'application/json' });
    expect(json.status).toBe(415);
    expect(json.body.error).toBe('UNSUPPORTED_MEDIA_TYPE');
    const none = await fetch(`${gw.baseUrl}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.ingestToken}` },
      body: new Uint8Array(Buffer.from('<a/>')),
    });
    expect(none.status).toBe(415);
  });

  test('413 for a body over the limit, declared or streamed', async () => {
    const big = Buffer.alloc(200_000, 'a');
    const declared = await postRecord(gw.baseUrl, big);
    expect(declared.status).toBe(413);
    expect(declared.body.error).toBe('BODY_TOO_LARGE');
    const chunks = async function* (): AsyncGenerator<Buffer> {
      for (let i = 0; i < 20; i += 1) yield Buffer.alloc(10_000, 'b');
    };
    const streamed = await fetch(`${gw.baseUrl}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.ingestToken}`, 'content-type': 'application/xml' },
      body: chunks() as never,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const form = new FormData();
    form.set('content', sampleXml(CLEESE));
    const multipart = await fetch(`${gw.baseUrl}/records`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.ingestToken}` },
      body: form,
    });
    expect(multipart.status).toBe(413);
    expect(((await streamed.json()) as { error: string }).error).toBe('BODY_TOO_LARGE');
  });

  test('unknown routes 404 as JSON; an unknown run is refused', async () => {
    expect(await callJson(gw.baseUrl, 'GET', '/nothing-here')).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
    const unknownRun = await postRecord(gw.baseUrl, sampleXml(CHAN), { runId: 'no-such-run' });
    expect(unknownRun.status).toBe(404);
    expect(unknownRun.body.error).toBe('NOT_FOUND');
  });

  test('a run needs a valid mode and patientsSent', async () => {
    const bad = await callJson(gw.baseUrl, 'POST', '/runs', {
      token: TEST_SECRETS.ingestToken,
      body: { mode: 'sometimes' },
    });
    expect(bad).toMatchObject({ status: 400, body: { error: 'INVALID_REQUEST' } });
    const run = await callJson(gw.baseUrl, 'POST', '/runs', {
      token: TEST_SECRETS.ingestToken,
      body: { mode: 'full' },
    });
    expect(run.status).toBe(201);
    const noCount = await callJson(gw.baseUrl, 'POST', `/runs/${String(run.body.runId)}/complete`, {
      token: TEST_SECRETS.ingestToken,
      body: {},
    });
    expect(noCount).toMatchObject({ status: 400, body: { error: 'INVALID_REQUEST' } });
    const broken = await fetch(`${gw.baseUrl}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.ingestToken}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toBe('INVALID_REQUEST');
  });

  test('wipe needs the admin token and the confirmation', async () => {
    expect(
      await callJson(gw.baseUrl, 'DELETE', '/records?confirm=wipe-all-records', { token: TEST_SECRETS.ingestToken }),
    ).toMatchObject({ status: 401 });
    expect(await callJson(gw.baseUrl, 'DELETE', '/records')).toMatchObject({
      status: 400,
      body: { error: 'INVALID_REQUEST' },
    });
    expect(await callJson(gw.baseUrl, 'DELETE', '/records?confirm=yes')).toMatchObject({ status: 400 });
    expect(await callJson(gw.baseUrl, 'DELETE', '/records?confirm=wipe-all-records')).toMatchObject({
      status: 200,
      body: { wiped: true, removed: { patients: 0, sources: 0 } },
    });
    expect(await callJson(gw.baseUrl, 'DELETE', '/records/test-clinic:404')).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND' },
    });
  });
});
