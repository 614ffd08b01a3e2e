/**
 * fast-check arbitraries of valid PatientRecords: dates in every precision the model allows,
 * codes from known code systems, text with accents, markup characters, `]]>`, `--`, line ends
 * and tabs. Text is XML-legal and trimmed (the reader trims; illegal characters are tested apart).
 */
import fc from 'fast-check';
import type {
  Allergy,
  Coded,
  Encounter,
  Immunization,
  LabResult,
  Medication,
  PatientRecord,
  Problem,
  VitalSign,
} from '../../e2e';

const OID = {
  loinc: '2.16.840.1.113883.6.1',
  din: '2.16.840.1.113883.5.1105',
  atc: '2.16.840.1.113883.6.73',
  icd9: '2.16.840.1.113883.6.42',
  snomed: '2.16.840.1.113883.6.96',
  pclocd: '2.16.840.1.113883.2.20.5.1',
  route: '2.16.840.1.113883.5.112',
};

const PIECES = [
  'a',
  'Z',
  'é',
  'Ç',
  'ü',
  'Ł',
  'ß',
  '中',
  '😀',
  '€',
  '&',
  '<',
  '>',
  '"',
  "'",
  ']]>',
  '--',
  '<!--',
  '&amp;',
  '&#233;',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '\r',
  '0',
  '9',
  '/',
  ';',
  '#',
];

/** XML-legal text, trimmed, never empty. */
export const text = fc
  .oneof(
    fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 20 }).map((p) => p.join('')),
    fc.string({ minLength: 1, maxLength: 30 }),
  )
  .map((s) => s.trim())
  .filter((s) => s.length > 0);

/** Text on one line (encounter reasons). */
const line = text.map((s) => s.replace(/[\r\n]+/g, ' ')).filter((s) => s.trim() === s && s.length > 0);

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.\-]{0,11}$/);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO dates in every precision: year, month, day, minute, second, fraction, with or without zone. */
export const isoDate = fc
  .record({
    year: fc.integer({ min: 1900, max: 2030 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.constantFrom('', '.1', '.25', '.250', '.123456'),
    zone: fc.constantFrom('', 'Z', '-08:00', '+05:30', '-03:30'),
    precision: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ year, month, day, hour, minute, second, fraction, zone, precision }) => {
    const ymd = [String(year), `${year}-${pad(month)}`, `${year}-${pad(month)}-${pad(day)}`][Math.min(precision, 2)];
    if (precision <= 2) return ymd;
    if (precision === 3) return `${ymd}T${pad(hour)}:${pad(minute)}${zone}`;
    if (precision === 4) return `${ymd}T${pad(hour)}:${pad(minute)}:${pad(second)}${zone}`;
    return `${ymd}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction || '.5'}${zone}`;
  });

const number = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100);

function codedIn(system: keyof typeof OID, name?: string): fc.Arbitrary<Coded> {
  return fc.record(
    {
      code: token,
      codeSystem: fc.constant(OID[system]),
      codeSystemName: opt(fc.constant(name ?? system)),
      displayName: opt(text),
    },
    { requiredKeys: ['code', 'codeSystem'] },
  );
}

const anyCoded = fc.oneof(
  codedIn('loinc', 'LOINC'),
  codedIn('snomed', 'SNOMED-CT'),
  codedIn('icd9', 'ICD9'),
  codedIn('pclocd', 'pCLOCD'),
);
const observedValue = fc.oneof(
  fc.record({ quantity: number, unit: opt(token) }, { requiredKeys: ['quantity'] }),
  fc.record({ text }),
);

const medication: fc.Arbitrary<Medication> = fc.record(
  {
    id: token,
    din: codedIn('din', 'HC-DIN'),
    atc: codedIn('atc', 'whoATC'),
    name: text,
    dose: observedValue,
    frequency: text,
    route: codedIn('route'),
    form: anyCoded,
    prn: fc.boolean(),
    longTerm: fc.boolean(),
    start: isoDate,
    end: isoDate,
    status: fc.constantFrom('active', 'completed', 'suspended', 'aborted'),
    instructions: text,
    prescriberId: token,
  },
  { requiredKeys: [] },
);

const problem: fc.Arbitrary<Problem> = fc.record(
  {
    id: token,
    code: codedIn('icd9', 'ICD9'),
    description: text,
    onset: isoDate,
    resolved: isoDate,
    status: fc.constantFrom('active', 'inactive', 'resolved'),
  },
  { requiredKeys: [] },
);

const allergy: fc.Arbitrary<Allergy> = fc.record(
  {
    id: token,
    allergen: anyCoded,
    description: text,
    type: fc.constantFrom('drug', 'food', 'environmental', 'other'),
    reaction: text,
    severity: fc.constantFrom('mild', 'moderate', 'severe', 'unknown'),
    onset: isoDate,
    status: fc.constantFrom('active', 'inactive', 'resolved'),
  },
  { requiredKeys: [] },
);

const immunization: fc.Arbitrary<Immunization> = fc.record(
  {
    id: token,
    code: codedIn('atc', 'whoATC'),
    name: text,
    date: isoDate,
    refused: fc.boolean(),
    lot: text,
    route: codedIn('route'),
    site: text,
  },
  { requiredKeys: [] },
);

const referenceRange = fc
  .record({ low: number, high: number, text }, { requiredKeys: [] })
  .filter((r) => Object.values(r).some((v) => v !== undefined));

const labResult: fc.Arbitrary<LabResult> = fc.record(
  {
    id: token,
    code: anyCoded,
    name: text,
    value: observedValue,
    referenceRange,
    interpretation: fc.constantFrom('N', 'A', 'H', 'L', 'HH', 'LL'),
    time: isoDate,
  },
  { requiredKeys: ['code'] },
);

const VITAL_CODES = ['3141-9', '8302-2', '8867-4', '8310-5', '56115-9', '39156-5'];
const vitalSign: fc.Arbitrary<VitalSign> = fc.oneof(
  fc.record(
    {
      id: token,
      code: fc.record(
        { code: fc.constantFrom(...VITAL_CODES), codeSystem: fc.constant(OID.loinc), displayName: opt(text) },
        { requiredKeys: ['code', 'codeSystem'] },
      ),
      value: observedValue,
      time: isoDate,
    },
    { requiredKeys: ['code'] },
  ),
  fc.record(
    {
      id: token,
      code: fc.record(
        {
          code: fc.constant('55284-4'),
          codeSystem: fc.constant(OID.loinc),
          codeSystemName: opt(fc.constant('LOINC')),
          displayName: opt(text),
        },
        { requiredKeys: ['code', 'codeSystem'] },
      ),
      bloodPressure: fc.record({
        systolic: fc.integer({ min: 50, max: 260 }),
        diastolic: fc.integer({ min: 20, max: 180 }),
      }),
      time: isoDate,
    },
    { requiredKeys: ['code', 'bloodPressure'] },
  ),
);

const encounter: fc.Arbitrary<Encounter> = fc.record(
  { id: token, date: isoDate, providerId: token, reason: line, text },
  { requiredKeys: [] },
);

const personName = fc
  .record({ given: fc.array(text, { maxLength: 3 }), family: opt(text) })
  .map((n) => (n.family === undefined ? { given: n.given } : n));

/** A whole valid record. */
export const patientRecord: fc.Arbitrary<PatientRecord> = fc.record({
  document: fc.record(
    {
      demographicNo: fc.stringMatching(/^[0-9]{1,9}$/),
      effectiveTime: isoDate,
      author: fc.oneof(
        fc.record(
          { id: token, idRoot: fc.constant('2.16.840.1.113883.3.40.2.11'), name: opt(personName) },
          { requiredKeys: ['id', 'idRoot'] },
        ),
        fc.record({ name: personName }),
      ),
      custodian: fc
        .record({ id: token, name: text }, { requiredKeys: [] })
        .filter((c) => Object.values(c).some((v) => v !== undefined)),
    },
    { requiredKeys: ['demographicNo'] },
  ),
  patient: fc.record(
    {
      healthNumber: fc.record({
        value: fc.stringMatching(/^[0-9]{9,10}$/),
        assigningOid: fc.constantFrom('2.16.840.1.113883.4.50', '2.16.840.1.113883.4.59'),
      }),
      name: personName,
      birthDate: isoDate,
      gender: fc.constantFrom('M', 'F', 'UN'),
      language: fc.constantFrom('en', 'fr', 'pa'),
      address: fc
        .record(
          {
            street: text,
            city: text,
            province: fc.constantFrom('BC', 'AB'),
            postalCode: text,
            country: fc.constant('CA'),
          },
          { requiredKeys: [] },
        )
        .filter((a) => Object.values(a).some((v) => v !== undefined)),
      telecoms: fc.array(
        fc
          .record({ value: token.map((t) => `tel:${t}`), use: opt(fc.constantFrom('HP', 'WP', 'MC')) })
          .map((t) => (t.use === undefined ? { value: t.value } : t)),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: ['telecoms'] },
  ),
  medications: fc.array(medication, { maxLength: 4 }),
  problems: fc.array(problem, { maxLength: 4 }),
  allergies: fc.array(allergy, { maxLength: 3 }),
  immunizations: fc.array(immunization, { maxLength: 3 }),
  labResults: fc.array(labResult, { maxLength: 5 }),
  vitalSigns: fc.array(vitalSign, { maxLength: 4 }),
  encounters: fc.array(encounter, { maxLength: 3 }),
});
