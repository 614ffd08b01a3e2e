/**
 * A request that does not finish within ENDPOINT_REQUEST_TIMEOUT_MS (here a client that
 * stops sending its body) gets 504 TIMEOUT as JSON, and the gateway keeps serving.
 */
import http from 'node:http';
import { TEST_SECRETS, startTestGateway, type TestGateway } from './support';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(__filename, { overrides: { requestTimeoutMs: '300' } });
});
afterAll(async () => {
  await gw.close();
});

test('a stalled upload is answered 504 TIMEOUT', async () => {
  const port = gw.gateway.localAddress.port;
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/records', headers: { 'content-type': 'application/xml', 'content-length': 5000, authorization: `Bearer ${TEST_SECRETS.ingestToken}` } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.write('<?xml version="1.0"?><ClinicalDocument');
  });
  expect(answer.status).toBe(504);
  expect(JSON.parse(answer.body)).toEqual({ error: 'TIMEOUT', message: expect.stringContaining('300 ms') });
  expect((await fetch(`${gw.baseUrl}/livez`)).status).toBe(200);
});
