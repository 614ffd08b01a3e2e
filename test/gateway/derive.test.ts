/**
 * Record → stored patient: the privacy rules (no names, addresses, phones, note text; the
 * health number only as a stable keyed HMAC) and the query shape (blood pressure split,
 * active flags, flat code arrays, counts, full birth dates only).
 */
import { emptyRecord, type PatientRecord } from '../../e2e/record';
import { derivePatient, toDate } from '../../gateway/store/derive';
import { healthNumberHmac } from '../../gateway/store/hmac';

const NOW = new Date('2024-06-01T00:00:00Z');

function sampleRecord(): PatientRecord {
  const record = emptyRecord('1042');
  record.document.author = {
    id: '77001',
    idRoot: '2.16.840.1.113883.3.40.2.11',
    name: { given: ['Doc'], family: 'Holloway' },
  };
  record.patient = {
    healthNumber: { value: '9876 543 210', assigningOid: '2.16.840.1.113883.4.50' },
    name: { given: ['Avery'], family: 'Quinlan' },
    birthDate: '1950-03-04',
    gender: 'F',
    address: { street: '12 Elm Street', city: 'Victoria', postalCode: 'v8w 1a1' },
    telecoms: [{ value: '250-555-0199', use: 'HP' }],
  };
  record.medications = [
    {
      din: { code: '02242705' },
      atc: { code: 'A10BA02' },
      status: 'active',
      start: '2020-01-01',
      longTerm: true,
      prescriptions: [
        { id: '9', start: '2024-03-01', end: '2024-05-30', longTerm: true, status: 'active' },
        { id: '8', start: '2023-12-01', end: '2024-02-29', longTerm: true, status: 'completed' },
      ],
    },
    { din: { code: '00509558' }, atc: { code: 'C01CA24' }, status: 'completed' },
    { atc: { code: 'C09AA05' }, end: '2021-01-01' },
  ];
  record.problems = [
    { code: { code: '250', codeSystem: '2.16.840.1.113883.6.42' }, status: 'active', onset: '2015' },
    { code: { code: '401', codeSystem: '2.16.840.1.113883.6.42' }, status: 'resolved' },
    { code: { code: '44054006', codeSystemName: 'SNOMED CT' }, status: 'active' },
    { code: { code: '2500', codeSystem: '2.16.840.1.113883.6.2' }, status: 'active' },
    { code: { code: '311' }, status: 'active' },
  ];
  record.screenings = [
    { code: { code: '171149006', codeSystem: '2.16.840.1.113883.6.96' }, name: 'PAP', date: '2023-05-02' },
    {
      code: { code: '24606-6', codeSystem: '2.16.840.1.113883.6.1' },
      name: 'MAM',
      date: '2023-06-01',
      refused: true,
      notGivenReason: 'refused',
    },
  ];
  record.familyHistory = [
    {
      relationship: { code: 'MTH', displayName: 'Mother' },
      condition: { code: '250', codeSystem: '2.16.840.1.113883.6.42' },
      ageAtOnset: 54,
      text: 'Mother Quinlan, diabetes',
    },
  ];
  record.alerts = [{ date: '2024-01-01', status: 'active', text: 'Quinlan: latex precautions' }];
  record.riskFactors = [{ date: '2024-01-01', kind: 'socialHistory', text: 'lives at 12 Elm Street' }];
  record.labResults = [
    {
      code: { code: '4548-4', codeSystem: '2.16.840.1.113883.6.1' },
      value: { quantity: 7.4, unit: '%' },
      time: '2024-02-10',
    },
  ];
  record.vitalSigns = [
    { code: { code: '55284-4' }, bloodPressure: { systolic: 142, diastolic: 91 }, time: '2024-03-01T10:30' },
    { code: { code: '55284-4' }, value: { text: '128/84' }, time: '2024-04-01' },
    { code: { code: '29463-7' }, value: { quantity: 80, unit: 'kg' } },
  ];
  record.immunizations = [
    { code: { code: 'J07BB02' }, date: '2023-10-15', refused: false },
    { code: { code: 'J07BB02' }, date: '2022-10-15', refused: true, notGivenReason: 'ineligible' },
  ];
  record.encounters = [{ date: '2024-01-05', providerId: 'cpsid-77', text: 'complains of chest pain' }];
  return record;
}

const context = {
  clinicId: 'c1',
  hmacSecret: 'secret-a',
  keepNoteText: false,
  sourceHash: 'abc',
  sections: { medications: 3 } as never,
  now: NOW,
};

describe('derivePatient', () => {
  test('keeps no names, addresses, phones, health number or note text', () => {
    const stored = JSON.stringify(derivePatient(sampleRecord(), context));
    for (const phi of [
      'Avery',
      'Quinlan',
      'Holloway',
      '12 Elm',
      'Victoria',
      '250-555-0199',
      '9876',
      '543 210',
      'chest pain',
    ]) {
      expect(stored).not.toContain(phi);
    }
  });

  test('the health number becomes a stable HMAC that depends on the secret', () => {
    const first = derivePatient(sampleRecord(), context).hinHmac;
    expect(first).toBe(healthNumberHmac('secret-a', '9876543210'));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(derivePatient(sampleRecord(), { ...context, hmacSecret: 'secret-b' }).hinHmac).not.toBe(first);
  });

  test('note text is kept only when configured', () => {
    expect(derivePatient(sampleRecord(), { ...context, keepNoteText: true }).encounters[0].text).toBe(
      'complains of chest pain',
    );
    expect(derivePatient(sampleRecord(), context).encounters[0]).toEqual({
      date: new Date('2024-01-05T00:00:00Z'),
      providerId: 'cpsid-77',
    });
  });

  test('blood pressures become systolic 8480-6 and diastolic 8462-4 observations', () => {
    const observations = derivePatient(sampleRecord(), context).observations;
    expect(observations.filter((o) => o.code === '8480-6').map((o) => o.value)).toEqual([142, 128]);
    expect(observations.filter((o) => o.code === '8462-4').map((o) => o.value)).toEqual([91, 84]);
    expect(observations.find((o) => o.code === '4548-4')).toMatchObject({
      kind: 'lab',
      value: 7.4,
      unit: '%',
      time: new Date('2024-02-10T00:00:00Z'),
    });
    expect(observations.find((o) => o.code === '29463-7')).toMatchObject({ kind: 'vital', value: 80 });
    expect(observations.filter((o) => o.kind !== 'screening')).toHaveLength(6);
  });

  test('a done screening is an observation; a refused one is kept apart with its reason', () => {
    const patient = derivePatient(sampleRecord(), context);
    expect(patient.observations.filter((o) => o.kind === 'screening')).toEqual([
      {
        kind: 'screening',
        code: '171149006',
        system: '2.16.840.1.113883.6.96',
        time: new Date('2023-05-02T00:00:00Z'),
      },
    ]);
    expect(patient.screenings.map((s) => [s.code, s.refused, s.reason])).toEqual([
      ['171149006', false, undefined],
      ['24606-6', true, 'refused'],
    ]);
    expect(patient.immunizations.map((i) => [i.refused, i.reason])).toEqual([
      [false, undefined],
      [true, 'ineligible'],
    ]);
  });

  test('every prescription interval is kept, newest first', () => {
    const [metformin] = derivePatient(sampleRecord(), context).medications;
    expect(metformin.prescriptions).toEqual([
      {
        start: new Date('2024-03-01T00:00:00Z'),
        end: new Date('2024-05-30T00:00:00Z'),
        longTerm: true,
        status: 'active',
      },
      {
        start: new Date('2023-12-01T00:00:00Z'),
        end: new Date('2024-02-29T00:00:00Z'),
        longTerm: true,
        status: 'completed',
      },
    ]);
  });

  test('family history keeps relationship, condition and age at onset; alerts and risk factors keep no text', () => {
    const patient = derivePatient(sampleRecord(), { ...context, keepNoteText: true });
    expect(patient.familyHistory).toEqual([
      { relationship: 'MTH', code: '250', system: '2.16.840.1.113883.6.42', ageAtOnset: 54 },
    ]);
    const stored = JSON.stringify(patient);
    for (const text of ['Quinlan', 'latex', 'Elm Street']) expect(stored).not.toContain(text);
  });

  test('active flags, flat code arrays and counts', () => {
    const patient = derivePatient(sampleRecord(), context);
    expect(patient.medications.map((m) => m.active)).toEqual([true, false, false]);
    expect(patient.activeMedicationAtc).toEqual(['A10BA02']);
    expect(patient.activeMedicationDin).toEqual(['02242705']);
    expect(patient.activeMedicationCount).toBe(1);
    expect(patient.activeProblemCodes).toEqual(['250', '2500']);
  });

  test('problem codes keep their system: an ICD9 list holds ICD9 codes only (alias OIDs resolved)', () => {
    const patient = derivePatient(sampleRecord(), context);
    expect(patient.problems.map((p) => p.system)).toEqual([
      '2.16.840.1.113883.6.42',
      '2.16.840.1.113883.6.42',
      '2.16.840.1.113883.6.96',
      '2.16.840.1.113883.6.42',
      undefined,
    ]);
    expect(patient.activeProblemOtherCodes).toEqual(['snomed:44054006']);
  });

  test('the provider key is the CPSID, or says which other number it is', () => {
    const key = (idRoot: string | undefined) => {
      const record = sampleRecord();
      record.document.author = { id: '12345', idRoot };
      return derivePatient(record, context).providerId;
    };
    expect(key('2.16.840.1.113883.3.40.2.11')).toBe('12345');
    expect(key('2.16.840.1.113883.3.3331.3.1')).toBe('msp:12345');
    expect(key('2.16.840.1.113883.3.3331')).toBe('oscar:12345');
    expect(key(undefined)).toBe('12345');
  });

  test('header facts: key, full birth date, birth year, postal prefix, provider', () => {
    const patient = derivePatient(sampleRecord(), context);
    expect(patient).toMatchObject({
      _id: 'c1:1042',
      demographicNo: '1042',
      birthDate: new Date('1950-03-04T00:00:00Z'),
      birthYear: 1950,
      gender: 'F',
      postalPrefix: 'V8W',
      providerId: '77001',
    });
    const partial = sampleRecord();
    partial.patient.birthDate = '1950-03';
    const derived = derivePatient(partial, context);
    expect(derived.birthDate).toBeUndefined();
    expect(derived.birthYear).toBe(1950);
  });

  test('dates of any precision parse; nonsense does not', () => {
    expect(toDate('2014')).toEqual(new Date('2014-01-01T00:00:00Z'));
    expect(toDate('2014-06-12T10:30:00-07:00')).toEqual(new Date('2014-06-12T17:30:00Z'));
    expect(toDate('June 2014')).toBeUndefined();
  });
});
