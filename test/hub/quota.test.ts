/**
 * Each hub identity's share of the queue (issue 19, item 5), over HTTPS on the real hub listener
 * and the real Mongo-wire server: at most `hubQueriesOutstanding` queued or running and at most
 * `hubQueriesPerHour` submitted in an hour, past which the answer is 429 QUERY_QUOTA_EXCEEDED with
 * Retry-After and nothing is stored; another identity keeps its own share.
 */
import { REFERENCE_DAY } from '../../bench/hub-population';
import { openTestMongo } from '../support/services';
import { makeHubTestCerts, type HubTestCerts } from './certs';
import { startTestHub, type HubAnswer, type TestHub } from './harness';

/** Patients a query streams through a check in code on the store engine: the queries stay queued for the test. */
const FILLER_PATIENTS = 20_000;
const SLOW_QUERY = {
  version: 1,
  population: { observations: [{ code: '9999-9', lacks: true }] },
  referenceDate: REFERENCE_DAY,
};

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
let hub: TestHub;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
  const patients = mongo.db.collection<{ _id: string }>('patients');
  const filler = Array.from({ length: FILLER_PATIENTS }, (_, n) => ({
    _id: `filler:${n}`,
    gender: n % 2 ? 'F' : 'M',
    observations: [],
  }));
  for (let offset = 0; offset < filler.length; offset += 5000)
    await patients.insertMany(filler.slice(offset, offset + 5000));
  hub = await startTestHub(mongo.db, certs, {
    hubQueryEngine: 'store',
    queryConcurrency: '1',
    queryTimeoutMs: '120000',
    hubQueueLimit: '50',
    hubQueriesOutstanding: '3',
    hubQueriesPerHour: '5',
  });
}, 120_000);

afterAll(async () => {
  await hub?.listener.close();
  certs?.remove();
  await mongo?.drop();
});

async function submit(client = certs.hub): Promise<HubAnswer> {
  return hub.request('POST', '/queries', SLOW_QUERY, { client });
}

const idOf = (answer: HubAnswer): string => (answer.body as { id: string }).id;

test('three outstanding per hub, then 429 with Retry-After; another hub has its own share; five an hour', async () => {
  const first = await Promise.all([submit(), submit(), submit()]);
  expect(first.map((answer) => answer.status)).toEqual([202, 202, 202]);
  const stored = await mongo.db.collection('queries').countDocuments({});

  const over = await submit();
  expect({ status: over.status, error: (over.body as { error: string }).error }).toEqual({
    status: 429,
    error: 'QUERY_QUOTA_EXCEEDED',
  });
  expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  expect(await mongo.db.collection('queries').countDocuments({})).toBe(stored);
  expect((await submit(certs.otherSubject)).status).toBe(202);

  // A cancelled query gives its place back; the hour still counts it (3 so far, then 4 and 5).
  let last = first[2];
  for (let submitted = 4; submitted <= 5; submitted++) {
    expect((await hub.request('DELETE', `/queries/${idOf(last)}`)).body).toMatchObject({ status: 'cancelled' });
    last = await submit();
    expect({ submitted, status: last.status }).toEqual({ submitted, status: 202 });
  }
  await hub.request('DELETE', `/queries/${idOf(last)}`);
  const hourly = await submit();
  expect({ status: hourly.status, error: (hourly.body as { error: string }).error }).toEqual({
    status: 429,
    error: 'QUERY_QUOTA_EXCEEDED',
  });
  expect((hourly.body as { message: string }).message).toMatch(/5 queries in the last hour/);
  expect(Number(hourly.headers['retry-after'])).toBeGreaterThan(3000);
}, 120_000);
