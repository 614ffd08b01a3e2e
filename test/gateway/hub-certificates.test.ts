/**
 * The real gateway started in-process with its hub listener and a hub CA that has expired (issue
 * 19, item 7): it says so at error level as it starts, naming the setting and the date — the
 * listener logs it, so every way of starting the gateway does (the CLI logged it on HEAD; starting
 * in-process, as the demo and tests do, was silent).
 */
import { makeExpiredCa, makeHubTestCerts, type HubTestCerts } from '../hub/certs';
import { logCapture, startTestGateway } from './support';

let certs: HubTestCerts;

beforeAll(() => {
  certs = makeHubTestCerts();
});

afterAll(() => {
  certs?.remove();
});

test('an expired hub CA is logged at error level when the gateway starts', async () => {
  const log = logCapture();
  const caFile = makeExpiredCa(certs.dir);
  const gateway = await startTestGateway(__filename, {
    logStream: log.stream,
    overrides: {
      tlsCert: certs.serverCertFile,
      tlsKey: certs.serverKeyFile,
      hubCa: caFile,
      hubHost: '127.0.0.1',
      hubPort: '0',
    },
  });
  try {
    const line = log
      .text()
      .split('\n')
      .find((text) =>
        text.includes('ENDPOINT_HUB_CA (CN=expired-hub-ca) expired on 2020-02-01: the hub cannot connect'),
      );
    expect(line).toBeDefined();
    expect(JSON.parse(line as string)).toMatchObject({ level: 50, file: caFile });
  } finally {
    await gateway.close();
  }
}, 60_000);
