/**
 * Query jobs over HTTPS on the real Mongo-wire server: timeout, cancel (queued and running),
 * audit entries and log lines, held results and their release, restart recovery, draining,
 * retention, and jobs private to the hub that asked.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Db } from 'mongodb';
import { releaseHeldQuery } from '../../gateway/hub/jobs';
import type { StoredPatient } from '../../gateway/store/patient-document';
import { openTestMongo } from '../support/services';
import { makeHubTestCerts, type HubTestCerts } from './certs';
import { startTestHub, type TestHub } from './harness';
import { makePopulation, REFERENCE_DAY } from '../../bench/hub-population';

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
const started: TestHub[] = [];
const SLOW_PATIENTS = 40000;

/** A query that streams every patient through a check in code (no prefilter): slow on a large collection. */
const SLOW_QUERY = { version: 1, population: { observations: [{ code: '9999-9', lacks: true }] }, breakdown: ['ageBand'], referenceDate: REFERENCE_DAY };
const SMALL_QUERY = { version: 1, population: { sex: 'F' }, referenceDate: REFERENCE_DAY };

/** A hub on the store engine (where a query over 40,000 patients takes seconds), unless told otherwise. */
async function hubOn(db: Db, overrides: Parameters<typeof startTestHub>[2] = {}): Promise<TestHub> {
  const hub = await startTestHub(db, certs, { hubQueryEngine: 'store', ...overrides });
  started.push(hub);
  return hub;
}

async function submit(hub: TestHub, body: unknown): Promise<string> {
  const answer = await hub.request('POST', '/queries', body);
  expect(answer.status).toBe(202);
  return (answer.body as { id: string }).id;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
  const patients = mongo.db.collection<{ _id: string }>('patients');
  await patients.insertMany(makePopulation(60, 3));
  const filler = Array.from({ length: SLOW_PATIENTS }, (_, n) => ({ _id: `filler:${n}`, gender: n % 2 ? 'F' : 'M', birthDate: new Date(Date.UTC(1930 + (n % 80), n % 12, 1 + (n % 28))), activeProblemCodes: [], observations: [] }));
  for (let offset = 0; offset < filler.length; offset += 10000) await patients.insertMany(filler.slice(offset, offset + 10000));
}, 120000);

afterAll(async () => {
  for (const hub of started) await hub.listener.close();
  certs?.remove();
  await mongo?.drop();
});

test('a query over its time limit fails with TIMEOUT, and is audited', async () => {
  const hub = await hubOn(mongo.db, { queryTimeoutMs: '100' });
  const id = await submit(hub, SLOW_QUERY);
  const job = await hub.settle(id);
  expect(job).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
  expect(job.durationMs as number).toBeLessThan(5000);
  const audit = await mongo.db.collection('audit').findOne({ queryId: id });
  expect(audit).toMatchObject({ status: 'failed', error: 'TIMEOUT', hubSubject: 'research-hub' });
  expect((await hub.request('GET', `/queries/${id}/result`)).status).toBe(409);
});

test('on the memory engine a query waits for the projection to load: over its time limit it fails with TIMEOUT, within it it answers', async () => {
  const early = await hubOn(mongo.db, { hubQueryEngine: 'memory', queryTimeoutMs: '100' });
  expect(await early.settle(await submit(early, SMALL_QUERY))).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
  const patient = await hubOn(mongo.db, { hubQueryEngine: 'memory', minCellSize: '1' });
  const id = await submit(patient, SMALL_QUERY);
  expect(await patient.settle(id, 60000)).toMatchObject({ status: 'complete' });
  const females = await mongo.db.collection('patients').countDocuments({ gender: 'F' });
  expect(((await patient.request('GET', `/queries/${id}/result`)).body as { total: { value: { numerator: number } } }).total.value.numerator).toBe(females);
});

test('DELETE cancels a queued query and aborts a running one', async () => {
  const hub = await hubOn(mongo.db, { queryTimeoutMs: '60000', queryConcurrency: '1' });
  const running = await submit(hub, SLOW_QUERY);
  const queued = await submit(hub, SLOW_QUERY);
  await until(async () => ((await hub.request('GET', `/queries/${running}`)).body as { status: string }).status === 'running');
  expect(hub.listener.runningQueries()).toBe(1);
  expect(((await hub.request('GET', `/queries/${queued}`)).body as { status: string }).status).toBe('queued');

  const cancelledQueued = await hub.request('DELETE', `/queries/${queued}`);
  expect(cancelledQueued.body).toMatchObject({ status: 'cancelled' });
  const began = Date.now();
  const cancelledRunning = await hub.request('DELETE', `/queries/${running}`);
  expect(cancelledRunning.body).toMatchObject({ status: 'cancelled' });
  expect(Date.now() - began).toBeLessThan(1000);
  expect(hub.listener.runningQueries()).toBe(0);
  for (const id of [running, queued]) {
    expect(await mongo.db.collection('audit').findOne({ queryId: id })).toMatchObject({ status: 'cancelled' });
  }
});

test('a finished query is audited with subject, definition hash, times and cell counts; the log line carries no patient data', async () => {
  const hub = await hubOn(mongo.db, { minCellSize: '5' });
  const id = await submit(hub, { ...SMALL_QUERY, breakdown: ['provider'] });
  expect(await hub.settle(id)).toMatchObject({ status: 'complete' });
  const definition = { ...SMALL_QUERY, breakdown: ['provider'] };
  const audit = await mongo.db.collection('audit').findOne({ queryId: id, event: 'query' });
  expect(audit).toMatchObject({
    hubSubject: 'research-hub',
    definitionHash: createHash('sha256').update(canonical(definition)).digest('hex'),
    definition,
    status: 'complete',
    releaseMode: 'auto',
  });
  expect(audit?.rawCellCount).toBeGreaterThan(1);
  expect(audit?.releasedCellCount).toBeLessThanOrEqual(audit?.rawCellCount);
  expect(typeof audit?.suppressionApplied).toBe('boolean');
  expect(audit?.durationMs).toBeGreaterThanOrEqual(0);
  expect(audit?.finishedAt.getTime()).toBeGreaterThanOrEqual(audit?.submittedAt.getTime());
  const line = hub.logLines.find((text) => text.includes(id) && text.includes('hub query audited'));
  expect(line).toBeDefined();
  expect(line).not.toMatch(/hub-test:\d|filler:\d|birthDate"?:"?\d/);
});

test('held results stay invisible until an admin releases them (admin route and releaseHeldQuery)', async () => {
  const hub = await hubOn(mongo.db, { hubReleaseModes: 'research-hub=hold' });
  const first = await submit(hub, SMALL_QUERY);
  const second = await submit(hub, { ...SMALL_QUERY, population: { sex: 'M' } });
  expect(await hub.settle(first)).toMatchObject({ status: 'held' });
  expect(await hub.settle(second)).toMatchObject({ status: 'held' });
  const hidden = await hub.request('GET', `/queries/${first}/result`);
  expect(hidden.status).toBe(409);
  expect(JSON.stringify(hidden.body)).not.toContain('numerator');
  expect((hidden.body as { message: string }).message).toMatch(/held/);

  const admin = express().use('/admin/queries', hub.listener.adminRouter as express.Router);
  const server = http.createServer(admin).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const listing = (await (await fetch(`http://127.0.0.1:${port}/admin/queries?status=held`)).json()) as { queries: { id: string }[] };
    expect(listing.queries.map((query) => query.id)).toEqual(expect.arrayContaining([first, second]));
    const release = await fetch(`http://127.0.0.1:${port}/admin/queries/${first}/release`, { method: 'POST' });
    expect(release.status).toBe(200);
  } finally {
    server.close();
  }
  const visible = await hub.request('GET', `/queries/${first}/result`);
  expect(visible.status).toBe(200);
  expect(visible.body).toMatchObject({ id: first, total: { key: {} } });
  expect((await hub.request('GET', `/queries/${second}/result`)).status).toBe(409);

  await releaseHeldQuery(mongo.db, second);
  expect((await hub.request('GET', `/queries/${second}/result`)).status).toBe(200);
  await expect(releaseHeldQuery(mongo.db, second)).rejects.toMatchObject({ code: 'CONFLICT' });
  await expect(releaseHeldQuery(mongo.db, '00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  expect(await mongo.db.collection('audit').countDocuments({ queryId: { $in: [first, second] }, event: 'release' })).toBe(2);
});

test('jobs survive a restart; one running at the crash becomes failed, queued ones run; expired ones are removed', async () => {
  const db = mongo.client.db(`${mongo.name}_r`);
  try {
    await db.collection<StoredPatient>('patients').insertMany(makePopulation(40, 5));
    const first = await hubOn(db);
    const id = await submit(first, SMALL_QUERY);
    expect(await first.settle(id)).toMatchObject({ status: 'complete' });
    await first.listener.close();

    const base = { hubSubject: 'research-hub', definition: SMALL_QUERY, definitionHash: 'x', referenceDate: REFERENCE_DAY, releaseMode: 'auto', submittedAt: new Date() };
    const future = new Date(Date.now() + 3600_000);
    await db.collection<{ _id: string; [field: string]: unknown }>('queries').insertMany([
      { _id: '11111111-1111-1111-1111-111111111111', ...base, status: 'running', startedAt: new Date(), expiresAt: future },
      { _id: '22222222-2222-2222-2222-222222222222', ...base, status: 'queued', expiresAt: future },
      { _id: '33333333-3333-3333-3333-333333333333', ...base, status: 'complete', expiresAt: new Date(Date.now() - 1000) },
    ]);
    const second = await hubOn(db);
    expect((await second.request('GET', `/queries/${id}`)).body).toMatchObject({ id, status: 'complete' });
    expect((await second.request('GET', '/queries/11111111-1111-1111-1111-111111111111')).body).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
    expect(await second.settle('22222222-2222-2222-2222-222222222222')).toMatchObject({ status: 'complete' });
    expect((await second.request('GET', '/queries/33333333-3333-3333-3333-333333333333')).status).toBe(404);
  } finally {
    await db.dropDatabase();
  }
});

test('while draining, new queries get 503 with Retry-After; jobs are private to the hub that asked', async () => {
  const hub = await hubOn(mongo.db);
  const id = await submit(hub, SMALL_QUERY);
  hub.draining.value = true;
  const refused = await hub.request('POST', '/queries', SMALL_QUERY);
  expect(refused.status).toBe(503);
  expect(refused.body).toMatchObject({ error: 'DRAINING' });
  expect(refused.headers['retry-after']).toBeDefined();
  expect((await hub.request('GET', `/queries/${id}`, undefined, { client: certs.otherSubject })).status).toBe(404);
  expect((await hub.request('DELETE', `/queries/${id}`, undefined, { client: certs.otherSubject })).status).toBe(404);
});
