/**
 * The hub cannot grow the gateway's heap (issue 19, item 4): 2,000 queries over HTTPS, each asking
 * for 250 observation codes never seen before, on the real hub listener (memory engine) and the real
 * Mongo-wire server. The heap after a full collection is flat between the 100th and the 2,000th
 * query, and the table of code numbers holds only the stored patients' codes. (`gc` is exposed for
 * this test with v8.setFlagsFromString, so the measure is after a real collection.)
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { makePopulation, REFERENCE_DAY } from '../../bench/hub-population';
import { codeCount } from '../../gateway/hub/cohort';
import { DEFINITION_LIMITS } from '../../gateway/hub/definition';
import { closeHubAgents, hubRequest, settleQuery } from '../reliability/support-hub';
import { openTestMongo } from '../support/services';
import { makeHubTestCerts, type HubTestCerts } from './certs';
import { startTestHub, type TestHub } from './harness';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const QUERIES = 2000;
const WARM_UP = 100;
const IN_FLIGHT = 20;
/** Heap growth allowed between the warm-up and the last query (the leak kept every code: +31 MB over these 1,900 queries). */
const FLAT_BYTES = 16 * 1024 * 1024;

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
let hub: TestHub;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
  await mongo.db.collection<{ _id: string }>('patients').insertMany(makePopulation(200, 11));
  hub = await startTestHub(mongo.db, certs, {
    hubQueryEngine: 'memory',
    minCellSize: '1',
    queryConcurrency: '4',
    hubQueueLimit: '1000',
    hubQueriesOutstanding: '1000',
    hubQueriesPerHour: '100000',
  });
}, 120_000);

afterAll(async () => {
  closeHubAgents();
  await hub?.listener.close();
  certs?.remove();
  await mongo?.drop();
});

/** Observation criteria per query, each of `maxCodes` codes. */
const CRITERIA = 5;

/** A definition of {@link CRITERIA} observation criteria of `maxCodes` codes each, none of them seen before. */
function freshCodes(query: number): unknown {
  const observations = Array.from({ length: CRITERIA }, (_, criterion) => ({
    code: Array.from({ length: DEFINITION_LIMITS.maxCodes }, (_, code) => `Q${query}-${criterion}-${code}`),
    withinMonths: 12,
    lacks: true,
  }));
  return { version: 1, referenceDate: REFERENCE_DAY, population: { observations } };
}

async function runQuery(port: number, query: number): Promise<void> {
  const submitted = await hubRequest(port, certs, 'POST', '/queries', freshCodes(query));
  if (submitted.status !== 202)
    throw new Error(`query ${query}: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const job = await settleQuery(port, certs, String(submitted.body.id));
  if (job.status !== 'complete') throw new Error(`query ${query} ended ${String(job.status)}`);
}

async function runQueries(port: number, from: number, to: number): Promise<void> {
  for (let wave = from; wave < to; wave += IN_FLIGHT) {
    await Promise.all(
      Array.from({ length: Math.min(IN_FLIGHT, to - wave) }, (_, offset) => runQuery(port, wave + offset)),
    );
  }
}

function heapAfterCollection(): number {
  for (let pass = 0; pass < 3; pass++) collectGarbage();
  return process.memoryUsage().heapUsed;
}

test(`${QUERIES} queries of fresh codes leave the heap flat after collection`, async () => {
  const port = hub.listener.address.port;
  await runQueries(port, 0, WARM_UP);
  const codesBefore = codeCount();
  const before = heapAfterCollection();
  const started = Date.now();
  await runQueries(port, WARM_UP, QUERIES);
  const seconds = (Date.now() - started) / 1000;
  const after = heapAfterCollection();
  const growth = after - before;
  process.stderr.write(
    `[hub heap] ${QUERIES - WARM_UP} queries of ${CRITERIA * DEFINITION_LIMITS.maxCodes} fresh codes in ${seconds.toFixed(1)} s: heap after GC ${(before / 1048576).toFixed(1)} MB → ${(after / 1048576).toFixed(1)} MB (${(growth / 1048576).toFixed(1)} MB)\n`,
  );
  expect(codeCount()).toBe(codesBefore);
  expect(growth).toBeLessThan(FLAT_BYTES);
}, 600_000);
