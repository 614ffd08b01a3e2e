/**
 * Runs a query definition and counts per breakdown cell, with one of two engines:
 * - `store`: the population compiled to a pipeline. When no check is left for code and no key
 *   needs arithmetic, it is `$match` + `$group`/`$sum` and the store counts; otherwise it is
 *   `$match` + `$project` of the few fields needed, and the counting (age bands, element checks)
 *   is done here while streaming.
 * - `memory`: the same compiled checks run over the hub's in-memory projection of the patients
 *   (gateway/hub/projection.ts), with no store round trip.
 * Both read patients in the same compact form with the same checks.
 */
import type { Db, Document } from 'mongodb';
import { toCohortPatient, type CohortPatient, type PatientRow } from './cohort';
import { AGE_BANDS, ageBandOf, parseDay } from './dates';
import type { BreakdownKey, PopulationCriteria, QueryDefinition } from './definition';
import { compilePopulation, populationCheck, type CompiledPopulation, type ResidualCheck } from './compile';
import type { QueryProjection } from './projection';

/** The collection the hub queries (the gateway's store contract). */
export const PATIENTS_COLLECTION = 'patients';

/** One breakdown cell before suppression. */
export interface RawCell {
  key: Record<string, string>;
  numerator: number;
  denominator?: number;
}

/** A compiled stage list and how its output is counted. */
export interface CompiledPipeline {
  pipeline: Document[];
  /** `store`: the pipeline ends in `$group`; `code`: rows are checked and counted here. */
  counting: 'store' | 'code';
}

/** Where a definition is counted: the store's pipelines, or the in-memory projection. */
export type QuerySource = { engine: 'store'; db: Db } | { engine: 'memory'; projection: QueryProjection };

/** Options of a run. */
export interface RunOptions {
  signal?: AbortSignal;
  maxTimeMS?: number;
}

/** How each breakdown dimension reads a projected patient, and its fixed categories (if any). */
const BREAKDOWNS: Record<BreakdownKey, { storeField?: string; categories?: readonly string[]; keyOf: (p: CohortPatient, reference: Date) => string }> = {
  sex: { storeField: '$gender', categories: ['F', 'M', 'UN', 'unknown'], keyOf: (p) => p.gender ?? 'unknown' },
  ageBand: { categories: [...AGE_BANDS.map((band) => band.label), 'unknown'], keyOf: (p, reference) => ageBandOf(p.birthDate, reference) },
  provider: { storeField: '$providerId', keyOf: (p) => p.providerId ?? 'unknown' },
};

/** The reference day of a definition: its own, or today (UTC). */
export function referenceDayOf(definition: QueryDefinition, now = new Date()): string {
  return definition.referenceDate ?? now.toISOString().slice(0, 10);
}

/** The fields a check of `population` reads beyond the scalar ones every row carries. */
function arraysReadBy(population: PopulationCriteria | undefined): Set<'observations' | 'immunizations'> {
  const needs = new Set<'observations' | 'immunizations'>();
  if (population?.observations) needs.add('observations');
  if (population?.immunizations) needs.add('immunizations');
  return needs;
}

/**
 * Builds the pipeline of one compiled population with a breakdown; `numerator` (a population
 * checked in code in the same pass) forces counting in code.
 */
export function buildPipeline(population: CompiledPopulation, breakdown: BreakdownKey[], numerator?: PopulationCriteria): CompiledPipeline {
  const match = { $match: population.filter };
  const storeCountable = numerator === undefined && population.residual.length === 0 && breakdown.every((key) => BREAKDOWNS[key].storeField !== undefined);
  if (storeCountable) {
    const id: Document = {};
    for (const key of breakdown) id[key] = BREAKDOWNS[key].storeField;
    return { pipeline: [match, { $group: { _id: breakdown.length === 0 ? null : id, count: { $sum: 1 } } }], counting: 'store' };
  }
  const projection: Document = { _id: 1, gender: 1, birthDate: 1, providerId: 1 };
  if (numerator) Object.assign(projection, { activeProblemCodes: 1, activeMedicationAtc: 1, activeMedicationDin: 1, activeMedicationCount: 1 });
  const needs = new Set([...population.needs, ...arraysReadBy(numerator)]);
  if (needs.has('observations')) Object.assign(projection, { 'observations.code': 1, 'observations.value': 1, 'observations.time': 1 });
  if (needs.has('immunizations')) Object.assign(projection, { 'immunizations.code': 1, 'immunizations.date': 1, 'immunizations.refused': 1 });
  return { pipeline: [match, { $project: projection }], counting: 'code' };
}

function cellKey(key: Record<string, string>): string {
  return JSON.stringify(key);
}

type Tally = Map<string, { key: Record<string, string>; count: number }>;

function tallyInto(counts: Tally, key: Record<string, string>, n: number): void {
  const id = cellKey(key);
  const cell = counts.get(id) ?? { key, count: 0 };
  cell.count += n;
  counts.set(id, cell);
}

type Counted = { counts: Tally; numerators: Tally };

function tallyPatient(counted: Counted, patient: CohortPatient, breakdown: BreakdownKey[], reference: Date, numerator: ResidualCheck | undefined): void {
  const key: Record<string, string> = {};
  for (const dimension of breakdown) key[dimension] = BREAKDOWNS[dimension].keyOf(patient, reference);
  tallyInto(counted.counts, key, 1);
  if (numerator?.(patient)) tallyInto(counted.numerators, key, 1);
}

/**
 * Store engine: counts a population per breakdown key; with `numerator`, also counts the
 * patients of the population that pass it, in the same pass.
 */
async function countInStore(db: Db, population: PopulationCriteria, breakdown: BreakdownKey[], reference: Date, options: RunOptions, numerator?: PopulationCriteria): Promise<Counted> {
  const compiled = compilePopulation(population, reference);
  const numeratorCheck = numerator ? populationCheck(numerator, reference) : undefined;
  const { pipeline, counting } = buildPipeline(compiled, breakdown, numerator);
  const cursor = db.collection(PATIENTS_COLLECTION).aggregate(pipeline, { maxTimeMS: options.maxTimeMS, signal: options.signal, batchSize: 2000 });
  const counted: Counted = { counts: new Map(), numerators: new Map() };
  try {
    for await (const row of cursor) {
      if (counting === 'store') {
        const group = (row._id ?? {}) as Record<string, unknown>;
        const key: Record<string, string> = {};
        for (const dimension of breakdown) key[dimension] = typeof group[dimension] === 'string' ? (group[dimension] as string) : 'unknown';
        tallyInto(counted.counts, key, Number(row.count));
        continue;
      }
      const patient = toCohortPatient(row as PatientRow);
      if (compiled.residual.every((check) => check(patient))) tallyPatient(counted, patient, breakdown, reference, numeratorCheck);
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  return counted;
}

/** Patients checked between two looks at the abort signal (a turn of the event loop). */
const MEMORY_SLICE = 5000;

/** Memory engine: the same counts over the in-memory projection, yielding now and then so a cancel or timeout lands. */
async function countInMemory(projection: QueryProjection, population: PopulationCriteria, breakdown: BreakdownKey[], reference: Date, options: RunOptions, numerator?: PopulationCriteria): Promise<Counted> {
  await projection.whenReady(options.signal);
  const check = populationCheck(population, reference);
  const numeratorCheck = numerator ? populationCheck(numerator, reference) : undefined;
  const counted: Counted = { counts: new Map(), numerators: new Map() };
  let sinceYield = 0;
  for (const patient of projection.values()) {
    if (++sinceYield === MEMORY_SLICE) {
      sinceYield = 0;
      await new Promise((resolve) => setImmediate(resolve));
      options.signal?.throwIfAborted();
    }
    if (check(patient)) tallyPatient(counted, patient, breakdown, reference, numeratorCheck);
  }
  return counted;
}

/** Every cell of the breakdown: the product of the fixed categories and the keys seen. */
function allKeys(breakdown: BreakdownKey[], seen: Record<string, string>[]): Record<string, string>[] {
  let keys: Record<string, string>[] = [{}];
  for (const dimension of breakdown) {
    const values = new Set<string>(BREAKDOWNS[dimension].categories ?? []);
    for (const key of seen) values.add(key[dimension]);
    const sorted = [...values].sort((a, b) => a.localeCompare(b));
    keys = keys.flatMap((key) => sorted.map((value) => ({ ...key, [dimension]: value })));
  }
  return keys;
}

/**
 * Runs a definition; returns one raw cell per breakdown key (numerator within the denominator).
 * With a denominator the patients are read once: the denominator is matched and the numerator
 * criteria are checked in code on the same rows.
 */
export async function runDefinition(source: QuerySource, definition: QueryDefinition, referenceDay: string, options: RunOptions = {}): Promise<RawCell[]> {
  const breakdown = definition.breakdown ?? [];
  const reference = parseDay(referenceDay);
  const [population, numerator] = definition.denominator ? [definition.denominator, definition.population] : [definition.population, undefined];
  const counted =
    source.engine === 'memory'
      ? await countInMemory(source.projection, population, breakdown, reference, options, numerator)
      : await countInStore(source.db, population, breakdown, reference, options, numerator);
  const numerators = numerator ? counted.numerators : counted.counts;
  const denominators = numerator ? counted.counts : undefined;
  const seen = [...numerators.values(), ...(denominators?.values() ?? [])].map((cell) => cell.key);
  return allKeys(breakdown, seen).map((key) => {
    const id = cellKey(key);
    const cell: RawCell = { key, numerator: numerators.get(id)?.count ?? 0 };
    if (denominators) cell.denominator = denominators.get(id)?.count ?? 0;
    return cell;
  });
}

/** The pipelines {@link runDefinition} sends to the store for a definition (for `explain`). */
export function pipelinesOf(definition: QueryDefinition, referenceDay: string): CompiledPipeline[] {
  const reference = parseDay(referenceDay);
  const breakdown = definition.breakdown ?? [];
  if (definition.denominator) return [buildPipeline(compilePopulation(definition.denominator, reference), breakdown, definition.population)];
  return [buildPipeline(compilePopulation(definition.population, reference), breakdown)];
}
