/**
 * The library of ready indicators, in the style of the PDC (Physician Data Collaborative)
 * indicators: each a query definition with a numerator population within a denominator. Codes:
 * ICD9 250 diabetes, 401 essential hypertension, 491/492/496 COPD; LOINC 4548-4 and 17856-6
 * HbA1c, 8480-6 systolic BP; ATC R03 drugs for obstructive airway disease, J07BB influenza
 * vaccines. "Last result" indicators are approximated by "any result in the window", because
 * FerretDB 1.24 has no expression operators to pick the latest element (documented per row).
 */
import type { BreakdownKey, IndicatorRequest, QueryDefinition } from './definition';

/** One indicator of the library. */
export interface Indicator {
  name: string;
  title: string;
  notes?: string;
  definition: Omit<QueryDefinition, 'referenceDate' | 'breakdown'>;
}

const HBA1C = ['4548-4', '17856-6'];
const SYSTOLIC = '8480-6';
const DIABETES = { icd9Prefix: '250' };
const HYPERTENSION = { icd9Prefix: '401' };

/** The indicators, by name. */
export const INDICATORS: readonly Indicator[] = [
  {
    name: 'diabetes-hba1c-12m',
    title: 'Diabetics (ICD9 250) with an HbA1c recorded in the last 12 months',
    definition: { version: 1, denominator: { problems: [DIABETES] }, population: { observations: [{ code: HBA1C, withinMonths: 12 }] } },
  },
  {
    name: 'diabetes-hba1c-over-9',
    title: 'Diabetics whose HbA1c was above 9 % in the last 12 months',
    notes: 'Approximation of "last HbA1c > 9": any HbA1c > 9 in the 12 months counts.',
    definition: { version: 1, denominator: { problems: [DIABETES] }, population: { observations: [{ code: HBA1C, comparator: '>', value: 9, withinMonths: 12 }] } },
  },
  {
    name: 'polypharmacy-65',
    title: 'Patients aged 65 or more on 10 or more active medications',
    definition: { version: 1, denominator: { age: { min: 65 } }, population: { activeMedicationCount: { min: 10 } } },
  },
  {
    name: 'hypertension-bp-12m',
    title: 'Hypertensives (ICD9 401) with a blood pressure recorded in the last 12 months',
    notes: 'A blood pressure counts when its systolic observation (LOINC 8480-6) is recorded.',
    definition: { version: 1, denominator: { problems: [HYPERTENSION] }, population: { observations: [{ code: SYSTOLIC, withinMonths: 12 }] } },
  },
  {
    name: 'hypertension-systolic-140',
    title: 'Hypertensives with a systolic pressure of 140 or more in the last 12 months',
    notes: 'Approximation of "last systolic ≥ 140": any reading ≥ 140 in the 12 months counts.',
    definition: { version: 1, denominator: { problems: [HYPERTENSION] }, population: { observations: [{ code: SYSTOLIC, comparator: '>=', value: 140, withinMonths: 12 }] } },
  },
  {
    name: 'flu-immunization-65',
    title: 'Patients aged 65 or more with an influenza immunization (ATC J07BB) in the last 12 months',
    notes: 'The last 12 months stand for the last season; refused immunizations do not count.',
    definition: { version: 1, denominator: { age: { min: 65 } }, population: { immunizations: [{ codePrefix: 'J07BB', withinMonths: 12 }] } },
  },
  {
    name: 'copd-inhaler',
    title: 'COPD patients (ICD9 491, 492, 496) on an active inhaled airway medication (ATC R03)',
    definition: { version: 1, denominator: { problems: [{ icd9Prefix: ['491', '492', '496'] }] }, population: { medications: [{ atcPrefix: 'R03' }] } },
  },
];

/** The indicator of a name, or undefined. */
export function findIndicator(name: string): Indicator | undefined {
  return INDICATORS.find((indicator) => indicator.name === name);
}

/** The full definition an indicator request stands for. */
export function indicatorDefinition(indicator: Indicator, request: Pick<IndicatorRequest, 'referenceDate' | 'breakdown'>): QueryDefinition {
  const definition: QueryDefinition = { ...indicator.definition };
  if (request.referenceDate !== undefined) definition.referenceDate = request.referenceDate;
  if (request.breakdown !== undefined) definition.breakdown = request.breakdown as BreakdownKey[];
  return definition;
}
