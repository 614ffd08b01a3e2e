/**
 * Fixed clinical codes inside entries: the screening codes that tell a screening from a lab result
 * in the laboratory section, the codes that tell a risk factor from social history, and the
 * observation codes of family history.
 */
import type { Coded, RiskFactor } from '../record';
import { CODE_SYSTEM_NAME, CODE_SYSTEM_OID, findCodeSystem, type CodeSystemKey } from './code-systems';

/**
 * Standard codes of screenings recorded as preventions (PAP, mammogram, FOBT, colonoscopy). Any
 * code of the local system `oscarPreventionType` is a screening too.
 */
export const SCREENING_CODES: readonly { system: CodeSystemKey; code: string; displayName: string }[] = [
  { system: 'snomed', code: '171149006', displayName: 'Screening for malignant neoplasm of cervix' },
  { system: 'loinc', code: '24606-6', displayName: 'MG Breast Screening' },
  {
    system: 'loinc',
    code: '58453-2',
    displayName: 'Hemoglobin.gastrointestinal [Presence] in Stool by Immunologic method',
  },
  { system: 'snomed', code: '73761001', displayName: 'Colonoscopy' },
];

const screeningKeys = new Set(SCREENING_CODES.map((row) => `${row.system}|${row.code}`));

/** True when a result code in the laboratory section means a screening, not a lab test. */
export function isScreeningCode(code: Coded): boolean {
  const system = findCodeSystem(code.codeSystem, code.codeSystemName)?.key;
  if (system === undefined) return false;
  return system === 'oscarPreventionType' || screeningKeys.has(`${system}|${code.code}`);
}

/** The code of a risk factor organizer's observation, by kind (SNOMED CT observable entities). */
export const RISK_FACTOR_KIND_CODES: Readonly<Record<NonNullable<RiskFactor['kind']>, Coded>> = {
  riskFactor: {
    code: '80943009',
    codeSystem: CODE_SYSTEM_OID.snomed,
    codeSystemName: CODE_SYSTEM_NAME.snomed,
    displayName: 'Risk factor',
  },
  socialHistory: {
    code: '160476009',
    codeSystem: CODE_SYSTEM_OID.snomed,
    codeSystemName: CODE_SYSTEM_NAME.snomed,
    displayName: 'Social / personal history observable',
  },
};

/** The kind of a risk factor observation from its code (SNOMED CT), if it is one of the two. */
export function riskFactorKindOf(code: Coded | undefined): RiskFactor['kind'] {
  if (code === undefined || findCodeSystem(code.codeSystem, code.codeSystemName)?.key !== 'snomed') return undefined;
  for (const [kind, coded] of Object.entries(RISK_FACTOR_KIND_CODES) as [NonNullable<RiskFactor['kind']>, Coded][])
    if (coded.code === code.code) return kind;
  return undefined;
}

/** Codes of a family history entry: the observation (ActCode DX, as OSCAR and PITO write it) and age at onset (LOINC). */
export const FAMILY_HISTORY_CODES = { observation: 'DX', ageAtOnset: '30972-4' } as const;

/** The observation code of a diagnosis (problem and family history entries): SNOMED CT "Diagnosis". */
export const DIAGNOSIS_CODE = { code: '282291009', displayName: 'Diagnosis' } as const;
