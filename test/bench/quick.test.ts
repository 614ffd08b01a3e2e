/**
 * `node dist/bench/run.js --quick` as a child process against the run's MariaDB and Mongo-wire
 * server (no server of its own), results into a temporary folder: the pipeline works end to
 * end and every section of the results is there with plausible numbers. Timings are never
 * judged here, only that they were measured.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testMongoUri, testOscarServerUrl } from '../support/services';

const RUN = path.join(__dirname, '..', '..', 'dist', 'bench', 'run.js');

interface QuickResults {
  quick: boolean;
  sizes: number[];
  machine: { cpus: number; cpuModel: string; memoryGb: number };
  node: string;
  mongoWireServer: { kind: string; version: string };
  mariadb: string;
  goals: Record<string, number>;
  definitions: Record<string, string>;
  results: Record<string, Record<string, Record<string, unknown>> & {
    clinic: { activePatients: number };
    floors: { read: { seconds: number; rows: number }; parse: { seconds: number; documents: number; megabytes: number }; store: { seconds: number; documents: number }; sumSeconds: number };
    pipeline: { seconds: number; patientsExported: number; patientsStored: number; patientsPerSecond: number; ratioToFloors: number; outcomes: Record<string, number> };
    unchanged: { seconds: number; patients: number; patientsPerSecond: number; outcomes: Record<string, number>; patientsStored: number };
    differential: { seconds: number; patients: number; changedPatients: number; ratioToFull: number; outcomes: Record<string, number> };
    queries: { indicators: string[]; queries: number; p50Ms: number; p95Ms: number; byIndicator: Record<string, { denominatorTotal: unknown }> };
    memory: { exporterPeakRssMb: number; gatewayPeakRssMb: number };
  }>;
  scaling: Record<string, unknown>;
  checks: { name: string; ok: boolean }[];
  pipelineOk: boolean;
  failures: unknown[];
}

describe('npm run bench -- --quick', () => {
  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'bench-quick-'));
  afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

  test('measures floors, pipeline, unchanged, differential, queries and memory at 1,000 patients and exits 0', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('ENDPOINT_') && name !== 'MONGODB_URI') env[name] = value;
    Object.assign(env, { MONGODB_URI: testMongoUri(), ENDPOINT_OSCAR_URL: testOscarServerUrl(), ENDPOINT_BENCH_RESULTS_DIR: resultsDir });
    const child = spawn(process.execPath, [RUN, '--quick'], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) process.stderr.write(`${stdout}\n${stderr.slice(-4000)}\n`);
    expect(code).toBe(0);

    const files = readdirSync(resultsDir);
    expect(files).toContain('latest.json');
    expect(files.filter((file) => /^\d{4}-\d{2}-\d{2}T.*\.json$/.test(file))).toHaveLength(1);
    const report = JSON.parse(readFileSync(path.join(resultsDir, 'latest.json'), 'utf8')) as QuickResults;
    expect(report).toMatchObject({ quick: true, sizes: [1000], pipelineOk: true, failures: [] });
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.memoryGb).toBeGreaterThan(0);
    expect(report.node).toBe(process.version);
    expect(report.mongoWireServer.kind).toMatch(/^(ferretdb|mongodb)$/);
    expect(report.mongoWireServer.version).toMatch(/\d+\.\d+/);
    expect(report.mariadb).toMatch(/\d+\.\d+/);
    expect(Object.keys(report.definitions)).toEqual(expect.arrayContaining(['read', 'parse', 'store', 'pipeline', 'changedRate', 'unchanged', 'differential', 'queries', 'memory', 'scaling']));
    expect(report.scaling).toEqual({ skipped: 'one size only' });

    const size = report.results['1000'];
    const exported = size.pipeline.patientsExported;
    // The clinic's active patients are exported, every one of them stored.
    expect(exported).toBe(size.clinic.activePatients);
    expect(exported).toBeGreaterThan(800);
    expect(size.pipeline.patientsStored).toBe(exported);
    expect(size.pipeline.outcomes.created).toBe(exported);
    expect(size.floors.parse.documents).toBe(exported);
    expect(size.floors.store.documents).toBe(exported);
    expect(size.floors.read.rows).toBeGreaterThan(exported);
    expect(size.floors.parse.megabytes).toBeGreaterThan(1);
    for (const seconds of [size.floors.read.seconds, size.floors.parse.seconds, size.floors.store.seconds, size.pipeline.seconds, size.unchanged.seconds, size.differential.seconds]) {
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(600);
    }
    expect(size.floors.sumSeconds).toBeCloseTo(size.floors.read.seconds + size.floors.parse.seconds + size.floors.store.seconds, 1);
    expect(size.pipeline.ratioToFloors).toBeCloseTo(size.pipeline.seconds / size.floors.sumSeconds, 1);
    // The re-send is answered unchanged for everyone; the differential sends the 1% changed.
    expect(size.unchanged.outcomes.unchanged).toBe(exported);
    expect(size.unchanged.patientsStored).toBe(exported);
    expect(size.differential.patients).toBeGreaterThan(0);
    expect(size.differential.patients).toBeLessThanOrEqual(size.differential.changedPatients);
    expect(size.differential.outcomes.updated).toBe(size.differential.patients);
    expect(size.differential.ratioToFull).toBeGreaterThan(0);
    expect(size.differential.ratioToFull).toBeLessThan(1);
    // Every library indicator was asked over HTTPS and counted a population.
    expect(size.queries.indicators.length).toBeGreaterThanOrEqual(5);
    expect(size.queries.queries).toBe(size.queries.indicators.length * 3);
    expect(size.queries.p50Ms).toBeGreaterThan(0);
    expect(size.queries.p95Ms).toBeGreaterThanOrEqual(size.queries.p50Ms);
    expect(Object.values(size.queries.byIndicator).some((indicator) => typeof indicator.denominatorTotal === 'number' && indicator.denominatorTotal > 0)).toBe(true);
    for (const rss of [size.memory.exporterPeakRssMb, size.memory.gatewayPeakRssMb]) {
      expect(rss).toBeGreaterThan(20);
      expect(rss).toBeLessThan(4000);
    }
    expect(report.checks.find((check) => check.name.startsWith('pipeline works'))?.ok).toBe(true);
    // The printed table: goal vs measured.
    expect(stdout).toMatch(/pipeline \/ floors\s+\d/);
    expect(stdout).toMatch(/query p95 \(ms\)\s+\d+ [✓✗]/);
    expect(stdout).toContain(resultsDir);
  }, 300_000);
});
