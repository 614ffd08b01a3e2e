/**
 * The pipeline as an OSP runs it, each part a real child process configured by environment:
 * `endpoint gateway start` (local listener, HTTPS hub listener with certificates made by
 * deploy/tls.sh) and `endpoint export run` (full, differential, or to a folder). The export's
 * outcome counts come from the exporter's own status file.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EndpointError } from '../core/errors';
import { PROJECT_ROOT } from '../core/paths';
import type { ExportRunSummary } from '../core/status-files';
import { freePort } from '../dev/services/mongo';
import { readExportStatus } from '../exporter/run/status';
import { CliProcess, runCli, type ChildOutcome } from './processes';

/** The hub link's certificates (PEM contents): the CA and the hub's client certificate. */
export interface HubCertificates {
  dir: string;
  ca: Buffer;
  clientCert: Buffer;
  clientKey: Buffer;
}

/** Makes a CA, the gateway's server certificate and a hub client certificate in `dir`. */
export function makeCertificates(dir: string): HubCertificates {
  execFileSync('bash', [path.join(PROJECT_ROOT, 'deploy', 'tls.sh'), '--out', dir, '--name', 'localhost', '--hub-cn', 'bench-hub'], { stdio: 'ignore' });
  const read = (file: string): Buffer => readFileSync(path.join(dir, file));
  return { dir, ca: read('ca.pem'), clientCert: read('hub-client.pem'), clientKey: read('hub-client.key') };
}

/** The secrets one bench gateway and its exporter share. */
export interface BenchSecrets {
  ingestToken: string;
  adminToken: string;
  hmacSecret: string;
}

/** New random secrets. */
export function newSecrets(): BenchSecrets {
  return { ingestToken: randomBytes(24).toString('hex'), adminToken: randomBytes(24).toString('hex'), hmacSecret: randomBytes(32).toString('hex') };
}

/** The clinic id the bench gateway and floors use. */
export const BENCH_CLINIC_ID = 'bench-clinic';

/** A running `endpoint gateway start`. */
export interface BenchGateway {
  localUrl: string;
  hubPort: number;
  process: CliProcess;
}

/** What the gateway child is started with. */
export interface GatewayOptions {
  mongoUri: string;
  database: string;
  certificates: HubCertificates;
  secrets: BenchSecrets;
  workDir: string;
  /** ENDPOINT_HUB_QUERY_ENGINE for the gateway; unset: its default. */
  queryEngine?: string;
}

/** Starts the gateway and waits until `/readyz` answers 200 (or throws with its output). */
export async function startGateway(options: GatewayOptions): Promise<BenchGateway> {
  const [port, hubPort] = [await freePort(), await freePort()];
  const stateDir = path.join(options.workDir, 'gateway-state');
  mkdirSync(stateDir, { recursive: true });
  const gateway = new CliProcess(
    ['gateway', 'start'],
    {
      ENDPOINT_LOG_LEVEL: 'warn',
      ENDPOINT_CLINIC_ID: BENCH_CLINIC_ID,
      ENDPOINT_STATE_DIR: stateDir,
      ENDPOINT_MONGODB_URL: options.mongoUri,
      ENDPOINT_MONGODB_DATABASE: options.database,
      ENDPOINT_GATEWAY_HOST: '127.0.0.1',
      ENDPOINT_GATEWAY_PORT: String(port),
      ENDPOINT_HUB_HOST: '127.0.0.1',
      ENDPOINT_HUB_PORT: String(hubPort),
      ENDPOINT_TLS_CERT: path.join(options.certificates.dir, 'server.pem'),
      ENDPOINT_TLS_KEY: path.join(options.certificates.dir, 'server.key'),
      ENDPOINT_HUB_CA: path.join(options.certificates.dir, 'ca.pem'),
      ENDPOINT_INGEST_TOKEN: options.secrets.ingestToken,
      ENDPOINT_ADMIN_TOKEN: options.secrets.adminToken,
      ENDPOINT_HMAC_SECRET: options.secrets.hmacSecret,
      ...(options.queryEngine === undefined ? {} : { ENDPOINT_HUB_QUERY_ENGINE: options.queryEngine }),
    },
    path.join(options.workDir, 'gateway.peak-rss'),
  );
  const localUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  while ((await fetch(`${localUrl}/readyz`).then((response) => response.status, () => 0)) !== 200) {
    if (!gateway.running || Date.now() > deadline) {
      await gateway.stop();
      throw new EndpointError('SERVICE_UNAVAILABLE', `the gateway did not become ready: ${gateway.outputTail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { localUrl, hubPort, process: gateway };
}

/** One `endpoint export run` and what it reported. */
export interface ExportProcessRun {
  outcome: ChildOutcome;
  /** The run's summary from `export-status.json` (undefined when the run never started). */
  summary: ExportRunSummary | undefined;
}

/** Where an export run sends its documents. */
export type ExportTarget = { gatewayUrl: string; ingestToken: string } | { outDir: string };

/** Runs `endpoint export run --full | --since last [--out DIR]` against the clinic to its end. */
export async function runExportProcess(mode: 'full' | 'differential', oscarUrl: string, target: ExportTarget, stateDir: string): Promise<ExportProcessRun> {
  mkdirSync(stateDir, { recursive: true });
  const args = ['export', 'run', ...(mode === 'full' ? ['--full'] : ['--since', 'last']), ...('outDir' in target ? ['--out', target.outDir] : [])];
  const outcome = await runCli(
    args,
    {
      ENDPOINT_LOG_LEVEL: 'warn',
      ENDPOINT_CLINIC_ID: BENCH_CLINIC_ID,
      ENDPOINT_STATE_DIR: stateDir,
      ENDPOINT_OSCAR_URL: oscarUrl,
      // The bench's MariaDB account is root, which can write: allowed here on purpose, as in the demo.
      ENDPOINT_ALLOW_WRITABLE_ACCOUNT: 'true',
      ...('gatewayUrl' in target ? { ENDPOINT_GATEWAY_URL: target.gatewayUrl, ENDPOINT_INGEST_TOKEN: target.ingestToken } : {}),
    },
    path.join(stateDir, 'exporter.peak-rss'),
  );
  return { outcome, summary: readExportStatus(stateDir).lastRun };
}

/** Throws when an export run did not end with exit 0 and a complete status. */
export function assertExportWorked(label: string, run: ExportProcessRun): ExportRunSummary {
  if (run.outcome.exitCode !== 0 || run.summary?.status !== 'complete') {
    const tail = `${run.outcome.stdout.slice(-1500)}${run.outcome.stderr.slice(-1500)}`.trim();
    throw new EndpointError('INTERNAL', `${label}: export run ended with exit ${run.outcome.exitCode} (${run.summary?.status ?? 'no status'}): ${tail}`);
  }
  return run.summary;
}
