/** Hostile and malformed query bodies over HTTPS: each is refused with a 400 (or 413/415) naming the problem, and nothing is queued. */
import { openTestMongo } from '../support/services';
import { makeHubTestCerts, type HubTestCerts } from './certs';
import { startTestHub, type TestHub } from './harness';

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
let hub: TestHub;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
  hub = await startTestHub(mongo.db, certs);
});

afterAll(async () => {
  await hub?.listener.close();
  certs?.remove();
  await mongo?.drop();
});

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = { inner: value };
  return value;
}

const valid = { version: 1, population: { sex: 'F' } };

const HOSTILE: [string, unknown, RegExp][] = [
  ['$where at the top', { $where: 'sleep(1000)' }, /^\$where is not allowed/],
  ['$function inside the population', { version: 1, population: { $function: { body: 'return true', args: [], lang: 'js' } } }, /population\.\$function is not allowed/],
  ['operator in place of a value', { version: 1, population: { sex: { $ne: 'F' } } }, /population\.sex\.\$ne is not allowed/],
  ['operator key deep in a list', { version: 1, population: { problems: [{ icd9Prefix: '250', $or: [] }] } }, /population\.problems\[0\]\.\$or is not allowed/],
  ['$accumulator in a denominator', { version: 1, population: {}, denominator: { $accumulator: {} } }, /denominator\.\$accumulator is not allowed/],
  ['a bad ICD9 prefix', { version: 1, population: { problems: [{ icd9Prefix: 'abc' }] } }, /population\.problems\[0\]\.icd9Prefix must be 1–7 digits\/dots/],
  ['a regex in a prefix', { version: 1, population: { problems: [{ icd9Prefix: '.*' }] } }, /population\.problems\[0\]\.icd9Prefix must be/],
  ['a huge criteria array', { version: 1, population: { problems: Array.from({ length: 1000 }, () => ({ icd9Prefix: '250' })) } }, /population\.problems must have at most 10 items/],
  ['a huge code list', { version: 1, population: { medications: [{ din: Array.from({ length: 51 }, (_, n) => String(n)) }] } }, /population\.medications\[0\]\.din must have 1–50 items/],
  ['deep nesting', { version: 1, population: nested(20) }, /nested too deeply/],
  ['version as a string', { version: '1', population: {} }, /version must be 1/],
  ['an unknown version', { version: 2, population: {} }, /version must be 1/],
  ['age as a string', { version: 1, population: { age: { min: '65' } } }, /population\.age\.min must be a number, not a string/],
  ['sex as a number', { version: 1, population: { sex: 5 } }, /population\.sex must be a string/],
  ['an unknown field', { version: 1, population: { smoker: true } }, /population\.smoker is not a known field/],
  ['an unknown top-level field', { ...valid, mapReduce: 'function(){}' }, /mapReduce is not a known field/],
  ['no population', { version: 1 }, /population is required/],
  ['a comparator without a value', { version: 1, population: { observations: [{ code: '4548-4', comparator: '>' }] } }, /population\.observations\[0\] must give comparator and value together/],
  ['an unknown comparator', { version: 1, population: { observations: [{ code: '4548-4', comparator: '!=', value: 7 }] } }, /population\.observations\[0\]\.comparator must be one of/],
  ['both ATC and DIN', { version: 1, population: { medications: [{ atcPrefix: 'R03', din: '02242903' }] } }, /population\.medications\[0\] must have exactly one of atcPrefix, din/],
  ['an impossible date', { ...valid, referenceDate: '2026-02-30' }, /referenceDate must be a real calendar date/],
  ['min above max', { version: 1, population: { age: { min: 70, max: 60 } } }, /population\.age\.min must not exceed population\.age\.max/],
  ['an unknown breakdown', { ...valid, breakdown: ['postalPrefix'] }, /breakdown\[0\] must be one of/],
  ['a prototype key', JSON.parse('{"version":1,"population":{"__proto__":{"polluted":true}}}'), /population\.__proto__ is not allowed/],
  ['an array body', [valid], /body must be a JSON object/],
  ['an unknown indicator', { indicator: 'no-such-indicator' }, /indicator "no-such-indicator" is not in the library/],
  ['an indicator with a definition mixed in', { indicator: 'polypharmacy-65', population: {} }, /population is not a known field/],
];

test.each(HOSTILE)('%s → 400 INVALID_QUERY naming the problem', async (_name, body, message) => {
  const answer = await hub.request('POST', '/queries', body);
  expect(answer.status).toBe(400);
  expect(answer.body).toMatchObject({ error: 'INVALID_QUERY' });
  expect((answer.body as { message: string }).message).toMatch(message);
});

test('a body that is not JSON → 400', async () => {
  const answer = await hub.request('POST', '/queries', undefined, { rawBody: '{"version": 1, population' });
  expect(answer.status).toBe(400);
  expect(answer.body).toMatchObject({ error: 'INVALID_QUERY', message: 'body is not valid JSON' });
});

test('a body over the size limit → 413', async () => {
  const answer = await hub.request('POST', '/queries', { ...valid, padding: 'x'.repeat(40 * 1024) });
  expect(answer.status).toBe(413);
  expect(answer.body).toMatchObject({ error: 'BODY_TOO_LARGE' });
});

test('a body that is not application/json → 415', async () => {
  const answer = await hub.request('POST', '/queries', undefined, { rawBody: JSON.stringify(valid), contentType: 'text/plain' });
  expect(answer.status).toBe(415);
});

test('no refused body was queued; a valid one is', async () => {
  expect(await mongo.db.collection('queries').countDocuments()).toBe(0);
  const answer = await hub.request('POST', '/queries', valid);
  expect(answer.status).toBe(202);
  expect(await mongo.db.collection('queries').countDocuments()).toBe(1);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});
