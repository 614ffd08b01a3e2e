/**
 * A seeded synthetic population of `StoredPatient` documents for the hub tests (test/hub) and bench/hub-queries.ts:
 * varied sex, birth dates (some exactly on age boundaries), providers, problem and medication
 * codes, labs/vitals in and out of the 12-month window, immunizations (some refused).
 */
import type { StoredPatient } from '../gateway/store/patient-document';

/** The reference day the tests query at. */
export const REFERENCE_DAY = '2026-06-30';

/** A small deterministic PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROBLEM_CODES = ['250', '4010', '2500', '250.00', '250.02', '401', '401.9', '491.2', '492', '496', '493', '428', 'V58.67'];
const ATC_CODES = ['R03AC02', 'R03BA01', 'C09AA05', 'A10BA02', 'N02BE01', 'R05DA04'];
const DINS = ['02242903', '00559407', '02236876', '02247701'];
const OBSERVATION_CODES: { code: string; kind: 'lab' | 'vital'; low: number; high: number }[] = [
  { code: '4548-4', kind: 'lab', low: 5, high: 12 },
  { code: '17856-6', kind: 'lab', low: 5, high: 12 },
  { code: '8480-6', kind: 'vital', low: 100, high: 180 },
  { code: '8462-4', kind: 'vital', low: 60, high: 110 },
  { code: '2093-3', kind: 'lab', low: 3, high: 7 },
];
const IMMUNIZATION_CODES = ['J07BB02', 'J07BB01', 'J07AL01', 'J07BC01'];
const GENDERS: (StoredPatient['gender'] | undefined)[] = ['F', 'F', 'M', 'M', 'UN', undefined];
const PROVIDERS = ['p01', 'p02', 'p03', 'p04', undefined];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function subset<T>(random: () => number, items: readonly T[], probability: number): T[] {
  return items.filter(() => random() < probability);
}

function day(text: string): Date {
  return new Date(`${text}T00:00:00.000Z`);
}

function dayOffset(base: Date, days: number): Date {
  return new Date(base.getTime() + days * 86400000);
}

/** `count` patients from `seed`; `_id`s are `clinic:<n>`. */
export function makePopulation(count: number, seed = 42, clinicId = 'hub-test'): StoredPatient[] {
  const random = seededRandom(seed);
  const reference = day(REFERENCE_DAY);
  const boundaryBirthDates = [day('1961-06-30'), day('1961-07-01'), day('1961-06-29'), day('2008-06-30'), day('2008-07-01'), day('1941-06-30')];
  const patients: StoredPatient[] = [];
  for (let n = 0; n < count; n += 1) {
    const birthDate = n < boundaryBirthDates.length ? boundaryBirthDates[n] : random() < 0.05 ? undefined : dayOffset(day('1925-01-01'), Math.floor(random() * 36000));
    const observations: StoredPatient['observations'] = [];
    const observationCount = Math.floor(random() * 6);
    for (let i = 0; i < observationCount; i += 1) {
      const spec = pick(random, OBSERVATION_CODES);
      const value = Math.round((spec.low + random() * (spec.high - spec.low)) * 10) / 10;
      const edge = random() < 0.1 ? pick(random, [day('2025-06-30'), day('2025-06-29'), reference, dayOffset(reference, 1)]) : undefined;
      observations.push({ kind: spec.kind, code: spec.code, value: random() < 0.05 ? undefined : pick(random, [value, value, value, 9, 7, 140]), time: edge ?? (random() < 0.05 ? undefined : dayOffset(reference, -Math.floor(random() * 900))) });
    }
    const immunizations: StoredPatient['immunizations'] = [];
    const immunizationCount = Math.floor(random() * 3);
    for (let i = 0; i < immunizationCount; i += 1) {
      immunizations.push({ code: pick(random, IMMUNIZATION_CODES), date: dayOffset(reference, -Math.floor(random() * 700)), refused: random() < 0.15 });
    }
    const atc = subset(random, ATC_CODES, 0.2);
    const din = subset(random, DINS, 0.15);
    const gender = pick(random, GENDERS);
    const providerId = pick(random, PROVIDERS);
    const now = new Date();
    patients.push({
      _id: `${clinicId}:${n}`,
      clinicId,
      demographicNo: String(n),
      ...(birthDate ? { birthDate, birthYear: birthDate.getUTCFullYear() } : {}),
      ...(gender ? { gender } : {}),
      ...(providerId ? { providerId } : {}),
      medications: atc.map((code) => ({ atc: code, active: true })),
      problems: [],
      observations,
      immunizations,
      screenings: [],
      allergies: [],
      encounters: [],
      familyHistory: [],
      activeProblemCodes: subset(random, PROBLEM_CODES, 0.12),
      activeProblemOtherCodes: [],
      activeMedicationAtc: atc,
      activeMedicationDin: din,
      activeMedicationCount: random() < 0.2 ? 10 + Math.floor(random() * 6) : Math.floor(random() * 10),
      sectionCounts: {},
      sourceHash: `hash-${n}`,
      createdAt: now,
      updatedAt: now,
    });
  }
  return patients;
}
