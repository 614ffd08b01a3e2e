/**
 * Clinical vocabulary of the synthetic clinic, as data: chronic problems (ICD9) with their
 * prevalence by age band and the drugs that go with them; drugs with real Canadian DIN and ATC
 * pairs; OSCAR measurement type codes; allergens. Labs are in vocabulary-labs.ts, preventions in
 * vocabulary-preventions.ts, CPP notes in vocabulary-notes.ts.
 */

/** A drug product: brand and generic name, strength, DIN (Health Canada) and ATC code. */
export interface DrugProduct {
  readonly key: string;
  readonly brand: string;
  readonly generic: string;
  readonly strength: string;
  readonly din: string;
  readonly atc: string;
  readonly form: string;
  readonly unit: string;
  readonly freq: string;
  readonly takeMin: number;
  readonly takeMax: number;
  readonly route: string;
}

type DrugRow = readonly [
  key: string,
  brand: string,
  generic: string,
  strength: string,
  din: string,
  atc: string,
  form: string,
  unit: string,
  freq: string,
  take: number,
];

// prettier-ignore
const DRUG_ROWS: readonly DrugRow[] = [
  ['metformin500', 'GLUCOPHAGE 500MG', 'METFORMIN HYDROCHLORIDE', '500 MG', '02099233', 'A10BA02', 'TABLET', 'tab', 'BID', 1],
  ['metformin850', 'GLUCOPHAGE 850MG', 'METFORMIN HYDROCHLORIDE', '850 MG', '02162849', 'A10BA02', 'TABLET', 'tab', 'BID', 1],
  ['gliclazide', 'DIAMICRON MR 30MG', 'GLICLAZIDE', '30 MG', '02242987', 'A10BB09', 'TABLET (EXTENDED-RELEASE)', 'tab', 'OD', 1],
  ['glargine', 'LANTUS 100U/ML', 'INSULIN GLARGINE', '100 UNIT/ML', '02245689', 'A10AE04', 'SOLUTION', 'unit', 'QHS', 20],
  ['sitagliptin', 'JANUVIA 100MG', 'SITAGLIPTIN', '100 MG', '02303922', 'A10BH01', 'TABLET', 'tab', 'OD', 1],
  ['empagliflozin', 'JARDIANCE 10MG', 'EMPAGLIFLOZIN', '10 MG', '02443937', 'A10BK03', 'TABLET', 'tab', 'OD', 1],
  ['ramipril', 'ALTACE 5MG', 'RAMIPRIL', '5 MG', '02221837', 'C09AA05', 'CAPSULE', 'cap', 'OD', 1],
  ['perindopril', 'COVERSYL 4MG', 'PERINDOPRIL ERBUMINE', '4 MG', '02123274', 'C09AA04', 'TABLET', 'tab', 'OD', 1],
  ['candesartan', 'ATACAND 16MG', 'CANDESARTAN CILEXETIL', '16 MG', '02239091', 'C09CA06', 'TABLET', 'tab', 'OD', 1],
  ['amlodipine', 'NORVASC 5MG', 'AMLODIPINE BESYLATE', '5 MG', '00878928', 'C08CA01', 'TABLET', 'tab', 'OD', 1],
  ['hctz', 'APO-HYDRO 25MG', 'HYDROCHLOROTHIAZIDE', '25 MG', '00312770', 'C03AA03', 'TABLET', 'tab', 'OD', 1],
  ['metoprolol', 'LOPRESOR 50MG', 'METOPROLOL TARTRATE', '50 MG', '00397431', 'C07AB02', 'TABLET', 'tab', 'BID', 1],
  ['bisoprolol', 'MONOCOR 5MG', 'BISOPROLOL FUMARATE', '5 MG', '01908189', 'C07AB07', 'TABLET', 'tab', 'OD', 1],
  ['furosemide', 'LASIX 40MG', 'FUROSEMIDE', '40 MG', '00362166', 'C03CA01', 'TABLET', 'tab', 'OD', 1],
  ['spironolactone', 'ALDACTONE 25MG', 'SPIRONOLACTONE', '25 MG', '00028606', 'C03DA01', 'TABLET', 'tab', 'OD', 1],
  ['atorvastatin', 'LIPITOR 20MG', 'ATORVASTATIN CALCIUM', '20 MG', '02230713', 'C10AA05', 'TABLET', 'tab', 'OD', 1],
  ['rosuvastatin', 'CRESTOR 10MG', 'ROSUVASTATIN CALCIUM', '10 MG', '02247162', 'C10AA07', 'TABLET', 'tab', 'OD', 1],
  ['apixaban', 'ELIQUIS 5MG', 'APIXABAN', '5 MG', '02397722', 'B01AF02', 'TABLET', 'tab', 'BID', 1],
  ['warfarin', 'COUMADIN 2.5MG', 'WARFARIN SODIUM', '2.5 MG', '01918346', 'B01AA03', 'TABLET', 'tab', 'OD', 2],
  ['salbutamol', 'VENTOLIN HFA 100MCG', 'SALBUTAMOL SULFATE', '100 MCG/ACT', '02241497', 'R03AC02', 'AEROSOL, METERED DOSE', 'puff', 'Q4H', 2],
  ['tiotropium', 'SPIRIVA 18MCG', 'TIOTROPIUM BROMIDE', '18 MCG', '02246793', 'R03BB04', 'CAPSULE', 'cap', 'OD', 1],
  ['advair', 'ADVAIR 250 DISKUS', 'FLUTICASONE PROPIONATE / SALMETEROL', '250 MCG / 50 MCG', '02240836', 'R03AK06', 'POWDER', 'puff', 'BID', 1],
  ['levothyroxine', 'SYNTHROID 0.1MG', 'LEVOTHYROXINE SODIUM', '100 MCG', '02172100', 'H03AA01', 'TABLET', 'tab', 'OD', 1],
  ['methotrexate', 'METHOTREXATE 2.5MG', 'METHOTREXATE', '2.5 MG', '02182963', 'L04AX03', 'TABLET', 'tab', 'QWK', 6],
  ['sertraline', 'ZOLOFT 50MG', 'SERTRALINE HYDROCHLORIDE', '50 MG', '01962779', 'N06AB06', 'CAPSULE', 'cap', 'OD', 1],
  ['citalopram', 'CELEXA 20MG', 'CITALOPRAM HYDROBROMIDE', '20 MG', '02239607', 'N06AB04', 'TABLET', 'tab', 'OD', 1],
  ['escitalopram', 'CIPRALEX 10MG', 'ESCITALOPRAM OXALATE', '10 MG', '02263238', 'N06AB10', 'TABLET', 'tab', 'OD', 1],
  ['pantoprazole', 'PANTOLOC 40MG', 'PANTOPRAZOLE SODIUM', '40 MG', '02229453', 'A02BC02', 'TABLET (DELAYED-RELEASE)', 'tab', 'OD', 1],
  ['acetaminophen', 'TYLENOL 500MG', 'ACETAMINOPHEN', '500 MG', '00559407', 'N02BE01', 'TABLET', 'tab', 'QID', 1],
  ['alendronate', 'FOSAMAX 70MG', 'ALENDRONATE SODIUM', '70 MG', '02245329', 'M05BA04', 'TABLET', 'tab', 'QWK', 1],
  ['azithromycin', 'ZITHROMAX 250MG', 'AZITHROMYCIN', '250 MG', '02212021', 'J01FA10', 'TABLET', 'tab', 'OD', 1],
];

/** The drug products the generator prescribes (DIN and ATC pairs of marketed Canadian products). */
export const DRUG_PRODUCTS: readonly DrugProduct[] = DRUG_ROWS.map(
  ([key, brand, generic, strength, din, atc, form, unit, freq, take]) => ({
    key,
    brand,
    generic,
    strength,
    din,
    atc,
    form,
    unit,
    freq,
    takeMin: take,
    takeMax: take,
    route: form.startsWith('AEROSOL') || form === 'POWDER' ? 'INH' : form === 'SOLUTION' ? 'SC' : 'PO',
  }),
);

/** Products by key. */
export const DRUG_BY_KEY: ReadonlyMap<string, DrugProduct> = new Map(DRUG_PRODUCTS.map((drug) => [drug.key, drug]));

/** Custom (compounded / OTC) drugs entered without a DIN (regional_identifier NULL or ''), with their drugs.dosage. */
export const CUSTOM_DRUGS: readonly (readonly [name: string, dosage: string])[] = [
  ['Vitamin D 1000 IU', '1000 IU'],
  ['Omega-3 fish oil', '1000 MG'],
  ['Magnesium citrate', '150 MG'],
  ['Compounded cream 2%', '2 %'],
  ['Probiotic', ''],
];

/**
 * A chronic problem: ICD9 code, OSCAR icd9 description, prevalence (<40, 40–64, ≥65) and its drugs
 * (its lab batteries are in vocabulary-labs.ts, LAB_BATTERIES_BY_PROBLEM).
 */
export interface ChronicCondition {
  readonly icd9: string;
  readonly description: string;
  readonly prevalence: readonly [young: number, middle: number, old: number];
  /** Drug keys with the chance each is prescribed to a patient with the condition. */
  readonly drugs: readonly (readonly [drugKey: string, chance: number])[];
}

/** The chronic problems the generator assigns (dxresearch, coding_system icd9). */
// prettier-ignore
export const CHRONIC_CONDITIONS: readonly ChronicCondition[] = [
  { icd9: '250', description: 'DIABETES MELLITUS', prevalence: [0.01, 0.09, 0.2], drugs: [['metformin500', 0.6], ['metformin850', 0.2], ['gliclazide', 0.25], ['glargine', 0.15], ['sitagliptin', 0.1], ['empagliflozin', 0.15]] },
  { icd9: '401', description: 'ESSENTIAL HYPERTENSION', prevalence: [0.03, 0.2, 0.5], drugs: [['ramipril', 0.45], ['amlodipine', 0.35], ['hctz', 0.25], ['perindopril', 0.1], ['candesartan', 0.15], ['metoprolol', 0.1]] },
  { icd9: '272', description: 'DISORDERS OF LIPOID METABOLISM', prevalence: [0.02, 0.15, 0.3], drugs: [['atorvastatin', 0.55], ['rosuvastatin', 0.35]] },
  { icd9: '428', description: 'HEART FAILURE', prevalence: [0, 0.01, 0.06], drugs: [['furosemide', 0.8], ['bisoprolol', 0.6], ['spironolactone', 0.4], ['ramipril', 0.4]] },
  { icd9: '496', description: 'CHRONIC AIRWAYS OBSTRUCTION NOT ELSEWHERE CLASSIFIED', prevalence: [0.002, 0.03, 0.08], drugs: [['salbutamol', 0.9], ['tiotropium', 0.6], ['advair', 0.4]] },
  { icd9: '491', description: 'CHRONIC BRONCHITIS', prevalence: [0.002, 0.01, 0.03], drugs: [['salbutamol', 0.8], ['tiotropium', 0.3]] },
  { icd9: '493', description: 'ASTHMA', prevalence: [0.08, 0.06, 0.05], drugs: [['salbutamol', 0.9], ['advair', 0.3]] },
  { icd9: '244', description: 'ACQUIRED HYPOTHYROIDISM', prevalence: [0.02, 0.06, 0.1], drugs: [['levothyroxine', 0.95]] },
  { icd9: '714', description: 'RHEUMATOID ARTHRITIS AND OTHER INFLAMMATORY POLYARTHROPATHIES', prevalence: [0.003, 0.01, 0.02], drugs: [['methotrexate', 0.7]] },
  { icd9: '311', description: 'DEPRESSIVE DISORDER NOT ELSEWHERE CLASSIFIED', prevalence: [0.06, 0.08, 0.06], drugs: [['sertraline', 0.35], ['citalopram', 0.3], ['escitalopram', 0.3]] },
  { icd9: '715', description: 'OSTEOARTHROSIS AND ALLIED DISORDERS', prevalence: [0.005, 0.08, 0.25], drugs: [['acetaminophen', 0.6]] },
  { icd9: '585', description: 'CHRONIC RENAL FAILURE', prevalence: [0, 0.02, 0.1], drugs: [] },
  { icd9: '427', description: 'CARDIAC DYSRHYTHMIAS', prevalence: [0.002, 0.01, 0.08], drugs: [['apixaban', 0.5], ['warfarin', 0.25], ['metoprolol', 0.5]] },
  { icd9: '530', description: 'DISEASES OF ESOPHAGUS', prevalence: [0.04, 0.08, 0.1], drugs: [['pantoprazole', 0.8]] },
  { icd9: '733', description: 'OTHER DISORDERS OF BONE AND CARTILAGE', prevalence: [0.001, 0.03, 0.12], drugs: [['alendronate', 0.6]] },
];

/**
 * OSCAR measurement types used (measurementType rows): display name, measuring instruction, unit,
 * how a value is drawn (normal mean and sd, decimals; `values` for yes/no types), and whether it
 * is a flowsheet lab type (set on uploaded lab results mapped by measurementMap, never at a visit).
 */
export interface MeasurementKind {
  readonly type: string;
  readonly displayName: string;
  readonly instruction: string;
  readonly unit: string;
  readonly mean: number;
  readonly sd: number;
  readonly decimals: number;
  readonly lab: boolean;
  readonly values?: readonly string[];
}

type MeasurementRow = readonly [
  type: string,
  displayName: string,
  instruction: string,
  unit: string,
  mean: number,
  sd: number,
  decimals: number,
  lab: boolean,
];

const YES_NO: readonly string[] = ['yes', 'no'];

// prettier-ignore
const MEASUREMENT_ROWS: readonly MeasurementRow[] = [
  ['BP', 'Blood Pressure', 'sitting position', 'mm[Hg]', 0, 0, 0, false],
  ['WT', 'Weight', 'in kg', 'kg', 78, 16, 1, false],
  ['HT', 'Height', 'in cm', 'cm', 168, 10, 0, false],
  ['WAIS', 'Waist', 'Waist circum in cm', 'cm', 94, 13, 0, false],
  ['HR', 'Heart Rate', 'in BPM (nnn) Range:40-180', 'beats/min', 74, 11, 0, false],
  ['FEV1', 'FEV1', 'in litres', 'L', 2.4, 0.7, 2, false],
  ['PEFR', 'PEFR value', 'in L/min', 'L/min', 420, 90, 0, false],
  ['SMK', 'Smoking', 'Yes/No', '', 0, 0, 0, false],
  ['EXE', 'Exercise', 'Yes/No', '', 0, 0, 0, false],
  ['DIET', 'Diet', 'Yes/No', '', 0, 0, 0, false],
  ['FTE', 'Foot Exam', 'Yes/No', '', 0, 0, 0, false],
  ['PHQS', 'PHQ4 Depression Anxiety Score', 'null', '', 4, 3, 0, false],
  ['A1C', 'A1C', 'Range:0.040-0.150', '%', 0, 0, 1, true],
  ['FBS', 'Fasting Blood Glucose', 'Range:1-20', 'mmol/L', 0, 0, 1, true],
  ['LDL', 'LDL', 'monitor every 1-3 year', 'mmol/L', 0, 0, 2, true],
  ['HDL', 'HDL', 'in mmol/L (n.n) Range:0.4-4.0', 'mmol/L', 0, 0, 2, true],
  ['TCHL', 'Total Cholesterol', 'in mmol/L (nn.n) Range:2.0-12.0', 'mmol/L', 0, 0, 1, true],
  ['TG', 'Triglycerides', 'in mmol/L (nn.n) Range:0.5-12.0', 'mmol/L', 0, 0, 2, true],
  ['EGFR', 'EGFR', 'in ml/min (nnn) Range:0-120', 'ml/min', 0, 0, 0, true],
  ['SCR', 'Serum Creatinine', 'in umol/L (nnn) Range:30-1500', 'umol/L', 0, 0, 0, true],
];

/** Measurement kinds, by OSCAR type code. */
export const MEASUREMENT_KINDS: ReadonlyMap<string, MeasurementKind> = new Map(
  MEASUREMENT_ROWS.map(([type, displayName, instruction, unit, mean, sd, decimals, lab]) => [
    type,
    {
      type,
      displayName,
      instruction,
      unit,
      mean,
      sd,
      decimals,
      lab,
      ...(instruction === 'Yes/No' ? { values: YES_NO } : {}),
    },
  ]),
);

/** Allergens: description, TYPECODE (8 = ATC class, 13 = brand, 0 = non-drug), reactions. */
export const ALLERGENS: readonly (readonly [description: string, typeCode: number, reaction: string])[] = [
  ['PENICILLINS', 8, 'Hives'],
  ['SULFONAMIDES', 8, 'Rash'],
  ['CODEINE', 13, 'Nausea & vomiting'],
  ['ASA', 13, 'Wheeze'],
  ['PEANUTS', 0, 'Anaphylaxis'],
  ['LATEX', 0, 'Contact dermatitis'],
  ['CEPHALEXIN', 13, 'Rash'],
  ['SHELLFISH', 0, 'Swelling of lips'],
];
