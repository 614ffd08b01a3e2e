/**
 * Prevention vocabulary of the synthetic clinic, as data: OSCAR prevention types (item names of
 * ../shared/oscar/code-tables/PreventionItems.scoop-deploy.xml, plus later OSCAR names RZV,
 * MenC-ACYW, COVID-19) with the product written in preventionsExt; BC's routine childhood
 * schedule; adult vaccines; and the screenings OSCAR records as preventions (PAP, MAM, FOBT,
 * COLONOSCOPY, PSA, HIV, chlamydia) with their sex, age band and interval.
 */

/** A vaccine product as written in preventionsExt (name, route, manufacture, dose). */
export interface VaccineProduct {
  readonly name: string;
  readonly route: string;
  readonly manufacture: string;
  readonly dose: string;
}

// prettier-ignore
const PRODUCT_ROWS: readonly (readonly [type: string, name: string, route: string, manufacture: string])[] = [
  ['Flu', 'FLUZONE QUADRIVALENT', 'IM', 'Sanofi Pasteur'],
  ['Td', 'TD ADSORBED', 'IM', 'Sanofi Pasteur'],
  ['dTap', 'ADACEL', 'IM', 'Sanofi Pasteur'],
  ['Tdap-IPV', 'ADACEL-POLIO', 'IM', 'Sanofi Pasteur'],
  ['DTaP-HBV-IPV-Hib', 'INFANRIX HEXA', 'IM', 'GSK'],
  ['DTaP-IPV-Hib', 'PENTACEL', 'IM', 'Sanofi Pasteur'],
  ['Pneu-C', 'PREVNAR 13', 'IM', 'Pfizer'],
  ['Pneumovax', 'PNEUMOVAX 23', 'IM', 'Merck'],
  ['Rot', 'ROTARIX', 'PO', 'GSK'],
  ['MenC-C', 'NEISVAC-C', 'IM', 'Pfizer'],
  ['MenC-ACYW', 'MENACTRA', 'IM', 'Sanofi Pasteur'],
  ['MMR', 'M-M-R II', 'SC', 'Merck'],
  ['MMRV', 'PRIORIX-TETRA', 'SC', 'GSK'],
  ['VZ', 'VARIVAX III', 'SC', 'Merck'],
  ['HPV Vaccine', 'GARDASIL 9', 'IM', 'Merck'],
  ['HepB', 'ENGERIX-B', 'IM', 'GSK'],
  ['HepA', 'HAVRIX 1440', 'IM', 'GSK'],
  ['HepAB', 'TWINRIX', 'IM', 'GSK'],
  ['Typhoid', 'TYPHIM VI', 'IM', 'Sanofi Pasteur'],
  ['RZV', 'SHINGRIX', 'IM', 'GSK'],
  ['COVID-19', 'COMIRNATY', 'IM', 'Pfizer-BioNTech'],
  ['H1N1', 'AREPANRIX H1N1', 'IM', 'GSK'],
];

/** The product given for each vaccine prevention type. */
export const VACCINE_PRODUCTS: ReadonlyMap<string, VaccineProduct> = new Map(
  PRODUCT_ROWS.map(([type, name, route, manufacture]) => [
    type,
    { name, route, manufacture, dose: route === 'PO' ? '1.5 mL' : '0.5 mL' },
  ]),
);

/** A dose of BC's routine childhood schedule: type, age in months, first year given (girls; boys from `boysSince`). */
export type ChildhoodDose = readonly [type: string, ageMonths: number, since: number, boysSince?: number];

/** BC's routine childhood schedule (recorded when given while the child was a patient of the clinic). */
// prettier-ignore
export const CHILDHOOD_SCHEDULE: readonly ChildhoodDose[] = [
  ['DTaP-HBV-IPV-Hib', 2, 2001], ['Pneu-C', 2, 2003], ['Rot', 2, 2012], ['MenC-C', 2, 2003],
  ['DTaP-HBV-IPV-Hib', 4, 2001], ['Pneu-C', 4, 2003], ['Rot', 4, 2012],
  ['DTaP-HBV-IPV-Hib', 6, 2001],
  ['MMR', 12, 1996], ['VZ', 12, 2005], ['Pneu-C', 12, 2003], ['MenC-C', 12, 2003],
  ['DTaP-IPV-Hib', 18, 2001],
  ['Tdap-IPV', 54, 2004], ['MMRV', 54, 2012],
  ['HPV Vaccine', 132, 2008, 2017], ['HPV Vaccine', 138, 2008, 2017],
  ['dTap', 168, 2004], ['MenC-ACYW', 168, 2016],
];

/**
 * An adult vaccine: type, minimum age, chance per eligible patient, doses with the days between
 * them, and the period it was given in (ISO dates; the dose dates fall inside).
 */
export interface AdultVaccine {
  readonly type: string;
  readonly minAge: number;
  readonly chance: number;
  readonly doseGapsDays: readonly number[];
  readonly from?: string;
  readonly until?: string;
}

// prettier-ignore
export const ADULT_VACCINES: readonly AdultVaccine[] = [
  { type: 'Td', minAge: 18, chance: 0.25, doseGapsDays: [0] },
  { type: 'dTap', minAge: 18, chance: 0.06, doseGapsDays: [0] },
  { type: 'Pneumovax', minAge: 65, chance: 0.6, doseGapsDays: [0] },
  { type: 'Pneu-C', minAge: 65, chance: 0.1, doseGapsDays: [0] },
  { type: 'RZV', minAge: 50, chance: 0.3, doseGapsDays: [0, 90], from: '2018-01-01' },
  { type: 'HepB', minAge: 18, chance: 0.05, doseGapsDays: [0, 30, 150] },
  { type: 'HepA', minAge: 18, chance: 0.03, doseGapsDays: [0, 180] },
  { type: 'HepAB', minAge: 18, chance: 0.02, doseGapsDays: [0, 30, 150] },
  { type: 'Typhoid', minAge: 18, chance: 0.02, doseGapsDays: [0] },
  { type: 'COVID-19', minAge: 5, chance: 0.35, doseGapsDays: [0, 56, 180, 365], from: '2021-01-01', until: '2024-12-31' },
  { type: 'H1N1', minAge: 0, chance: 0.35, doseGapsDays: [0], from: '2009-10-26', until: '2009-12-31' },
];

/** A screening recorded as a prevention: sex ('' any), age band (inclusive, age at the test), interval, participation. */
export interface Screening {
  readonly type: string;
  readonly sex: 'F' | 'M' | '';
  readonly minAge: number;
  readonly maxAge: number;
  /** Years between tests; 0: once. */
  readonly intervalYears: number;
  readonly chance: number;
  /** neverReason when ineligible ('2'). */
  readonly ineligibleReason: string;
}

// prettier-ignore
export const SCREENINGS: readonly Screening[] = [
  { type: 'PAP', sex: 'F', minAge: 21, maxAge: 69, intervalYears: 3, chance: 0.7, ineligibleReason: 'hysterectomy' },
  { type: 'MAM', sex: 'F', minAge: 50, maxAge: 74, intervalYears: 2, chance: 0.6, ineligibleReason: 'bilateral mastectomy' },
  { type: 'FOBT', sex: '', minAge: 50, maxAge: 74, intervalYears: 2, chance: 0.4, ineligibleReason: 'colonoscopy within 10 years' },
  { type: 'COLONOSCOPY', sex: '', minAge: 50, maxAge: 74, intervalYears: 10, chance: 0.15, ineligibleReason: 'not indicated' },
  { type: 'PSA', sex: 'M', minAge: 50, maxAge: 74, intervalYears: 2, chance: 0.2, ineligibleReason: 'not indicated' },
  { type: 'HIV', sex: '', minAge: 18, maxAge: 70, intervalYears: 0, chance: 0.03, ineligibleReason: 'not indicated' },
  { type: 'chlamydia', sex: '', minAge: 15, maxAge: 25, intervalYears: 0, chance: 0.06, ineligibleReason: 'not indicated' },
];

/** Screening results (preventionsExt `result`), with weights; `pending` only for the last few weeks. */
export const SCREENING_RESULTS: readonly (readonly [result: string, weight: number])[] = [
  ['normal', 88],
  ['abnormal', 7],
  ['other', 5],
];

/** How often a prevention row is refused ('1'), ineligible ('2') or deleted ('1'). */
export const PREVENTION_RATES = { refused: 0.03, ineligible: 0.03, deleted: 0.01 } as const;

/** neverReason texts for refused preventions. */
export const REFUSAL_REASONS: readonly string[] = ['patient declined', 'parent declined', 'will discuss next visit'];

/** neverReason texts for ineligible immunizations. */
export const VACCINE_INELIGIBLE_REASONS: readonly string[] = [
  'contraindicated',
  'already immune',
  'allergy to component',
];
