/** The hub listener's mutual TLS, allow-list and route surface, over real TLS with openssl-made certificates. */
import { openTestMongo } from '../support/services';
import { makeHubTestCerts, type HubTestCerts } from './certs';
import { startTestHub, type TestHub } from './harness';

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
let hub: TestHub;
let restricted: TestHub;

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
  hub = await startTestHub(mongo.db, certs);
  restricted = await startTestHub(mongo.db, certs, { hubAllowedSubjects: 'research-hub' });
});

afterAll(async () => {
  await hub?.listener.close();
  await restricted?.listener.close();
  certs?.remove();
  await mongo?.drop();
});

describe('mutual TLS', () => {
  test('a client without a certificate cannot complete the handshake', async () => {
    await expect(hub.request('GET', '/indicators', undefined, { client: null })).rejects.toThrow(/alert|certificate|socket hang up|ECONNRESET|EPIPE/i);
  });

  test('a client certificate from another CA is refused', async () => {
    await expect(hub.request('GET', '/indicators', undefined, { client: certs.foreign })).rejects.toThrow(/alert|certificate|socket hang up|ECONNRESET|EPIPE/i);
  });

  test('an expired client certificate from the hub CA is refused', async () => {
    await expect(hub.request('GET', '/indicators', undefined, { client: certs.expired })).rejects.toThrow(/alert|certificate|socket hang up|ECONNRESET|EPIPE/i);
  });

  test('a valid hub certificate gets the indicator library', async () => {
    const answer = await hub.request('GET', '/indicators');
    expect(answer.status).toBe(200);
    const names = (answer.body as { indicators: { name: string }[] }).indicators.map((indicator) => indicator.name);
    expect(names).toEqual(expect.arrayContaining(['diabetes-hba1c-12m', 'polypharmacy-65', 'hypertension-bp-12m', 'copd-inhaler']));
  });

  test('a subject not on the allow-list gets 403; one on it gets through', async () => {
    const refused = await restricted.request('GET', '/indicators', undefined, { client: certs.otherSubject });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'FORBIDDEN' });
    expect((await restricted.request('GET', '/indicators')).status).toBe(200);
  });
});

describe('only the hub API is mounted', () => {
  test.each([
    ['POST', '/records'],
    ['POST', '/runs'],
    ['DELETE', '/records'],
    ['POST', '/admin/drain'],
    ['POST', '/admin/queries/x/release'],
    ['GET', '/status'],
    ['GET', '/livez'],
  ])('%s %s answers 404 JSON', async (method, path) => {
    const answer = await hub.request(method, path, method === 'GET' ? undefined : {});
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: 'NOT_FOUND' });
  });

  test('GET /openapi.json describes the hub API', async () => {
    const answer = await hub.request('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const document = answer.body as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/queries', '/queries/{id}', '/queries/{id}/result', '/indicators']));
  });
});
