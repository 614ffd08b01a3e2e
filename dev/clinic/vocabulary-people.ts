/**
 * People and places of the synthetic clinic, as data: the clinic, its providers, name lists
 * (with French accents and apostrophes), BC cities, streets, age bands and patient statuses.
 */

/**
 * A provider row: provider_no, names, type, sex, MSP billing number (`ohip_no`, '' → NULL) and college
 * number (`practitionerNo`, the CPSID for physicians: NULL or '' when the clinic never entered it).
 */
export interface ClinicProvider {
  readonly providerNo: string;
  readonly lastName: string;
  readonly firstName: string;
  readonly type: 'doctor' | 'nurse';
  readonly sex: 'F' | 'M';
  readonly ohipNo: string;
  readonly practitionerNo: string | null;
}

/** The clinic's providers; the doctors carry the patient panels. 107–109 have no CPSID (109 no MSP number either). */
// prettier-ignore
export const PROVIDERS: readonly ClinicProvider[] = [
  { providerNo: '101', lastName: 'Tremblay', firstName: 'Hélène', type: 'doctor', sex: 'F', ohipNo: '12345', practitionerNo: '20871' },
  { providerNo: '102', lastName: 'Chen', firstName: 'David', type: 'doctor', sex: 'M', ohipNo: '23456', practitionerNo: '21542' },
  { providerNo: '103', lastName: 'Singh', firstName: 'Harpreet', type: 'doctor', sex: 'F', ohipNo: '34567', practitionerNo: '22613' },
  { providerNo: '104', lastName: "O'Brien", firstName: 'Michael', type: 'doctor', sex: 'M', ohipNo: '45678', practitionerNo: '19876' },
  { providerNo: '105', lastName: 'Nguyen', firstName: 'Linh', type: 'doctor', sex: 'F', ohipNo: '56789', practitionerNo: '24530' },
  { providerNo: '106', lastName: 'Côté', firstName: 'François', type: 'doctor', sex: 'M', ohipNo: '67890', practitionerNo: '18234' },
  { providerNo: '107', lastName: 'Okafor', firstName: 'Chidi', type: 'doctor', sex: 'M', ohipNo: '78901', practitionerNo: null },
  { providerNo: '108', lastName: 'Larsen', firstName: 'Ingrid', type: 'doctor', sex: 'F', ohipNo: '89012', practitionerNo: '' },
  { providerNo: '109', lastName: 'Ferreira', firstName: 'Ana', type: 'doctor', sex: 'F', ohipNo: '', practitionerNo: null },
  { providerNo: '201', lastName: 'MacDonald', firstName: 'Sarah', type: 'nurse', sex: 'F', ohipNo: '', practitionerNo: 'R4410' },
  { providerNo: '999998', lastName: 'oscardoc', firstName: 'doctor', type: 'doctor', sex: 'M', ohipNo: '', practitionerNo: '' },
];

/** Whether a provider has a CPSID (practitionerNo neither NULL nor ''). */
export function hasCpsid(provider: ClinicProvider): boolean {
  return provider.practitionerNo !== null && provider.practitionerNo !== '';
}

/** The doctors with a CPSID who have patient panels. */
export const PANEL_DOCTORS: readonly ClinicProvider[] = PROVIDERS.filter(
  (provider) => provider.type === 'doctor' && provider.ohipNo !== '' && hasCpsid(provider),
);

/** The panel doctors without a CPSID (dirt `providerWithoutCpsid`): two with an MSP number, one with neither. */
export const PANEL_DOCTORS_WITHOUT_CPSID: readonly ClinicProvider[] = PROVIDERS.filter((provider) =>
  ['107', '108', '109'].includes(provider.providerNo),
);

/** The clinic row. */
export const CLINIC = {
  name: 'Synthetic Family Practice & Walk-in',
  address: '1234 Commercial Drive',
  city: 'Vancouver',
  postal: 'V5L 3X1',
  phone: '604-555-0100',
  fax: '604-555-0101',
  province: 'BC',
} as const;

/** Female first names. */
// prettier-ignore
export const FEMALE_NAMES: readonly string[] = [
  'Mary', 'Linda', 'Susan', 'Karen', 'Jennifer', 'Emily', 'Olivia', 'Emma', 'Sophie', 'Chloé', 'Amélie', 'Zoë', 'Hélène',
  'Geneviève', 'Priya', 'Mei', 'Fatima', 'Aisha', 'Maria', 'Ana', 'Grace', 'Hannah', 'Isabelle', 'Noémie', 'Jasmine', 'Ava',
];

/** Male first names. */
// prettier-ignore
export const MALE_NAMES: readonly string[] = [
  'John', 'Robert', 'Michael', 'William', 'David', 'James', 'Daniel', 'Liam', 'Noah', 'Ethan', 'François', 'Jérôme', 'André',
  'Benoît', 'Raj', 'Wei', 'Mohammed', 'Ahmed', 'José', 'Luis', 'Thomas', 'Lucas', 'Samuel', 'Gaëtan', 'Kevin', 'Ryan',
];

/** Last names. */
// prettier-ignore
export const LAST_NAMES: readonly string[] = [
  'Smith', 'Brown', 'Tremblay', 'Martin', 'Roy', 'Wilson', 'MacDonald', 'Gagnon', 'Johnson', 'Taylor', 'Côté', 'Campbell',
  'Anderson', 'Leblanc', 'Lee', 'Wong', 'Chen', 'Li', 'Nguyen', 'Singh', 'Patel', 'Gill', 'Sandhu', "O'Brien", "D'Amico",
  'Bélanger', 'Lévesque', 'Thompson', 'White', 'Harris', 'Kim', 'Park', 'Garcia', 'Rodríguez', 'Müller', 'Friesen',
];

/** BC cities with their postal prefix letter-digit. */
export const CITIES: readonly (readonly [city: string, postalPrefix: string])[] = [
  ['Vancouver', 'V5'],
  ['Vancouver', 'V6'],
  ['Burnaby', 'V5'],
  ['Surrey', 'V3'],
  ['Richmond', 'V6'],
  ['Victoria', 'V8'],
  ['Kelowna', 'V1'],
  ['Nanaimo', 'V9'],
  ['Kamloops', 'V2'],
  ['Prince George', 'V2'],
];

/** Street names. */
export const STREETS: readonly string[] = [
  'Main St',
  'Oak St',
  'Granville St',
  'Kingsway',
  'Hastings St',
  'Rue Principale',
  'Cedar Ave',
  'Marine Dr',
  '4th Ave',
  'Fraser St',
];

/** Age bands (lower, upper, weight) giving a Canadian-like age pyramid. */
export const AGE_BANDS: readonly (readonly [lower: number, upper: number, weight: number])[] = [
  [0, 4, 5],
  [5, 17, 14],
  [18, 29, 15],
  [30, 44, 20],
  [45, 64, 26],
  [65, 79, 15],
  [80, 99, 5],
];

/** Statuses of patients who left active care (OSCAR patient_status codes), with weights. */
export const INACTIVE_STATUSES: readonly (readonly [status: string, weight: number])[] = [
  ['IN', 5],
  ['DE', 2],
  ['MO', 3],
  ['FI', 1],
  ['OP', 1],
];

/** Encounter note openings, by chronic problem or generic. */
export const ENCOUNTER_PHRASES: readonly string[] = [
  'Pt seen for follow-up. Feeling well. No new concerns.',
  'Annual physical. Discussed diet and exercise. Labs ordered.',
  'C/o cough x 5 days, no fever. Chest clear. Supportive care.',
  'Medication review done. Refills given for 3 months.',
  'Reviewed lab results with patient. Plan: repeat in 3 months.',
  'Phone call re: prescription renewal. Sent to pharmacy.',
  'Pt reports low back pain after lifting. Advised stretching, acetaminophen.',
];
