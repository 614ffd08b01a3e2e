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
  BAD_MEASUREMENT_VALUE: 'a measurement without a value, skipped',
  UNMAPPED_MEASUREMENT: 'a measurement with neither a type nor a lab report, skipped',
  LOCAL_MEASUREMENT_CODE: 'a measurement type with no LOINC code, exported under its OSCAR type (local code)',
  LAB_REPORT_MISSING: 'a lab result whose lab report is not routed to the patient, left out (as OSCAR does)',
  LAB_REPORT_INFO_MISSING:
    'a routed lab report without its hl7TextInfo row, exported without report status and accession',
  LAB_RESULT_WITHOUT_VALUE: 'a lab result without any value, exported without one',
  LAB_RESULT_WITHOUT_CODE: 'a lab result with neither a test identifier nor a measurement type, left out',
  UNKNOWN_UNIT: 'a lab unit that is not a UCUM-like token, kept as the lab wrote it',
  MISSING_PROBLEM_STATUS: 'a dxresearch row with no status, exported without one',
  UNKNOWN_CODING_SYSTEM: 'a dxresearch coding system with no known OID, exported uncoded',
  UNKNOWN_PREVENTION_TYPE: 'a prevention type OSCAR does not list, exported under its own name (local code)',
  LOCAL_PREVENTION_CODE:
    'a prevention type with no vaccine or screening code, exported under its OSCAR type (local code)',
  UNKNOWN_DRUG_FORM: 'a drug form with no HL7 form code, left out',
  UNKNOWN_ROUTE: 'a route with no HL7 route code, left out',
  BAD_DIN: 'a regional identifier that is not a DIN, left out',
  PROVIDER_WITHOUT_CPSID: 'a provider without a CPSID, the MSP number or the OSCAR provider number used instead',
  CPP_ISSUE_MISSING: 'a note linked to an issue that is gone, exported as an encounter',
  UNKNOWN_RELATIONSHIP: 'a family history relationship with no HL7 role code, written as OTH',
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
    return [...this.byKey.values()].map(({ count, ...warning }) =>
      count > 1 ? { ...warning, message: `${warning.message} (${count} times)` } : warning,
    );
  }
}
