/**
 * `npm run demo`: the whole mission on this machine with nothing configured. A synthetic clinic
 * of 500 patients in the local MariaDB → a full export (with its progress bar) → a gateway on the
 * Mongo-wire server found or started here → two indicator queries over HTTPS with a generated
 * hub client certificate → a table of the released counts (small cells suppressed) → everything
 * shut down. Exit 0 only if every step worked.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../core/config/load';
import { describeError } from '../core/errors';
import { createLogger } from '../core/logger';
import { PROJECT_ROOT } from '../core/paths';
import { exportOnce } from '../exporter/cli';
import { startGateway, type RunningGateway } from '../gateway/service';
import { makeClinic } from './clinic/make-clinic';
import { ensureMariaDb } from './services/mariadb';
import { findOrStartMongo, type MongoServer } from './services/mongo';

const PATIENTS = 500;
const SEED = 2026;
const DATABASE = 'e2e_demo_clinic';
const QUERIES = [
  { indicator: 'diabetes-hba1c-12m', breakdown: ['sex'] },
  { indicator: 'hypertension-bp-12m', breakdown: ['ageBand'] },
];

type Certificates = Record<'ca' | 'cert' | 'key' | 'clientCert' | 'clientKey', Buffer>;

function step(text: string): () => void {
  const started = Date.now();
  process.stdout.write(`• ${text} … `);
  return () => process.stdout.write(`done (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

function makeCertificates(dir: string): Certificates {
  execFileSync('bash', [path.join(PROJECT_ROOT, 'deploy', 'tls.sh'), '--out', dir, '--name', 'localhost', '--hub-cn', 'demo-hub'], { stdio: 'ignore' });
  const read = (file: string) => readFileSync(path.join(dir, file));
  return { ca: read('ca.pem'), cert: read('server.pem'), key: read('server.key'), clientCert: read('hub-client.pem'), clientKey: read('hub-client.key') };
}

/** One JSON request to the hub API with the hub's client certificate. */
function hubRequest(port: number, tls: Certificates, method: string, route: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = https.request(
      {
        host: '127.0.0.1', port, method, path: route, servername: 'localhost',
        ca: tls.ca, cert: tls.clientCert, key: tls.clientKey,
        headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(text || '{}') as Record<string, unknown> }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

interface ReleasedCell {
  key: Record<string, string>;
  value: { numerator: number | { suppressed: true }; denominator?: number | { suppressed: true } };
}

async function runIndicator(port: number, tls: Certificates, query: (typeof QUERIES)[number] & { referenceDate: string }): Promise<{ cells: ReleasedCell[]; total: ReleasedCell; minCellSize: number }> {
  const submitted = await hubRequest(port, tls, 'POST', '/queries', query);
  if (submitted.status !== 202) throw new Error(`POST /queries answered ${submitted.status}: ${JSON.stringify(submitted.json)}`);
  const id = String(submitted.json.id);
  for (let attempt = 0; attempt < 600; attempt++) {
    const job = await hubRequest(port, tls, 'GET', `/queries/${id}`);
    if (job.json.status === 'complete') break;
    if (['failed', 'cancelled'].includes(String(job.json.status))) throw new Error(`query ${query.indicator} ${String(job.json.status)}: ${JSON.stringify(job.json.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const result = await hubRequest(port, tls, 'GET', `/queries/${id}/result`);
  if (result.status !== 200) throw new Error(`result of ${query.indicator}: ${result.status} ${JSON.stringify(result.json)}`);
  return result.json as unknown as { cells: ReleasedCell[]; total: ReleasedCell; minCellSize: number };
}

function shown(count: number | { suppressed: true } | undefined): string {
  if (count === undefined) return '';
  return typeof count === 'number' ? String(count) : 'suppressed';
}

function printResult(indicator: string, result: { cells: ReleasedCell[]; total: ReleasedCell; minCellSize: number }): void {
  process.stdout.write(`\n  ${indicator}\n  ${'cell'.padEnd(22)}${'numerator'.padEnd(20)}denominator\n`);
  for (const cell of [...result.cells, { ...result.total, key: { total: 'all' } }]) {
    const key = Object.values(cell.key).join(' ') || 'all';
    process.stdout.write(`  ${key.padEnd(22)}${shown(cell.value.numerator).padEnd(20)}${shown(cell.value.denominator)}\n`);
  }
}

async function demo(work: string, cleanup: Array<() => Promise<void>>): Promise<void> {
  const oscarUrl = `mysql://root@127.0.0.1:3306/${DATABASE}`;
  let done = step('MariaDB (found or started)');
  await ensureMariaDb(oscarUrl);
  done();

  done = step(`synthetic OSCAR clinic of ${PATIENTS} patients in ${DATABASE}`);
  const clinic = await makeClinic({ oscarUrl, patients: PATIENTS, seed: SEED, schema: 'latest' });
  done();
  process.stdout.write(`  ${clinic.activePatients} active patients of ${clinic.patients}\n`);

  done = step('Mongo-wire server (MONGODB_URI, mongodb-memory-server or FerretDB)');
  const mongo: MongoServer = await findOrStartMongo(process.env.MONGODB_URI);
  cleanup.push(() => mongo.stop());
  done();
  process.stdout.write(`  using ${mongo.kind}\n`);

  done = step('certificates for the hub link (deploy/tls.sh)');
  const tls = makeCertificates(path.join(work, 'tls'));
  done();

  const secrets = { ENDPOINT_INGEST_TOKEN: randomBytes(24).toString('hex'), ENDPOINT_ADMIN_TOKEN: randomBytes(24).toString('hex'), ENDPOINT_HMAC_SECRET: randomBytes(32).toString('hex') };
  const baseEnv = {
    ...secrets,
    ENDPOINT_LOG_LEVEL: 'warn',
    ENDPOINT_CLINIC_ID: 'demo-clinic',
    ENDPOINT_STATE_DIR: path.join(work, 'state'),
    ENDPOINT_OSCAR_URL: oscarUrl,
    ENDPOINT_MONGODB_URL: mongo.uri,
    ENDPOINT_MONGODB_DATABASE: `e2e_demo_${randomBytes(3).toString('hex')}`,
    ENDPOINT_GATEWAY_PORT: '0',
    ENDPOINT_HUB_HOST: '127.0.0.1',
    ENDPOINT_HUB_PORT: '0',
    ENDPOINT_TLS_CERT: path.join(work, 'tls', 'server.pem'),
    ENDPOINT_TLS_KEY: path.join(work, 'tls', 'server.key'),
    ENDPOINT_HUB_CA: path.join(work, 'tls', 'ca.pem'),
    ENDPOINT_SHARED_DIR: process.env.ENDPOINT_SHARED_DIR ?? path.join(PROJECT_ROOT, '..', 'shared'),
  };
  const logger = createLogger({ level: 'warn', base: { part: 'demo' } });

  done = step('gateway (local listener and HTTPS hub listener)');
  const gatewayConfig: Config = loadConfig({ env: baseEnv });
  const gateway: RunningGateway = await startGateway(gatewayConfig, { logger });
  cleanup.push(async () => {
    const { MongoClient } = await import('mongodb');
    const client = await MongoClient.connect(mongo.uri);
    await client.db(baseEnv.ENDPOINT_MONGODB_DATABASE).dropDatabase().catch(() => undefined);
    await client.close();
  });
  cleanup.push(() => gateway.close());
  done();
  const hubPort = gateway.hubAddress?.port;
  if (hubPort === undefined) throw new Error('the gateway did not start its HTTPS listener');

  process.stdout.write('• full export: OSCAR → E2E → gateway\n');
  const exportConfig = loadConfig({ env: { ...baseEnv, ENDPOINT_GATEWAY_URL: `http://127.0.0.1:${gateway.localAddress.port}` } });
  // The demo's MariaDB account is root, which can write: allowed here on purpose, refused by default.
  const exitCode = await exportOnce(exportConfig, { mode: 'full', allowWritableAccount: true }, logger);
  if (exitCode !== 0) throw new Error(`the export ended with exit code ${exitCode}`);

  process.stdout.write(`• two indicator queries over HTTPS with the hub's client certificate, as of ${clinic.referenceDate} (cells under ${gatewayConfig.minCellSize} suppressed)\n`);
  // The synthetic clinic's "today" is fixed (deterministic data), so the queries ask as of that day.
  for (const query of QUERIES) printResult(query.indicator, await runIndicator(hubPort, tls, { ...query, referenceDate: clinic.referenceDate }));
  process.stdout.write('\n');
}

async function main(): Promise<number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'e2e-demo-'));
  const cleanup: Array<() => Promise<void>> = [];
  const started = Date.now();
  let code = 0;
  try {
    await demo(work, cleanup);
  } catch (error) {
    process.stdout.write('\n');
    process.stderr.write(`demo: ${describeError(error)}\n`);
    code = 1;
  }
  const done = step('shutting down');
  for (const close of cleanup.reverse()) await close().catch((error: unknown) => process.stderr.write(`demo: shutdown: ${describeError(error)}\n`));
  rmSync(work, { recursive: true, force: true });
  done();
  process.stdout.write(`${code === 0 ? 'demo complete' : 'demo FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return code;
}

main().then((code) => {
  process.exitCode = code;
});
