/**
 * Security cases against the real gateway as a child process with its hub listener (HTTPS, mutual
 * TLS, certificates made with openssl): client certificates refused at the handshake, tokens on
 * the local listener, the local routes absent from the HTTPS port, query bodies carrying Mongo
 * operators. A synthetic clinic goes through the exporter (a child process too) first, and the
 * last test scans every line both processes logged, at debug level, for its names and health numbers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { makeClinic } from '../../dev/clinic/make-clinic';
import { makeHubTestCerts, type ClientPem, type HubTestCerts } from '../hub/certs';
import { createTestOscarDatabase, openTestMongo } from '../support/services';
import { findPhi, phiTermsOf } from './phi-scan';
import { trackCase } from './record';
import { CLI, HOSTILE_SECRETS, ROOT, patientSnapshot, send, startGatewayProcess, type GatewayProcess, type RawAnswer } from './support-hostile';

const CLINIC = 'security-clinic';
const PATIENTS = 50;

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let clinic: Awaited<ReturnType<typeof createTestOscarDatabase>>;
let certs: HubTestCerts;
let gateway: GatewayProcess;
let stateDir: string;
let exporterOutput = '';
let activePatients = 0;

/** Runs `endpoint export run --full` against the gateway; resolves with its exit code (output kept for the PHI scan). */
function runExporter(): Promise<number | null> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ENDPOINT_') && key !== 'MONGODB_URI'));
  const child = spawn(process.execPath, [CLI, 'export', 'run', '--full', '--allow-writable-account'], {
    cwd: ROOT,
    env: {
      ...inherited,
      ENDPOINT_OSCAR_URL: clinic.url,
      ENDPOINT_STATE_DIR: stateDir,
      ENDPOINT_GATEWAY_URL: gateway.baseUrl,
      ENDPOINT_INGEST_TOKEN: HOSTILE_SECRETS.ingestToken,
      ENDPOINT_CLINIC_ID: CLINIC,
      ENDPOINT_LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (exporterOutput += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (exporterOutput += chunk.toString('utf8')));
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

beforeAll(async () => {
  certs = makeHubTestCerts();
  mongo = await openTestMongo(__filename);
  clinic = await createTestOscarDatabase(__filename);
  await makeClinic({ oscarUrl: clinic.url, patients: PATIENTS, seed: 10, schema: 'latest' });
  const connection = await mysql.createConnection({ uri: clinic.url });
  const [rows] = await connection.query("SELECT COUNT(*) AS n FROM demographic WHERE patient_status = 'AC'");
  activePatients = Number((rows as { n: number }[])[0].n);
  await connection.end();
  stateDir = mkdtempSync(path.join(os.tmpdir(), 'security-export-'));
  gateway = await startGatewayProcess({
    mongoUri: mongo.uri,
    database: mongo.name,
    clinicId: CLINIC,
    tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile },
  });
  expect(await runExporter()).toBe(0);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await mongo?.drop();
  await clinic?.drop();
  certs?.remove();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** A request to the hub listener with a client identity (null: none). */
function hub(method: string, route: string, client: ClientPem | null, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      {
        host: '127.0.0.1',
        port: gateway.hubPort,
        method,
        path: route,
        ca: certs.ca,
        ...(client ? { cert: client.cert, key: client.key } : {}),
        agent: false,
        timeout: 5000,
        headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('no answer within 5000 ms')));
    request.on('error', reject);
    request.end(payload);
  });
}

/** A request to the local listener with a bearer token (null: none). */
function local(method: string, route: string, token: string | null, body = '', contentType = 'application/json'): Promise<RawAnswer> {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  return send(gateway.baseUrl, { method, path: route, headers, body: Buffer.from(body), transport: 'raw' }, 5000);
}

const HANDSHAKE_REFUSED = /alert|certificate|socket hang up|ECONNRESET|EPIPE/i;

describe('hub API: mutual TLS', () => {
  const refused: [string, () => ClientPem | null][] = [
    ['no client certificate', () => null],
    ['a client certificate from a foreign CA', () => certs.foreign],
    ['an expired client certificate signed by the hub CA', () => certs.expired],
  ];
  test.each(refused)('%s: the handshake fails', async (name, client) => {
    await trackCase('security', `hub TLS: ${name} is refused at the handshake`, async () => {
      await expect(hub('GET', '/indicators', client())).rejects.toThrow(HANDSHAKE_REFUSED);
    });
  });

  test('a valid hub certificate gets through (the refusals above are not a broken listener)', async () => {
    await trackCase('security', 'hub TLS: a valid client certificate is accepted', async () => {
      expect((await hub('GET', '/indicators', certs.hub)).status).toBe(200);
    });
  });
});

const WRONG = 'not-the-token';
const LOCAL_ROUTES: [string, string, string][] = [
  ['ingest', 'POST', '/records'],
  ['ingest', 'POST', '/runs'],
  ['admin', 'POST', '/admin/drain'],
  ['admin', 'POST', '/admin/reimport'],
  ['admin', 'DELETE', `/records?confirm=wipe-all-records`],
  ['admin', 'DELETE', `/records/${CLINIC}:1`],
];

describe('local listener: tokens', () => {
  const cases = LOCAL_ROUTES.flatMap(([kind, method, route]) => [
    [`${kind} ${method} ${route} without a token`, method, route, null],
    [`${kind} ${method} ${route} with a wrong token`, method, route, WRONG],
    [`${kind} ${method} ${route} with the other route's token`, method, route, kind === 'ingest' ? HOSTILE_SECRETS.adminToken : HOSTILE_SECRETS.ingestToken],
    [`${kind} ${method} ${route} with the token in a Basic header`, method, route, `basic:${kind === 'ingest' ? HOSTILE_SECRETS.ingestToken : HOSTILE_SECRETS.adminToken}`],
  ]) as [string, string, string, string | null][];

  test.each(cases)('%s → 401 UNAUTHORIZED, nothing changed', async (name, method, route, token) => {
    await trackCase('security', `local: ${name} → 401`, async () => {
      const before = await patientSnapshot(mongo.db);
      const body = route === '/records' ? '<ClinicalDocument xmlns="urn:hl7-org:v3"><id extension="990001"/></ClinicalDocument>' : '{}';
      const answer =
        token?.startsWith('basic:') === true
          ? await send(gateway.baseUrl, { method, path: route, headers: { authorization: `Basic ${Buffer.from(`x:${token.slice(6)}`).toString('base64')}`, 'content-type': route === '/records' ? 'application/xml' : 'application/json' }, body: Buffer.from(body), transport: 'raw' }, 5000)
          : await local(method, route, token, body, route === '/records' ? 'application/xml' : 'application/json');
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text)).toMatchObject({ error: 'UNAUTHORIZED' });
      expect(await patientSnapshot(mongo.db)).toEqual(before);
      const status = JSON.parse((await local('GET', '/status', null)).text) as { draining: boolean };
      expect(status.draining).toBe(false);
    });
  });
});

describe('hub API: the local routes are not on the HTTPS port', () => {
  test.each([
    ['POST', '/records'],
    ['POST', '/runs'],
    ['POST', '/runs/x/complete'],
    ['DELETE', '/records'],
    ['DELETE', `/records/${CLINIC}:1`],
    ['POST', '/admin/drain'],
    ['POST', '/admin/reimport'],
    ['GET', '/admin/queries'],
    ['GET', '/status'],
    ['GET', '/metrics'],
  ])('%s %s → 404 with a valid hub certificate', async (method, route) => {
    await trackCase('security', `hub HTTPS: ${method} ${route} → 404`, async () => {
      const before = await patientSnapshot(mongo.db);
      const answer = await hub(method, route, certs.hub, method === 'GET' ? undefined : {});
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ error: 'NOT_FOUND' });
      expect(await patientSnapshot(mongo.db)).toEqual(before);
    });
  });
});

const OPERATOR_QUERIES: [string, unknown][] = [
  ['$where at the top', { version: 1, population: {}, $where: 'sleep(5000) || true' }],
  ['$function in the population', { version: 1, population: { $function: { body: 'function() { return true }', args: [], lang: 'js' } } }],
  ['$expr in the population', { version: 1, population: { $expr: { $gt: ['$birthYear', 0] } } }],
  ['$expr in the denominator', { version: 1, population: { sex: 'F' }, denominator: { $expr: { $eq: [1, 1] } } }],
  ['$regex object in place of an ICD9 prefix', { version: 1, population: { problems: [{ icd9Prefix: { $regex: '.*' } }] } }],
  ['regular expression text in an ICD9 prefix', { version: 1, population: { problems: [{ icd9Prefix: '25.*|' }] } }],
  ['regular expression text in an observation code', { version: 1, population: { observations: [{ code: '4548-4|.*' }] } }],
  ['anchors and a catastrophic pattern in an ATC prefix', { version: 1, population: { medications: [{ atcPrefix: '^(a+)+$' }] } }],
  ['$in inside a code list', { version: 1, population: { medications: [{ din: [{ $in: ['02242903'] }] }] } }],
  ['$ne in place of the sex', { version: 1, population: { sex: { $ne: 'F' } } }],
  ['a dotted key at the top', { version: 1, population: {}, 'population.sex': 'F' }],
  ['a dotted key in the population', { version: 1, population: { 'sex.0': 'F' } }],
  ['a dotted key reaching a stored field', { version: 1, population: { 'observations.value': { $gt: 0 } } }],
  ['an operator as the indicator name', { indicator: { $ne: null } }],
  ['a constructor key', JSON.parse('{"version":1,"population":{"constructor":{"prototype":{"polluted":true}}}}') as unknown],
];

describe('hub API: query bodies with Mongo operators', () => {
  test.each(OPERATOR_QUERIES)('%s → 400 INVALID_QUERY, nothing queued', async (name, body) => {
    await trackCase('security', `hub query: ${name} → 400`, async () => {
      const queued = await mongo.db.collection('queries').countDocuments();
      const answer = await hub('POST', '/queries', certs.hub, body);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'INVALID_QUERY' });
      expect(await mongo.db.collection('queries').countDocuments()).toBe(queued);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  test('a valid query over the exported clinic runs (the refusals above are not a broken validator)', async () => {
    await trackCase('security', 'hub query: a valid definition is accepted and answers counts only', async () => {
      const submitted = await hub('POST', '/queries', certs.hub, { version: 1, population: { age: { min: 18 } }, breakdown: ['sex', 'provider'] });
      expect(submitted.status).toBe(202);
      const id = String(submitted.body.id);
      for (let attempt = 0; ; attempt += 1) {
        const job = await hub('GET', `/queries/${id}`, certs.hub);
        if (job.body.status === 'complete') break;
        expect(['queued', 'running']).toContain(job.body.status);
        if (attempt > 200) throw new Error('the query did not complete');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const result = await hub('GET', `/queries/${id}/result`, certs.hub);
      expect(result.status).toBe(200);
      return { detail: `${(result.body.cells as unknown[]).length} cells` };
    });
  });
});

test('the exporter delivered the clinic, and all the logs hold no names or health numbers', async () => {
  await trackCase('security', 'log output holds no names or health numbers', async () => {
    expect(await mongo.db.collection('patients').countDocuments({ clinicId: CLINIC })).toBe(activePatients);
    const logs = `${gateway.logs()}\n${exporterOutput}`;
    expect(gateway.logs()).toMatch(/"level":20/);
    expect(exporterOutput.length).toBeGreaterThan(0);
    const terms = await phiTermsOf(clinic.url);
    expect(terms.names.length).toBeGreaterThan(PATIENTS / 2);
    expect(terms.healthNumbers.length).toBeGreaterThan(PATIENTS / 2);
    expect(findPhi(`x ${terms.names[0]} ${terms.healthNumbers[0]} x`, terms)).toHaveLength(2);
    expect(findPhi(logs, terms)).toEqual([]);
    return { detail: `${logs.split('\n').length} lines (gateway at debug, exporter at debug) against ${terms.names.length} names and ${terms.healthNumbers.length} health numbers` };
  });
});
