/**
 * The pipeline bench's goals, the checks of each measured size against them, the scaling
 * between the smallest and the largest size, and the printed table (goal vs measured, ✓/✗).
 * The goals are the issue's; timings never make the bench fail, only a broken pipeline does.
 */
import type { SizeResult } from './size-run';

/** The goals, in one place. */
export const GOALS = {
  pipelineOverFloors: 1.5,
  differentialOverFull: 0.05,
  unchangedOverChanged: 3,
  queryP95Ms: 1000,
  peakRssMb: 300,
  /** Peak RSS at the largest size over the smallest: "flat in patient count". */
  rssGrowth: 1.25,
  /** A time's growth may exceed the growth in patients by this factor and still count as linear. */
  scalingSlack: 1.2,
} as const;

/** What the figures mean, written into the results. */
export const DEFINITIONS = {
  read: 'one plain SELECT per table the export reads (same columns as the exporter’s batches, no WHERE/ORDER BY), rows streamed by mysql2 and discarded',
  parse: 'fast-xml-parser over every generated document held in memory (the e2e reader’s parser instance and options)',
  store: 'insertMany of the stored patient documents (readE2E + derivePatient as the gateway does, outside the timing) into an empty patients collection with the gateway’s indexes, 1,000 per batch',
  pipeline: 'wall time of `node dist/cli/main.js export run --full` against `node dist/cli/main.js gateway start` on an empty store, spawn to exit',
  changedRate: 'patients/s of that first full run, where every patient is created (the changed rate)',
  unchanged: 'a second `export run --full` with nothing changed: every document re-sent and answered unchanged',
  differential: '`export run --since last` after dev/clinic mutateClinic changed 1% of active patients (and moved 0.1% out of status AC)',
  queries: 'every indicator of GET /indicators through the HTTPS hub API (POST /queries, poll GET /queries/:id, GET result), one at a time, a warm-up each; time from POST to result',
  memory: 'peak RSS (getrusage maxRSS at exit, or the highest VmHWM polled from /proc) of the exporter (highest of its three pipeline runs) and of the gateway (its whole life)',
  scaling: 'time at the largest size over time at the smallest; linear = the ratio of the patient counts',
} as const;

/** One goal check. */
export interface Check {
  name: string;
  patients?: number;
  goal: string;
  measured: number | undefined;
  ok: boolean;
}

/** Scaling of one time between the smallest and largest size. */
export interface Scaling {
  from: number;
  to: number;
  linear: number;
  ratios: Record<string, number>;
}

const SCALED_TIMES: Record<string, (size: SizeResult) => number> = {
  read: (size) => size.floors.read.seconds,
  parse: (size) => size.floors.parse.seconds,
  store: (size) => size.floors.store.seconds,
  pipeline: (size) => size.pipeline.seconds,
  unchanged: (size) => size.unchanged.seconds,
  differential: (size) => size.differential.seconds,
  queryP50: (size) => size.queries.p50Ms,
  queryP95: (size) => size.queries.p95Ms,
};

/** The changed rate: the first full run's patients/s (all created). */
export function changedRate(size: SizeResult): number {
  return size.pipeline.patientsPerSecond;
}

/** Scaling between the first and last size (undefined with one size). */
export function scalingOf(sizes: readonly SizeResult[]): Scaling | undefined {
  if (sizes.length < 2) return undefined;
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  const ratios = Object.fromEntries(Object.entries(SCALED_TIMES).map(([name, time]) => [name, Math.round((time(large) / time(small)) * 100) / 100]));
  return { from: small.patients, to: large.patients, linear: large.patients / small.patients, ratios };
}

/** Every goal check of the measured sizes. */
export function checksOf(sizes: readonly SizeResult[], scaling: Scaling | undefined): Check[] {
  const checks: Check[] = [];
  for (const size of sizes) {
    const patients = size.patients;
    const unchangedRatio = size.unchanged.patientsPerSecond / changedRate(size);
    checks.push(
      { name: 'pipeline works (stored = exported, exit 0)', patients, goal: 'yes', measured: size.problems.length, ok: size.problems.length === 0 },
      { name: 'pipeline / (read + parse + store)', patients, goal: `≤ ${GOALS.pipelineOverFloors}`, measured: size.pipeline.ratioToFloors, ok: size.pipeline.ratioToFloors <= GOALS.pipelineOverFloors },
      { name: 'differential 1% / full', patients, goal: `≤ ${GOALS.differentialOverFull}`, measured: size.differential.ratioToFull, ok: size.differential.ratioToFull <= GOALS.differentialOverFull },
      { name: 'unchanged rate / changed rate', patients, goal: `≥ ${GOALS.unchangedOverChanged}`, measured: Math.round(unchangedRatio * 100) / 100, ok: unchangedRatio >= GOALS.unchangedOverChanged },
      { name: 'query p95 (ms)', patients, goal: `≤ ${GOALS.queryP95Ms}`, measured: size.queries.p95Ms, ok: size.queries.p95Ms <= GOALS.queryP95Ms },
      { name: 'exporter peak RSS (MB)', patients, goal: `< ${GOALS.peakRssMb}`, measured: size.memory.exporterPeakRssMb, ok: (size.memory.exporterPeakRssMb ?? Infinity) < GOALS.peakRssMb },
      { name: 'gateway peak RSS (MB)', patients, goal: `< ${GOALS.peakRssMb}`, measured: size.memory.gatewayPeakRssMb, ok: (size.memory.gatewayPeakRssMb ?? Infinity) < GOALS.peakRssMb },
    );
  }
  if (scaling !== undefined) {
    const [small, large] = [sizes[0], sizes[sizes.length - 1]];
    for (const part of ['exporterPeakRssMb', 'gatewayPeakRssMb'] as const) {
      const growth = Math.round(((large.memory[part] ?? Infinity) / (small.memory[part] ?? 1)) * 100) / 100;
      checks.push({ name: `${part === 'exporterPeakRssMb' ? 'exporter' : 'gateway'} RSS ${scaling.to}/${scaling.from} (flat)`, goal: `≤ ${GOALS.rssGrowth}`, measured: growth, ok: growth <= GOALS.rssGrowth });
    }
    const limit = Math.round(scaling.linear * GOALS.scalingSlack * 100) / 100;
    for (const [name, ratio] of Object.entries(scaling.ratios)) {
      checks.push({ name: `scaling ${name} ${scaling.to}/${scaling.from}`, goal: `≈ ${Math.round(scaling.linear * 100) / 100} (≤ ${limit})`, measured: ratio, ok: ratio <= limit });
    }
  }
  return checks;
}

const mark = (ok: boolean): string => (ok ? '✓' : '✗');
const fmt = (value: number | undefined, digits = 1): string => (value === undefined || Number.isNaN(value) ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits }));

/** A left-aligned text table. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

/** The printed summary: one column per size, the goal, ✓/✗ per size. */
export function formatTable(sizes: readonly SizeResult[], checks: readonly Check[], scaling: Scaling | undefined, heading: string): string {
  const checkOf = (name: string, patients: number): Check | undefined => checks.find((check) => check.name === name && check.patients === patients);
  const cell = (size: SizeResult, value: string, checkName?: string): string => {
    const check = checkName === undefined ? undefined : checkOf(checkName, size.patients);
    return check === undefined ? value : `${value} ${mark(check.ok)}`;
  };
  const row = (label: string, goal: string, value: (size: SizeResult) => string, checkName?: string): string[] => [label, ...sizes.map((size) => cell(size, value(size), checkName)), goal];
  const rows: string[][] = [
    ['measure', ...sizes.map((size) => `${fmt(size.patients, 0)} patients`), 'goal'],
    row('read floor (s)', '', (size) => fmt(size.floors.read.seconds, 2)),
    row('parse floor (s)', '', (size) => fmt(size.floors.parse.seconds, 2)),
    row('store floor (s)', '', (size) => fmt(size.floors.store.seconds, 2)),
    row('pipeline, full export (s)', '', (size) => fmt(size.pipeline.seconds, 1)),
    row('pipeline (patients/s)', '', (size) => fmt(size.pipeline.patientsPerSecond)),
    row('pipeline / floors', `≤ ${GOALS.pipelineOverFloors}`, (size) => fmt(size.pipeline.ratioToFloors, 2), 'pipeline / (read + parse + store)'),
    row('differential 1% (s)', '', (size) => fmt(size.differential.seconds, 1)),
    row('differential / full', `≤ ${GOALS.differentialOverFull}`, (size) => fmt(size.differential.ratioToFull, 3), 'differential 1% / full'),
    row('changed rate (patients/s) *', '', (size) => fmt(changedRate(size))),
    row('unchanged rate (patients/s)', '', (size) => fmt(size.unchanged.patientsPerSecond)),
    row('unchanged / changed', `≥ ${GOALS.unchangedOverChanged}`, (size) => fmt(size.unchanged.patientsPerSecond / changedRate(size), 2), 'unchanged rate / changed rate'),
    row('hub query engine', '', (size) => String((size.queries.engine as { engine?: unknown } | null)?.engine ?? '?')),
    row('query p50 (ms)', '', (size) => fmt(size.queries.p50Ms, 0)),
    row('query p95 (ms)', `≤ ${GOALS.queryP95Ms}`, (size) => fmt(size.queries.p95Ms, 0), 'query p95 (ms)'),
    row('exporter peak RSS (MB)', `< ${GOALS.peakRssMb}, flat`, (size) => fmt(size.memory.exporterPeakRssMb, 0), 'exporter peak RSS (MB)'),
    row('gateway peak RSS (MB)', `< ${GOALS.peakRssMb}, flat`, (size) => fmt(size.memory.gatewayPeakRssMb, 0), 'gateway peak RSS (MB)'),
    row('pipeline works', 'stored = exported', (size) => (size.problems.length === 0 ? `${fmt(size.pipeline.patientsStored, 0)} stored` : 'BROKEN'), 'pipeline works (stored = exported, exit 0)'),
  ];
  const lines = [heading, table(rows), '* changed rate = patients/s of the first full run, every patient created.'];
  if (scaling === undefined) {
    lines.push('scaling: one size only (run two sizes for the ratios).');
  } else {
    const scaled = checks.filter((check) => check.name.startsWith('scaling ') || check.name.includes('(flat)'));
    lines.push('', `scaling ${fmt(scaling.to, 0)} / ${fmt(scaling.from, 0)} patients (linear = ${fmt(scaling.linear, 2)})`);
    lines.push(table([['measure', 'ratio', 'goal'], ...scaled.map((check) => [check.name.replace(/^scaling /, '').replace(/ \d+\/\d+/, ''), `${fmt(check.measured, 2)} ${mark(check.ok)}`, check.goal])]));
  }
  const broken = sizes.flatMap((size) => size.problems.map((problem) => `${fmt(size.patients, 0)}: ${problem}`));
  if (broken.length > 0) lines.push('', 'PIPELINE PROBLEMS:', ...broken.map((problem) => `  ${problem}`));
  return lines.join('\n');
}
