/**
 * A hub that cannot wear the gateway down (issue 19, item 5), against the real gateway child
 * process with its HTTPS listener and the real Mongo-wire server. A flood of slow queries fills the
 * queue to its cap and every further one is answered 429 QUERY_QUEUE_FULL with Retry-After, for any
 * hub identity, while ingest and `/livez` stay fast; a queued query is cancelled at once; the audit
 * log line is short whatever the definition. Restarted with 1,000 more queries queued in the store,
 * the gateway answers `/livez` at once, the hub listener soon after, and audit entries past their
 * retention are pruned.
 */
import { randomUUID } from 'node:crypto';
import { REFERENCE_DAY } from '../../bench/hub-population';
import { CLEESE, sampleXml } from '../gateway/support';
import { makeHubTestCerts, type HubTestCerts } from '../hub/certs';
import { openTestMongo } from '../support/services';
import { trackCase } from './record';
import { HOSTILE_SECRETS, send, sleep, startGatewayProcess, watchLivez, type GatewayProcess } from './support-hostile';
import { closeHubAgents, hubRequest, type HubReply } from './support-hub';
import { waitFor } from '../support/wait';

const CLINIC = 'hub-flood-clinic';
const QUEUE_LIMIT = 100;
const FLOOD = 300;
/** Patients a query streams through its checks in code: a query takes seconds on FerretDB. */
const FILLER_PATIENTS = 30_000;
/** Bounds on a loaded 2-core box (unloaded: tens of milliseconds). */
const INGEST_BOUND_MS = 3000;
const LIVEZ_BOUND_MS = 1500;
const CANCEL_BOUND_MS = 1500;
const LIVEZ_AFTER_RESTART_BOUND_MS = 5000;

/** A slow query (no `$match`: every patient checked in code) with a 5 KB definition. */
const SLOW_QUERY = {
  version: 1,
  referenceDate: REFERENCE_DAY,
  population: {
    observations: Array.from({ length: 8 }, (_, criterion) => ({
      code: Array.from({ length: 50 }, (_, code) => `SLOW-${criterion}-${code}`),
      lacks: true,
    })),
  },
};

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
let gateway: GatewayProcess | undefined;

const env = {
  ENDPOINT_HUB_QUERY_ENGINE: 'store',
  ENDPOINT_QUERY_CONCURRENCY: '1',
  ENDPOINT_QUERY_TIMEOUT_MS: '300000',
  ENDPOINT_HUB_QUEUE_LIMIT: String(QUEUE_LIMIT),
  ENDPOINT_HUB_QUERIES_OUTSTANDING: '1000',
  ENDPOINT_HUB_QUERIES_PER_HOUR: '100000',
  ENDPOINT_HUB_ALLOWED_SUBJECTS: 'research-hub,other-hub',
  ENDPOINT_MIN_CELL_SIZE: '1',
  ENDPOINT_LOG_LEVEL: 'info',
};

async function startGateway(): Promise<GatewayProcess> {
  return startGatewayProcess({
    mongoUri: mongo.uri,
    database: mongo.name,
    clinicId: CLINIC,
    tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile },
    env,
  });
}

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
  const patients = mongo.db.collection<{ _id: string }>('patients');
  const filler = Array.from({ length: FILLER_PATIENTS }, (_, n) => ({
    _id: `filler:${n}`,
    clinicId: 'filler',
    gender: n % 2 ? 'F' : 'M',
    birthDate: new Date(Date.UTC(1930 + (n % 80), n % 12, 1 + (n % 28))),
    activeProblemCodes: [],
    observations: [],
  }));
  for (let offset = 0; offset < filler.length; offset += 5000)
    await patients.insertMany(filler.slice(offset, offset + 5000));
  gateway = await startGateway();
}, 180_000);

afterAll(async () => {
  closeHubAgents();
  await gateway?.stop();
  certs?.remove();
  await mongo?.drop();
});

/** Posts a real document to the gateway's ingest route; the answer's time. */
async function ingest(demographicNo: string): Promise<number> {
  const answer = await send(
    gateway!.baseUrl,
    {
      headers: { authorization: `Bearer ${HOSTILE_SECRETS.ingestToken}`, 'content-type': 'application/xml' },
      body: Buffer.from(sampleXml(CLEESE, demographicNo)),
      transport: 'raw',
    },
    30_000,
  );
  expect(answer.status).toBe(201);
  return answer.ms;
}

async function status(): Promise<{ queuedQueries: number; runningQueries: number }> {
  return (await (await fetch(`${gateway!.baseUrl}/status`)).json()) as {
    queuedQueries: number;
    runningQueries: number;
  };
}

test('a flood of queries: 429 past the queue cap, for every hub; ingest and livez fast; a cancel at once; short audit lines', async () => {
  await trackCase('security', 'hub query flood against the queue cap', async () => {
    const port = gateway!.hubPort!;
    const unloadedMs = await ingest('989999'); // the first document of a process warms the reader up
    const livez = watchLivez(gateway!.baseUrl, 50, 5000);
    const ingestMs: number[] = [];
    const ingesting = (async () => {
      for (let n = 0; n < 20; n++) ingestMs.push(await ingest(String(990_000 + n)));
    })();
    const answers: HubReply[] = await Promise.all(
      Array.from({ length: FLOOD }, () => hubRequest(port, certs, 'POST', '/queries', SLOW_QUERY)),
    );
    // Another hub identity, while the queue is full: the cap holds for every hub together.
    const others = await Promise.all(
      Array.from({ length: 10 }, () => hubRequest(port, certs, 'POST', '/queries', SLOW_QUERY, certs.otherSubject)),
    );
    const during = await status();
    await ingesting;
    const live = await livez.stop();

    const accepted = answers.filter((answer) => answer.status === 202);
    const first = await hubRequest(port, certs, 'GET', `/queries/${String(accepted[0].body.id)}`);
    process.stderr.write(
      `[hub flood] ingest ms: ${ingestMs.map(Math.round).join(' ')}; first query ${String(first.body.status)} ${String(first.body.durationMs ?? '')}\n`,
    );

    const refused = answers.filter((answer) => answer.status !== 202);
    expect(accepted.length).toBeGreaterThanOrEqual(QUEUE_LIMIT);
    expect(accepted.length).toBeLessThanOrEqual(QUEUE_LIMIT + 3);
    expect(
      new Set(
        refused.map(
          (answer) =>
            `${answer.status} ${String(answer.body.error)} ${answer.headers['retry-after'] === undefined ? 'no Retry-After' : 'Retry-After'}`,
        ),
      ),
    ).toEqual(new Set(['429 QUERY_QUEUE_FULL Retry-After']));
    expect(during.queuedQueries).toBeLessThanOrEqual(QUEUE_LIMIT);
    const refusedOther = others.filter(
      (answer) => answer.status === 429 && answer.body.error === 'QUERY_QUEUE_FULL',
    ).length;
    expect(refusedOther).toBeGreaterThanOrEqual(8);
    expect(Math.max(...ingestMs)).toBeLessThan(INGEST_BOUND_MS);
    expect(live.failed).toBe(0);
    expect(live.slowestMs).toBeLessThan(LIVEZ_BOUND_MS);

    const queued = String(accepted[accepted.length - 1].body.id);
    const cancel = await hubRequest(port, certs, 'DELETE', `/queries/${queued}`);
    expect(cancel.body).toMatchObject({ status: 'cancelled' });
    expect(cancel.ms).toBeLessThan(CANCEL_BOUND_MS);
    await sleep(200);
    const audited = gateway!
      .logs()
      .split('\n')
      .filter((line) => line.includes('hub query audited'));
    expect(audited.length).toBeGreaterThan(0);
    expect(Math.max(...audited.map((line) => line.length))).toBeLessThan(2000);
    expect(JSON.stringify(SLOW_QUERY).length).toBeGreaterThan(4500);
    return {
      detail: `${accepted.length} of ${FLOOD} accepted, ${refused.length} answered 429; ingest slowest ${Math.round(Math.max(...ingestMs))} ms (first, unloaded: ${Math.round(unloadedMs)} ms), livez slowest ${Math.round(live.slowestMs)} ms; cancel ${Math.round(cancel.ms)} ms; audit line ${Math.max(...audited.map((line) => line.length))} chars`,
    };
  });
}, 300_000);

test('restarted with 1,000 more queries queued: livez at once, the hub listener soon, a cancel at once, old audit entries pruned', async () => {
  await trackCase('security', 'gateway restart with 1,000 queued hub queries', async () => {
    await gateway!.stop();
    const now = Date.now();
    const base = {
      status: 'queued',
      hubSubject: 'research-hub',
      definition: SLOW_QUERY,
      definitionHash: 'x',
      referenceDate: REFERENCE_DAY,
      releaseMode: 'auto',
    };
    const extra = Array.from({ length: 1000 }, (_, n) => ({
      _id: randomUUID(),
      ...base,
      submittedAt: new Date(now - 60_000 + n),
      expiresAt: new Date(now + 3600_000),
    }));
    await mongo.db.collection<{ _id: string }>('queries').insertMany(extra);
    const old = new Date(now - 500 * 24 * 3600_000);
    await mongo.db.collection<{ _id: string }>('audit').insertMany(
      Array.from({ length: 5 }, () => ({
        _id: randomUUID(),
        event: 'query',
        at: old,
        queryId: randomUUID(),
        hubSubject: 'research-hub',
      })),
    );

    gateway = await startGateway();
    const { livezMs, hubMs } = gateway.startup;
    expect(livezMs).toBeLessThan(LIVEZ_AFTER_RESTART_BOUND_MS);
    expect((await hubRequest(gateway.hubPort!, certs, 'GET', '/indicators')).status).toBe(200);
    const waiting = await status();
    expect(waiting.queuedQueries + waiting.runningQueries).toBeGreaterThanOrEqual(1000);
    const cancel = await hubRequest(gateway.hubPort!, certs, 'DELETE', `/queries/${extra[500]._id}`);
    expect(cancel.body).toMatchObject({ status: 'cancelled' });
    expect(cancel.ms).toBeLessThan(CANCEL_BOUND_MS);
    expect(
      await waitFor(
        'the old audit entries to be pruned',
        async () =>
          (await mongo.db.collection('audit').countDocuments({ at: { $lt: new Date(now - 400 * 24 * 3600_000) } })) ===
          0,
        60_000,
        200,
      ),
    ).toBe(true);
    return {
      detail: `livez ${livezMs} ms after spawn, hub listener ${String(hubMs)} ms; cancel among ${(await status()).queuedQueries} queued ${Math.round(cancel.ms)} ms`,
    };
  });
}, 300_000);
