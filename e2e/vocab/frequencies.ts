/**
 * Dose frequencies: OSCAR's frequency codes (drugs.freqcode) ↔ the PIVL_TS its E2E template writes
 * (a frequency n per d unit, or an uncertain period low–high). The first row of each timing is the
 * code the reader gives back; later rows are spellings the writer also understands.
 */

/** How often: `count` times per `per` `unit`, or every `low`–`high` `unit` (OSCAR's Q1-2H …). */
export type Timing =
  | { kind: 'frequency'; count: number; per: number; unit: string }
  | { kind: 'period'; low: number; high: number; unit: string };

/** One frequency code and its timing. */
export interface FrequencyRow {
  code: string;
  timing: Timing;
}

const times = (count: number, per: number, unit: string): Timing => ({ kind: 'frequency', count, per, unit });
const every = (low: number, high: number, unit: string): Timing => ({ kind: 'period', low, high, unit });

/** OSCAR's frequency codes (UCUM units: d, h, wk, mo), canonical code first for each timing. */
export const FREQUENCIES: readonly FrequencyRow[] = [
  { code: 'OD', timing: times(1, 1, 'd') },
  { code: 'BID', timing: times(2, 1, 'd') },
  { code: 'TID', timing: times(3, 1, 'd') },
  { code: 'QID', timing: times(4, 1, 'd') },
  { code: 'Q1H', timing: times(1, 1, 'h') },
  { code: 'Q2H', timing: times(1, 2, 'h') },
  { code: 'Q4H', timing: times(1, 4, 'h') },
  { code: 'Q6H', timing: times(1, 6, 'h') },
  { code: 'Q8H', timing: times(1, 8, 'h') },
  { code: 'Q12H', timing: times(1, 12, 'h') },
  { code: 'Q1-2H', timing: every(1, 2, 'h') },
  { code: 'Q3-4H', timing: every(3, 4, 'h') },
  { code: 'Q4-6H', timing: every(4, 6, 'h') },
  { code: 'Q1Week', timing: times(1, 1, 'wk') },
  { code: 'Q2Week', timing: times(1, 2, 'wk') },
  { code: 'Q1Month', timing: times(1, 1, 'mo') },
  { code: 'Q3Month', timing: times(1, 3, 'mo') },
  { code: 'QAM', timing: times(1, 1, 'd') },
  { code: 'QPM', timing: times(1, 1, 'd') },
  { code: 'QHS', timing: times(1, 1, 'd') },
  { code: 'daily', timing: times(1, 1, 'd') },
  { code: 'once daily', timing: times(1, 1, 'd') },
  { code: 'twice daily', timing: times(2, 1, 'd') },
  { code: '3x day', timing: times(3, 1, 'd') },
  { code: '3x daily', timing: times(3, 1, 'd') },
  { code: '4x day', timing: times(4, 1, 'd') },
  { code: '4x daily', timing: times(4, 1, 'd') },
  { code: 'weekly', timing: times(1, 1, 'wk') },
  { code: 'monthly', timing: times(1, 1, 'mo') },
];

/** Time units OSCAR's template writes that are not UCUM (w week, m month) → UCUM. */
const UNIT_ALIASES: Readonly<Record<string, string>> = { w: 'wk', m: 'mo', D: 'd', H: 'h' };

/** The UCUM spelling of a time unit as written in a document. */
export function timeUnit(unit: string): string {
  return UNIT_ALIASES[unit] ?? unit;
}

/** A stable key of a timing (numbers as JavaScript writes them, unit in UCUM). */
export function timingKey(timing: Timing): string {
  const unit = timeUnit(timing.unit);
  return timing.kind === 'frequency' ? `${timing.count}/${timing.per}${unit}` : `${timing.low}-${timing.high}${unit}`;
}

const byCode = new Map<string, FrequencyRow>();
const canonicalByKey = new Map<string, string>();
for (const row of FREQUENCIES) {
  byCode.set(row.code.toUpperCase(), row);
  const key = timingKey(row.timing);
  if (!canonicalByKey.has(key)) canonicalByKey.set(key, row.code);
}

/** The timing of a frequency code (case-insensitive), if the table knows it. */
export function timingOfCode(code: string): Timing | undefined {
  return byCode.get(code.trim().toUpperCase())?.timing;
}

/** The canonical code of a timing, if the table has one. */
export function codeOfTiming(timing: Timing): string | undefined {
  return canonicalByKey.get(timingKey(timing));
}
