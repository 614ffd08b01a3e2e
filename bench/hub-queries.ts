/**
 * Hub query latency: p50/p95 of each library indicator (numerator and denominator pipelines,
 * suppression included) over 10,000 and 50,000 synthetic StoredPatient documents, alone and
 * with 4 queries at once; and what `explain` says about index use for each pipeline. Creates
 * the same indexes on `patients` as the gateway. Prints JSON.
 * Both engines are measured: `memory` (the in-memory projection, the default) and `store` (pipelines).
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/hub-queries.js [sizes, e.g. 10000,50000] [memory runs] [store runs]
 */
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MongoClient, type Db, type Document, type IndexSpecification } from 'mongodb';
import { findOrStartMongo } from '../dev/services/mongo';
import { PATIENTS_COLLECTION, pipelinesOf, runDefinition, type QuerySource } from '../gateway/hub/evaluate';
import { QueryProjection } from '../gateway/hub/projection';
import { createLogger } from '../core/logger';
import { indicatorDefinition, INDICATORS } from '../gateway/hub/indicators';
import { suppressCells } from '../gateway/hub/suppression';
import { makePopulation, REFERENCE_DAY } from './hub-population';

/** The indexes the gateway creates on `patients`. */
const PATIENT_INDEXES: IndexSpecification[] = [
  { clinicId: 1 },
  { birthDate: 1 },
  { gender: 1 },
  { providerId: 1 },
  { activeProblemCodes: 1 },
  { activeMedicationAtc: 1 },
  { activeMedicationDin: 1 },
  { activeMedicationCount: 1 },
  { 'observations.code': 1, 'observations.time': 1 },
  { 'immunizations.code': 1, 'immunizations.date': 1 },
];

/** Live heap and array buffers after a full collection (what the projection really holds). */
function liveHeapBytes(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let pass = 0; pass < 3; pass += 1) gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
}

async function timedIndicator(source: QuerySource, name: string): Promise<number> {
  const indicator = INDICATORS.find((entry) => entry.name === name);
  if (!indicator) throw new Error(name);
  const started = performance.now();
  const cells = await runDefinition(source, indicatorDefinition(indicator, { referenceDate: REFERENCE_DAY }), REFERENCE_DAY, { maxTimeMS: 120000 });
  suppressCells(cells, 5);
  return performance.now() - started;
}

/** Index names mentioned anywhere in an explain document (MongoDB: IXSCAN stages). */
function indexNames(explain: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(explain)) explain.forEach((item) => indexNames(item, found));
  else if (explain && typeof explain === 'object') {
    for (const [key, value] of Object.entries(explain)) {
      if (key === 'indexName' && typeof value === 'string') found.add(value);
      else indexNames(value, found);
    }
  }
  return found;
}

async function explainPipeline(db: Db, pipeline: Document[]): Promise<Record<string, unknown>> {
  const explain = await db.command({ explain: { aggregate: PATIENTS_COLLECTION, pipeline, cursor: {} }, verbosity: 'queryPlanner' });
  const ferret = explain.serverInfo?.ferretdbVersion !== undefined;
  if (ferret) {
    return { server: `ferretdb ${explain.serverInfo.ferretdbVersion}`, plan: explain.queryPlanner?.Plan, filterPushdown: explain.filterPushdown };
  }
  const names = [...indexNames(explain)];
  return { server: 'mongodb', indexes: names.length > 0 ? names : ['COLLSCAN'] };
}

async function explainIndicators(db: Db): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  for (const indicator of INDICATORS) {
    const pipelines = pipelinesOf(indicatorDefinition(indicator, {}), REFERENCE_DAY);
    const explained = [];
    for (const { pipeline, counting } of pipelines) explained.push({ counting, match: JSON.stringify(pipeline[0], (_key, value: unknown) => (value instanceof RegExp ? String(value) : value)), ...(await explainPipeline(db, pipeline)) });
    report[indicator.name] = explained;
  }
  return report;
}

/** p50/p95 of every library indicator alone, and with 4 at once, on one engine. */
async function latencies(source: QuerySource, runs: number): Promise<Record<string, unknown>> {
  const alone: Record<string, { p50: number; p95: number }> = {};
  const allAlone: number[] = [];
  for (const indicator of INDICATORS) {
    await timedIndicator(source, indicator.name); // warm-up
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) times.push(await timedIndicator(source, indicator.name));
    alone[indicator.name] = { p50: percentile(times, 50), p95: percentile(times, 95) };
    allAlone.push(...times);
  }
  const concurrent: number[] = [];
  const names = INDICATORS.map((indicator) => indicator.name);
  for (let round = 0; round < runs; round += 1) {
    const batch = Array.from({ length: 4 }, (_, slot) => names[(round * 4 + slot) % names.length]);
    concurrent.push(...(await Promise.all(batch.map((name) => timedIndicator(source, name)))));
  }
  return {
    runsPerIndicator: runs,
    aloneMs: { all: { p50: percentile(allAlone, 50), p95: percentile(allAlone, 95) }, byIndicator: alone },
    fourAtOnceMs: { p50: percentile(concurrent, 50), p95: percentile(concurrent, 95), queries: concurrent.length },
  };
}

async function measureSize(db: Db, size: number, runs: number, storeRuns: number): Promise<Record<string, unknown>> {
  const patients = db.collection(PATIENTS_COLLECTION);
  await patients.drop().catch(() => undefined);
  let started = performance.now();
  const population = makePopulation(size, 2026);
  for (let offset = 0; offset < population.length; offset += 5000) await patients.insertMany(population.slice(offset, offset + 5000) as unknown as Document[]);
  const loadMs = Math.round(performance.now() - started);
  started = performance.now();
  for (const key of PATIENT_INDEXES) await patients.createIndex(key);
  const indexMs = Math.round(performance.now() - started);

  started = performance.now();
  const projection = new QueryProjection(patients, createLogger({ level: 'silent' }));
  projection.start();
  await projection.whenReady();
  const projectionLoadMs = Math.round(performance.now() - started);
  const memory = await latencies({ engine: 'memory', projection }, runs);
  const store = await latencies({ engine: 'store', db }, storeRuns);
  const heapWith = liveHeapBytes();
  projection.close();
  const projectionHeapMB = Math.round((heapWith - liveHeapBytes()) / 1e6);
  return {
    patients: size,
    loadMs,
    indexMs,
    memoryEngine: { projectionLoadMs, projectionHeapMB, ...memory },
    storeEngine: store,
    explain: await explainIndicators(db),
  };
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '10000,50000').split(',').map(Number);
  const runs = Number(process.argv[3] ?? '20');
  const storeRuns = Number(process.argv[4] ?? '3');
  const server = await findOrStartMongo();
  const client = await MongoClient.connect(server.uri);
  const db = client.db(`bench_hub_${randomBytes(3).toString('hex')}`);
  try {
    const results = [];
    for (const size of sizes) results.push(await measureSize(db, size, runs, storeRuns));
    process.stdout.write(`${JSON.stringify({ bench: 'hub-queries', server: server.kind, referenceDay: REFERENCE_DAY, goal: 'p95 <= 1000 ms at 50,000 patients', results }, null, 2)}\n`);
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
