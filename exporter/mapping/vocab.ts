/**
 * OSCAR value → E2E vocabulary, as tables. Measurement types → LOINC + unit (the coded rows of
 * OSCAR's own e2emeasurementcode table), drug forms (e2eformcode), routes, statuses, allergy
 * types. Prevention types: prevention-types.ts; relationships: relationships.ts. Lookups are case-insensitive.
 */
import { CODE_SYSTEM_OID, CODE_SYSTEM_NAME } from '../../e2e/vocab/code-systems';
import type { Allergy, Coded, Gender, Problem } from '../../e2e/index';

/** How a measurement type is exported. */
export interface MeasurementCode {
  loinc: string;
  unit: string;
  display: string;
  /** `bloodPressure`: "120/80" split into systolic/diastolic; `text`: the value as written. */
  kind: 'quantity' | 'bloodPressure' | 'text';
  /** Lab values OSCAR keeps as measurements (flowsheets) go to the laboratory section. */
  section?: 'labResults';
}

/**
 * measurementType.type → LOINC: the coded rows of e2emeasurementcode.csv, plus the flowsheet lab
 * types that table leaves TBD, coded here with their LOINC codes in OSCAR's units (SI).
 * Types not listed are exported under their OSCAR type as a local code (LOCAL_MEASUREMENT_CODE).
 */
export const MEASUREMENT_CODES: Readonly<Record<string, MeasurementCode>> = {
  BP: { loinc: '55284-4', unit: 'mm[Hg]', display: 'Blood pressure', kind: 'bloodPressure' },
  BMI: { loinc: '39156-5', unit: 'kg/m2', display: 'Body mass index', kind: 'quantity' },
  HR: { loinc: '8867-4', unit: 'beats/min', display: 'Heart rate', kind: 'quantity' },
  PULS: { loinc: '8867-4', unit: 'beats/min', display: 'Heart rate', kind: 'quantity' },
  PULSE: { loinc: '8867-4', unit: 'beats/min', display: 'Heart rate', kind: 'quantity' },
  HT: { loinc: '8302-2', unit: 'cm', display: 'Body height', kind: 'quantity' },
  WT: { loinc: '3141-9', unit: 'kg', display: 'Body weight', kind: 'quantity' },
  TEMP: { loinc: '8310-5', unit: 'Cel', display: 'Body temperature', kind: 'quantity' },
  WAIS: { loinc: '56115-9', unit: 'cm', display: 'Waist circumference', kind: 'quantity' },
  FEET: { loinc: '11428-0', unit: '', display: 'Foot exam', kind: 'text' },
  FEV1: { loinc: '20150-9', unit: 'L', display: 'FEV1', kind: 'quantity' },
  PEFR: { loinc: '19935-6', unit: 'L/min', display: 'Peak expiratory flow', kind: 'quantity' },
  A1C: { loinc: '4548-4', unit: '%', display: 'Hemoglobin A1c', kind: 'quantity', section: 'labResults' },
  FBS: { loinc: '14771-0', unit: 'mmol/L', display: 'Fasting glucose', kind: 'quantity', section: 'labResults' },
  LDL: {
    loinc: '39469-2',
    unit: 'mmol/L',
    display: 'LDL cholesterol (calculated)',
    kind: 'quantity',
    section: 'labResults',
  },
  HDL: { loinc: '14646-4', unit: 'mmol/L', display: 'HDL cholesterol', kind: 'quantity', section: 'labResults' },
  TCHL: { loinc: '14647-2', unit: 'mmol/L', display: 'Total cholesterol', kind: 'quantity', section: 'labResults' },
  TG: { loinc: '14927-8', unit: 'mmol/L', display: 'Triglyceride', kind: 'quantity', section: 'labResults' },
  EGFR: { loinc: '33914-3', unit: 'mL/min/{1.73_m2}', display: 'eGFR', kind: 'quantity', section: 'labResults' },
  SCR: { loinc: '14682-9', unit: 'umol/L', display: 'Creatinine', kind: 'quantity', section: 'labResults' },
  TSH: { loinc: '3016-3', unit: 'mU/L', display: 'TSH', kind: 'quantity', section: 'labResults' },
  ALT: { loinc: '1742-6', unit: 'U/L', display: 'ALT', kind: 'quantity', section: 'labResults' },
  HB: { loinc: '718-7', unit: 'g/L', display: 'Hemoglobin', kind: 'quantity', section: 'labResults' },
  INR: { loinc: '6301-6', unit: '{INR}', display: 'INR', kind: 'quantity', section: 'labResults' },
  RESP: { loinc: '9279-1', unit: '/min', display: 'Respiratory rate', kind: 'quantity' },
  HEAD: { loinc: '9843-4', unit: 'cm', display: 'Head circumference', kind: 'quantity' },
};

/** drugs.drug_form → HL7 orderable drug form (e2eformcode.csv); a form not listed falls back to its text before " (". */
export const DRUG_FORMS: Readonly<Record<string, string>> = {
  AEROSOL: 'AER',
  'AEROSOL, FOAM': 'FOAM',
  'AEROSOL, METERED DOSE': 'AER',
  'BAR (CHEWABLE)': 'BAR',
  CAPSULE: 'CAP',
  'CAPSULE (ENTERIC-COATED)': 'ENTCAP',
  'CAPSULE (EXTENDED RELEASE)': 'ERCAP',
  'CAPSULE (DELAYED RELEASE)': 'ERCAP',
  'CAPSULE (SUSTAINED-RELEASE)': 'ERCAP',
  'CAPSULE (CONTROLLED-DELIVERY)': 'ERCAP',
  CREAM: 'CRM',
  DISC: 'DISK',
  DOUCHE: 'DOUCHE',
  DROPS: 'DROP',
  ELIXIR: 'ELIXIR',
  ENEMA: 'ENEMA',
  'FILM, SOLUBLE': 'PATCH',
  GAS: 'GASINHL',
  GEL: 'GEL',
  GRANULES: 'GRAN',
  GUM: 'GUM',
  LOTION: 'LTN',
  LOZENGE: 'ORTROCHE',
  'METERED-DOSE AEROSOL': 'MDINHL',
  'METERED-DOSE PUMP': 'MDINHL',
  'MOUTHWASH/GARGLE': 'RINSE',
  OINTMENT: 'OINT',
  PAD: 'PAD',
  PASTE: 'PASTE',
  PATCH: 'PATCH',
  PELLET: 'PELLET',
  PILL: 'PILL',
  POWDER: 'POWD',
  'POWDER FOR SOLUTION': 'POWD',
  'POWDER FOR SUSPENSION': 'POWD',
  'RING (SLOW-RELEASE)': 'VAGSUPP',
  SHAMPOO: 'SHMP',
  'SOAP BAR': 'BARSOAP',
  SOLUTION: 'SOL',
  SPRAY: 'SPRYADAPT',
  'SPRAY, METERED DOSE': 'SPRYADAPT',
  SUPPOSITORY: 'SUPP',
  SUSPENSION: 'SUSP',
  'SUSPENSION (EXTENDED-RELEASE)': 'ERSUSP',
  SWAB: 'SWAB',
  SYRUP: 'SYRUP',
  TABLET: 'TAB',
  'TABLET (ENTERIC-COATED)': 'ECTAB',
  'TABLET (EXTENDED-RELEASE)': 'ERTAB',
  'TABLET (ORALLY DISINTEGRATING)': 'SLTAB',
  TINCTURE: 'TINC',
  TOOTHPASTE: 'TPASTE',
  'VAGINAL TABLET': 'VAGTAB',
  WAFER: 'WAFER',
  WIPE: 'SWAB',
};

/** drugs.route (OSCAR's short forms) → HL7 RouteOfAdministration code and display name. */
export const ROUTES: Readonly<Record<string, readonly [code: string, display: string]>> = {
  PO: ['PO', 'Swallow, oral'],
  ORAL: ['PO', 'Swallow, oral'],
  SL: ['SL', 'Sublingual'],
  BUCC: ['BUC', 'Buccal'],
  IM: ['IM', 'Injection, intramuscular'],
  IV: ['IV', 'Injection, intravenous'],
  SC: ['SQ', 'Injection, subcutaneous'],
  SUBCUT: ['SQ', 'Injection, subcutaneous'],
  SQ: ['SQ', 'Injection, subcutaneous'],
  ID: ['IDINJ', 'Injection, intradermal'],
  INH: ['IPINHL', 'Inhalation, oral'],
  INHL: ['IPINHL', 'Inhalation, oral'],
  NASAL: ['NASINHL', 'Inhalation, nasal'],
  TOP: ['TOPICAL', 'Topical'],
  TOPICAL: ['TOPICAL', 'Topical'],
  TD: ['TRNSDERMD', 'Diffusion, transdermal'],
  PR: ['RECINSTL', 'Instillation, rectal'],
  RECTAL: ['RECINSTL', 'Instillation, rectal'],
  VAG: ['VAGINSI', 'Insertion, vaginal'],
  OPH: ['OPTHALTA', 'Ophthalmic'],
  EYE: ['OPTHALTA', 'Ophthalmic'],
  OTIC: ['OT', 'Otic'],
  EAR: ['OT', 'Otic'],
};

/** demographic.sex → administrative gender. */
export const GENDERS: Readonly<Record<string, Gender>> = { M: 'M', F: 'F', T: 'UN', O: 'UN', U: 'UN' };

/** demographic.official_lang → language code. */
export const LANGUAGES: Readonly<Record<string, string>> = { ENGLISH: 'en', FRENCH: 'fr', EN: 'en', FR: 'fr' };

/** dxresearch.status → problem status; `deleted` rows are not exported. */
export const DX_STATUS: Readonly<Record<string, NonNullable<Problem['status']> | 'deleted'>> = {
  A: 'active',
  C: 'resolved',
  I: 'inactive',
  D: 'deleted',
};

/** dxresearch.coding_system → code system key. */
export const DX_CODING_SYSTEMS: Readonly<Record<string, 'icd9' | 'icd10' | 'snomed'>> = {
  ICD9: 'icd9',
  'ICD-9': 'icd9',
  ICD10: 'icd10',
  'ICD-10': 'icd10',
  SNOMED: 'snomed',
  SNOMEDCT: 'snomed',
  'SNOMED CT': 'snomed',
};

/** allergies.TYPECODE → agent type (OSCAR: 8 ATC class, 10 AHFS class, 11 generic, 12 compound, 13 brand, 14 ingredient). */
export const ALLERGY_TYPES: Readonly<Record<string, NonNullable<Allergy['type']>>> = {
  '8': 'drug',
  '10': 'drug',
  '11': 'drug',
  '12': 'drug',
  '13': 'drug',
  '14': 'drug',
  '0': 'other',
};

/** allergies.severity_of_reaction → severity. */
export const ALLERGY_SEVERITIES: Readonly<Record<string, NonNullable<Allergy['severity']>>> = {
  '1': 'mild',
  '2': 'moderate',
  '3': 'severe',
  '4': 'unknown',
  '0': 'unknown',
};

/** Coded values already made, by system, code and display name: the same code is one (frozen) object per run. */
const CODED = new Map<string, Map<string, Map<string, Coded>>>();
/** Enough for every vocabulary code and the drug and test names of a large clinic; past it values are not kept. */
const CODED_LIMIT = 100_000;
let codedCount = 0;

/** A Coded value in one of the known code systems (shared and frozen: records never change their codes). */
export function coded(system: keyof typeof CODE_SYSTEM_OID, code: string, displayName?: string): Coded {
  // Nested maps, not a joined string key: building the key cost more than the object.
  let byCode = CODED.get(system);
  if (byCode === undefined) CODED.set(system, (byCode = new Map()));
  let byDisplay = byCode.get(code);
  if (byDisplay === undefined) byCode.set(code, (byDisplay = new Map()));
  const display = displayName ?? '';
  let value = byDisplay.get(display);
  if (value === undefined) {
    value = Object.freeze(
      displayName
        ? { code, codeSystem: CODE_SYSTEM_OID[system], codeSystemName: CODE_SYSTEM_NAME[system], displayName }
        : { code, codeSystem: CODE_SYSTEM_OID[system], codeSystemName: CODE_SYSTEM_NAME[system] },
    );
    if (codedCount < CODED_LIMIT) {
      byDisplay.set(display, value);
      codedCount++;
    }
  }
  return value;
}

/** Looks a value up in a table case-insensitively (keys are upper-case). */
export function lookup<V>(table: Readonly<Record<string, V>>, value: string | undefined): V | undefined {
  if (value === undefined) return undefined;
  const key = value.trim().toUpperCase();
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}
