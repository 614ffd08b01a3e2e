/**
 * Small-cell and complementary suppression: the rules on hand-made rows, invariants on random
 * rows (fast-check), and the released result of a real query over HTTPS with minCellSize 5.
 */
import fc from 'fast-check';
import type { RawCell } from '../../gateway/hub/evaluate';
import { SUPPRESSED, suppressCells, type ReleasedCount } from '../../gateway/hub/suppression';
import type { StoredPatient } from '../../gateway/store/patient-document';
import { openTestMongo } from '../support/services';
import { makeHubTestCerts, type HubTestCerts } from './certs';
import { startTestHub, type TestHub } from './harness';
import { makePopulation, REFERENCE_DAY } from '../../bench/hub-population';

const S = SUPPRESSED;
const row = (...counts: number[]): RawCell[] => counts.map((numerator, index) => ({ key: { cell: String(index) }, numerator }));
const released = (cells: RawCell[], k = 5): ReleasedCount[] => suppressCells(cells, k).cells.map((cell) => cell.value.numerator);

describe('rules on hand-made rows (k = 5)', () => {
  test.each<[string, number[], ReleasedCount[], ReleasedCount]>([
    ['one small cell hides the next smallest non-zero too', [10, 3, 20], [S, S, 20], 33],
    ['zero is released, and is never the complement', [0, 3, 20], [0, S, S], 23],
    ['two small cells adding up below k hide one more', [2, 2, 30, 40], [S, S, S, 40], 74],
    ['two small cells adding up to k or more suffice', [3, 4, 30], [S, S, 30], 37],
    ['a small total is hidden too', [1, 1, 1], [S, S, S], S],
    ['a lone small cell hides the total', [3, 0, 0], [S, 0, 0], S],
    ['nothing small, nothing hidden', [5, 0, 12], [5, 0, 12], 17],
  ])('%s', (_name, counts, expectedCells, expectedTotal) => {
    const result = suppressCells(row(...counts), 5);
    expect(result.cells.map((cell) => cell.value.numerator)).toEqual(expectedCells);
    expect(result.total.value.numerator).toEqual(expectedTotal);
    expect(result.suppressionApplied).toBe(expectedCells.includes(S) || expectedTotal === S);
  });

  test('a small "did not meet" count (denominator − numerator) hides the numerator', () => {
    const result = suppressCells(
      [
        { key: { sex: 'F' }, numerator: 18, denominator: 20 },
        { key: { sex: 'M' }, numerator: 30, denominator: 50 },
        { key: { sex: 'UN' }, numerator: 12, denominator: 40 },
      ],
      5,
    );
    expect(result.cells.map((cell) => cell.value)).toEqual([
      { numerator: S, denominator: 20 },
      { numerator: 30, denominator: 50 },
      { numerator: S, denominator: 40 },
    ]);
    expect(result.total.value).toEqual({ numerator: 60, denominator: 110 });
    expect(result.rawCellCount).toBe(8);
    expect(result.releasedCellCount).toBe(6);
  });

  test('k = 1 suppresses nothing', () => {
    expect(released(row(1, 2, 0, 3), 1)).toEqual([1, 2, 0, 3]);
  });
});

function checkRow(raw: number[], shown: ReleasedCount[], total: number, shownTotal: ReleasedCount, k: number): void {
  shown.forEach((value, index) => {
    if (value !== S) expect(value).toBe(raw[index]);
    if (raw[index] >= 1 && raw[index] < k) expect(value).toBe(S);
  });
  if (shownTotal !== S) {
    expect(shownTotal).toBe(total);
    const hidden = raw.filter((_, index) => shown[index] === S);
    if (hidden.length > 0) {
      expect(hidden.length).toBeGreaterThanOrEqual(2);
      expect(hidden.reduce((sum, value) => sum + value, 0)).toBeGreaterThanOrEqual(k);
    }
  } else {
    expect(total).toBeGreaterThan(0);
  }
}

test('invariants on random rows: no small count shown, no hidden cell recoverable from the total', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 30 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 11 }), (counts, k) => {
      const result = suppressCells(row(...counts), k);
      checkRow(counts, result.cells.map((cell) => cell.value.numerator), counts.reduce((a, b) => a + b, 0), result.total.value.numerator, k);
    }),
    { numRuns: 500 },
  );
});

describe('released results over HTTPS (minCellSize 5)', () => {
  let mongo: Awaited<ReturnType<typeof openTestMongo>>;
  let certs: HubTestCerts;
  let hub: TestHub;
  const patients = makePopulation(150, 11);

  beforeAll(async () => {
    mongo = await openTestMongo(__filename);
    await mongo.db.collection<StoredPatient>('patients').insertMany(patients);
    certs = makeHubTestCerts();
    hub = await startTestHub(mongo.db, certs, { minCellSize: '5' });
  });

  afterAll(async () => {
    await hub?.listener.close();
    certs?.remove();
    await mongo?.drop();
  });

  test('a provider × sex breakdown leaves no small count and no recoverable cell', async () => {
    const submitted = await hub.request('POST', '/queries', { version: 1, population: { problems: [{ icd9Prefix: '401' }] }, breakdown: ['provider', 'sex'], referenceDate: REFERENCE_DAY });
    const id = (submitted.body as { id: string }).id;
    expect(await hub.settle(id)).toMatchObject({ status: 'complete' });
    const result = (await hub.request('GET', `/queries/${id}/result`)).body as {
      suppressionApplied: boolean;
      minCellSize: number;
      cells: { key: { provider: string; sex: string }; value: { numerator: ReleasedCount } }[];
      total: { value: { numerator: ReleasedCount } };
    };
    const raw = result.cells.map(
      (cell) => patients.filter((p) => p.activeProblemCodes.some((code) => code.startsWith('401')) && (p.providerId ?? 'unknown') === cell.key.provider && (p.gender ?? 'unknown') === cell.key.sex).length,
    );
    expect(raw.some((n) => n >= 1 && n < 5)).toBe(true);
    expect(result.suppressionApplied).toBe(true);
    expect(result.minCellSize).toBe(5);
    const shown = result.cells.map((cell) => (typeof cell.value.numerator === 'number' ? cell.value.numerator : S));
    checkRow(raw, shown, raw.reduce((a, b) => a + b, 0), typeof result.total.value.numerator === 'number' ? result.total.value.numerator : S, 5);
    expect(JSON.stringify(result)).toContain('{"suppressed":true}');
  });
});
