/**
 * The memory engine's projection follows the gateway's writes: patients created, changed,
 * deleted, wiped and swept by a full run show in the hub's counts at once, with no reload
 * from the store; a write told while the projection scans survives the swap.
 */
import https from 'node:https';
import { createLogger } from '../../core/logger';
import { QueryProjection } from '../../gateway/hub/projection';
import type { StoredPatient } from '../../gateway/store/patient-document';
import { makeHubTestCerts, type HubTestCerts } from '../hub/certs';
import { openTestMongo } from '../support/services';
import { CHAN, CLEESE, TEST_CLINIC, callJson, postRecord, sampleXml, startTestGateway, type TestGateway } from './support';

let certs: HubTestCerts;
let gw: TestGateway;

beforeAll(async () => {
  certs = makeHubTestCerts();
  gw = await startTestGateway(__filename, {
    overrides: { tlsCert: certs.serverCertFile, tlsKey: certs.serverKeyFile, hubCa: certs.caFile, hubHost: '127.0.0.1', hubPort: '0', hubQueryEngine: 'memory', minCellSize: '1' },
  });
}, 60000);
afterAll(async () => {
  await gw?.close();
  certs?.remove();
});

function overHttps(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      { host: '127.0.0.1', port: gw.gateway.hubAddress?.port, method, path, ca: certs.ca, cert: certs.hub.cert, key: certs.hub.key, agent: false, headers: { 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** The hub's count of a population, through the HTTPS API. */
async function hubCount(population: Record<string, unknown> = {}): Promise<number> {
  const submitted = await overHttps('POST', '/queries', { version: 1, population, referenceDate: '2026-06-30' });
  expect(submitted.status).toBe(202);
  const id = submitted.body.id as string;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const job = await overHttps('GET', `/queries/${id}`);
    if (job.body.status === 'complete') break;
    expect(['queued', 'running']).toContain(job.body.status);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await overHttps('GET', `/queries/${id}/result`);
  return (result.body as { total: { value: { numerator: number } } }).total.value.numerator;
}

test('created, changed and deleted patients show in the counts at once; a wipe empties them', async () => {
  expect(await hubCount()).toBe(0);
  for (const n of ['1', '2', '3']) expect((await postRecord(gw.baseUrl, sampleXml(CLEESE, n))).status).toBe(201);
  expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '4'))).status).toBe(201);
  expect(await hubCount()).toBe(4);
  expect((await callJson(gw.baseUrl, 'GET', '/status', { token: null })).body.queryEngine).toMatchObject({ engine: 'memory', projection: { state: 'ready', patients: 4 } });
  const males = await hubCount({ sex: 'M' });
  expect(males).toBe(await gw.db.collection('patients').countDocuments({ gender: 'M' }));

  // A changed document for patient 4 (John Cleese's chart under Dale Chan's number): the counts follow.
  expect((await postRecord(gw.baseUrl, sampleXml(CLEESE, '4'))).status).toBe(200);
  expect(await hubCount({ sex: 'M' })).toBe(await gw.db.collection('patients').countDocuments({ gender: 'M' }));

  expect((await callJson(gw.baseUrl, 'DELETE', `/records/${TEST_CLINIC}:2`)).status).toBe(200);
  expect(await hubCount()).toBe(3);
  expect((await callJson(gw.baseUrl, 'DELETE', '/records?confirm=wipe-all-records')).status).toBe(200);
  expect(await hubCount()).toBe(0);
});

test('a full run that completes removes the patients it did not send from the counts', async () => {
  for (const n of ['11', '12', '13']) expect((await postRecord(gw.baseUrl, sampleXml(CHAN, n))).status).toBe(201);
  expect(await hubCount()).toBe(3);
  const run = await callJson(gw.baseUrl, 'POST', '/runs', { body: { mode: 'full' }, token: 'ingest-token-for-tests' });
  expect(run.status).toBe(201);
  const runId = run.body.runId as string;
  for (const n of ['11', '13']) expect((await postRecord(gw.baseUrl, sampleXml(CHAN, n), { runId })).status).toBe(200);
  const completed = await callJson(gw.baseUrl, 'POST', `/runs/${runId}/complete`, { body: { patientsSent: 2 }, token: 'ingest-token-for-tests' });
  expect(completed.status).toBe(200);
  expect(await gw.db.collection('patients').countDocuments({})).toBe(2);
  expect(await hubCount()).toBe(2);
});

test('a write told while the projection scans the store survives the swap; a stale entry is refreshed when its document is confirmed', async () => {
  const mongo = await openTestMongo(__filename);
  try {
    const rows = Array.from({ length: 3000 }, (_, n) => ({ _id: `c:${n}`, gender: 'F', sourceHash: `h${n}`, activeProblemCodes: [], activeMedicationAtc: [], activeMedicationDin: [], observations: [], immunizations: [] }));
    await mongo.db.collection<{ _id: string }>('patients').insertMany(rows);
    const projection = new QueryProjection(mongo.db.collection('patients'), createLogger({ level: 'silent' }));
    projection.start();
    expect(projection.state).toBe('loading');
    // Told during the scan: one new patient (never in the store), one removal of a scanned one.
    projection.stored({ _id: 'c:new', gender: 'M', activeProblemCodes: [], activeMedicationAtc: [], activeMedicationDin: [], observations: [], immunizations: [] } as unknown as StoredPatient);
    projection.removed(['c:0']);
    await projection.whenReady();
    expect(projection.size).toBe(3000);
    const ids = new Set([...projection.values()].map((patient) => patient.id));
    expect(ids.has('c:new')).toBe(true);
    expect(ids.has('c:0')).toBe(false);

    // The store changed behind the projection's back (a write whose answer was lost); a confirm of the stored hash repairs it.
    await mongo.db.collection<{ _id: string }>('patients').updateOne({ _id: 'c:5' }, { $set: { gender: 'M', sourceHash: 'changed' } });
    projection.confirmed('c:5', 'changed');
    for (let attempt = 0; attempt < 100 && [...projection.values()].find((p) => p.id === 'c:5')?.gender !== 'M'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    expect([...projection.values()].find((p) => p.id === 'c:5')?.gender).toBe('M');
    projection.close();
  } finally {
    await mongo.drop();
  }
});
