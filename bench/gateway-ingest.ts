/**
 * Gateway ingest benchmark: the built gateway (`dist/`, `endpoint gateway start`) in a child
 * process against the local Mongo-wire server; documents/s and p50/p95 latency with 1, 4 and
 * 16 concurrent senders for new patients (created), changed documents (updated) and
 * unchanged re-sends, plus the gateway's peak RSS (read from its /metrics). Prints JSON.
 *
 * Usage: node dist/bench/gateway-ingest.js [--count N] [--sample FILE]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { parseCommandArgs, intOption } from '../core/cli-args';
import { PROJECT_ROOT } from '../core/paths';
import { findOrStartMongo, freePort } from '../dev/services/mongo';

const TOKEN = 'bench-ingest-token';
const CONCURRENCIES = [1, 4, 16] as const;

interface PhaseFigures {
  documents: number;
  seconds: number;
  documentsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  failures: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function sendAll(url: string, bodies: Buffer[], concurrency: number): Promise<PhaseFigures> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const sender = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const t0 = performance.now();
      const response = await fetch(`${url}/records`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/xml' }, body: new Uint8Array(body) });
      await response.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (!response.ok) failures += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, sender));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return { documents: bodies.length, seconds: round(seconds), documentsPerSecond: round(bodies.length / seconds), p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), failures };
}

async function rssBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^endpoint_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const { values } = parseCommandArgs(process.argv.slice(2), { count: { type: 'string' }, sample: { type: 'string' } }, 'Usage: gateway-ingest [--count N] [--sample FILE]');
  const count = intOption(values.count, 'count', 300);
  const sampleFile = values.sample ?? path.resolve(PROJECT_ROOT, '../shared/e2e-samples/11_sample10_DALE_CHAN_5_29011973.xml');
  const template = readFileSync(sampleFile, 'utf8');
  const documentFor = (demographicNo: number, round: number): Buffer =>
    Buffer.from(template.replace(/<id extension="[^"]*"/, `<id extension="${demographicNo}"`) + `\n<!-- bench round ${round} -->\n`);

  const mongo = await findOrStartMongo();
  const database = `bench_gateway_${process.pid}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, ENDPOINT_MONGODB_URL: mongo.uri, ENDPOINT_MONGODB_DATABASE: database, ENDPOINT_GATEWAY_PORT: String(port), ENDPOINT_INGEST_TOKEN: TOKEN, ENDPOINT_ADMIN_TOKEN: 'bench-admin', ENDPOINT_HMAC_SECRET: 'bench-secret', ENDPOINT_LOG_LEVEL: 'warn' };
  const gateway = spawn(process.execPath, [path.join(PROJECT_ROOT, 'dist/cli/main.js'), 'gateway', 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; (await fetch(`${url}/livez`).then((r) => r.status, () => 0)) !== 200; i += 1) {
      if (i > 300) throw new Error('the gateway did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    let peakRss = await rssBytes(url);
    const sampler = setInterval(() => void rssBytes(url).then((rss) => (peakRss = Math.max(peakRss, rss)), () => undefined), 200);
    const results: Record<string, Record<string, PhaseFigures>> = {};
    for (const concurrency of CONCURRENCIES) {
      const numbers = Array.from({ length: count }, (_, i) => concurrency * 1_000_000 + i);
      const created = await sendAll(url, numbers.map((n) => documentFor(n, 1)), concurrency);
      const changed = numbers.map((n) => documentFor(n, 2));
      const updated = await sendAll(url, changed, concurrency);
      const unchanged = await sendAll(url, changed, concurrency);
      results[`senders${concurrency}`] = { created, changed: updated, unchanged };
    }
    clearInterval(sampler);
    peakRss = Math.max(peakRss, await rssBytes(url));
    const ratio = (c: number): number => Math.round((results[`senders${c}`].unchanged.documentsPerSecond / results[`senders${c}`].changed.documentsPerSecond) * 10) / 10;
    process.stdout.write(
      JSON.stringify(
        {
          bench: 'gateway-ingest',
          machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
          mongo: mongo.kind,
          documentBytes: documentFor(1, 1).length,
          documentsPerPhase: count,
          results,
          unchangedOverChanged: Object.fromEntries(CONCURRENCIES.map((c) => [`senders${c}`, ratio(c)])),
          gatewayPeakRssMb: Math.round(peakRss / 1e6),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    gateway.kill('SIGTERM');
    await new Promise((resolve) => gateway.once('exit', resolve));
    const client = await MongoClient.connect(mongo.uri);
    await client.db(database).dropDatabase().catch(() => undefined);
    await client.close();
    await mongo.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway-ingest: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
