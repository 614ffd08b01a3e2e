/**
 * The store goes away mid-ingest: a FerretDB of this test's own is killed while documents
 * stream in. Every answer is a success or a 503 with Retry-After (never a 500), livez keeps
 * answering, readyz says why it is not ready, and when the same store comes back on the same
 * port the gateway serves again and every stored patient is whole.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureFerretDbBinary, freePort, waitForMongo } from '../../dev/services/mongo';
import { CHAN, callJson, logCapture, postRecord, sampleXml, startTestGateway, type TestGateway } from './support';

let dataDir: string;
let port: number;
let ferret: ChildProcess | undefined;
let gw: TestGateway;
let client: MongoClient;
const log = logCapture();

async function startFerret(): Promise<void> {
  const bin = await ensureFerretDbBinary();
  ferret = spawn(bin, ['--handler=sqlite', `--sqlite-url=file:${dataDir}/`, `--state-dir=${dataDir}`, `--listen-addr=127.0.0.1:${port}`, '--debug-addr=127.0.0.1:0', '--telemetry=disable', '--log-level=error'], { stdio: 'ignore' });
  await waitForMongo(`mongodb://127.0.0.1:${port}/`, 20000);
}

async function killFerret(): Promise<void> {
  const child = ferret;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'gw-storedown-'));
  port = await freePort();
  await startFerret();
  const uri = `mongodb://127.0.0.1:${port}/`;
  client = await MongoClient.connect(uri);
  gw = await startTestGateway(__filename, { logStream: log.stream, overrides: { mongodbTimeoutMs: '800', retryAfterSeconds: '7' }, mongo: { uri, database: 'storedown', db: client.db('storedown') } });
}, 60000);

afterAll(async () => {
  await gw?.close();
  await client?.close();
  await killFerret();
  rmSync(dataDir, { recursive: true, force: true });
});

test('503 with Retry-After while the store is down, nothing partial, and recovery when it is back', async () => {
  expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '1'))).status).toBe(201);

  const sends = Array.from({ length: 30 }, (_, i) => postRecord(gw.baseUrl, sampleXml(CHAN, String(100 + i))));
  await new Promise((resolve) => setTimeout(resolve, 30));
  await killFerret();
  const answers = await Promise.all(sends);
  for (const answer of answers) {
    expect([200, 201, 503]).toContain(answer.status);
    if (answer.status === 503) {
      expect(answer.body).toEqual({ error: 'STORE_UNAVAILABLE', message: expect.any(String) });
      expect(answer.headers.get('retry-after')).toBe('7');
    }
  }
  expect(log.text()).not.toContain('"code":"INTERNAL"');
  const down = await postRecord(gw.baseUrl, sampleXml(CHAN, '2'));
  expect(down.status).toBe(503);
  expect(down.headers.get('retry-after')).toBe('7');

  expect((await fetch(`${gw.baseUrl}/livez`)).status).toBe(200);
  const ready = await callJson(gw.baseUrl, 'GET', '/readyz', { token: null });
  expect(ready.status).toBe(503);
  expect(ready.body.reasons).toEqual([expect.stringMatching(/^store unreachable/)]);
  expect((await callJson(gw.baseUrl, 'GET', '/status', { token: null })).body.patientCount).toBeNull();

  await startFerret();
  let readyAgain = 503;
  for (let i = 0; i < 40 && readyAgain !== 200; i += 1) {
    readyAgain = (await callJson(gw.baseUrl, 'GET', '/readyz', { token: null })).status;
    if (readyAgain !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(readyAgain).toBe(200);
  expect((await postRecord(gw.baseUrl, sampleXml(CHAN, '2'))).status).toBe(201);

  const patients = await client.db('storedown').collection('patients').find().toArray();
  for (const patient of patients) {
    expect(patient).toMatchObject({ clinicId: 'test-clinic', sourceHash: expect.stringMatching(/^[0-9a-f]{64}$/), activeMedicationCount: expect.any(Number), createdAt: expect.any(Date) });
    expect(Array.isArray(patient.observations)).toBe(true);
  }
  const succeeded = answers.filter((a) => a.status !== 503).map((a) => String(a.body.patientKey));
  const storedKeys = patients.map((p) => String(p._id));
  for (const key of succeeded) expect(storedKeys).toContain(key);
}, 90000);
