/**
 * Runs a query definition against the `patients` collection and counts per breakdown cell.
 * When no check is left for code and no key needs arithmetic, the pipeline is `$match` +
 * `$group`/`$sum` and the store counts; otherwise it is `$match` + `$project` of the few fields
 * needed, and the counting (age bands, element checks) is done here while streaming.
 */
import type { Db, Document } from 'mongodb';
import { AGE_BANDS, ageBandOf, parseDay } from './dates';
import type { BreakdownKey, QueryDefinition } from './definition';
import { compilePopulation, fieldsReadBy, populationCheck, type CompiledPopulation, type ProjectedPatient, type ResidualCheck } from './compile';

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

/** Options of a run. */
export interface RunOptions {
  signal?: AbortSignal;
  maxTimeMS?: number;
}

/** How each breakdown dimension reads a projected patient, and its fixed categories (if any). */
const BREAKDOWNS: Record<BreakdownKey, { storeField?: string; categories?: readonly string[]; keyOf: (p: ProjectedPatient, reference: Date) => string }> = {
  sex: { storeField: '$gender', categories: ['F', 'M', 'UN', 'unknown'], keyOf: (p) => (typeof p.gender === 'string' ? p.gender : 'unknown') },
  ageBand: { categories: [...AGE_BANDS.map((band) => band.label), 'unknown'], keyOf: (p, reference) => ageBandOf(p.birthDate, reference) },
  provider: { storeField: '$providerId', keyOf: (p) => (typeof p.providerId === 'string' ? p.providerId : 'unknown') },
};

/** The reference day of a definition: its own, or today (UTC). */
export function referenceDayOf(definition: QueryDefinition, now = new Date()): string {
  return definition.referenceDate ?? now.toISOString().slice(0, 10);
}

/**
 * Builds the pipeline of one compiled population with a breakdown; `alsoReads` (fields of a
 * numerator checked in code in the same pass) forces counting in code.
 */
export function buildPipeline(population: CompiledPopulation, breakdown: BreakdownKey[], alsoReads: string[] = []): CompiledPipeline {
  const match = { $match: population.filter };
  const storeCountable = alsoReads.length === 0 && population.residual.length === 0 && breakdown.every((key) => BREAKDOWNS[key].storeField !== undefined);
  if (storeCountable) {
    const id: Document = {};
    for (const key of breakdown) id[key] = BREAKDOWNS[key].storeField;
    return { pipeline: [match, { $group: { _id: breakdown.length === 0 ? null : id, count: { $sum: 1 } } }], counting: 'store' };
  }
  const projection: Document = { _id: 1, gender: 1, birthDate: 1, providerId: 1 };
  if (population.needs.has('observations')) Object.assign(projection, { 'observations.code': 1, 'observations.value': 1, 'observations.time': 1 });
  if (population.needs.has('immunizations')) Object.assign(projection, { 'immunizations.code': 1, 'immunizations.date': 1, 'immunizations.refused': 1 });
  for (const field of alsoReads) projection[field] = 1;
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

/**
 * Counts a population per breakdown key; with `numerator` (a check in code and the fields it
 * reads), also counts the patients of the population that pass it, in the same pass.
 */
async function countPopulation(
  db: Db,
  population: CompiledPopulation,
  breakdown: BreakdownKey[],
  reference: Date,
  options: RunOptions,
  numerator?: { check: ResidualCheck; reads: string[] },
): Promise<{ counts: Tally; numerators: Tally }> {
  const { pipeline, counting } = buildPipeline(population, breakdown, numerator?.reads);
  const cursor = db.collection(PATIENTS_COLLECTION).aggregate(pipeline, { maxTimeMS: options.maxTimeMS, signal: options.signal, batchSize: 2000 });
  const counts: Tally = new Map();
  const numerators: Tally = new Map();
  try {
    for await (const row of cursor) {
      if (counting === 'store') {
        const group = (row._id ?? {}) as Record<string, unknown>;
        const key: Record<string, string> = {};
        for (const dimension of breakdown) key[dimension] = typeof group[dimension] === 'string' ? (group[dimension] as string) : 'unknown';
        tallyInto(counts, key, Number(row.count));
        continue;
      }
      const patient = row as ProjectedPatient;
      if (!population.residual.every((check) => check(patient))) continue;
      const key: Record<string, string> = {};
      for (const dimension of breakdown) key[dimension] = BREAKDOWNS[dimension].keyOf(patient, reference);
      tallyInto(counts, key, 1);
      if (numerator?.check(patient)) tallyInto(numerators, key, 1);
    }
  } finally {
    await cursor.close().catch(() => undefined);
  }
  return { counts, numerators };
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
 * With a denominator the store scans once: the denominator is matched there and the numerator
 * criteria are checked in code on the same rows.
 */
export async function runDefinition(db: Db, definition: QueryDefinition, referenceDay: string, options: RunOptions = {}): Promise<RawCell[]> {
  const breakdown = definition.breakdown ?? [];
  const reference = parseDay(referenceDay);
  let numerators: Tally;
  let denominators: Tally | undefined;
  if (definition.denominator) {
    const denominator = compilePopulation(definition.denominator, reference);
    const check = populationCheck(definition.population, reference);
    const counted = await countPopulation(db, denominator, breakdown, reference, options, { check, reads: fieldsReadBy(definition.population) });
    numerators = counted.numerators;
    denominators = counted.counts;
  } else {
    numerators = (await countPopulation(db, compilePopulation(definition.population, reference), breakdown, reference, options)).counts;
  }
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
  if (definition.denominator) return [buildPipeline(compilePopulation(definition.denominator, reference), breakdown, fieldsReadBy(definition.population))];
  return [buildPipeline(compilePopulation(definition.population, reference), breakdown)];
}
