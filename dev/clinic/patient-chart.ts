/**
 * A synthetic patient's clinically measured observations: `measurements` rows without a lab
 * number, entered at visits — vital signs (BP as "120/80", WT, HT, WAIS, HR), spirometry for lung
 * disease, and OSCAR types no LOINC table knows (SMK, EXE, DIET, FTE yes/no; PHQS score), which
 * the exporter must code locally. Lab results are in patient-labs.ts.
 */
import { MALFORMED_BLOOD_PRESSURES } from './dirt';
import { dirtyText, hasCondition, type GeneratorSetup, type Patient } from './patient';
import { MEASUREMENT_KINDS, type MeasurementKind } from './vocabulary-clinical';

/** A patient's own body size, so that repeated weights stay close to each other. */
function bodyOf(patient: Patient): { heightCm: number; weightKg: number; waistCm: number } {
  const { random, ageYears, sex } = patient;
  if (ageYears < 18) {
    const heightCm = Math.min(175, 52 + ageYears * 6.5 + random.normal(0, 4));
    return {
      heightCm,
      weightKg: Math.max(3.5, 3.5 + ageYears * 3 + random.normal(0, 2, 1)),
      waistCm: 45 + ageYears * 2,
    };
  }
  const heightCm = random.normal(sex === 'F' ? 163 : 176, 7);
  const bmi = Math.max(17, random.normal(27, 5, 1));
  return { heightCm, weightKg: bmi * (heightCm / 100) ** 2, waistCm: 60 + bmi * 1.3 };
}

function bloodPressure(patient: Patient): string {
  const hypertensive = hasCondition(patient, '401');
  const systolic = Math.round(patient.random.normal(hypertensive ? 138 : 122, 14));
  const diastolic = Math.round(patient.random.normal(hypertensive ? 86 : 77, 9));
  return `${systolic}/${Math.min(diastolic, systolic - 20)}`;
}

function drawn(patient: Patient, type: string): string {
  const kind = MEASUREMENT_KINDS.get(type) as MeasurementKind;
  const value = Math.max(kind.sd === 0 ? 0 : kind.mean / 5, patient.random.normal(kind.mean, kind.sd, kind.decimals));
  return value.toFixed(kind.decimals);
}

/** The visit-time observations besides vitals: [type, chance per visit, value]. */
function otherObservations(patient: Patient): (readonly [string, number, () => string])[] {
  const { random } = patient;
  const yesNo = (yes: number) => (): string => (random.chance(yes) ? 'yes' : 'no');
  const list: (readonly [string, number, () => string])[] = [];
  const adult = patient.ageYears >= 18;
  const diabetic = hasCondition(patient, '250');
  if (adult) list.push(['SMK', 0.25, () => (patient.smoker ? 'yes' : 'no')]);
  if (adult) list.push(['EXE', diabetic ? 0.5 : 0.1, yesNo(0.45)]);
  if (diabetic) list.push(['DIET', 0.5, yesNo(0.8)], ['FTE', 0.5, yesNo(0.9)]);
  if (hasCondition(patient, '311'))
    list.push(['PHQS', 0.5, () => String(Math.min(12, Math.max(0, random.normal(5, 3))))]);
  if (hasCondition(patient, '496')) list.push(['FEV1', 0.4, () => drawn(patient, 'FEV1')]);
  if (hasCondition(patient, '493')) list.push(['PEFR', 0.4, () => drawn(patient, 'PEFR')]);
  return list;
}

/** Writes the measurements rows of the patient's visits (no lab number, no measurementsExt). */
export function writeMeasurements(setup: GeneratorSetup, patient: Patient): void {
  const { calendar, rows, ids } = setup;
  const { random, demographicNo } = patient;
  const adult = patient.ageYears >= 18;
  const hypertensive = hasCondition(patient, '401');
  const visits = (adult ? random.int(1, 5) : random.int(0, 2)) + (hypertensive ? random.int(2, 5) : 0);
  let bpPlanted = false;
  const body = bodyOf(patient);
  const others = otherObservations(patient);
  const add = (type: string, value: string, observedMs: number, comments: string): void => {
    rows.add('measurements', [
      ids.take('measurements'),
      type,
      demographicNo,
      patient.provider.providerNo,
      value,
      MEASUREMENT_KINDS.get(type)?.instruction ?? '',
      comments,
      calendar.dateTime(observedMs),
      calendar.dateTime(calendar.later(observedMs, random.int(5, 60 * 24 * 2))),
      0,
    ]);
  };
  for (let visit = 0; visit < visits; visit++) {
    const observedMs = calendar.visit(random, patient.joinedMs, 5 * 365);
    if (adult || hypertensive || random.chance(0.2)) {
      let value = bloodPressure(patient);
      if (!bpPlanted && patient.dirt.has('malformedBloodPressure')) {
        value = random.pick(MALFORMED_BLOOD_PRESSURES);
        bpPlanted = true;
        setup.dirt.plant('malformedBloodPressure', demographicNo);
      }
      add('BP', value, observedMs, visit === 0 ? dirtyText(setup, patient, '', ['controlCharacters']).trim() : '');
    }
    if (random.chance(0.7)) add('WT', random.normal(body.weightKg, 1.2, 1).toFixed(1), observedMs, '');
    if (visit === 0) add('HT', body.heightCm.toFixed(0), observedMs, '');
    if (adult && random.chance(0.2)) add('WAIS', random.normal(body.waistCm, 1.5, 0).toFixed(0), observedMs, '');
    if (random.chance(0.4)) add('HR', drawn(patient, 'HR'), observedMs, '');
    for (const [type, chance, value] of others) if (random.chance(chance)) add(type, value(), observedMs, '');
  }
  if (!bpPlanted && patient.dirt.has('malformedBloodPressure')) {
    add('BP', random.pick(MALFORMED_BLOOD_PRESSURES), calendar.visit(random, patient.joinedMs, 300), '');
    setup.dirt.plant('malformedBloodPressure', demographicNo);
  }
}
