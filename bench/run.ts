/**
 * `npm run bench [-- --quick]`: runs the part benchmarks one after another, each in its own
 * process (so peak RSS is its own), collects the JSON lines they print, and writes
 * `bench/results/latest.json` plus a dated copy, with the machine, Node version and Mongo-wire
 * server recorded. `--quick` (1,000 patients) fails only when a benchmark breaks, never on timing.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../core/paths';
import { findOrStartMongo } from '../dev/services/mongo';

interface BenchStep {
  name: string;
  script: string;
  args: (sizes: number[]) => string[];
}

/** The benchmarks, in pipeline order. */
const STEPS: readonly BenchStep[] = [
  { name: 'make-clinic', script: 'make-clinic.js', args: (sizes) => sizes.map(String) },
  { name: 'e2e-throughput', script: 'e2e-throughput.js', args: () => [] },
  {
    name: 'export-run',
    script: 'export-run.js',
    args: (sizes) => ['--patients', sizes.join(','), '--gateway-patients', String(sizes[0])],
  },
  {
    name: 'gateway-ingest',
    script: 'gateway-ingest.js',
    args: (sizes) => ['--count', String(Math.min(200, sizes[0]))],
  },
  { name: 'hub-queries', script: 'hub-queries.js', args: (sizes) => [sizes.join(','), sizes[0] <= 1000 ? '1' : '5'] },
];

/** Runs one benchmark script; resolves with the JSON it printed. */
function runStep(
  step: BenchStep,
  sizes: number[],
  env: NodeJS.ProcessEnv,
): Promise<{ exitCode: number | null; results: unknown[]; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, step.script), ...step.args(sizes)], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      resolve({ exitCode, results: parseResults(stdout), seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** The JSON a benchmark printed: one pretty-printed object, or one object per line. */
function parseResults(stdout: string): unknown[] {
  try {
    return [JSON.parse(stdout) as unknown];
  } catch {
    return stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('{') || line.startsWith('['))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as unknown];
        } catch {
          return [];
        }
      });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, sizes: { type: 'string' } }, strict: true });
  const sizes = values.quick ? [1000] : (values.sizes ?? '10000,50000').split(',').map(Number);
  const mongo = await findOrStartMongo(process.env.MONGODB_URI);
  const env = { ...process.env, MONGODB_URI: mongo.uri, ENDPOINT_LOG_LEVEL: process.env.ENDPOINT_LOG_LEVEL ?? 'warn' };
  const report: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    quick: values.quick === true,
    sizes,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: os.loadavg(),
    },
    node: process.version,
    mongoWireServer: mongo.kind,
    steps: {},
  };
  let failed = 0;
  try {
    for (const step of STEPS) {
      process.stderr.write(`bench: ${step.name} …\n`);
      const outcome = await runStep(step, sizes, env);
      (report.steps as Record<string, unknown>)[step.name] = outcome;
      if (outcome.exitCode !== 0 || outcome.results.length === 0) {
        failed++;
        process.stderr.write(
          `bench: ${step.name} broke (exit ${outcome.exitCode}, ${outcome.results.length} results)\n`,
        );
      } else {
        process.stderr.write(`bench: ${step.name} done in ${outcome.seconds.toFixed(1)} s\n`);
      }
    }
  } finally {
    await mongo.stop();
  }
  const dir = path.join(PROJECT_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const text = JSON.stringify(report, null, 2) + '\n';
  writeFileSync(path.join(dir, 'latest.json'), text);
  writeFileSync(path.join(dir, `${String(report.startedAt).replace(/[:.]/g, '-')}.json`), text);
  process.stdout.write(text);
  return failed === 0 ? 0 : 1;
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
