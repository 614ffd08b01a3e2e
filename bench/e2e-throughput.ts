/**
 * E2E reader and writer throughput (documents/s, MB/s) on the published samples and on ~2,000
 * synthetic records, against a bare fast-xml-parser parse of the same text.
 * Run: npx tsc -p tsconfig.build.json && node dist/bench/e2e-throughput.js
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { loadConfig } from '../core/config/load';
import { readE2E, writeE2E } from '../e2e';
import { syntheticRecords } from './e2e-synthetic';

const MIN_MS = 3000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timePass<T>(items: readonly T[], fn: (item: T) => unknown): number {
  const started = process.hrtime.bigint();
  for (const item of items) fn(item);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/**
 * Times passes over `items` of each function, interleaved round by round (so a busy machine
 * slows all alike), and returns the median ms per pass of each.
 */
function measurePaired<T>(items: readonly T[], fns: Record<string, (item: T) => unknown>): Record<string, number> {
  const times: Record<string, number[]> = {};
  for (const [name, fn] of Object.entries(fns)) {
    times[name] = [];
    timePass(items, fn);
  }
  const started = Date.now();
  while (Date.now() - started < MIN_MS || times[Object.keys(fns)[0]].length < 5) {
    for (const [name, fn] of Object.entries(fns)) times[name].push(timePass(items, fn));
  }
  return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
}

function rate(documents: number, bytes: number, msPerPass: number) {
  return {
    docsPerSecond: Math.round((documents * 1000) / msPerPass),
    mbPerSecond: Number(((bytes / 1e6) * (1000 / msPerPass)).toFixed(2)),
  };
}

function figures(docs: readonly string[]) {
  const bytes = docs.reduce((sum, doc) => sum + Buffer.byteLength(doc), 0);
  const bare = new XMLParser({ ignoreAttributes: false });
  const ms = measurePaired(docs, {
    reader: (doc) => readE2E(doc),
    readerFromBuffer: (doc) => readE2E(Buffer.from(doc)),
    bare: (doc) => bare.parse(doc),
  });
  return {
    documents: docs.length,
    averageBytes: Math.round(bytes / docs.length),
    reader: rate(docs.length, bytes, ms.reader),
    readerFromBuffer: rate(docs.length, bytes, ms.readerFromBuffer),
    bareFastXmlParser: rate(docs.length, bytes, ms.bare),
    ratioReaderToBare: Number((ms.reader / ms.bare).toFixed(2)),
  };
}

function main(): void {
  const samplesDir = path.join(loadConfig().sharedDir, 'e2e-samples');
  const samples = readdirSync(samplesDir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => readFileSync(path.join(samplesDir, f), 'utf8'));
  const records = syntheticRecords(2000);
  const loadAverage = os.loadavg()[0];
  const synthetic = records.map((record) => writeE2E(record));
  const bytes = synthetic.reduce((sum, doc) => sum + Buffer.byteLength(doc), 0);
  const writerMs = measurePaired(records, { writer: (record) => writeE2E(record) }).writer;
  const result = {
    node: process.version,
    cpus: os.cpus().length,
    loadAverageAtStart: Number(loadAverage.toFixed(2)),
    samples: figures(samples),
    synthetic: {
      ...figures(synthetic),
      writer: rate(records.length, bytes, writerMs),
    },
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}

main();
