/**
 * Each query form and each library indicator over HTTPS against a synthetic population on the
 * real Mongo-wire server, checked against counts computed here by plain filtering of the same
 * objects (dates of the windows written out by hand, not computed by the code under test), on
 * both query engines (memory and store).
 */
import { INDICATORS } from '../../gateway/hub/indicators';
import type { StoredPatient } from '../../gateway/store/patient-document';
import { openTestMongo } from '../support/services';
import { makeHubTestCerts, type HubTestCerts } from './certs';
import { startTestHub, type TestHub } from './harness';
import { makePopulation, REFERENCE_DAY } from '../../bench/hub-population';

type Patient = StoredPatient;
type Predicate = (p: Patient) => boolean;

const DAY_AFTER_REFERENCE = new Date('2026-07-01T00:00:00Z');
const SINCE_12_MONTHS = new Date('2025-06-30T00:00:00Z');
const SINCE_6_MONTHS = new Date('2025-12-30T00:00:00Z');
const HBA1C = ['4548-4', '17856-6'];

function age(p: Patient): number | undefined {
  if (!p.birthDate) return undefined;
  const b = p.birthDate; // the reference day is 30 June (month index 5)
  const birthdayNotYet = 5 * 100 + 30 < b.getUTCMonth() * 100 + b.getUTCDate();
  return 2026 - b.getUTCFullYear() - (birthdayNotYet ? 1 : 0);
}
const hasProblem = (prefix: string): Predicate => (p) => p.activeProblemCodes.some((code) => code.startsWith(prefix));
const hasAtc = (prefix: string): Predicate => (p) => p.activeMedicationAtc.some((code) => code.startsWith(prefix));
const observed = (codes: string[], test: (value: number) => boolean, since?: Date): Predicate => (p) =>
  p.observations.some(
    (o) => codes.includes(o.code) && typeof o.value === 'number' && test(o.value) && (since === undefined || (o.time !== undefined && o.time >= since && o.time < DAY_AFTER_REFERENCE)),
  );
const recorded = (codes: string[], since?: Date): Predicate => (p) =>
  p.observations.some((o) => codes.includes(o.code) && (since === undefined || (o.time !== undefined && o.time >= since && o.time < DAY_AFTER_REFERENCE)));
const immunized = (prefix: string, from: Date, until: Date): Predicate => (p) =>
  p.immunizations.some((i) => !i.refused && i.code !== undefined && i.code.startsWith(prefix) && i.date !== undefined && i.date >= from && i.date < until);
const not = (predicate: Predicate): Predicate => (p) => !predicate(p);
const all = (...predicates: Predicate[]): Predicate => (p) => predicates.every((predicate) => predicate(p));

const FORMS: [string, Record<string, unknown>, Predicate][] = [
  ['sex F', { sex: 'F' }, (p) => p.gender === 'F'],
  ['sex M or UN', { sex: ['M', 'UN'] }, (p) => p.gender === 'M' || p.gender === 'UN'],
  ['age 65 or more', { age: { min: 65 } }, (p) => (age(p) ?? -1) >= 65],
  ['age 18 to 44', { age: { min: 18, max: 44 } }, (p) => { const a = age(p); return a !== undefined && a >= 18 && a <= 44; }],
  ['problem 250', { problems: [{ icd9Prefix: '250' }] }, hasProblem('250')],
  ['problem prefix with a dot (401.)', { problems: [{ icd9Prefix: '401.' }] }, hasProblem('401.')],
  ['lacks problem 401', { problems: [{ icd9Prefix: '401', lacks: true }] }, not(hasProblem('401'))],
  ['any of COPD codes', { problems: [{ icd9Prefix: ['491', '492', '496'] }] }, (p) => ['491', '492', '496'].some((prefix) => hasProblem(prefix)(p))],
  ['medication ATC R03', { medications: [{ atcPrefix: 'R03' }] }, hasAtc('R03')],
  ['lacks medication ATC C09', { medications: [{ atcPrefix: 'C09', lacks: true }] }, not(hasAtc('C09'))],
  ['medication DIN', { medications: [{ din: '02242903' }] }, (p) => p.activeMedicationDin.includes('02242903')],
  ['lacks medication DINs', { medications: [{ din: ['00559407', '02236876'], lacks: true }] }, (p) => !p.activeMedicationDin.some((din) => ['00559407', '02236876'].includes(din))],
  ['HbA1c > 7 in 12 months', { observations: [{ code: HBA1C, comparator: '>', value: 7, withinMonths: 12 }] }, observed(HBA1C, (v) => v > 7, SINCE_12_MONTHS)],
  ['systolic >= 140 in 6 months', { observations: [{ code: '8480-6', comparator: '>=', value: 140, withinMonths: 6 }] }, observed(['8480-6'], (v) => v >= 140, SINCE_6_MONTHS)],
  ['HbA1c = 9 ever', { observations: [{ code: '4548-4', comparator: '=', value: 9 }] }, observed(['4548-4'], (v) => v === 9)],
  ['HbA1c < 6 ever', { observations: [{ code: HBA1C, comparator: '<', value: 6 }] }, observed(HBA1C, (v) => v < 6)],
  ['diastolic <= 70 in 12 months', { observations: [{ code: '8462-4', comparator: '<=', value: 70, withinMonths: 12 }] }, observed(['8462-4'], (v) => v <= 70, SINCE_12_MONTHS)],
  ['no systolic recorded in 12 months', { observations: [{ code: '8480-6', withinMonths: 12, lacks: true }] }, not(recorded(['8480-6'], SINCE_12_MONTHS))],
  ['flu vaccine in a period', { immunizations: [{ codePrefix: 'J07BB', from: '2025-09-01', to: '2026-03-31' }] }, immunized('J07BB', new Date('2025-09-01T00:00:00Z'), new Date('2026-04-01T00:00:00Z'))],
  ['no flu vaccine in 12 months', { immunizations: [{ codePrefix: 'J07BB', withinMonths: 12, lacks: true }] }, not(immunized('J07BB', SINCE_12_MONTHS, DAY_AFTER_REFERENCE))],
  ['10 or more active medications', { activeMedicationCount: { min: 10 } }, (p) => p.activeMedicationCount >= 10],
  [
    'combined: women 65+ diabetics with HbA1c in 12 months, on no R03',
    { sex: 'F', age: { min: 65 }, problems: [{ icd9Prefix: '250' }], observations: [{ code: HBA1C, withinMonths: 12 }], medications: [{ atcPrefix: 'R03', lacks: true }] },
    all((p) => p.gender === 'F', (p) => (age(p) ?? -1) >= 65, hasProblem('250'), recorded(HBA1C, SINCE_12_MONTHS), not(hasAtc('R03'))),
  ],
];

/** Independent definitions of the library indicators: numerator and denominator. */
const INDICATOR_CHECKS: Record<string, { numerator: Predicate; denominator: Predicate }> = {
  'diabetes-hba1c-12m': { denominator: hasProblem('250'), numerator: recorded(HBA1C, SINCE_12_MONTHS) },
  'diabetes-hba1c-over-9': { denominator: hasProblem('250'), numerator: observed(HBA1C, (v) => v > 9, SINCE_12_MONTHS) },
  'polypharmacy-65': { denominator: (p) => (age(p) ?? -1) >= 65, numerator: (p) => p.activeMedicationCount >= 10 },
  'hypertension-bp-12m': { denominator: hasProblem('401'), numerator: recorded(['8480-6'], SINCE_12_MONTHS) },
  'hypertension-systolic-140': { denominator: hasProblem('401'), numerator: observed(['8480-6'], (v) => v >= 140, SINCE_12_MONTHS) },
  'flu-immunization-65': { denominator: (p) => (age(p) ?? -1) >= 65, numerator: immunized('J07BB', SINCE_12_MONTHS, DAY_AFTER_REFERENCE) },
  'copd-inhaler': { denominator: (p) => ['491', '492', '496'].some((prefix) => hasProblem(prefix)(p)), numerator: hasAtc('R03') },
};

let mongo: Awaited<ReturnType<typeof openTestMongo>>;
let certs: HubTestCerts;
let hub: TestHub;
const hubs = new Map<string, TestHub>();
const ENGINES = ['memory', 'store'] as const;
const patients = makePopulation(400, 7);

interface ResultBody {
  cells: { key: Record<string, string>; value: { numerator: number; denominator?: number } }[];
  total: { value: { numerator: number; denominator?: number } };
}

async function runQuery(body: Record<string, unknown>): Promise<ResultBody> {
  const submitted = await hub.request('POST', '/queries', body);
  expect(submitted.status).toBe(202);
  const id = (submitted.body as { id: string }).id;
  expect(submitted.headers.location).toBe(`/queries/${id}`);
  const job = await hub.settle(id);
  expect(job).toMatchObject({ status: 'complete' });
  const result = await hub.request('GET', `/queries/${id}/result`);
  expect(result.status).toBe(200);
  return result.body as ResultBody;
}

function count(predicate: Predicate, within: Patient[] = patients): number {
  return within.filter(predicate).length;
}

beforeAll(async () => {
  mongo = await openTestMongo(__filename);
  await mongo.db.collection<StoredPatient>('patients').insertMany(patients);
  certs = makeHubTestCerts();
  for (const engine of ENGINES) hubs.set(engine, await startTestHub(mongo.db, certs, { minCellSize: '1', queryConcurrency: '2', hubQueryEngine: engine }));
});

afterAll(async () => {
  for (const started of hubs.values()) await started.listener.close();
  certs?.remove();
  await mongo?.drop();
});

test('the synthetic population makes every form non-trivial', () => {
  for (const [, , predicate] of FORMS) {
    const n = count(predicate);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(patients.length);
  }
});

// Both engines answer every form: the store's pipelines and the in-memory projection.
describe.each(ENGINES)('%s engine', (engine) => {
  beforeAll(() => {
    hub = hubs.get(engine)!;
  });

  test.each(FORMS)('population form: %s', async (_name, population, predicate) => {
    const result = await runQuery({ version: 1, population, referenceDate: REFERENCE_DAY });
    expect(result.cells).toEqual([{ key: {}, value: { numerator: count(predicate) } }]);
    expect(result.total.value.numerator).toBe(count(predicate));
  });

  test('numerator within a denominator', async () => {
    const result = await runQuery({ version: 1, denominator: { problems: [{ icd9Prefix: '250' }] }, population: { observations: [{ code: HBA1C, comparator: '>', value: 7, withinMonths: 12 }] }, referenceDate: REFERENCE_DAY });
    const denominator = patients.filter(hasProblem('250'));
    expect(result.total.value).toEqual({ numerator: count(observed(HBA1C, (v) => v > 7, SINCE_12_MONTHS), denominator), denominator: denominator.length });
  });

  test.each(INDICATORS.map((indicator) => [indicator.name]))('library indicator %s', async (name) => {
    const check = INDICATOR_CHECKS[name];
    expect(check).toBeDefined();
    const result = await runQuery({ indicator: name, referenceDate: REFERENCE_DAY });
    const denominator = patients.filter(check.denominator);
    expect(result.total.value).toEqual({ numerator: count(check.numerator, denominator), denominator: denominator.length });
  });

  describe('breakdowns', () => {
    const sexOf = (p: Patient): string => p.gender ?? 'unknown';
    const bandOf = (p: Patient): string => {
      const a = age(p);
      if (a === undefined) return 'unknown';
      return a >= 85 ? '85+' : a >= 75 ? '75-84' : a >= 65 ? '65-74' : a >= 45 ? '45-64' : a >= 18 ? '18-44' : '0-17';
    };
    const providerOf = (p: Patient): string => p.providerId ?? 'unknown';

    test('by sex: every category listed, counts per cell', async () => {
      const result = await runQuery({ version: 1, population: { problems: [{ icd9Prefix: '401' }] }, breakdown: ['sex'], referenceDate: REFERENCE_DAY });
      expect(result.cells.map((cell) => cell.key.sex).sort()).toEqual(['F', 'M', 'UN', 'unknown']);
      for (const cell of result.cells) expect(cell.value.numerator).toBe(count(all(hasProblem('401'), (p) => sexOf(p) === cell.key.sex)));
    });

    test('by age band with a denominator', async () => {
      const result = await runQuery({ version: 1, denominator: { age: { min: 18 } }, population: { observations: [{ code: '8480-6', withinMonths: 12 }] }, breakdown: ['ageBand'], referenceDate: REFERENCE_DAY });
      expect(result.cells.map((cell) => cell.key.ageBand)).toEqual(['0-17', '18-44', '45-64', '65-74', '75-84', '85+', 'unknown']);
      for (const cell of result.cells) {
        const denominator = patients.filter(all((p) => (age(p) ?? -1) >= 18, (p) => bandOf(p) === cell.key.ageBand));
        expect(cell.value).toEqual({ numerator: count(recorded(['8480-6'], SINCE_12_MONTHS), denominator), denominator: denominator.length });
      }
    });

    test('by provider and by sex × age band', async () => {
      const byProvider = await runQuery({ version: 1, population: { medications: [{ atcPrefix: 'R03' }] }, breakdown: ['provider'], referenceDate: REFERENCE_DAY });
      expect(byProvider.cells.map((cell) => cell.key.provider)).toEqual(['p01', 'p02', 'p03', 'p04', 'unknown']);
      for (const cell of byProvider.cells) expect(cell.value.numerator).toBe(count(all(hasAtc('R03'), (p) => providerOf(p) === cell.key.provider)));

      const crossed = await runQuery({ version: 1, population: { activeMedicationCount: { min: 5 } }, breakdown: ['sex', 'ageBand'], referenceDate: REFERENCE_DAY });
      expect(crossed.cells).toHaveLength(4 * 7);
      for (const cell of crossed.cells) {
        expect(cell.value.numerator).toBe(count(all((p) => p.activeMedicationCount >= 5, (p) => sexOf(p) === cell.key.sex, (p) => bandOf(p) === cell.key.ageBand)));
      }
    });
  });
});
