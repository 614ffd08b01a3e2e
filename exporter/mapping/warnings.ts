/**
 * Data-quality warnings collected while building one patient's record. Codes are stable (the
 * run summary counts them); messages name tables, columns and codes, never patient data.
 */
import type { DataWarning, SectionName } from '../../e2e/index';

/** The warning codes the exporter raises. */
export const EXPORT_WARNING_CODES = {
  ZERO_DATE: 'a zero date (0000-00-00 / 0001-01-01) read as missing',
  INVALID_DATE: 'a date that is not a calendar date, left out',
  TEXT_REPAIRED: 'double-encoded (latin1/UTF-8) text repaired',
  TEXT_REPLACED: 'characters illegal in XML removed or replaced',
  BAD_BLOOD_PRESSURE: 'a blood pressure that is not two numbers, skipped',
  BAD_MEASUREMENT_VALUE: 'a measurement value that is not a number, skipped',
  UNMAPPED_MEASUREMENT: 'a measurement type with no LOINC code, skipped',
  MISSING_PROBLEM_STATUS: 'a dxresearch row with no status, exported without one',
  UNKNOWN_CODING_SYSTEM: 'a dxresearch coding system with no known OID, exported uncoded',
  UNKNOWN_PREVENTION_TYPE: 'a prevention type not known as an immunization or screening, skipped',
  UNKNOWN_DRUG_FORM: 'a drug form with no HL7 form code, left out',
  UNKNOWN_ROUTE: 'a route with no HL7 route code, left out',
  BAD_DIN: 'a regional identifier that is not a DIN, left out',
  UNKNOWN_HEALTH_CARD_TYPE: 'a health card province with no OID, BC assumed',
  ROW_UNREADABLE: 'a row that could not be mapped at all, skipped',
} as const;

/** A warning code of the exporter. */
export type ExportWarningCode = keyof typeof EXPORT_WARNING_CODES;

/** Collects one patient's warnings, merging repeats of the same code and column into one. */
export class WarningCollector {
  private readonly byKey = new Map<string, DataWarning & { count: number }>();

  /** Adds a warning; `where` names the table/column (no patient data). */
  add(code: ExportWarningCode, section: SectionName | 'header', where: string): void {
    const key = `${code}|${section}|${where}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      existing.count++;
      return;
    }
    this.byKey.set(key, { code, section, message: `${EXPORT_WARNING_CODES[code]}: ${where}`, count: 1 });
  }

  /** The warnings, with "(n times)" where a warning repeated. */
  list(): DataWarning[] {
    return [...this.byKey.values()].map(({ count, ...warning }) => (count > 1 ? { ...warning, message: `${warning.message} (${count} times)` } : warning));
  }
}
