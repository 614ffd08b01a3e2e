/**
 * `npm run bench [-- --quick] [--sizes 10000,50000] [--results DIR] [--parts]`: the pipeline
 * bench. For each clinic size (default 10,000 and 50,000 patients, `--quick` 1,000): the floors
 * (read, parse, store), the full pipeline as real child processes, the unchanged re-send, the
 * hub queries over HTTPS, a differential night, peak RSS; then the scaling between sizes.
 * Writes `latest.json` plus a dated copy into `bench/results/` (or `--results DIR`, or
 * `ENDPOINT_BENCH_RESULTS_DIR`) and prints a table of goal vs measured. Exits non-zero only when
 * the pipeline breaks, never on timing. `--parts` also runs the part benchmarks (extra section).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import { PROJECT_ROOT } from '../core/paths';
import { ensureMariaDb } from '../dev/services/mariadb';
import { findOrStartMongo, type MongoServer } from '../dev/services/mongo';
import { runPartBenchmarks } from './part-steps';
import { stopAllChildren } from './processes';
import { checksOf, DEFINITIONS, formatTable, GOALS, scalingOf } from './report';
import { CLINIC_SEED, measureSize, MUTATION_SEED, Teardown, type SizeResult } from './size-run';

const USAGE = 'Usage: node dist/bench/run.js [--quick] [--sizes 10000,50000] [--results DIR] [--query-runs N] [--query-engine memory|store] [--parts]';

interface BenchOptions {
  quick: boolean;
  sizes: number[];
  resultsDir: string;
  queryRuns: number;
  queryEngine?: string;
  parts: boolean;
}

function parseOptions(): BenchOptions {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean' }, sizes: { type: 'string' }, results: { type: 'string' }, 'query-runs': { type: 'string' }, 'query-engine': { type: 'string' }, parts: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick === true;
  const sizes = (values.sizes ?? (quick ? '1000' : '10000,50000')).split(',').map(Number).sort((a, b) => a - b);
  if (sizes.some((size) => !Number.isInteger(size) || size < 10)) throw new Error(`--sizes takes patient counts of 10 or more, like 10000,50000.\n${USAGE}`);
  const queryRuns = Number(values['query-runs'] ?? (quick ? 3 : 5));
  if (!Number.isInteger(queryRuns) || queryRuns < 1) throw new Error(`--query-runs takes a whole number of 1 or more.\n${USAGE}`);
  const resultsDir = path.resolve(values.results ?? process.env.ENDPOINT_BENCH_RESULTS_DIR ?? path.join(PROJECT_ROOT, 'bench', 'results'));
  return { quick, sizes, resultsDir, queryRuns, queryEngine: values['query-engine'], parts: values.parts === true };
}

/** The MariaDB server the clinics are made on: ENDPOINT_OSCAR_URL without its database, or the local default. */
function oscarServerUrl(): string {
  const url = new URL(process.env.ENDPOINT_OSCAR_URL ?? 'mysql://root@127.0.0.1:3306');
  url.pathname = '';
  return url.toString().replace(/\/$/, '');
}

async function describeServers(mongo: MongoServer, oscarServer: string): Promise<{ mongoWireServer: Record<string, unknown>; mariadb: string }> {
  const client = await MongoClient.connect(mongo.uri);
  let mongoWireServer: Record<string, unknown>;
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const ferretdb = typeof info.ferretdbVersion === 'string' ? info.ferretdbVersion : undefined;
    mongoWireServer = { kind: ferretdb ? 'ferretdb' : 'mongodb', source: mongo.kind, version: ferretdb ?? info.version, wireVersion: info.version };
  } finally {
    await client.close();
  }
  const connection = await mysql.createConnection({ uri: oscarServer });
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
  await connection.end();
  return { mongoWireServer, mariadb: String(rows[0]?.version) };
}

function writeResults(dir: string, report: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(report, null, 2) + '\n';
  const latest = path.join(dir, 'latest.json');
  writeFileSync(latest, text);
  writeFileSync(path.join(dir, `${String(report.startedAt).replace(/[:.]/g, '-')}.json`), text);
  return latest;
}

async function main(): Promise<number> {
  const options = parseOptions();
  const startedAt = new Date();
  const oscarServer = oscarServerUrl();
  await ensureMariaDb(oscarServer);
  const mongo = await findOrStartMongo(process.env.MONGODB_URI);
  const services = new Teardown();
  services.add(() => mongo.stop());
  let teardown = new Teardown();
  const interrupted = (signal: NodeJS.Signals): void => {
    process.stderr.write(`bench: ${signal}; cleaning up\n`);
    void stopAllChildren()
      .then(() => teardown.run())
      .then(() => services.run())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const sizes: SizeResult[] = [];
  const failures: { patients: number; error: string }[] = [];
  let parts: Awaited<ReturnType<typeof runPartBenchmarks>> | undefined;
  let servers: Awaited<ReturnType<typeof describeServers>>;
  try {
    servers = await describeServers(mongo, oscarServer);
    process.stderr.write(`bench: sizes ${options.sizes.join(', ')}; Mongo-wire server ${String(servers.mongoWireServer.kind)} ${String(servers.mongoWireServer.version)} (${mongo.kind})\n`);
    for (const patients of options.sizes) {
      teardown = new Teardown();
      try {
        sizes.push(await measureSize(patients, { oscarServerUrl: oscarServer, mongoUri: mongo.uri, queryRuns: options.queryRuns, queryEngine: options.queryEngine, teardown }));
      } catch (error) {
        failures.push({ patients, error: error instanceof Error ? error.message : String(error) });
        process.stderr.write(`bench ${patients}: BROKEN: ${failures[failures.length - 1].error}\n`);
        break;
      } finally {
        await teardown.run();
      }
    }
    if (options.parts) parts = await runPartBenchmarks(options.sizes, mongo.uri);
  } finally {
    await services.run();
  }

  const scaling = scalingOf(sizes);
  const checks = checksOf(sizes, scaling);
  const pipelineOk = failures.length === 0 && sizes.length === options.sizes.length && sizes.every((size) => size.problems.length === 0);
  const finishedAt = new Date();
  const cpus = os.cpus();
  const report: Record<string, unknown> = {
    bench: 'pipeline',
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 100) / 10,
    quick: options.quick,
    sizes: options.sizes,
    machine: { cpus: cpus.length, cpuModel: cpus[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100), platform: `${os.type()} ${os.release()}` },
    node: process.version,
    ...servers,
    seeds: { clinic: CLINIC_SEED, mutation: MUTATION_SEED },
    goals: GOALS,
    definitions: DEFINITIONS,
    results: Object.fromEntries(sizes.map((size) => [String(size.patients), size])),
    scaling: scaling ?? { skipped: 'one size only' },
    checks,
    pipelineOk,
    failures,
    ...(parts ? { parts: parts.steps } : {}),
  };
  const file = writeResults(options.resultsDir, report);
  const machine = report.machine as { cpus: number; cpuModel?: string; memoryGb: number };
  const heading = `pipeline bench — ${machine.cpus} cores ${machine.cpuModel ?? ''}, ${machine.memoryGb} GB; node ${process.version}; ${String(servers.mongoWireServer.kind)} ${String(servers.mongoWireServer.version)}; MariaDB ${servers.mariadb}`;
  process.stdout.write(`\n${formatTable(sizes, checks, scaling, heading)}\n\n`);
  for (const failure of failures) process.stdout.write(`BROKEN at ${failure.patients} patients: ${failure.error}\n`);
  process.stdout.write(`results: ${file} (${report.seconds} s)\n`);
  return pipelineOk && (parts?.broken ?? 0) === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
