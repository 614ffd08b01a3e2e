/**
 * Laboratory vocabulary of the synthetic clinic, as data: the tests a BC lab reports (one OBX each:
 * the lab's identifier — pCLOCD ≈ LOINC, or a local X code —, name, unit, reference range as sent),
 * the batteries they come in (one OBR each, with its discipline), the labs, and the clinic's
 * measurementMap rows. A test is "mapped" (its `measurements.type` is a flowsheet type) exactly
 * when measurementMap has a FLOWSHEET row for its LOINC code, as OSCAR's lab upload decides
 * (Hl7textResultsData: measurementMapDao.findMeasurements("FLOWSHEET", identifier)); every other
 * result is stored with type ''.
 */

/** One lab test (an OBX) and how its value is drawn. */
export interface LabTest {
  readonly key: string;
  /** OBX-3 identifier: pCLOCD/LOINC code, or the lab's local code. */
  readonly identifier: string;
  /** OBX-3 text as the lab writes it. */
  readonly name: string;
  /** OBX-6 units ('' when none). */
  readonly unit: string;
  /** OBX-7 reference range as sent ('' when none); OSCAR splits it into range / minimum / maximum. */
  readonly range: string;
  readonly mean: number;
  readonly sd: number;
  readonly decimals: number;
  /** The flowsheet type (measurementType.type) when mapped in the clinic's measurementMap, else null (type ''). */
  readonly flowsheetType: string | null;
  /** Text results (comment OBX): the value is one of these. */
  readonly texts?: readonly string[];
}

type LabTestRow = readonly [
  key: string,
  identifier: string,
  name: string,
  unit: string,
  range: string,
  mean: number,
  sd: number,
  decimals: number,
  flowsheetType: string | null,
];

// prettier-ignore
const LAB_TEST_ROWS: readonly LabTestRow[] = [
  ['A1C', '4548-4', 'Hemoglobin A1c', '%', '4.0-6.0', 5.6, 0.3, 1, 'A1C'],
  ['FBS', '14771-0', 'Glucose Fasting', 'mmol/L', '3.6-6.0', 5.3, 0.6, 1, 'FBS'],
  ['TCHL', '14647-2', 'Cholesterol', 'mmol/L', '<5.20', 4.9, 1.0, 1, 'TCHL'],
  ['TG', '14927-8', 'Triglycerides', 'mmol/L', '<1.70', 1.6, 0.8, 2, 'TG'],
  ['HDL', '14646-4', 'HDL Cholesterol', 'mmol/L', '>0.90', 1.3, 0.35, 2, 'HDL'],
  ['LDL', '22748-8', 'LDL Cholesterol', 'mmol/L', '<3.50', 2.7, 0.9, 2, 'LDL'],
  ['CHR', '9322-9', 'Chol/HDL (Risk Ratio)', '', '<5.0', 3.9, 1.0, 1, null],
  ['SCR', '14682-9', 'Creatinine', 'umol/L', '50-110', 84, 20, 0, 'SCR'],
  ['EGFR', '33914-3', 'Estimated GFR', 'mL/min/1.73m2', '>60', 80, 16, 0, 'EGFR'],
  ['NA', '2951-2', 'Sodium', 'mmol/L', '135-145', 139, 2.5, 0, null],
  ['K', '2823-3', 'Potassium', 'mmol/L', '3.5-5.0', 4.3, 0.4, 1, null],
  ['ACR', '9318-7', 'Urine ACR (Albumin/Creatinine Ratio)', 'mg/mmol', '<2.0', 2.4, 3.5, 1, null],
  ['ACR2', '14959-1', 'Microalbumin/Creatinine Ratio', 'mg/mmol', 'Normal: <2.0', 2.4, 3.5, 1, null],
  ['WBC', '6690-2', 'WBC', 'x10E9/L', '4.0-11.0', 7.0, 1.8, 1, null],
  ['HGB', '718-7', 'Hemoglobin', 'g/L', '120-160', 138, 14, 0, null],
  ['PLT', '777-3', 'Platelet Count', 'x10E9/L', '150-400', 250, 60, 0, null],
  ['INR', '6301-6', 'INR', '', 'Therapeutic: 2.0-3.0', 2.5, 0.5, 1, null],
  ['ALT', '1742-6', 'ALT', 'U/L', '<40', 27, 11, 0, null],
  ['TSH', '3016-3', 'TSH', 'mU/L', '0.32-5.04', 2.3, 1.2, 2, null],
  ['PSA', '2857-1', 'PSA', 'ug/L', 'Age 50-69: <4.5', 1.6, 1.3, 2, null],
  ['COMMENT', 'X10025', 'Comment', '', '', 0, 0, 0, null],
];

/** Comment OBX texts (X10025). */
export const LAB_COMMENTS: readonly string[] = [
  'Specimen slightly hemolyzed.',
  'Fasting status not indicated.',
  'Result confirmed by repeat analysis.',
  'Please note new reference interval.',
];

/** The lab tests, by key. */
export const LAB_TESTS: ReadonlyMap<string, LabTest> = new Map(
  LAB_TEST_ROWS.map(([key, identifier, name, unit, range, mean, sd, decimals, flowsheetType]) => [
    key,
    {
      key,
      identifier,
      name,
      unit,
      range,
      mean,
      sd,
      decimals,
      flowsheetType,
      ...(key === 'COMMENT' ? { texts: LAB_COMMENTS } : {}),
    },
  ]),
);

/** A battery (one OBR of a report): its tests in OBX order and its discipline. */
export interface LabBattery {
  readonly key: string;
  readonly discipline: 'CHEM' | 'HEM';
  readonly tests: readonly string[];
}

// prettier-ignore
const BATTERY_ROWS: readonly (readonly [key: string, discipline: 'CHEM' | 'HEM', tests: readonly string[]])[] = [
  ['A1C', 'CHEM', ['A1C']],
  ['GLU', 'CHEM', ['FBS']],
  ['LIPID', 'CHEM', ['TCHL', 'TG', 'HDL', 'LDL', 'CHR']],
  ['RENAL', 'CHEM', ['SCR', 'EGFR']],
  ['LYTES', 'CHEM', ['NA', 'K']],
  ['ACR', 'CHEM', ['ACR']],
  ['ACR2', 'CHEM', ['ACR2']],
  ['CBC', 'HEM', ['WBC', 'HGB', 'PLT']],
  ['INR', 'HEM', ['INR']],
  ['ALT', 'CHEM', ['ALT']],
  ['TSH', 'CHEM', ['TSH']],
  ['PSA', 'CHEM', ['PSA']],
];

/** The batteries, by key. */
export const LAB_BATTERIES: ReadonlyMap<string, LabBattery> = new Map(
  BATTERY_ROWS.map(([key, discipline, tests]) => [key, { key, discipline, tests }]),
);

/**
 * Which batteries a chronic problem (ICD9) brings, with the chance each is in a draw. 'ACR' is the
 * urine albumin/creatinine ratio under whichever code (9318-7 or 14959-1) the patient's lab uses.
 */
// prettier-ignore
export const LAB_BATTERIES_BY_PROBLEM: ReadonlyMap<string, readonly (readonly [battery: string, chance: number])[]> = new Map([
  ['250', [['A1C', 1], ['GLU', 0.6], ['ACR', 0.5], ['RENAL', 0.6], ['LIPID', 0.4]]],
  ['401', [['RENAL', 0.7], ['LYTES', 0.7]]],
  ['272', [['LIPID', 0.9]]],
  ['428', [['RENAL', 0.8], ['LYTES', 0.8], ['CBC', 0.3]]],
  ['585', [['RENAL', 1], ['LYTES', 0.8], ['ACR', 0.6], ['CBC', 0.5]]],
  ['244', [['TSH', 1]]],
  ['714', [['CBC', 0.8], ['ALT', 0.8]]],
  ['427', [['CBC', 0.5]]],
]);

/** Which batteries a drug brings (monitoring), with the chance each is in a draw. */
// prettier-ignore
export const LAB_BATTERIES_BY_DRUG: ReadonlyMap<string, readonly (readonly [battery: string, chance: number])[]> = new Map([
  ['warfarin', [['INR', 1]]],
  ['methotrexate', [['CBC', 0.8], ['ALT', 0.8]]],
  ['atorvastatin', [['ALT', 0.3]]],
  ['rosuvastatin', [['ALT', 0.3]]],
]);

/** A lab that sends reports: name (measurementsExt labname), sending facility, and its ACR code. */
export interface Laboratory {
  readonly name: string;
  readonly facility: string;
  readonly acrBattery: 'ACR' | 'ACR2';
}

/** The labs sending reports to the clinic. */
export const LABORATORIES: readonly Laboratory[] = [
  { name: 'LifeLabs', facility: 'LIFELABS', acrBattery: 'ACR' },
  { name: 'BC Biomedical Laboratories', facility: 'BCB', acrBattery: 'ACR2' },
  { name: 'Vancouver General Hospital', facility: 'VCH', acrBattery: 'ACR' },
];

/** Report statuses (hl7TextInfo.report_status): F final, P preliminary, C corrected, with weights. */
export const REPORT_STATUSES: readonly (readonly [status: 'F' | 'P' | 'C', weight: number])[] = [
  ['F', 90],
  ['P', 6],
  ['C', 4],
];

/**
 * The clinic's measurementMap: a PATHL7 row for every LOINC-coded test (lab code → LOINC), and a
 * FLOWSHEET row (LOINC → flowsheet type) only for the mapped tests. Local codes (X10025) have none.
 */
export function measurementMapRows(): (readonly [loinc: string, identCode: string, name: string, labType: string])[] {
  const rows: (readonly [string, string, string, string])[] = [];
  for (const test of LAB_TESTS.values()) {
    if (test.identifier.startsWith('X')) continue;
    rows.push([test.identifier, test.identifier, test.name, 'PATHL7']);
  }
  for (const test of LAB_TESTS.values())
    if (test.flowsheetType !== null) rows.push([test.identifier, test.flowsheetType, test.name, 'FLOWSHEET']);
  return rows;
}
