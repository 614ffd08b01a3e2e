/**
 * A synthetic patient's notes: encounter notes (some about a chronic problem, linked to its ICD9
 * issue) and CPP notes (SocHistory, MedHistory, Concerns, OMeds, Reminders, RiskFactors,
 * FamHistory) linked through casemgmt_issue_notes → casemgmt_issue → issue. Notes have revisions
 * (same uuid, increasing note_id and update_date), every revision linked and, for family history,
 * with its own casemgmt_note_ext rows (Relationship, Age at Onset, Life Stage, Treatment, Start
 * Date) and billing_code = the relative's ICD9. Some CPP notes are archived. Dirt: archived and
 * locked encounter notes, a CPP note whose casemgmt_issue row is gone.
 */
import { ZERO_DATES } from './dirt';
import { dirtyText, type GeneratorSetup, type Patient } from './patient';
import {
  CPP_LISTS,
  FAMILY_CONDITIONS,
  LIFE_STAGES,
  NOTE_EDITS,
  RELATIONSHIPS,
  RISK_FACTOR_TEXTS,
} from './vocabulary-notes';
import { ENCOUNTER_PHRASES } from './vocabulary-people';

/** Family-history facts of one note. */
interface FamilyFacts {
  readonly relationship: string;
  readonly billingCode: string;
  readonly ageAtOnset: string;
  readonly lifeStage: string;
  readonly treatment: string;
}

interface NotePlan {
  readonly issueCode: string | null;
  readonly text: string;
  readonly observedMs: number;
  readonly cpp: boolean;
  readonly family?: FamilyFacts;
  /** Linked to a casemgmt_issue id that has no row (dirt cppIssueMissing). */
  readonly issueMissing?: boolean;
}

function uuidFrom(patient: Patient): string {
  const hex = (length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += '0123456789abcdef'[patient.random.int(0, 15)];
    return out;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

function cppPlans(setup: GeneratorSetup, patient: Patient): NotePlan[] {
  const { calendar } = setup;
  const { random } = patient;
  const plans: NotePlan[] = [];
  const at = (): number => calendar.visit(random, patient.joinedMs, 10 * 365);
  for (const list of CPP_LISTS) {
    if (!random.chance(list.chance)) continue;
    const first = random.int(0, list.texts.length - 1);
    for (let i = random.int(1, list.maxNotes) - 1; i >= 0; i--)
      plans.push({
        issueCode: list.issueCode,
        text: list.texts[(first + i) % list.texts.length] as string,
        observedMs: at(),
        cpp: true,
      });
  }
  if (patient.smoker ? random.chance(0.7) : random.chance(0.12))
    plans.push({
      issueCode: 'RiskFactors',
      text: random.pick(patient.smoker ? RISK_FACTOR_TEXTS.smoker : RISK_FACTOR_TEXTS.other),
      observedMs: at(),
      cpp: true,
    });
  if (random.chance(0.3))
    for (let i = random.int(1, 3); i > 0; i--) {
      const [icd9, , words, treatment] = random.pick(FAMILY_CONDITIONS);
      const relationship = random.weighted(RELATIONSHIPS, ([, weight]) => weight)[0];
      const family: FamilyFacts = {
        relationship,
        billingCode: random.chance(0.1) ? '' : icd9,
        ageAtOnset: random.chance(0.1) ? '' : String(random.int(30, 80)),
        lifeStage: random.weighted(LIFE_STAGES, ([, weight]) => weight)[0],
        treatment: treatment !== '' && random.chance(0.2) ? treatment : '',
      };
      plans.push({
        issueCode: 'FamHistory',
        text: `${relationship || 'Relative'}: ${words}`,
        observedMs: at(),
        cpp: true,
        family,
      });
    }
  if (patient.dirt.has('cppIssueMissing'))
    plans.push({
      issueCode: 'Reminders',
      text: 'Reminder: review medications',
      observedMs: at(),
      cpp: true,
      issueMissing: true,
    });
  return plans;
}

function encounterPlans(setup: GeneratorSetup, patient: Patient): NotePlan[] {
  const { random } = patient;
  const plans: NotePlan[] = [];
  for (let i = random.int(1, patient.ageYears >= 65 ? 8 : 4); i > 0; i--) {
    const condition = patient.conditions.length > 0 && random.chance(0.6) ? random.pick(patient.conditions) : null;
    plans.push({
      issueCode: condition?.icd9 ?? null,
      text:
        condition === null
          ? random.pick(ENCOUNTER_PHRASES)
          : `F/u ${condition.description.toLowerCase()}. ${random.pick(ENCOUNTER_PHRASES)}`,
      observedMs: setup.calendar.visit(random, patient.joinedMs, 5 * 365),
      cpp: false,
    });
  }
  return plans;
}

/** Writes the casemgmt_note_ext rows of one family-history note revision. */
function writeFamilyExt(
  setup: GeneratorSetup,
  patient: Patient,
  noteId: number,
  family: FamilyFacts,
  revision: number,
): void {
  const { rows, ids, calendar } = setup;
  const { random } = patient;
  const onset =
    revision > 0 && family.ageAtOnset !== '' && random.chance(0.3)
      ? String(Number(family.ageAtOnset) + 1)
      : family.ageAtOnset;
  const ext: [string, string | null, string | null][] = [
    ['Relationship', family.relationship, null],
    ['Age at Onset', onset, null],
    ['Life Stage', family.lifeStage, null],
  ];
  if (family.treatment !== '') ext.push(['Treatment', family.treatment, null]);
  const zero = patient.dirt.has('zeroDate');
  ext.push(['Start Date', null, zero ? (ZERO_DATES[0] as string) : calendar.date(patient.birthMs)]);
  if (zero) setup.dirt.plant('zeroDate', patient.demographicNo);
  for (const [key, value, dateValue] of ext)
    rows.add('casemgmt_note_ext', [ids.take('casemgmt_note_ext'), noteId, key, value, dateValue]);
}

/** Writes encounter and CPP notes (with revisions), their issue links and family-history ext rows. */
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
  let archivedPlanted = false;
  let lockedPlanted = false;
  [...encounterPlans(setup, patient), ...cppPlans(setup, patient)].forEach((plan, index) => {
    const uuid = uuidFrom(patient);
    const versions = plan.issueMissing === true ? 1 : random.chance(plan.cpp ? 0.3 : 0.2) ? random.int(2, 3) : 1;
    const archived = plan.cpp
      ? plan.issueMissing !== true && random.chance(0.1)
      : !archivedPlanted && patient.dirt.has('archivedNote');
    const locked = !plan.cpp && !archived && !lockedPlanted && patient.dirt.has('lockedNote');
    if (!plan.cpp) archivedPlanted ||= archived;
    lockedPlanted ||= locked;
    const signed = random.chance(0.85);
    const baseText = dirtyText(
      setup,
      patient,
      plan.text,
      index === 0 ? ['accentedText', 'xmlSpecialCharacters', 'controlCharacters', 'doubleEncodedText'] : [],
    );
    const issueId = plan.issueCode === null ? undefined : issueIdByCode.get(plan.issueCode);
    const caseIssueId =
      plan.issueMissing === true
        ? ids.take('casemgmt_issue')
        : issueId === undefined
          ? undefined
          : caseIssueFor(issueId, plan.observedMs);
    let history = '';
    let updateMs = calendar.later(plan.observedMs, random.int(5, 120));
    for (let version = 0; version < versions; version++) {
      const noteId = ids.take('casemgmt_note');
      const text = version === 0 ? baseText : `${baseText}\n[edit ${version}] ${random.pick(NOTE_EDITS)}`;
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
        plan.family?.billingCode ?? '',
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
      if (plan.family !== undefined) writeFamilyExt(setup, patient, noteId, plan.family, version);
      updateMs = calendar.later(updateMs, random.int(60, 60 * 24 * 20));
    }
    if (archived && !plan.cpp) setup.dirt.plant('archivedNote', demographicNo);
    if (locked) setup.dirt.plant('lockedNote', demographicNo, versions);
    if (plan.issueMissing === true) setup.dirt.plant('cppIssueMissing', demographicNo);
  });
}
