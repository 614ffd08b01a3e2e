/** Deterministic synthetic patient records for the E2E bench (a small PRNG; no test dependency). */
import type { PatientRecord } from '../e2e';
import { emptyRecord } from '../e2e';

/** A seeded PRNG (mulberry32). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DRUGS = [
  ['02242974', 'A10BA02', 'METFORMIN 500MG'],
  ['02363283', 'C09AA05', 'RAMIPRIL 5MG'],
  ['02387913', 'C10AA05', 'ATORVASTATIN 20MG'],
  ['00559407', 'N02BE01', 'ACETAMINOPHEN 500MG'],
];
const ICD9 = [
  ['250', 'DIABETES MELLITUS'],
  ['401', 'ESSENTIAL HYPERTENSION'],
  ['428', 'HEART FAILURE'],
  ['491', 'CHRONIC BRONCHITIS'],
  ['244', 'ACQUIRED HYPOTHYROIDISM'],
];
const LABS = [
  ['4548-4', 'Hemoglobin A1c', '%'],
  ['2093-3', 'Cholesterol', 'mmol/L'],
  ['14682-9', 'Creatinine', 'umol/L'],
  ['718-7', 'Hemoglobin', 'g/L'],
];

/** `count` synthetic records with a few entries in every section. */
export function syntheticRecords(count: number, seed = 42): PatientRecord[] {
  const rnd = prng(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rnd() * list.length)];
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const day = () => `${int(2005, 2024)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
  const records: PatientRecord[] = [];
  for (let i = 0; i < count; i++) {
    const record = emptyRecord(String(1000 + i));
    record.document = {
      demographicNo: String(1000 + i),
      effectiveTime: `${day()}T10:15:00`,
      author: { id: '12345', idRoot: '2.16.840.1.113883.3.40.2.11', name: { given: ['Ana'], family: 'Doctor' } },
      custodian: { id: 'clinic-1', name: 'Synthetic Clinic' },
    };
    record.patient = {
      healthNumber: { value: String(9000000000 + i), assigningOid: '2.16.840.1.113883.4.50' },
      name: { given: ['Pat'], family: `Synthetic-${i}` },
      birthDate: `${int(1930, 2010)}-0${int(1, 9)}-1${int(0, 9)}`,
      gender: pick(['M', 'F']),
      language: 'en',
      address: { city: 'Vancouver', province: 'BC', postalCode: 'V5K 0A1' },
      telecoms: [{ value: `tel:604555${String(i).padStart(4, '0')}`, use: 'HP' }],
    };
    for (let k = int(1, 6); k > 0; k--) {
      const [din, atc, name] = pick(DRUGS);
      record.medications.push({
        id: `Medications-${k}`,
        din: { code: din, codeSystem: '2.16.840.1.113883.5.1105', codeSystemName: 'HC-DIN', displayName: name },
        atc: { code: atc, codeSystem: '2.16.840.1.113883.6.73', codeSystemName: 'whoATC' },
        name,
        dose: { quantity: int(1, 2), unit: 'TAB' },
        frequency: 'BID',
        longTerm: rnd() < 0.5,
        prn: false,
        start: day(),
        status: 'active',
        instructions: 'Take with food & water',
      });
    }
    for (let k = int(1, 4); k > 0; k--) {
      const [code, display] = pick(ICD9);
      record.problems.push({
        id: `ProblemList-${k}`,
        code: { code, codeSystem: '2.16.840.1.113883.6.42', codeSystemName: 'ICD9', displayName: display },
        description: display,
        onset: day(),
        status: 'active',
      });
    }
    if (rnd() < 0.4)
      record.allergies.push({
        id: 'Allergies-1',
        description: 'PENICILLIN',
        type: 'drug',
        reaction: 'Hives',
        severity: 'moderate',
        status: 'active',
      });
    for (let k = int(0, 3); k > 0; k--)
      record.immunizations.push({
        id: `Immunizations-${k}`,
        code: { code: 'J07BB02', codeSystem: '2.16.840.1.113883.6.73', displayName: 'Influenza' },
        name: 'Flu',
        date: day(),
        refused: false,
      });
    for (let k = int(2, 12); k > 0; k--) {
      const [code, name, unit] = pick(LABS);
      record.labResults.push({
        id: `Lab-${k}`,
        code: { code, codeSystem: '2.16.840.1.113883.6.1', codeSystemName: 'LOINC', displayName: name },
        name,
        value: { quantity: int(10, 2000) / 10, unit },
        referenceRange: { low: 1, high: 200 },
        interpretation: pick(['N', 'H', 'L']),
        time: `${day()}T08:30:00`,
      });
    }
    for (let k = int(1, 4); k > 0; k--) {
      record.vitalSigns.push({
        id: `Measurements-${k}-bp`,
        code: { code: '55284-4', codeSystem: '2.16.840.1.113883.6.1', displayName: 'Blood pressure' },
        bloodPressure: { systolic: int(100, 170), diastolic: int(60, 100) },
        time: day(),
      });
      record.vitalSigns.push({
        id: `Measurements-${k}-wt`,
        code: { code: '3141-9', codeSystem: '2.16.840.1.113883.6.1', displayName: 'Weight' },
        value: { quantity: int(400, 1200) / 10, unit: 'kg' },
        time: day(),
      });
    }
    for (let k = int(1, 6); k > 0; k--)
      record.encounters.push({
        id: `Encounters-${k}`,
        date: `${day()}T09:00`,
        providerId: '12345',
        reason: 'Follow-up',
      });
    records.push(record);
  }
  return records;
}
