/**
 * fast-check arbitraries of valid PatientRecords: dates in every precision the model allows,
 * codes from known code systems, text with accents, markup characters, `]]>`, `--`, line ends
 * and tabs. Text is XML-legal and trimmed (the reader trims; illegal characters are tested apart).
 *
 * What round-trips (write with includeNoteText, read with keepNoteText) — {@link asRead} gives the
 * record a read gives back:
 * - a medication comes back as `asWritten` of it (e2e/prescriptions.ts): with at least one
 *   prescription (one made from its top-level fields when it had none) and every top-level field
 *   it lacked taken from its newest prescription; everything else as written;
 * - a screening's code is a screening code (SNOMED/LOINC of the table, or an OSCAR prevention
 *   type); a lab result's code never is one (the reader tells them apart by code alone);
 * - a not-given reason only on an immunization or screening that was not given (`refused: true`);
 * - family history age at onset is a whole number of years; a risk factor's kind, when known,
 *   is coded on its observation.
 */
import fc from 'fast-check';
import type {
  Alert,
  Allergy,
  Coded,
  Encounter,
  FamilyHistory,
  Immunization,
  LabResult,
  Medication,
  PatientRecord,
  Prescription,
  Problem,
  RiskFactor,
  Screening,
  VitalSign,
} from '../../e2e';
import { asWritten } from '../../e2e/prescriptions';
import { FREQUENCIES } from '../../e2e/vocab/frequencies';
import { anyCoded, codedIn, isoDate, line, number, observedValue, OID, opt, text, token } from './arbitrary-parts';

export { isoDate, text };

const dose = fc.oneof(
  observedValue,
  fc
    .tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }))
    .map(([a, b]) => ({ text: `${a / 2}-${b / 2}` })),
);
const frequency = fc.oneof(
  text,
  fc.constantFrom(...FREQUENCIES.map((row) => row.code)),
  fc.constantFrom('bid', 'q4h', 'Q1-2h', '2/d', 'q6h prn'),
);
const medicationStatus = fc.constantFrom('active', 'completed', 'suspended', 'aborted') as fc.Arbitrary<
  NonNullable<Medication['status']>
>;

/** A physician id root other than the CPSID's (the reader keeps only those). */
const PROVIDER_ID_ROOT = fc.constantFrom('2.16.840.1.113883.3.3331.3.1', '2.16.840.1.113883.3.3331');

/** Drops an id root whose id is absent (a root is read only beside its id). */
function withIdRoot<T extends object>(idKey: keyof T, rootKey: keyof T): (value: T) => T {
  return (value) => {
    if (value[idKey] !== undefined || value[rootKey] === undefined) return value;
    const copy = { ...value };
    delete copy[rootKey];
    return copy;
  };
}

const prescription: fc.Arbitrary<Prescription> = fc
  .record(
    {
      id: token,
      start: isoDate,
      end: isoDate,
      written: isoDate,
      dose,
      frequency,
      duration: fc.record({ value: fc.integer({ min: 1, max: 365 }), unit: fc.constantFrom('d', 'wk', 'mo') }),
      route: codedIn('route'),
      prn: fc.boolean(),
      longTerm: fc.boolean(),
      status: medicationStatus,
      instructions: text,
      prescriberId: token,
      prescriberIdRoot: PROVIDER_ID_ROOT,
    },
    { requiredKeys: [] },
  )
  .map(withIdRoot('prescriberId', 'prescriberIdRoot'));

const medication: fc.Arbitrary<Medication> = fc
  .record(
    {
      id: token,
      din: codedIn('din', 'HC-DIN'),
      atc: codedIn('atc', 'whoATC'),
      name: text,
      brandName: text,
      strength: fc.record({ quantity: number, unit: opt(token) }, { requiredKeys: ['quantity'] }),
      dose,
      frequency,
      route: codedIn('route'),
      form: anyCoded,
      prn: fc.boolean(),
      longTerm: fc.boolean(),
      start: isoDate,
      end: isoDate,
      status: medicationStatus,
      instructions: text,
      prescriberId: token,
      prescriberIdRoot: PROVIDER_ID_ROOT,
      prescriptions: fc.array(prescription, { maxLength: 3 }),
    },
    { requiredKeys: [] },
  )
  .map(withIdRoot('prescriberId', 'prescriberIdRoot'));

const problem: fc.Arbitrary<Problem> = fc.record(
  {
    id: token,
    code: fc.oneof(codedIn('icd9', 'ICD9'), codedIn('icd10', 'ICD10'), codedIn('snomed', 'SNOMED-CT')),
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
    status: fc.constantFrom('active', 'inactive'),
  },
  { requiredKeys: [] },
);

/** Given (refused false), not given with or without a reason, or unknown. */
const notGiven = fc.oneof(
  fc.constant({}),
  fc.constant({ refused: false }),
  fc.record({ refused: fc.constant(true), notGivenReason: opt(fc.constantFrom('refused', 'ineligible')) }),
) as fc.Arbitrary<Pick<Immunization, 'refused' | 'notGivenReason'>>;

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

const immunization: fc.Arbitrary<Immunization> = fc
  .tuple(
    fc.record(
      {
        id: token,
        code: fc.oneof(codedIn('atc', 'whoATC'), codedIn('oscarPreventionType', 'OSCAR-PreventionType')),
        name: text,
        date: isoDate,
        lot: text,
        route: codedIn('route'),
        site: text,
      },
      { requiredKeys: [] },
    ),
    notGiven,
  )
  .map(([imm, given]) => withoutUndefined({ ...imm, ...given }));

const SCREENING_CODES: Coded[] = [
  { code: '171149006', codeSystem: OID.snomed, codeSystemName: 'SNOMED-CT' },
  { code: '24606-6', codeSystem: OID.loinc, codeSystemName: 'LOINC' },
  { code: '58453-2', codeSystem: OID.loinc },
  { code: '73761001', codeSystem: OID.snomed, displayName: 'Colonoscopy' },
];
const screening: fc.Arbitrary<Screening> = fc
  .tuple(
    fc.record(
      {
        id: token,
        code: fc.oneof(fc.constantFrom(...SCREENING_CODES), codedIn('oscarPreventionType', 'OSCAR-PreventionType')),
        name: text,
        date: isoDate,
      },
      { requiredKeys: ['code'] },
    ),
    notGiven,
  )
  .map(([value, given]) => withoutUndefined({ ...value, ...given }));

const referenceRange = fc
  .record({ low: number, high: number, text }, { requiredKeys: [] })
  .filter((r) => Object.values(r).some((v) => v !== undefined));

const labCode = fc
  .oneof(anyCoded, codedIn('labLocal', 'Lab-LocalTestCode'))
  .filter((code) => !SCREENING_CODES.some((s) => s.code === code.code));
const labResult: fc.Arbitrary<LabResult> = fc.record(
  {
    id: token,
    code: labCode,
    name: text,
    value: observedValue,
    referenceRange,
    interpretation: fc.constantFrom('N', 'A', 'H', 'L', 'HH', 'LL'),
    time: isoDate,
    reportId: fc.constantFrom('501', '502', 'R-9'),
    status: fc.constantFrom('final', 'preliminary'),
    accession: token,
  },
  { requiredKeys: ['code'] },
);

const VITAL_CODES = ['3141-9', '8302-2', '8867-4', '8310-5', '56115-9', '39156-5'];
const vitalSign: fc.Arbitrary<VitalSign> = fc.oneof(
  fc.record(
    {
      id: token,
      code: fc.oneof(
        fc.record(
          { code: fc.constantFrom(...VITAL_CODES), codeSystem: fc.constant(OID.loinc), displayName: opt(text) },
          { requiredKeys: ['code', 'codeSystem'] },
        ),
        codedIn('oscarMeasurementType', 'OSCAR-MeasurementType'),
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

const encounter: fc.Arbitrary<Encounter> = fc
  .record(
    { id: token, date: isoDate, providerId: token, providerIdRoot: PROVIDER_ID_ROOT, reason: line, text },
    { requiredKeys: [] },
  )
  .map(withIdRoot('providerId', 'providerIdRoot'));

const archived = fc.constantFrom('active', 'inactive') as fc.Arbitrary<'active' | 'inactive'>;

const alert: fc.Arbitrary<Alert> = fc.record(
  { id: token, date: isoDate, status: archived, text },
  { requiredKeys: [] },
);

const familyHistory: fc.Arbitrary<FamilyHistory> = fc.record(
  {
    id: token,
    date: isoDate,
    relationship: fc.record(
      {
        code: fc.constantFrom('MTH', 'FTH', 'SIS', 'BRO', 'GRMTH', 'OTH', 'UNK'),
        codeSystem: fc.constant(OID.relationship),
        codeSystemName: opt(fc.constant('PersonalRelationshipRoleType')),
        displayName: opt(text),
      },
      { requiredKeys: ['code', 'codeSystem'] },
    ),
    condition: fc.oneof(codedIn('icd9', 'ICD9'), codedIn('snomed', 'SNOMED-CT')),
    ageAtOnset: fc.integer({ min: 0, max: 120 }),
    text,
  },
  { requiredKeys: [] },
);

const riskFactor: fc.Arbitrary<RiskFactor> = fc.record(
  {
    id: token,
    date: isoDate,
    kind: fc.constantFrom('riskFactor', 'socialHistory') as fc.Arbitrary<'riskFactor' | 'socialHistory'>,
    status: archived,
    text,
  },
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
  screenings: fc.array(screening, { maxLength: 3 }),
  vitalSigns: fc.array(vitalSign, { maxLength: 4 }),
  encounters: fc.array(encounter, { maxLength: 3 }),
  alerts: fc.array(alert, { maxLength: 2 }),
  familyHistory: fc.array(familyHistory, { maxLength: 2 }),
  riskFactors: fc.array(riskFactor, { maxLength: 2 }),
});

/** The record a read of the written record gives back (see the rules at the top). */
export function asRead(record: PatientRecord): PatientRecord {
  return { ...record, medications: record.medications.map(asWritten) };
}
