/**
 * Reference rows read once per run: providers (authors' CPSID / MSP / local numbers), the clinic (custodian),
 * measurement type descriptions, OSCAR's lab code → LOINC map (measurementMap) and ICD9 descriptions. Tables a
 * database lacks are read as empty.
 */
import type { OscarSource, SqlRow } from './oscar-source';
import { hasColumn, hasTable } from './schema-detect';

/** What the mapping looks up across patients. */
export interface ReferenceData {
  /** provider_no → provider row (provider_no, first_name, last_name, practitionerNo, ohip_no). */
  providers: Map<string, SqlRow>;
  clinic?: SqlRow;
  /** measurementType.type (upper case) → typeDescription (else typeDisplayName). */
  measurementTypes: Map<string, string>;
  /** measurementMap.ident_code → LOINC code (the first LOINC-shaped loinc_code of the identifier). */
  labCodeToLoinc: Map<string, string>;
  /** icd9.icd9 → description. */
  icd9Descriptions: Map<string, string>;
  /** The database has hl7TextInfo (a routed report without its row is then worth a warning). */
  hasLabReportInfo: boolean;
}

/** A LOINC (and pCLOCD) code: digits, a dash, a check digit. */
export const LOINC_SHAPE = /^\d{1,7}-\d$/;

/** Reads the reference tables: provider, clinic, measurementType, measurementMap, icd9 (at most five queries). */
export async function readReferenceData(source: OscarSource): Promise<ReferenceData> {
  const { schema } = source;
  const providers = new Map<string, SqlRow>();
  const providerColumns = ['provider_no', 'first_name', 'last_name', 'practitionerNo', 'ohip_no'].filter((column) =>
    hasColumn(schema, 'provider', column),
  );
  for (const row of await source.query(`SELECT ${providerColumns.join(', ')} FROM provider`))
    providers.set(String(row.provider_no), row);
  const clinic = hasColumn(schema, 'clinic', 'clinic_name')
    ? (await source.query('SELECT clinic_no, clinic_name FROM clinic ORDER BY clinic_no LIMIT 1'))[0]
    : undefined;

  const measurementTypes = new Map<string, string>();
  if (hasColumn(schema, 'measurementType', 'typeDescription')) {
    for (const row of await source.query(
      'SELECT type, typeDescription, typeDisplayName FROM measurementType ORDER BY id',
    )) {
      const type = String(row.type ?? '')
        .trim()
        .toUpperCase();
      const description = String(row.typeDescription ?? '').trim() || String(row.typeDisplayName ?? '').trim();
      if (type !== '' && description !== '' && !measurementTypes.has(type)) measurementTypes.set(type, description);
    }
  }

  const labCodeToLoinc = new Map<string, string>();
  if (hasColumn(schema, 'measurementMap', 'ident_code')) {
    for (const row of await source.query('SELECT ident_code, loinc_code FROM measurementMap ORDER BY id')) {
      const ident = String(row.ident_code ?? '').trim();
      const loinc = String(row.loinc_code ?? '').trim();
      if (ident !== '' && LOINC_SHAPE.test(loinc) && !labCodeToLoinc.has(ident)) labCodeToLoinc.set(ident, loinc);
    }
  }

  const icd9Descriptions = new Map<string, string>();
  if (hasTable(schema, 'icd9')) {
    for (const row of await source.query('SELECT icd9, description FROM icd9')) {
      const code = String(row.icd9 ?? '').trim();
      const description = String(row.description ?? '').trim();
      if (code !== '' && description !== '') icd9Descriptions.set(code, description);
    }
  }
  return {
    providers,
    clinic,
    measurementTypes,
    labCodeToLoinc,
    icd9Descriptions,
    hasLabReportInfo: hasTable(schema, 'hl7TextInfo'),
  };
}
