/**
 * Small-cell suppression, applied before any count leaves the clinic. Rules (common practice
 * of Canadian primary-care networks and the PDC indicators; 0 is released, since "none" does
 * not single anyone out):
 * 1. primary: a count of 1..k-1 (k = `minCellSize`) is replaced by {@link SUPPRESSED};
 * 2. complementary, per measure over the cells and their released total (the only margin
 *    released): while exactly one cell is hidden, or the hidden cells add up to less than k (so
 *    each would be pinned down by subtraction), hide the smallest non-zero released cell too;
 *    when no cell is left to hide, hide the total;
 * 3. numerator within denominator: when both are released and `denominator − numerator` is
 *    1..k-1 (a small "did not meet" count), the numerator is hidden; then rule 2 runs again.
 */
import type { RawCell } from './evaluate';

/** The marker that replaces a hidden count. */
export const SUPPRESSED = Object.freeze({ suppressed: true as const });

/** A released count: a number or the marker. */
export type ReleasedCount = number | typeof SUPPRESSED;

/** One released cell: `{key, value}` as the hub receives it. */
export interface ReleasedCell {
  key: Record<string, string>;
  value: { numerator: ReleasedCount; denominator?: ReleasedCount };
}

/** The released result and the figures for the audit. */
export interface SuppressedResult {
  cells: ReleasedCell[];
  total: ReleasedCell;
  minCellSize: number;
  rawCellCount: number;
  releasedCellCount: number;
  suppressionApplied: boolean;
}

type Measure = 'numerator' | 'denominator';

/** One measure over the row: cell values, the total, and which are hidden. */
interface Row {
  values: number[];
  total: number;
  hidden: boolean[];
  totalHidden: boolean;
}

function isSmall(count: number, k: number): boolean {
  return count >= 1 && count < k;
}

/** Rule 2 on one row; returns whether anything changed. */
function complementary(row: Row, k: number): boolean {
  let changed = false;
  if (row.totalHidden) return false;
  for (;;) {
    const hiddenIdx = row.hidden.flatMap((hidden, index) => (hidden ? [index] : []));
    if (hiddenIdx.length === 0) return changed;
    const hiddenSum = hiddenIdx.reduce((sum, index) => sum + row.values[index], 0);
    if (hiddenIdx.length >= 2 && hiddenSum >= k) return changed;
    let next = -1;
    row.values.forEach((value, index) => {
      if (!row.hidden[index] && value > 0 && (next === -1 || value < row.values[next])) next = index;
    });
    if (next === -1) {
      row.totalHidden = true;
      return true;
    }
    row.hidden[next] = true;
    changed = true;
  }
}

function makeRow(cells: RawCell[], measure: Measure, k: number): Row {
  const values = cells.map((cell) => cell[measure] ?? 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  return { values, total, hidden: values.map((value) => isSmall(value, k)), totalHidden: isSmall(total, k) };
}

/** Rule 3 between numerator and denominator rows; returns whether anything changed. */
function withinDenominator(numerator: Row, denominator: Row, k: number): boolean {
  let changed = false;
  numerator.values.forEach((value, index) => {
    if (!numerator.hidden[index] && !denominator.hidden[index] && isSmall(denominator.values[index] - value, k)) {
      numerator.hidden[index] = true;
      changed = true;
    }
  });
  if (!numerator.totalHidden && !denominator.totalHidden && isSmall(denominator.total - numerator.total, k)) {
    numerator.totalHidden = true;
    changed = true;
  }
  return changed;
}

/** Applies the three rules to raw cells with threshold `minCellSize`. */
export function suppressCells(cells: RawCell[], minCellSize: number): SuppressedResult {
  const k = minCellSize;
  const hasDenominator = cells.some((cell) => cell.denominator !== undefined);
  const numerator = makeRow(cells, 'numerator', k);
  const denominator = hasDenominator ? makeRow(cells, 'denominator', k) : undefined;
  for (let round = 0; round < 4 * (cells.length + 2); round += 1) {
    let changed = complementary(numerator, k);
    if (denominator) changed = complementary(denominator, k) || changed;
    if (denominator) changed = withinDenominator(numerator, denominator, k) || changed;
    if (!changed) break;
  }
  const show = (row: Row, index: number): ReleasedCount => (row.hidden[index] ? SUPPRESSED : row.values[index]);
  const released: ReleasedCell[] = cells.map((cell, index) => ({
    key: cell.key,
    value: denominator ? { numerator: show(numerator, index), denominator: show(denominator, index) } : { numerator: show(numerator, index) },
  }));
  const showTotal = (row: Row): ReleasedCount => (row.totalHidden ? SUPPRESSED : row.total);
  const total: ReleasedCell = {
    key: {},
    value: denominator ? { numerator: showTotal(numerator), denominator: showTotal(denominator) } : { numerator: showTotal(numerator) },
  };
  const rows = denominator ? [numerator, denominator] : [numerator];
  const rawCellCount = rows.length * (cells.length + 1);
  const hiddenCount = rows.reduce((sum, row) => sum + row.hidden.filter(Boolean).length + (row.totalHidden ? 1 : 0), 0);
  return { cells: released, total, minCellSize: k, rawCellCount, releasedCellCount: rawCellCount - hiddenCount, suppressionApplied: hiddenCount > 0 };
}
