/**
 * Large text nodes sent four at once to the real gateway, a child process (issue 19, item 6): one
 * 19 MB text node in a given name cost 0.75–1.1 GB of resident memory per document and four at once
 * reached 1,148 MB. Four refused documents (one 19 MB node each) and four accepted ones (19 MB of
 * text in nodes under the limit) each keep the gateway's peak (VmHWM) under the hostile suite's
 * 400 MB bound, with `/livez` answering throughout.
 */
import { sampleXml, CLEESE } from '../gateway/support';
import { openTestMongo } from '../support/services';
import { trackCase } from './record';
import {
  HOSTILE_SECRETS,
  memoryOf,
  resetPeak,
  send,
  startGatewayProcess,
  watchLivez,
  type GatewayProcess,
} from './support-hostile';

const CLINIC = 'hostile-text-clinic';
/** The hostile suite's bound (hostile.test.ts): the gateway's resident memory whatever the input. */
const MEMORY_BOUND_BYTES = 400 * 1024 * 1024;
const LIVEZ_BOUND_MS = 3000;
const AT_ONCE = 4;

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let gateway: GatewayProcess;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  gateway = await startGatewayProcess({ mongoUri: mongo.uri, database: mongo.name, clinicId: CLINIC });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await mongo?.drop();
});

/** One 19 MB text node in the first given name. */
function oneHugeNode(demographicNo: string): Buffer {
  return Buffer.from(
    sampleXml(CLEESE, demographicNo).replace(/<given>[^<]*<\/given>/, `<given>${'A'.repeat(19_000_000)}</given>`),
  );
}

/** 19 MB of text in given names of 250,000 characters (each under the limit). */
function manyNodesUnderTheLimit(demographicNo: string): Buffer {
  return Buffer.from(
    sampleXml(CLEESE, demographicNo).replace(
      /<given>[^<]*<\/given>/,
      `<given>${'G'.repeat(250_000)}</given>`.repeat(76),
    ),
  );
}

async function fourAtOnce(
  bodies: Buffer[],
): Promise<{ statuses: number[]; errors: unknown[]; peakMb: number; slowestMs: number; slowestLivezMs: number }> {
  resetPeak(gateway.pid);
  const livez = watchLivez(gateway.baseUrl, 100, LIVEZ_BOUND_MS);
  const headers = { authorization: `Bearer ${HOSTILE_SECRETS.ingestToken}`, 'content-type': 'application/xml' };
  const answers = await Promise.all(
    bodies.map((body) => send(gateway.baseUrl, { headers, body, transport: 'raw' }, 60_000)),
  ).finally(() => livez.stop());
  const live = await livez.stop();
  const peak = memoryOf(gateway.pid).peak;
  expect(live).toMatchObject({ failed: 0 });
  expect(live.slowestMs).toBeLessThan(LIVEZ_BOUND_MS);
  expect(peak).toBeLessThan(MEMORY_BOUND_BYTES);
  return {
    statuses: answers.map((answer) => answer.status),
    errors: answers.map((answer) => (JSON.parse(answer.text) as { error?: unknown }).error),
    peakMb: Math.round(peak / 1048576),
    slowestMs: Math.round(Math.max(...answers.map((answer) => answer.ms))),
    slowestLivezMs: Math.round(live.slowestMs),
  };
}

test('four 19 MB text nodes at once are refused as hostile, under the memory bound', async () => {
  await trackCase('hostile', 'four documents with a 19 MB text node at once', async () => {
    const figures = await fourAtOnce(Array.from({ length: AT_ONCE }, (_, n) => oneHugeNode(String(880_060 + n))));
    expect(figures.statuses).toEqual([400, 400, 400, 400]);
    expect(figures.errors).toEqual(['HOSTILE_XML', 'HOSTILE_XML', 'HOSTILE_XML', 'HOSTILE_XML']);
    expect(await mongo.db.collection('patients').countDocuments({})).toBe(0);
    return {
      detail: `peak ${figures.peakMb} MB, slowest answer ${figures.slowestMs} ms, slowest livez ${figures.slowestLivezMs} ms`,
    };
  });
}, 120_000);

test('four documents of 19 MB of text in nodes under the limit at once are stored, under the memory bound', async () => {
  await trackCase('hostile', 'four documents of 19 MB of text (nodes under the limit) at once', async () => {
    const figures = await fourAtOnce(
      Array.from({ length: AT_ONCE }, (_, n) => manyNodesUnderTheLimit(String(880_070 + n))),
    );
    expect(figures.statuses).toEqual([201, 201, 201, 201]);
    expect(await mongo.db.collection('patients').countDocuments({})).toBe(AT_ONCE);
    return {
      detail: `peak ${figures.peakMb} MB, slowest answer ${figures.slowestMs} ms, slowest livez ${figures.slowestLivezMs} ms`,
    };
  });
}, 120_000);
