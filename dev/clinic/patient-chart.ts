/**
 * The rest of a synthetic patient's chart: measurements (vital signs and lab results with
 * measurementsExt and patientLabRouting), preventions with preventionsExt, and encounter notes
 * (several versions, some archived, some locked) linked to issues.
 */
import { ONE_DAY_MS } from './clinic-rows';
import { MALFORMED_BLOOD_PRESSURES, ZERO_DATES } from './dirt';
import { dirtyText, type GeneratorSetup, type Patient } from './patient';
import { IMMUNIZATION_KINDS, MEASUREMENT_KINDS, type MeasurementKind } from './vocabulary-clinical';
import { ENCOUNTER_PHRASES } from './vocabulary-people';

function hasCondition(patient: Patient, icd9: string): boolean {
  return patient.conditions.some((condition) => condition.icd9 === icd9);
}

function labValue(patient: Patient, kind: MeasurementKind): string {
  const { random } = patient;
  if (kind.type === 'A1C') {
    const mean = hasCondition(patient, '250') ? 7.6 : 5.6;
    return Math.min(11, Math.max(5, random.normal(mean, hasCondition(patient, '250') ? 1.2 : 0.3, 1))).toFixed(1);
  }
  if (kind.type === 'EGFR' && hasCondition(patient, '585')) return String(Math.max(8, random.normal(42, 12, 0)));
  const value = Math.max(kind.sd === 0 ? 0 : kind.mean / 5, random.normal(kind.mean, kind.sd, kind.decimals));
  return value.toFixed(kind.decimals);
}

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

/** Writes vital signs (BP as "120/80", WT, HT, WAIS, HR) and lab measurements with their ext rows. */
export function writeMeasurements(setup: GeneratorSetup, patient: Patient): void {
  const { calendar, rows, ids } = setup;
  const { random, demographicNo } = patient;
  const adult = patient.ageYears >= 18;
  const visits = (adult ? random.int(1, 5) : random.int(0, 2)) + (hasCondition(patient, '401') ? random.int(2, 5) : 0);
  let bpPlanted = false;
  const body = bodyOf(patient);
  const addMeasurement = (type: string, value: string, observedMs: number, comments: string): number => {
    const id = ids.take('measurements');
    const kind = MEASUREMENT_KINDS.get(type);
    const enteredMs = calendar.later(observedMs, random.int(5, 60 * 24 * 2));
    rows.add('measurements', [
      id,
      type,
      demographicNo,
      patient.provider.providerNo,
      value,
      kind?.instruction ?? '',
      comments,
      calendar.dateTime(observedMs),
      calendar.dateTime(enteredMs),
      0,
    ]);
    return id;
  };
  for (let visit = 0; visit < visits; visit++) {
    const observedMs = calendar.visit(random, patient.joinedMs, 5 * 365);
    if (adult || random.chance(0.2)) {
      let value = bloodPressure(patient);
      if (!bpPlanted && patient.dirt.has('malformedBloodPressure')) {
        value = random.pick(MALFORMED_BLOOD_PRESSURES);
        bpPlanted = true;
        setup.dirt.plant('malformedBloodPressure', demographicNo);
      }
      addMeasurement(
        'BP',
        value,
        observedMs,
        visit === 0 ? dirtyText(setup, patient, '', ['controlCharacters']).trim() : '',
      );
    }
    if (random.chance(0.7)) addMeasurement('WT', random.normal(body.weightKg, 1.2, 1).toFixed(1), observedMs, '');
    if (visit === 0) addMeasurement('HT', body.heightCm.toFixed(0), observedMs, '');
    if (adult && random.chance(0.2))
      addMeasurement('WAIS', random.normal(body.waistCm, 1.5, 0).toFixed(0), observedMs, '');
    if (random.chance(0.4))
      addMeasurement('HR', labValue(patient, MEASUREMENT_KINDS.get('HR') as MeasurementKind), observedMs, '');
  }
  if (!bpPlanted && patient.dirt.has('malformedBloodPressure')) {
    addMeasurement('BP', random.pick(MALFORMED_BLOOD_PRESSURES), calendar.visit(random, patient.joinedMs, 300), '');
    setup.dirt.plant('malformedBloodPressure', demographicNo);
  }

  const labTypes = new Set<string>(patient.conditions.flatMap((condition) => condition.labs));
  if (patient.ageYears >= 40 && random.chance(0.4)) for (const type of ['LDL', 'HDL', 'TCHL', 'TG']) labTypes.add(type);
  if (labTypes.size === 0) return;
  const draws = hasCondition(patient, '250') ? random.int(2, 4) : random.int(1, 2);
  for (let draw = 0; draw < draws; draw++) {
    const labNo = ids.take('labNo');
    const observedMs = calendar.visit(random, patient.joinedMs, 4 * 365);
    rows.add('patientLabRouting', [
      ids.take('patientLabRouting'),
      demographicNo,
      labNo,
      'HL7',
      calendar.dateTime(calendar.later(observedMs, random.int(120, 60 * 24))),
    ]);
    for (const type of labTypes) {
      const kind = MEASUREMENT_KINDS.get(type);
      if (kind === undefined) continue;
      const value = labValue(patient, kind);
      const id = addMeasurement(type, value, observedMs, '');
      if (!kind.lab) continue;
      const abnormal = kind.type === 'A1C' ? Number(value) > 6.0 : random.chance(0.15);
      const ext: readonly (readonly [string, string])[] = [
        ['lab_no', String(labNo)],
        ['name', kind.displayName],
        ['unit', kind.unit],
        ['range', kind.range ?? ''],
        ['abnormal', abnormal ? 'A' : 'N'],
      ];
      for (const [keyval, val] of ext) rows.add('measurementsExt', [ids.take('measurementsExt'), id, keyval, val]);
    }
  }
}

/** Writes preventions (immunizations; some refused, a few deleted) with preventionsExt rows. */
export function writePreventions(setup: GeneratorSetup, patient: Patient): void {
  const { calendar, rows, ids, schema } = setup;
  const { random, demographicNo } = patient;
  let zeroPlanted = false;
  for (const kind of IMMUNIZATION_KINDS) {
    if (patient.ageYears < kind.minAge || !random.chance(patient.ageYears >= 65 && kind.yearly ? 0.75 : kind.chance))
      continue;
    const doses = kind.yearly
      ? random.int(1, Math.min(5, patient.ageYears + 1))
      : kind.type === 'HepB'
        ? random.int(1, 3)
        : 1;
    for (let dose = 0; dose < doses; dose++) {
      const givenMs = kind.yearly
        ? calendar.daysAgo(dose * 365 + random.int(230, 300)) + random.int(8 * 60, 17 * 60) * 60_000
        : calendar.visit(random, patient.birthMs + kind.minAge * 365 * ONE_DAY_MS, 10 * 365);
      const refused = random.chance(0.05) ? '1' : random.chance(0.01) ? '2' : '0';
      const id = ids.take('preventions');
      let preventionDate = schema === '12.1' ? calendar.date(givenMs) : calendar.dateTime(givenMs);
      if (!zeroPlanted && patient.dirt.has('zeroDate') && random.chance(0.3)) {
        preventionDate =
          schema === '12.1' ? (random.pick(ZERO_DATES) as string) : `${random.pick(ZERO_DATES)} 00:00:00`;
        zeroPlanted = true;
        setup.dirt.plant('zeroDate', demographicNo);
      }
      const createdMs = calendar.later(givenMs, random.int(1, 600));
      rows.add('preventions', [
        id,
        demographicNo,
        calendar.dateTime(createdMs),
        preventionDate,
        patient.provider.providerNo,
        `${patient.provider.lastName}, ${patient.provider.firstName}`,
        kind.type,
        random.chance(0.01) ? '1' : '0',
        refused,
        kind.yearly ? calendar.date(givenMs + 365 * ONE_DAY_MS) : null,
        '0',
        Number(patient.provider.providerNo),
        calendar.dateTime(createdMs),
      ]);
      const ext: [string, string][] =
        refused === '0'
          ? [
              ['name', kind.name],
              ['lot', `${String.fromCharCode(65 + random.int(0, 25))}${random.digits(5)}`],
              ['route', kind.route],
              ['location', random.pick(['left deltoid', 'right deltoid', 'LD', 'RD'])],
              ['dose', '0.5 mL'],
            ]
          : [['neverReason', 'patient declined']];
      if (random.chance(0.5) && refused === '0') ext.push(['manufacture', kind.manufacture]);
      if (dose === 0 && random.chance(0.3))
        ext.push(['comments', dirtyText(setup, patient, 'No adverse reaction', ['accentedText'])]);
      for (const [keyval, val] of ext) rows.add('preventionsExt', [ids.take('preventionsExt'), id, keyval, val]);
    }
  }
}

function uuidFrom(patient: Patient): string {
  const hex = (length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[patient.random.int(0, 15)];
    return out;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

/** Writes encounter and CPP notes (with versions), their issue links and family-history ext rows. */
export function writeNotes(setup: GeneratorSetup, patient: Patient): void {
  const { calendar, rows, ids, issueIdByCode } = setup;
  const { random, demographicNo, provider } = patient;
  const caseIssueIds = new Map<number, number>();
  const caseIssueFor = (issueId: number, atMs: number): number => {
    const existing = caseIssueIds.get(issueId);
    if (existing !== undefined) return existing;
    const id = ids.take('casemgmt_issue');
    caseIssueIds.set(issueId, id);
    rows.add('casemgmt_issue', [id, demographicNo, issueId, 0, 0, 0, 0, 10016, 'doctor', calendar.dateTime(atMs)]);
    return id;
  };
  const plans: { issueCode: string | null; text: string; observedMs: number; cpp: boolean }[] = [];
  const encounters = random.int(1, patient.ageYears >= 65 ? 8 : 4);
  for (let i = 0; i < encounters; i++) {
    const condition = patient.conditions.length > 0 && random.chance(0.6) ? random.pick(patient.conditions) : null;
    const text =
      condition === null
        ? random.pick(ENCOUNTER_PHRASES)
        : `F/u ${condition.description.toLowerCase()}. ${random.pick(ENCOUNTER_PHRASES)}`;
    plans.push({
      issueCode: condition?.icd9 ?? null,
      text,
      observedMs: calendar.visit(random, patient.joinedMs, 5 * 365),
      cpp: false,
    });
  }
  if (random.chance(0.4))
    plans.push({
      issueCode: 'SocHistory',
      text: random.pick([
        'Non-smoker. Social alcohol.',
        'Lives with spouse, retired teacher.',
        'Works night shifts & drinks 3 coffees/day.',
      ]),
      observedMs: patient.joinedMs + random.int(8 * 60, 17 * 60) * 60_000,
      cpp: true,
    });
  if (random.chance(0.2))
    plans.push({
      issueCode: 'RiskFactors',
      text: random.pick(['Smoker 1 ppd x 20 yrs', 'Ex-smoker, quit 2010', 'Sedentary']),
      observedMs: patient.joinedMs + random.int(8 * 60, 17 * 60) * 60_000,
      cpp: true,
    });
  if (random.chance(0.25))
    plans.push({
      issueCode: 'FamHistory',
      text: random.pick(['Mother: type 2 diabetes', 'Father: MI at 55', 'Sister: breast cancer']),
      observedMs: patient.joinedMs + random.int(8 * 60, 17 * 60) * 60_000,
      cpp: true,
    });
  if (random.chance(0.1))
    plans.push({
      issueCode: 'Reminders',
      text: 'Due for colonoscopy -- remind at next visit',
      observedMs: calendar.visit(random, patient.joinedMs, 400),
      cpp: true,
    });

  let archivedPlanted = false;
  let lockedPlanted = false;
  plans.forEach((plan, index) => {
    const uuid = uuidFrom(patient);
    const versions = random.chance(0.2) ? random.int(2, 3) : 1;
    const archived = !plan.cpp && !archivedPlanted && patient.dirt.has('archivedNote');
    const locked = !plan.cpp && !archived && !lockedPlanted && patient.dirt.has('lockedNote');
    archivedPlanted ||= archived;
    lockedPlanted ||= locked;
    const signed = random.chance(0.85);
    const baseText = dirtyText(
      setup,
      patient,
      plan.text,
      index === 0 ? ['accentedText', 'xmlSpecialCharacters', 'controlCharacters', 'doubleEncodedText'] : [],
    );
    const issueId = plan.issueCode === null ? undefined : issueIdByCode.get(plan.issueCode);
    const caseIssueId = issueId === undefined ? undefined : caseIssueFor(issueId, plan.observedMs);
    let history = '';
    let updateMs = calendar.later(plan.observedMs, random.int(5, 120));
    for (let version = 0; version < versions; version++) {
      const noteId = ids.take('casemgmt_note');
      const text =
        version === 0
          ? baseText
          : `${baseText}\n[edit ${version}] ${random.pick(['Addendum: results reviewed.', 'Corrected dose.', 'Pt called back.'])}`;
      history = history === '' ? text : `${text}\n----------------History Record----------------\n${history}`;
      const last = version === versions - 1;
      rows.add('casemgmt_note', [
        noteId,
        calendar.dateTime(updateMs),
        calendar.dateTime(plan.observedMs),
        demographicNo,
        provider.providerNo,
        text,
        signed,
        0,
        signed ? provider.providerNo : '',
        plan.cpp ? '' : random.pick(['face to face encounter with client', 'telephone encounter with client']),
        '10016',
        '1',
        history,
        locked ? 'secret' : null,
        locked ? '1' : '0',
        archived && last,
        0,
        uuid,
        0,
      ]);
      if (caseIssueId !== undefined) rows.add('casemgmt_issue_notes', [caseIssueId, noteId]);
      if (plan.issueCode === 'FamHistory' && last) {
        rows.add('casemgmt_note_ext', [
          ids.take('casemgmt_note_ext'),
          noteId,
          'Relationship',
          random.pick(['Mother', 'Father', 'Sister', 'Brother']),
          null,
        ]);
        rows.add('casemgmt_note_ext', [
          ids.take('casemgmt_note_ext'),
          noteId,
          'Age at Onset',
          String(random.int(30, 80)),
          null,
        ]);
        rows.add('casemgmt_note_ext', [
          ids.take('casemgmt_note_ext'),
          noteId,
          'Start Date',
          null,
          patient.dirt.has('zeroDate') ? '0000-00-00' : calendar.date(patient.birthMs),
        ]);
        if (patient.dirt.has('zeroDate')) setup.dirt.plant('zeroDate', demographicNo);
      }
      updateMs = calendar.later(updateMs, random.int(60, 60 * 24 * 20));
    }
    if (archived) setup.dirt.plant('archivedNote', demographicNo);
    if (locked) setup.dirt.plant('lockedNote', demographicNo, versions);
  });
}
