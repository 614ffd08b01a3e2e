/**
 * Note vocabulary of the synthetic clinic, as data: OSCAR's CPP issues (issue.code), what each CPP
 * list holds (texts, how often a patient has such notes), and the family-history facts written to
 * casemgmt_note (billing_code = the relative's ICD9) and casemgmt_note_ext (Relationship, Age at
 * Onset, Life Stage, Treatment).
 */

/** OSCAR's CPP issues (issue.code) that notes are filed under. */
export const CPP_ISSUES: readonly (readonly [code: string, description: string])[] = [
  ['OMeds', 'Other Meds as part of cpp'],
  ['SocHistory', 'Social History as part of cpp'],
  ['MedHistory', 'Medical History as part of cpp'],
  ['Concerns', 'Ongoing Concerns as part of cpp'],
  ['Reminders', 'Reminders as part of cpp'],
  ['FamHistory', 'Family History as part of cpp'],
  ['RiskFactors', 'Risk Factors as part of cpp'],
];

/** A CPP list: the chance a patient has notes in it, how many, and their texts. */
export interface CppList {
  readonly issueCode: string;
  readonly chance: number;
  readonly maxNotes: number;
  readonly texts: readonly string[];
}

/** The CPP lists other than family history and risk factors (those depend on the patient). */
// prettier-ignore
export const CPP_LISTS: readonly CppList[] = [
  { issueCode: 'SocHistory', chance: 0.4, maxNotes: 1, texts: ['Non-smoker. Social alcohol.', 'Lives with spouse, retired teacher.', 'Works night shifts & drinks 3 coffees/day.', 'Lives alone, independent with ADLs.'] },
  { issueCode: 'MedHistory', chance: 0.25, maxNotes: 2, texts: ['Appendectomy 1998', 'Fractured L wrist 2010, ORIF', 'C-section x2', 'Tonsillectomy as child', 'Cholecystectomy 2015'] },
  { issueCode: 'Concerns', chance: 0.15, maxNotes: 1, texts: ['Weight gain over last year', 'Chronic low back pain', 'Poor sleep', 'Memory concerns raised by daughter'] },
  { issueCode: 'OMeds', chance: 0.1, maxNotes: 1, texts: ['Vitamin D 1000 IU daily (OTC)', 'Glucosamine 1500 mg daily', 'Melatonin 3 mg qhs prn'] },
  { issueCode: 'Reminders', chance: 0.12, maxNotes: 2, texts: ['Due for colonoscopy -- remind at next visit', 'Latex allergy: use non-latex gloves', 'Needs interpreter (Punjabi)', 'Opioid agreement on file - no early refills', 'Call daughter for results, consent on file'] },
];

/** Risk factor texts for smokers and non-smokers. */
export const RISK_FACTOR_TEXTS = {
  smoker: ['Smoker 1 ppd x 20 yrs', 'Smokes 10 cig/day, pre-contemplative'],
  other: ['Ex-smoker, quit 2010', 'Sedentary', 'Alcohol 20 drinks/week', 'Occupational asbestos exposure'],
} as const;

/** A relative's condition: ICD9 (casemgmt_note.billing_code and the icd9 table), its description, the note's words. */
// prettier-ignore
export const FAMILY_CONDITIONS: readonly (readonly [icd9: string, description: string, words: string, treatment: string])[] = [
  ['250', 'DIABETES MELLITUS', 'type 2 diabetes', 'insulin'],
  ['401', 'ESSENTIAL HYPERTENSION', 'hypertension', 'medication'],
  ['174.9', 'MALIGNANT NEOPLASM OF BREAST (FEMALE), UNSPECIFIED', 'breast cancer', 'mastectomy'],
  ['153.9', 'MALIGNANT NEOPLASM OF COLON, UNSPECIFIED', 'colon cancer', 'hemicolectomy'],
  ['410', 'ACUTE MYOCARDIAL INFARCTION', 'MI', 'CABG'],
  ['185', 'MALIGNANT NEOPLASM OF PROSTATE', 'prostate cancer', 'radiation'],
  ['331.0', "ALZHEIMER'S DISEASE", 'dementia', ''],
  ['436', 'ACUTE, BUT ILL-DEFINED, CEREBROVASCULAR DISEASE', 'stroke', ''],
];

/**
 * Relationship words as clinics type them (casemgmt_note_ext `Relationship`), with weights: most are
 * in OSCAR's e2eprrcode table (Mother → MTH …), 'Maternal uncle' and 'neighbour' are not (→ OTH), '' → UNK.
 */
// prettier-ignore
export const RELATIONSHIPS: readonly (readonly [word: string, weight: number])[] = [
  ['Mother', 25], ['Father', 25], ['Sister', 10], ['Brother', 10], ['Grandmother', 8], ['Grandfather', 6],
  ['aunt', 4], ['uncle', 4], ['Maternal uncle', 3], ['neighbour', 1], ['', 4],
];

/** OSCAR's life stage codes (casemgmt_note_ext `Life Stage`): Newborn, Infant, Child, Adolescent, Adult. */
export const LIFE_STAGES: readonly (readonly [code: string, weight: number])[] = [
  ['A', 85],
  ['T', 6],
  ['C', 6],
  ['I', 2],
  ['N', 1],
];

/** Edits appended to a note's later revisions. */
export const NOTE_EDITS: readonly string[] = ['Addendum: results reviewed.', 'Corrected dose.', 'Pt called back.'];
