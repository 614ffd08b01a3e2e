/**
 * Calendar arithmetic of the hub's queries, in UTC days: age at a reference date, "the last N
 * months", and the age bands of the breakdown. Month and year steps clamp to the month's last
 * day (29 February minus one year is 28 February), so the birth-date ranges the compiler puts in
 * `$match` agree with {@link ageAt} to the day.
 */

const DAY_MS = 24 * 3600 * 1000;

/** The start (00:00 UTC) of a `YYYY-MM-DD` day. */
export function parseDay(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** `date` moved by whole months (negative: back), clamped to the last day of the target month. */
export function addMonths(date: Date, months: number): Date {
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + months;
  const target = new Date(Date.UTC(year, month, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(date.getUTCDate(), lastDay)));
}

/** `date` plus whole days. */
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Age in whole years on `reference` of someone born on `birthDate` (both taken as UTC days). */
export function ageAt(birthDate: Date, reference: Date): number {
  const years = reference.getUTCFullYear() - birthDate.getUTCFullYear();
  const beforeBirthday =
    reference.getUTCMonth() < birthDate.getUTCMonth() ||
    (reference.getUTCMonth() === birthDate.getUTCMonth() && reference.getUTCDate() < birthDate.getUTCDate());
  return years - (beforeBirthday ? 1 : 0);
}

/**
 * The birth-date range of ages `min..max` (inclusive) on `reference`: `{ bornAfterOrOn, bornBefore }`
 * as a half-open interval `[from, until)`.
 */
export function birthDateRange(reference: Date, min?: number, max?: number): { from?: Date; until?: Date } {
  return {
    until: min === undefined ? undefined : addDays(addMonths(reference, -12 * min), 1),
    from: max === undefined ? undefined : addDays(addMonths(reference, -12 * (max + 1)), 1),
  };
}

/** The age bands of the `ageBand` breakdown, as a table: label and the lowest age in the band. */
export const AGE_BANDS: readonly { label: string; minAge: number }[] = [
  { label: '0-17', minAge: 0 },
  { label: '18-44', minAge: 18 },
  { label: '45-64', minAge: 45 },
  { label: '65-74', minAge: 65 },
  { label: '75-84', minAge: 75 },
  { label: '85+', minAge: 85 },
];

/** The band label of an age, or `unknown` for no birth date. */
export function ageBandOf(birthDate: Date | undefined, reference: Date): string {
  if (!(birthDate instanceof Date)) return 'unknown';
  const age = ageAt(birthDate, reference);
  if (age < 0) return 'unknown';
  let label = 'unknown';
  for (const band of AGE_BANDS) if (age >= band.minAge) label = band.label;
  return label;
}
