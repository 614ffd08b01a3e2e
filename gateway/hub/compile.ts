/**
 * Compiles a population to what the store can run: a find filter (`$and` of `$in`, `$nin`,
 * anchored escaped `$regex`, ranges) for the `$match` stage, plus element-level checks of
 * observations and immunizations done in code on the projected arrays. FerretDB 1.24 rejects
 * `$elemMatch` over sub-documents, so the filter only narrows to patients with a matching code
 * (an exact necessary condition, index-backed), and the code/value/time of one element are
 * checked together here. Nothing from the request is ever run as code.
 */
import type { Document, Filter } from 'mongodb';
import { addDays, addMonths, ageAt, birthDateRange, parseDay } from './dates';
import type { Comparator, ImmunizationCriterion, ObservationCriterion, PopulationCriteria } from './definition';

/** The fields of a stored patient a residual check reads (a projection of `StoredPatient`). */
export interface ProjectedPatient {
  _id: unknown;
  gender?: string;
  birthDate?: Date;
  providerId?: string;
  observations?: { code?: string; value?: number; time?: Date }[];
  immunizations?: { code?: string; date?: Date; refused?: boolean }[];
  activeProblemCodes?: string[];
  activeMedicationAtc?: string[];
  activeMedicationDin?: string[];
  activeMedicationCount?: number;
}

/** A check of one patient done in code after the `$match`. */
export type ResidualCheck = (patient: ProjectedPatient) => boolean;

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

function observationCheck(criterion: ObservationCriterion, reference: Date): ResidualCheck {
  const codes = new Set(list(criterion.code));
  const since = criterion.withinMonths === undefined ? undefined : addMonths(reference, -criterion.withinMonths);
  const until = addDays(reference, 1);
  const compare = criterion.comparator === undefined ? undefined : COMPARE[criterion.comparator];
  const threshold = criterion.value ?? 0;
  return (patient) =>
    (patient.observations ?? []).some((observation) => {
      if (observation.code === undefined || !codes.has(observation.code)) return false;
      if (compare && (typeof observation.value !== 'number' || !compare(observation.value, threshold))) return false;
      if (since) {
        if (!(observation.time instanceof Date) || observation.time < since || observation.time >= until) return false;
      }
      return true;
    });
}

function immunizationCheck(criterion: ImmunizationCriterion, reference: Date): ResidualCheck {
  const patterns = list(criterion.codePrefix).map(prefixPattern);
  const from = criterion.from !== undefined ? parseDay(criterion.from) : criterion.withinMonths !== undefined ? addMonths(reference, -criterion.withinMonths) : undefined;
  const until = criterion.to !== undefined ? addDays(parseDay(criterion.to), 1) : criterion.withinMonths !== undefined ? addDays(reference, 1) : undefined;
  return (patient) =>
    (patient.immunizations ?? []).some((immunization) => {
      if (immunization.refused === true || immunization.code === undefined) return false;
      const code = immunization.code;
      if (!patterns.some((pattern) => pattern.test(code))) return false;
      if (from || until) {
        if (!(immunization.date instanceof Date)) return false;
        if (from && immunization.date < from) return false;
        if (until && immunization.date >= until) return false;
      }
      return true;
    });
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
  const count = rangeFilter('activeMedicationCount', population.activeMedicationCount?.min, population.activeMedicationCount?.max);
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

/** The projected fields {@link populationCheck} reads for a population. */
export function fieldsReadBy(population: PopulationCriteria): string[] {
  const fields = ['gender', 'birthDate', 'activeProblemCodes', 'activeMedicationAtc', 'activeMedicationDin', 'activeMedicationCount'];
  if (population.observations) fields.push('observations.code', 'observations.value', 'observations.time');
  if (population.immunizations) fields.push('immunizations.code', 'immunizations.date', 'immunizations.refused');
  return fields;
}

function inRange(value: number | undefined, range: { min?: number; max?: number } | undefined): boolean {
  if (!range) return true;
  if (typeof value !== 'number') return false;
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

/**
 * The whole population checked in code on a projected patient (fields of {@link fieldsReadBy}):
 * used to count a numerator in the same pass as its denominator, so the store scans once.
 * Same semantics as {@link compilePopulation}'s filter plus residual checks.
 */
export function populationCheck(population: PopulationCriteria, reference: Date): ResidualCheck {
  const checks: ResidualCheck[] = [];
  if (population.sex !== undefined) {
    const sexes = list(population.sex);
    checks.push((p) => typeof p.gender === 'string' && sexes.includes(p.gender));
  }
  if (population.age) {
    const age = population.age;
    checks.push((p) => p.birthDate instanceof Date && inRange(ageAt(p.birthDate, reference), age));
  }
  if (population.activeMedicationCount) {
    const range = population.activeMedicationCount;
    checks.push((p) => inRange(p.activeMedicationCount, range));
  }
  const anyPrefix = (codes: string[] | undefined, patterns: RegExp[]): boolean => (codes ?? []).some((code) => patterns.some((pattern) => pattern.test(code)));
  for (const problem of population.problems ?? []) {
    const patterns = list(problem.icd9Prefix).map(prefixPattern);
    checks.push((p) => anyPrefix(p.activeProblemCodes, patterns) !== (problem.lacks === true));
  }
  for (const medication of population.medications ?? []) {
    if (medication.atcPrefix !== undefined) {
      const patterns = list(medication.atcPrefix).map(prefixPattern);
      checks.push((p) => anyPrefix(p.activeMedicationAtc, patterns) !== (medication.lacks === true));
    } else {
      const dins = list(medication.din ?? []);
      checks.push((p) => (p.activeMedicationDin ?? []).some((din) => dins.includes(din)) !== (medication.lacks === true));
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
