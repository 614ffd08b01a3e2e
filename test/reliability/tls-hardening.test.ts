/**
 * The hub listener's TLS and sockets (issue 19, item 7), against the real gateway child process:
 * `openssl s_client` finds only AEAD suites on TLS 1.2 (CBC and static-RSA suites refused) and no
 * renegotiation; 200 sockets that never send a byte are closed (those past the connection cap at
 * once, the others after the idle timeout) and the hub is served again; a socket that completed
 * its handshake but sends no request is closed too. A gateway whose hub CA has expired says so in
 * its log as it starts, and `endpoint check gateway` is CRITICAL.
 */
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { makeExpiredCa, makeHubTestCerts, type HubTestCerts } from '../hub/certs';
import { openTestMongo } from '../support/services';
import { trackCase } from './record';
import { CLI, ROOT, sleep, startGatewayProcess, type GatewayProcess } from './support-hostile';
import { closeHubAgents, hubRequest } from './support-hub';

const IDLE_TIMEOUT_MS = 2000;
const MAX_CONNECTIONS = 64;
const IDLE_SOCKETS = 200;

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
let gateway: GatewayProcess;

const tlsFiles = (): { certFile: string; keyFile: string; caFile: string } => ({
  certFile: certs.serverCertFile,
  keyFile: certs.serverKeyFile,
  caFile: certs.caFile,
});

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  certs = makeHubTestCerts();
  gateway = await startGatewayProcess({
    mongoUri: mongo.uri,
    database: mongo.name,
    clinicId: 'tls-clinic',
    tls: tlsFiles(),
    env: {
      ENDPOINT_HUB_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      ENDPOINT_HUB_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      ENDPOINT_HUB_ALLOWED_SUBJECTS: 'research-hub',
    },
  });
}, 60_000);

afterAll(async () => {
  closeHubAgents();
  await gateway?.stop();
  certs?.remove();
  await mongo?.drop();
});

/** `openssl s_client` to the hub port with the hub's client certificate; `input` is written once the handshake is done. */
function sClient(args: string[], input?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'openssl',
      [
        's_client',
        '-connect',
        `127.0.0.1:${gateway.hubPort}`,
        '-cert',
        path.join(certs.dir, 'hub.crt'),
        '-key',
        path.join(certs.dir, 'hub.key'),
        '-CAfile',
        certs.caFile,
        ...args,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let output = '';
    let sent = false;
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (!sent && input !== undefined && /Verify return code/.test(output)) {
        sent = true;
        child.stdin.write(input);
        setTimeout(() => child.stdin.end(), 1500);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    if (input === undefined) child.stdin.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

test('TLS 1.2 offers AEAD suites only: CBC and static-RSA suites are refused', async () => {
  await trackCase('security', 'hub listener refuses CBC suites on TLS 1.2', async () => {
    const aead = await sClient(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256']);
    expect(aead.output).toMatch(/Cipher is ECDHE-RSA-AES128-GCM-SHA256/);
    const refused: string[] = [];
    for (const cipher of ['ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'AES128-SHA256', 'AES256-GCM-SHA384']) {
      const answer = await sClient(['-tls1_2', '-cipher', cipher]);
      expect({ cipher, negotiated: /Cipher is (?!\(NONE\))/.test(answer.output) }).toEqual({
        cipher,
        negotiated: false,
      });
      refused.push(cipher);
    }
    const tls13 = await sClient(['-tls1_3']);
    expect(tls13.output).toMatch(
      /Cipher is TLS_AES_256_GCM_SHA384|Cipher is TLS_CHACHA20_POLY1305_SHA256|Cipher is TLS_AES_128_GCM_SHA256/,
    );
    return { detail: `refused on TLS 1.2: ${refused.join(', ')}` };
  });
}, 60_000);

test('a client cannot renegotiate', async () => {
  await trackCase('security', 'hub listener refuses TLS renegotiation', async () => {
    const answer = await sClient(['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], 'R\n');
    expect(answer.output).toMatch(/RENEGOTIATING/);
    expect(answer.output).toMatch(/:no renegotiation:/);
    return {
      detail: answer.output
        .split('\n')
        .filter((line) => /RENEGOTIATING|renegotiation|alert/i.test(line))
        .slice(0, 3)
        .join(' | ')
        .slice(0, 200),
    };
  });
}, 60_000);

test(`${IDLE_SOCKETS} sockets that send nothing are closed (past the cap at once, the rest after the idle timeout); the hub is served again`, async () => {
  await trackCase('security', `${IDLE_SOCKETS} idle sockets reaped`, async () => {
    const opened = performance.now();
    const closedAfter: number[] = [];
    const sockets = Array.from({ length: IDLE_SOCKETS }, () => {
      const socket = net.connect({ host: '127.0.0.1', port: gateway.hubPort! });
      socket.on('error', () => undefined);
      socket.on('close', () => closedAfter.push(performance.now() - opened));
      return socket;
    });
    await sleep(IDLE_TIMEOUT_MS / 2);
    const atOnce = closedAfter.length;
    const deadline = opened + IDLE_TIMEOUT_MS * 3 + 3000;
    while (closedAfter.length < IDLE_SOCKETS && performance.now() < deadline) await sleep(50);
    for (const socket of sockets) socket.destroy();
    expect(closedAfter.length).toBe(IDLE_SOCKETS);
    expect(atOnce).toBeGreaterThanOrEqual(IDLE_SOCKETS - MAX_CONNECTIONS);
    const allClosedMs = Math.round(Math.max(...closedAfter));

    // After a handshake, a socket that sends no request is closed as well.
    const handshaken = tls.connect({
      host: '127.0.0.1',
      port: gateway.hubPort!,
      ca: certs.ca,
      cert: certs.hub.cert,
      key: certs.hub.key,
      servername: 'localhost',
    });
    handshaken.on('error', () => undefined);
    const secured = performance.now();
    await new Promise<void>((resolve) => handshaken.once('secureConnect', () => resolve()));
    await new Promise<void>((resolve) => handshaken.once('close', () => resolve()));
    const handshakenMs = Math.round(performance.now() - secured);
    expect(handshakenMs).toBeLessThan(IDLE_TIMEOUT_MS * 3 + 3000);
    expect((await hubRequest(gateway.hubPort!, certs, 'GET', '/indicators')).status).toBe(200);
    return {
      detail: `${atOnce} closed within ${IDLE_TIMEOUT_MS / 2} ms (cap ${MAX_CONNECTIONS}), all ${IDLE_SOCKETS} within ${allClosedMs} ms (idle timeout ${IDLE_TIMEOUT_MS} ms); a handshaken idle socket after ${handshakenMs} ms`,
    };
  });
}, 60_000);

test('an expired hub CA is an error in the log at start and CRITICAL in check gateway', async () => {
  await trackCase('security', 'expired hub CA warned at start and in check gateway', async () => {
    const caFile = makeExpiredCa(certs.dir);
    const expired = await startGatewayProcess({
      mongoUri: mongo.uri,
      database: mongo.name,
      clinicId: 'tls-clinic',
      tls: { ...tlsFiles(), caFile },
    });
    try {
      const line = expired
        .logs()
        .split('\n')
        .find((text) => text.includes('ENDPOINT_HUB_CA (CN=expired-hub-ca) expired on 2020-02-01'));
      expect(line).toBeDefined();
      expect(JSON.parse(line as string)).toMatchObject({ level: 50 });
      const check = spawnSync(process.execPath, [CLI, 'check', 'gateway', '-t', '5'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          ENDPOINT_GATEWAY_URL: expired.baseUrl,
          ENDPOINT_STATE_DIR: certs.dir,
          ENDPOINT_TLS_CERT: certs.serverCertFile,
          ENDPOINT_TLS_KEY: certs.serverKeyFile,
          ENDPOINT_HUB_CA: caFile,
        },
      });
      expect(check.status).toBe(2);
      expect(check.stdout).toMatch(
        /^GATEWAY CRITICAL: live, ready, .*ENDPOINT_HUB_CA \(CN=expired-hub-ca\) expired on 2020-02-01/,
      );
      return { detail: check.stdout.trim().slice(0, 200) };
    } finally {
      await expired.stop();
    }
  });
}, 60_000);
