/**
 * Benchmark of the exporter on synthetic clinics (default 10,000 and 50,000 patients): the
 * extraction + document-writing rate of a full run, a differential run after 1% of patients
 * changed, SQL queries per run, peak RSS (each size measured in its own child process, the
 * clinic made beforehand in another), and a full run end to end to the real gateway on a
 * subset clinic (`--gateway-patients`, default 1000). Prints one JSON object per line.
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/export-run.js [--patients 10000,50000] [--gateway-patients 1000] [--schema latest|12.1]`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { loadConfig } from '../core/config/load';
import { createLogger } from '../core/logger';
import { makeClinic, type OscarSchemaVariant } from '../dev/clinic/make-clinic';
import { mutateClinic } from '../dev/clinic/mutate-clinic';
import { ensureMariaDb } from '../dev/services/mariadb';
import { runExport, type ExportRunResult } from '../exporter/run/export-run';
import type { DocumentTransport } from '../exporter/send/transport';
import { HttpTransport } from '../exporter/send/transport';

const server = (() => {
  const url = new URL(process.env.ENDPOINT_OSCAR_URL ?? 'mysql://root@127.0.0.1:3306');
  url.pathname = '';
  return url.toString().replace(/\/$/, '');
})();
let schema: OscarSchemaVariant = 'latest';
const databaseName = (patients: number) => `bench_export_${patients}${schema === 'latest' ? '' : '_121'}`;
const databaseUrl = (patients: number) => `${server}/${databaseName(patients)}`;

/** A transport that keeps nothing: measures extraction + mapping + XML writing only. */
class CountingTransport implements DocumentTransport {
  readonly kind = 'files' as const;
  bytes = 0;
  async startRun(): Promise<string> {
    return `bench-${Date.now()}`;
  }
  async deliver(_demographicNo: number, xml: string) {
    this.bytes += xml.length;
    return { kind: 'settled' as const, outcome: 'written' as const };
  }
  async completeRun(): Promise<undefined> {
    return undefined;
  }
  async close(): Promise<void> {}
}

async function prepare(patients: number): Promise<void> {
  await ensureMariaDb(server);
  const connection = await mysql.createConnection({ uri: server });
  const [rows] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [databaseName(patients), 'demographic']);
  let existing = 0;
  if (Number(rows[0].n) > 0) existing = Number(((await connection.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${databaseName(patients)}\`.demographic`))[0][0]).n);
  await connection.end();
  if (existing !== patients) await makeClinic({ oscarUrl: databaseUrl(patients), patients, seed: 1, schema });
}

function figures(result: ExportRunResult): Record<string, number> {
  return {
    patientsSent: result.summary.patientsTotal,
    seconds: Math.round(result.seconds * 10) / 10,
    patientsPerSecond: Math.round(result.summary.patientsTotal / result.seconds),
    sqlQueries: result.queryCount,
    batches: result.batches,
  };
}

async function measure(patients: number): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bench-export-'));
  const logger = createLogger({ level: 'silent' });
  const config = loadConfig();
  const base = { oscarUrl: databaseUrl(patients), allowWritableAccount: true, stateDir, batchSize: config.exportBatchSize, concurrency: 4, includeNoteText: false, consentProviders: [], logger };
  try {
    const transport = new CountingTransport();
    const full = await runExport({ ...base, mode: 'full', transport });
    const rssAfterFull = Math.round(process.resourceUsage().maxRSS / 1024);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const mutation = await mutateClinic({ oscarUrl: databaseUrl(patients), fraction: 0.01, seed: Date.now() % 100000 });
    const differential = await runExport({ ...base, mode: 'differential', transport: new CountingTransport() });
    process.stdout.write(
      JSON.stringify({
        bench: 'export-run',
        patients,
        schema,
        batchSize: config.exportBatchSize,
        full: { ...figures(full), megabytesWritten: Math.round(transport.bytes / 1e6) },
        differential: { ...figures(differential), changedPatients: mutation.changed.length, leftActive: differential.leftActive.length },
        peakRssMbAfterFull: rssAfterFull,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      }) + '\n',
    );
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function gatewayEndToEnd(patients: number): Promise<void> {
  const { startGateway } = await import('../gateway/service');
  const { findOrStartMongo } = await import('../dev/services/mongo');
  const mongo = await findOrStartMongo(process.env.ENDPOINT_TEST_MONGODB_URL);
  const token = 'bench-ingest-token';
  const config = loadConfig({
    overrides: { mongodbUrl: mongo.uri, mongodbDatabase: `bench_export_${process.pid}`, gatewayHost: '127.0.0.1', gatewayPort: '0', logLevel: 'silent', ingestToken: token, adminToken: 'bench-admin', hmacSecret: 'bench-secret' },
  });
  const gateway = await startGateway(config, { logger: createLogger({ level: 'silent' }) });
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bench-export-gw-'));
  try {
    const run = async (mode: 'full' | 'differential') => {
      const transport = new HttpTransport({ gatewayUrl: `http://127.0.0.1:${gateway.localAddress.port}`, ingestToken: token, connections: config.exportConcurrency, retries: 8 });
      try {
        return await runExport({ oscarUrl: databaseUrl(patients), allowWritableAccount: true, stateDir, mode, transport, batchSize: config.exportBatchSize, concurrency: config.exportConcurrency, includeNoteText: false, consentProviders: [], logger: createLogger({ level: 'silent' }) });
      } finally {
        await transport.close();
      }
    };
    const first = await run('full');
    const again = await run('full');
    process.stdout.write(
      JSON.stringify({
        bench: 'export-gateway', patients, mongo: mongo.kind, concurrency: config.exportConcurrency,
        fullCreated: { ...figures(first), outcomes: first.summary.outcomes },
        fullUnchanged: { ...figures(again), outcomes: again.summary.outcomes },
      }) + '\n',
    );
  } finally {
    await gateway.close();
    rmSync(stateDir, { recursive: true, force: true });
    await mongo.stop?.();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { schema: { type: 'string' }, patients: { type: 'string' }, 'gateway-patients': { type: 'string' }, prepare: { type: 'string' }, measure: { type: 'string' }, gateway: { type: 'string' } } });
  if (values.schema === '12.1') schema = '12.1';
  if (values.prepare) return prepare(Number(values.prepare));
  if (values.measure) return measure(Number(values.measure));
  if (values.gateway) return gatewayEndToEnd(Number(values.gateway));
  const sizes = (values.patients ?? '10000,50000').split(',').map(Number).filter((size) => size > 0);
  const gatewayPatients = Number(values['gateway-patients'] ?? '1000');
  const self = [__filename, '--schema', schema];
  for (const size of [...sizes, ...(gatewayPatients > 0 ? [gatewayPatients] : [])]) execFileSync('node', [...self, '--prepare', String(size)], { stdio: 'inherit' });
  for (const size of sizes) execFileSync('node', [...self, '--measure', String(size)], { stdio: 'inherit' });
  if (gatewayPatients > 0) execFileSync('node', [...self, '--gateway', String(gatewayPatients)], { stdio: 'inherit' });
}

main().catch((error: unknown) => {
  process.stderr.write(`export bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
