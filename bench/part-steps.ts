/**
 * The part benchmarks (make-clinic, e2e-throughput, export-run, gateway-ingest, hub-queries),
 * each in its own process so its peak RSS is its own; `npm run bench -- --parts` adds their JSON
 * to the results as an extra section. Each is also runnable alone from `dist/bench/`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

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

/** What one part benchmark came to. */
export interface PartOutcome {
  exitCode: number | null;
  results: unknown[];
  seconds: number;
}

/** Runs one benchmark script; resolves with the JSON it printed. */
function runStep(step: BenchStep, sizes: number[], env: NodeJS.ProcessEnv): Promise<PartOutcome> {
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

/** Runs every part benchmark at `sizes` with the Mongo-wire server at `mongoUri`; returns their outcomes and how many broke. */
export async function runPartBenchmarks(sizes: number[], mongoUri: string): Promise<{ steps: Record<string, PartOutcome>; broken: number }> {
  const env = { ...process.env, MONGODB_URI: mongoUri, ENDPOINT_LOG_LEVEL: process.env.ENDPOINT_LOG_LEVEL ?? 'warn' };
  const steps: Record<string, PartOutcome> = {};
  let broken = 0;
  for (const step of STEPS) {
    process.stderr.write(`bench: part ${step.name} …\n`);
    const outcome = await runStep(step, sizes, env);
    steps[step.name] = outcome;
    if (outcome.exitCode !== 0 || outcome.results.length === 0) {
      broken++;
      process.stderr.write(`bench: part ${step.name} broke (exit ${outcome.exitCode}, ${outcome.results.length} results)\n`);
    } else {
      process.stderr.write(`bench: part ${step.name} done in ${outcome.seconds.toFixed(1)} s\n`);
    }
  }
  return { steps, broken };
}
