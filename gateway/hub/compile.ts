/**
 * Compiles a population to what the store can run: a find filter (`$and` of `$in`, `$nin`,
 * anchored escaped `$regex`, ranges) for the `$match` stage, plus element-level checks of
 * observations and immunizations done in code on the rows (as cohort patients); and to one
 * check in code of the whole population, which the memory engine runs. FerretDB 1.24 rejects
 * `$elemMatch` over sub-documents, so the filter only narrows to patients with a matching code
 * (an exact necessary condition, index-backed), and the code/value/time of one element are
 * checked together here. Nothing from the request is ever run as code.
 */
import type { Document, Filter } from 'mongodb';
import { addDays, addMonths, ageAt, birthDateRange, parseDay } from './dates';
import { ENTRY_WIDTH, codeCount, codeOf, knownCodeIdOf, memoized, type CohortPatient } from './cohort';
import type { Comparator, ImmunizationCriterion, ObservationCriterion, PopulationCriteria } from './definition';

/** A check of one patient done in code (after the `$match`, or alone by the memory engine). */
export type ResidualCheck = (patient: CohortPatient) => boolean;

/** A compiled population. */
export interface CompiledPopulation {
  /** The `$match` filter; exact when `residual` is empty, else a necessary condition. */
  filter: Filter<Document>;
  residual: ResidualCheck[];
  /** The array fields the residual checks read. */
  needs: Set<'observations' | 'immunizations'>;
}

const COMPARE: Record<Comparator, (left: number, right: number) => boolean> = {
  '>': (l, r) => l > r,
  '>=': (l, r) => l >= r,
  '<': (l, r) => l < r,
  '<=': (l, r) => l <= r,
  '=': (l, r) => l === r,
};

function list(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}

/** An anchored, escaped prefix pattern. */
export function prefixPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}`);
}

/**
 * The numbers of a query's codes, looked up without adding any: a code no stored patient had yet
 * matches nothing, and is looked up again only when the table has grown (a patient stored with a
 * new code while the query runs, or a row the store engine streams).
 */
function codeIdsOf(wanted: string[]): () => ReadonlySet<number> {
  const ids = new Set<number>();
  let unknown = wanted;
  let seenCount = -1;
  return () => {
    if (unknown.length > 0 && seenCount !== codeCount()) {
      seenCount = codeCount();
      unknown = unknown.filter((code) => {
        const id = knownCodeIdOf(code);
        if (id !== undefined) ids.add(id);
        return id === undefined;
      });
    }
    return ids;
  };
}

function observationCheck(criterion: ObservationCriterion, reference: Date): ResidualCheck {
  const currentCodeIds = codeIdsOf(list(criterion.code));
  const since =
    criterion.withinMonths === undefined ? undefined : addMonths(reference, -criterion.withinMonths).getTime();
  const until = addDays(reference, 1).getTime();
  const compare = criterion.comparator === undefined ? undefined : COMPARE[criterion.comparator];
  const threshold = criterion.value ?? 0;
  return ({ observations: entries }) => {
    if (entries.length === 0) return false;
    const codeIds = currentCodeIds();
    for (let at = 0; at < entries.length; at += ENTRY_WIDTH) {
      if (!codeIds.has(entries[at])) continue;
      const value = entries[at + 1];
      const time = entries[at + 2];
      if (compare && (Number.isNaN(value) || !compare(value, threshold))) continue;
      if (since !== undefined && (Number.isNaN(time) || time < since || time >= until)) continue;
      return true;
    }
    return false;
  };
}

function immunizationCheck(criterion: ImmunizationCriterion, reference: Date): ResidualCheck {
  const patterns = list(criterion.codePrefix).map(prefixPattern);
  const codeMatches = memoized((codeId: number) => patterns.some((pattern) => pattern.test(codeOf(codeId))));
  const from =
    criterion.from !== undefined
      ? parseDay(criterion.from)
      : criterion.withinMonths !== undefined
        ? addMonths(reference, -criterion.withinMonths)
        : undefined;
  const until =
    criterion.to !== undefined
      ? addDays(parseDay(criterion.to), 1)
      : criterion.withinMonths !== undefined
        ? addDays(reference, 1)
        : undefined;
  const fromMs = from?.getTime();
  const untilMs = until?.getTime();
  return ({ immunizations: entries }) => {
    for (let at = 0; at < entries.length; at += ENTRY_WIDTH) {
      if (entries[at + 2] === 1 || !codeMatches(entries[at])) continue;
      const date = entries[at + 1];
      if (fromMs !== undefined || untilMs !== undefined) {
        if (Number.isNaN(date)) continue;
        if (fromMs !== undefined && date < fromMs) continue;
        if (untilMs !== undefined && date >= untilMs) continue;
      }
      return true;
    }
    return false;
  };
}

function rangeFilter(field: string, min?: number, max?: number): Filter<Document> | undefined {
  if (min === undefined && max === undefined) return undefined;
  const condition: Document = {};
  if (min !== undefined) condition.$gte = min;
  if (max !== undefined) condition.$lte = max;
  return { [field]: condition };
}

/** Compiles one population at a reference date (00:00 UTC of the reference day). */
export function compilePopulation(population: PopulationCriteria, reference: Date): CompiledPopulation {
  const clauses: Filter<Document>[] = [];
  const residual: ResidualCheck[] = [];
  const needs = new Set<'observations' | 'immunizations'>();

  if (population.sex !== undefined) clauses.push({ gender: { $in: list(population.sex) } });
  if (population.age) {
    const { from, until } = birthDateRange(reference, population.age.min, population.age.max);
    const condition: Document = {};
    if (from) condition.$gte = from;
    if (until) condition.$lt = until;
    clauses.push({ birthDate: condition });
  }
  const count = rangeFilter(
    'activeMedicationCount',
    population.activeMedicationCount?.min,
    population.activeMedicationCount?.max,
  );
  if (count) clauses.push(count);
  for (const problem of population.problems ?? []) {
    const patterns = list(problem.icd9Prefix).map(prefixPattern);
    clauses.push({ activeProblemCodes: problem.lacks ? { $nin: patterns } : { $in: patterns } });
  }
  for (const medication of population.medications ?? []) {
    const [field, values] =
      medication.atcPrefix !== undefined
        ? (['activeMedicationAtc', list(medication.atcPrefix).map(prefixPattern)] as const)
        : (['activeMedicationDin', list(medication.din ?? [])] as const);
    clauses.push({ [field]: medication.lacks ? { $nin: values } : { $in: values } });
  }
  for (const observation of population.observations ?? []) {
    const check = observationCheck(observation, reference);
    needs.add('observations');
    if (observation.lacks) {
      residual.push((patient) => !check(patient));
    } else {
      clauses.push({ 'observations.code': { $in: list(observation.code) } });
      residual.push(check);
    }
  }
  for (const immunization of population.immunizations ?? []) {
    const check = immunizationCheck(immunization, reference);
    needs.add('immunizations');
    if (immunization.lacks) {
      residual.push((patient) => !check(patient));
    } else {
      clauses.push({ 'immunizations.code': { $in: list(immunization.codePrefix).map(prefixPattern) } });
      residual.push(check);
    }
  }
  return { filter: clauses.length === 0 ? {} : { $and: clauses }, residual, needs };
}

function inRange(value: number | undefined, range: { min?: number; max?: number } | undefined): boolean {
  if (!range) return true;
  if (typeof value !== 'number') return false;
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

/** A prefix test over codes, memoized per distinct (interned) code. */
function anyCodeWithPrefix(prefixes: string | string[]): (codes: readonly string[]) => boolean {
  const patterns = list(prefixes).map(prefixPattern);
  const matches = memoized((code: string) => patterns.some((pattern) => pattern.test(code)));
  return (codes) => codes.some(matches);
}

/**
 * The whole population checked in code on a cohort patient: what the memory engine runs, and
 * how a numerator is counted in the same pass as its denominator by the store engine. Same
 * semantics as {@link compilePopulation}'s filter plus residual checks.
 */
export function populationCheck(population: PopulationCriteria, reference: Date): ResidualCheck {
  const checks: ResidualCheck[] = [];
  if (population.sex !== undefined) {
    const sexes = list(population.sex);
    checks.push((p) => p.gender !== undefined && sexes.includes(p.gender));
  }
  if (population.age) {
    const age = population.age;
    checks.push((p) => p.birthDate !== undefined && inRange(ageAt(p.birthDate, reference), age));
  }
  if (population.activeMedicationCount) {
    const range = population.activeMedicationCount;
    checks.push((p) => inRange(p.activeMedicationCount, range));
  }
  for (const problem of population.problems ?? []) {
    const has = anyCodeWithPrefix(problem.icd9Prefix);
    checks.push((p) => has(p.activeProblemCodes) !== (problem.lacks === true));
  }
  for (const medication of population.medications ?? []) {
    if (medication.atcPrefix !== undefined) {
      const has = anyCodeWithPrefix(medication.atcPrefix);
      checks.push((p) => has(p.activeMedicationAtc) !== (medication.lacks === true));
    } else {
      const dins = new Set(list(medication.din ?? []));
      checks.push((p) => p.activeMedicationDin.some((din) => dins.has(din)) !== (medication.lacks === true));
    }
  }
  for (const observation of population.observations ?? []) {
    const check = observationCheck(observation, reference);
    checks.push((p) => check(p) !== (observation.lacks === true));
  }
  for (const immunization of population.immunizations ?? []) {
    const check = immunizationCheck(immunization, reference);
    checks.push((p) => check(p) !== (immunization.lacks === true));
  }
  return (patient) => checks.every((check) => check(patient));
}
