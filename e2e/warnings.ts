/** The stable codes of the reader's data-quality warnings (DataWarning.code). Never PHI in messages. */
export const WARNING_CODES = {
  /** A timestamp that is not a valid HL7 TS (bad month/day, zero date, text); the field is left out. */
  INVALID_DATE: 'INVALID_DATE',
  /** A code whose code-system OID and name are both unknown to the code-system table (code kept). */
  UNKNOWN_CODE_SYSTEM: 'UNKNOWN_CODE_SYSTEM',
  /** A section whose templateIds and code are both unknown to the section table (skipped). */
  UNKNOWN_SECTION: 'UNKNOWN_SECTION',
  /** An entry without its main code (kept when it still says something, else left out). */
  ENTRY_WITHOUT_CODE: 'ENTRY_WITHOUT_CODE',
  /** A value that is not what its field allows (not a number, unknown status, gender or severity code). */
  BAD_VALUE: 'BAD_VALUE',
  /** A blood pressure written as text that is not "systolic/diastolic" (kept as text). */
  BAD_BLOOD_PRESSURE: 'BAD_BLOOD_PRESSURE',
  /** An entry of a kind its section's reader does not know (skipped). */
  UNEXPECTED_ENTRY: 'UNEXPECTED_ENTRY',
  /** More warnings than one document reports (MAX_WARNINGS); this last one counts those left out. */
  TOO_MANY_WARNINGS: 'TOO_MANY_WARNINGS',
} as const;

/** One of the warning codes. */
export type WarningCode = keyof typeof WARNING_CODES;
