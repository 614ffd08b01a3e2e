/**
 * One clinic size of the pipeline bench, in order: make the seeded clinic; the read floor; the
 * documents generated to a folder by `endpoint export run --out` and loaded; the parse and store
 * floors; then a gateway child holding an empty store and, against it, the full export (every
 * patient created), a second full export (every document unchanged), the indicator library
 * through the HTTPS hub API, and a differential night after 1% of patients changed.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import type { ExportOutcomeCounts } from '../core/status-files';
import { makeClinic } from '../dev/clinic/make-clinic';
import { mutateClinic } from '../dev/clinic/mutate-clinic';
import { loadDocuments, measureParseFloor, measureReadFloor, measureStoreFloor, type ParseFloor, type ReadFloor, type StoreFloor } from './floors';
import { HubClient, measureQueries, type QueryLatency } from './hub-latency';
import { assertExportWorked, BENCH_CLINIC_ID, makeCertificates, newSecrets, runExportProcess, startGateway, type BenchGateway } from './pipeline';

/** The clinic generator's seed (the same clinic every run). */
export const CLINIC_SEED = 1;
/** The differential night's seed (the same 1% every run). */
export const MUTATION_SEED = 7;

/** Work to undo at the end (or on an interrupt), last in first out. */
export class Teardown {
  private readonly steps: (() => Promise<unknown>)[] = [];

  /** Adds a step; errors of steps are reported, not thrown. */
  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  /** Runs every step once, newest first. */
  async run(): Promise<void> {
    for (let step = this.steps.pop(); step !== undefined; step = this.steps.pop()) {
      await step().catch((error: unknown) => process.stderr.write(`bench: cleanup: ${error instanceof Error ? error.message : String(error)}\n`));
    }
  }
}

/** What one size runs against. */
export interface SizeContext {
  /** mysql:// URL of the MariaDB server, without a database. */
  oscarServerUrl: string;
  mongoUri: string;
  /** Indicator runs per library indicator (after a warm-up). */
  queryRuns: number;
  /** The hub's query engine (ENDPOINT_HUB_QUERY_ENGINE); unset: the gateway's default. */
  queryEngine?: string;
  teardown: Teardown;
}

/** An export run's figures. */
export interface RunFigures {
  seconds: number;
  patients: number;
  patientsPerSecond: number;
  outcomes: ExportOutcomeCounts;
  exporterPeakRssMb: number | undefined;
}

/** Everything measured at one size. */
export interface SizeResult {
  patients: number;
  loadAverageAtStart: number;
  clinic: { database: string; seed: number; activePatients: number; rows: number; makeSeconds: number; referenceDate: string };
  floors: { read: ReadFloor; parse: ParseFloor; store: StoreFloor; sumSeconds: number };
  generate: RunFigures & { note: string };
  pipeline: RunFigures & { patientsExported: number; patientsStored: number; ratioToFloors: number };
  unchanged: RunFigures & { patientsStored: number };
  differential: RunFigures & { changedPatients: number; leftActive: number; ratioToFull: number };
  queries: QueryLatency & { engine: unknown };
  memory: {
    exporterPeakRssMb: number | undefined;
    gatewayPeakRssMb: number | undefined;
    exporterByRun: Record<string, number | undefined>;
    /** The gateway's RSS at points of its life (from /proc). */
    gatewayRssMbAt: Record<string, number | undefined>;
  };
  /** Pipeline breakages seen (empty when all worked). */
  problems: string[];
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

function say(patients: number, text: string): void {
  process.stderr.write(`bench ${patients.toLocaleString('en-US')}: ${text}\n`);
}

function figures(run: Awaited<ReturnType<typeof runExportProcess>>, label: string): RunFigures {
  const summary = assertExportWorked(label, run);
  return {
    seconds: round(run.outcome.seconds),
    patients: summary.patientsTotal,
    patientsPerSecond: round(summary.patientsTotal / run.outcome.seconds, 1),
    outcomes: summary.outcomes,
    exporterPeakRssMb: run.outcome.peakRssMb,
  };
}

async function dropMariaDb(serverUrl: string, database: string): Promise<void> {
  const connection = await mysql.createConnection({ uri: serverUrl });
  await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await connection.end();
}

async function countPatients(mongoUri: string, database: string): Promise<number> {
  const client = await MongoClient.connect(mongoUri);
  try {
    return await client.db(database).collection('patients').countDocuments({});
  } finally {
    await client.close();
  }
}

/** The gateway's `/status` field `queryEngine` (which engine answered the hub), or null. */
async function queryEngineOf(gateway: BenchGateway): Promise<unknown> {
  const status = (await (await fetch(`${gateway.localUrl}/status`)).json()) as { queryEngine?: unknown };
  return status.queryEngine ?? null;
}

async function dropMongo(mongoUri: string, database: string): Promise<void> {
  const client = await MongoClient.connect(mongoUri);
  await client.db(database).dropDatabase().catch(() => undefined);
  await client.close();
}

/** Measures one clinic size. */
export async function measureSize(patients: number, context: SizeContext): Promise<SizeResult> {
  const loadAverageAtStart = round(os.loadavg()[0]);
  const tag = `${patients}_${process.pid}`;
  const work = path.join(os.tmpdir(), `e2e-bench-${tag}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  context.teardown.add(async () => rmSync(work, { recursive: true, force: true }));
  const database = `bench_clinic_${tag}`;
  const oscarUrl = `${context.oscarServerUrl}/${database}`;
  context.teardown.add(() => dropMariaDb(context.oscarServerUrl, database));
  const problems: string[] = [];

  say(patients, 'making the clinic');
  const made = await makeClinic({ oscarUrl, patients, seed: CLINIC_SEED, schema: 'latest' });
  const clinic = {
    database, seed: CLINIC_SEED, activePatients: made.activePatients, rows: Object.values(made.rows).reduce((sum, count) => sum + count, 0), makeSeconds: round(made.seconds), referenceDate: made.referenceDate,
  };

  say(patients, 'read floor');
  const read = await measureReadFloor(oscarUrl);
  say(patients, `read floor ${read.seconds.toFixed(1)} s; generating the documents (export run --out)`);
  const documentsDir = path.join(work, 'documents');
  const generate = { ...figures(await runExportProcess('full', oscarUrl, { outDir: documentsDir }, path.join(work, 'files-state')), 'generate'), note: 'export run --full --out DIR: extraction, mapping and writing, no gateway' };
  let documents = loadDocuments(documentsDir);
  rmSync(documentsDir, { recursive: true, force: true });
  say(patients, `${documents.length} documents loaded; parse floor`);
  const parse = measureParseFloor(documents);
  const secrets = newSecrets();
  say(patients, `parse floor ${parse.seconds.toFixed(1)} s; store floor`);
  const floorDatabase = `bench_floor_${tag}`;
  context.teardown.add(() => dropMongo(context.mongoUri, floorDatabase));
  const store = await measureStoreFloor(documents, context.mongoUri, floorDatabase, BENCH_CLINIC_ID, secrets.hmacSecret);
  documents = [];
  const floorSum = read.seconds + parse.seconds + store.seconds;
  say(patients, `store floor ${store.seconds.toFixed(1)} s; starting the gateway`);

  const gatewayDatabase = `bench_gw_${tag}`;
  context.teardown.add(() => dropMongo(context.mongoUri, gatewayDatabase));
  const certificates = makeCertificates(path.join(work, 'tls'));
  const gateway: BenchGateway = await startGateway({ mongoUri: context.mongoUri, database: gatewayDatabase, certificates, secrets, workDir: work, queryEngine: context.queryEngine });
  let gatewayStopped = false;
  context.teardown.add(async () => void (gatewayStopped || (await gateway.process.stop())));
  const gatewayRssMbAt: Record<string, number | undefined> = { started: gateway.process.rssNowMb() };
  const target = { gatewayUrl: gateway.localUrl, ingestToken: secrets.ingestToken };
  const stateDir = path.join(work, 'export-state');

  say(patients, 'pipeline: full export to the gateway');
  const full = figures(await runExportProcess('full', oscarUrl, target, stateDir), 'full export');
  gatewayRssMbAt.afterFullExport = gateway.process.rssNowMb();
  const storedAfterFull = await countPatients(context.mongoUri, gatewayDatabase);
  if (storedAfterFull !== full.patients) problems.push(`full export: ${storedAfterFull} patients stored of ${full.patients} exported`);
  if (full.outcomes.created !== full.patients) problems.push(`full export into an empty store: ${full.outcomes.created} created of ${full.patients}`);

  say(patients, `pipeline ${full.seconds.toFixed(1)} s; unchanged re-send (full export again)`);
  const unchangedRun = figures(await runExportProcess('full', oscarUrl, target, stateDir), 'unchanged re-send');
  gatewayRssMbAt.afterUnchanged = gateway.process.rssNowMb();
  const storedAfterUnchanged = await countPatients(context.mongoUri, gatewayDatabase);
  if (unchangedRun.outcomes.unchanged !== unchangedRun.patients) problems.push(`unchanged re-send: ${unchangedRun.outcomes.unchanged} unchanged of ${unchangedRun.patients}`);

  say(patients, `unchanged ${unchangedRun.seconds.toFixed(1)} s; hub queries over HTTPS`);
  const hub = new HubClient(gateway.hubPort, certificates);
  let queries: SizeResult['queries'];
  try {
    queries = { ...(await measureQueries(hub, made.referenceDate, context.queryRuns)), engine: await queryEngineOf(gateway) };
  } finally {
    hub.close();
  }
  gatewayRssMbAt.afterQueries = gateway.process.rssNowMb();

  say(patients, `queries p95 ${queries.p95Ms} ms; differential night (1% changed)`);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // the changes fall after the last watermark (second resolution)
  const mutation = await mutateClinic({ oscarUrl, fraction: 0.01, seed: MUTATION_SEED });
  const differentialRun = figures(await runExportProcess('differential', oscarUrl, target, stateDir), 'differential export');
  const differentialExpected = mutation.changed.length - mutation.statusLeftActive.length;
  if (differentialRun.patients !== differentialExpected) problems.push(`differential: ${differentialRun.patients} patients sent, ${differentialExpected} changed and still active`);

  const gatewayOutcome = await gateway.process.stop();
  gatewayStopped = true;
  say(patients, `differential ${differentialRun.seconds.toFixed(1)} s; done`);
  return {
    patients,
    loadAverageAtStart,
    clinic,
    floors: { read: { ...read, seconds: round(read.seconds) }, parse: { ...parse, seconds: round(parse.seconds) }, store: { ...store, seconds: round(store.seconds), deriveSeconds: round(store.deriveSeconds) }, sumSeconds: round(floorSum) },
    generate,
    pipeline: { ...full, patientsExported: full.patients, patientsStored: storedAfterFull, ratioToFloors: round(full.seconds / floorSum) },
    unchanged: { ...unchangedRun, patientsStored: storedAfterUnchanged },
    differential: { ...differentialRun, changedPatients: mutation.changed.length, leftActive: mutation.statusLeftActive.length, ratioToFull: round(differentialRun.seconds / full.seconds, 3) },
    queries,
    memory: {
      exporterPeakRssMb: Math.max(...[full, unchangedRun, differentialRun].map((run) => run.exporterPeakRssMb ?? 0)) || undefined,
      gatewayPeakRssMb: gatewayOutcome.peakRssMb,
      gatewayRssMbAt,
      exporterByRun: { generate: generate.exporterPeakRssMb, full: full.exporterPeakRssMb, unchanged: unchangedRun.exporterPeakRssMb, differential: differentialRun.exporterPeakRssMb },
    },
    problems,
  };
}
