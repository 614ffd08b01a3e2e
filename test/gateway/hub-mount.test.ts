/**
 * The gateway with a TLS certificate configured starts the hub's HTTPS listener beside the
 * local one: ingest and admin are absent on HTTPS, the hub's admin router sits behind the
 * admin token at /admin/queries on the local listener, and /status reports running queries.
 * (Certificates from the hub tests' openssl helper.)
 */
import https from 'node:https';
import { makeHubTestCerts, type HubTestCerts } from '../hub/certs';
import { CHAN, TEST_SECRETS, callJson, sampleXml, startTestGateway, type TestGateway } from './support';

let certs: HubTestCerts;
let gw: TestGateway;

beforeAll(async () => {
  certs = makeHubTestCerts();
  gw = await startTestGateway(__filename, { overrides: { tlsCert: certs.serverCertFile, tlsKey: certs.serverKeyFile, hubCa: certs.caFile, hubHost: '127.0.0.1', hubPort: '0' } });
}, 60000);
afterAll(async () => {
  await gw?.close();
  certs?.remove();
});

function overHttps(method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: '127.0.0.1', port: gw.gateway.hubAddress?.port, method, path, ca: certs.ca, cert: certs.hub.cert, key: certs.hub.key, agent: false, headers: { authorization: `Bearer ${TEST_SECRETS.adminToken}`, 'content-type': 'application/xml' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

test('the hub listener runs, without ingest or admin routes', async () => {
  expect(gw.gateway.hubAddress?.port).toBeGreaterThan(0);
  expect(await overHttps('POST', '/records', sampleXml(CHAN, '9'))).toBe(404);
  expect(await overHttps('DELETE', '/records?confirm=wipe-all-records')).toBe(404);
  expect(await overHttps('POST', '/admin/drain')).toBe(404);
  expect(await overHttps('GET', '/readyz')).toBe(404);
});

test("the hub's admin router is behind the admin token on the local listener", async () => {
  expect((await callJson(gw.baseUrl, 'GET', '/admin/queries', { token: null })).status).toBe(401);
  expect((await callJson(gw.baseUrl, 'GET', '/admin/queries', { token: TEST_SECRETS.ingestToken })).status).toBe(401);
  expect((await callJson(gw.baseUrl, 'GET', '/admin/queries')).status).toBe(200);
  expect((await callJson(gw.baseUrl, 'GET', '/status', { token: null })).body.runningQueries).toBe(0);
});
