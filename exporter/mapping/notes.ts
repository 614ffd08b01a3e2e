/**
 * casemgmt_note → encounters and the CPP sections. A note's latest revision (versions share `uuid`; the highest
 * update_date, then note_id) decides; its issues (casemgmt_issue_notes → casemgmt_issue → issue.code) say what it
 * is: `Reminders` → alerts, `FamHistory` → family history, `RiskFactors` / `SocHistory` → risk factors; a note on
 * any CPP issue is never an encounter. Locked or password-protected notes are never exported; archived encounters
 * are left out, archived alerts and risk factors are `inactive`. Note text only when the export includes it.
 */
import type { Alert, Coded, Encounter, FamilyHistory, RiskFactor } from '../../e2e/index';
import type { SqlRow } from '../source/oscar-source';
import { OTHER_RELATIONSHIP, UNKNOWN_RELATIONSHIP, relationshipCodeOf } from './relationships';
import { eachRow, icd9Description, prune, type BuildContext } from './sections';
import { dateOf, flagOf, idOf, textOf } from './values';
import { coded } from './vocab';

/** What a CPP issue makes of its notes. */
type CppKind = 'alert' | 'familyHistory' | 'riskFactor' | 'socialHistory' | 'otherCpp';

/** issue.code (upper case) of OSCAR's CPP issues → section. OMeds, MedHistory, Concerns are CPP but no section of ours. */
const CPP_ISSUES: Readonly<Record<string, CppKind>> = {
  REMINDERS: 'alert',
  FAMHISTORY: 'familyHistory',
  RISKFACTORS: 'riskFactor',
  SOCHISTORY: 'socialHistory',
  OMEDS: 'otherCpp',
  MEDHISTORY: 'otherCpp',
  CONCERNS: 'otherCpp',
};

/** When a note is linked to several CPP issues, the first kind of this list wins. */
const KIND_ORDER: readonly CppKind[] = ['alert', 'familyHistory', 'riskFactor', 'socialHistory', 'otherCpp'];

/** ICD9 code shape (casemgmt_note.billing_code of a family history note). */
const ICD9_SHAPE = /^(?:\d{3}|V\d{2}|E\d{3})(?:\.?\d{1,2})?$/i;

/** The rows notes are built from. */
export interface NoteRows {
  notes?: readonly SqlRow[];
  /** note_id, issue_code (NULL: the issue is gone), issue_type. */
  noteIssues?: readonly SqlRow[];
  /** note_id, key_val, value, date_value. */
  noteExt?: readonly SqlRow[];
}

/** Encounters and the CPP sections of one patient. */
export interface NoteEntries {
  encounters: Encounter[];
  alerts: Alert[];
  familyHistory: FamilyHistory[];
  riskFactors: RiskFactor[];
}

function isNewer(candidate: SqlRow, current: SqlRow): boolean {
  const a = String(candidate.update_date ?? '');
  const b = String(current.update_date ?? '');
  if (a !== b) return a > b;
  return Number(candidate.note_id) > Number(current.note_id);
}

/** The latest revision of each note (by uuid; a note without uuid is its own). */
export function latestRevisions(rows: readonly SqlRow[] | undefined): SqlRow[] {
  const latest = new Map<string, SqlRow>();
  for (const row of rows ?? []) {
    const key = idOf(row, 'uuid') ?? `note:${String(row.note_id)}`;
    const current = latest.get(key);
    if (current === undefined || isNewer(row, current)) latest.set(key, row);
  }
  return [...latest.values()];
}

function groupBy(rows: readonly SqlRow[] | undefined, column: string): Map<string, SqlRow[]> {
  const groups = new Map<string, SqlRow[]>();
  for (const row of rows ?? []) {
    const key = String(row[column]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return groups;
}

function cppKindOf(issues: readonly SqlRow[]): CppKind | undefined {
  const kinds = new Set(issues.map((issue) => CPP_ISSUES[String(issue.issue_code ?? '').toUpperCase()]));
  return KIND_ORDER.find((kind) => kinds.has(kind));
}

/** The family history attributes: relationship, condition (billing_code, else a linked ICD9 issue), age at onset, date. */
function familyHistoryOf(
  note: SqlRow,
  issues: readonly SqlRow[],
  ext: readonly SqlRow[],
  base: { id?: string; date?: string; text?: string },
  context: BuildContext,
): FamilyHistory {
  const { warnings } = context;
  const extValue = (key: string) => ext.find((row) => String(row.key_val).toLowerCase() === key.toLowerCase());
  const word = (() => {
    const row = extValue('Relationship');
    return row === undefined
      ? undefined
      : textOf(row, 'value', warnings, { section: 'familyHistory', column: 'casemgmt_note_ext.Relationship' });
  })();
  let relationship: Coded;
  if (word === undefined) relationship = coded('personalRelationship', UNKNOWN_RELATIONSHIP);
  else {
    const code = relationshipCodeOf(word);
    if (code === undefined) warnings.add('UNKNOWN_RELATIONSHIP', 'familyHistory', 'casemgmt_note_ext.Relationship');
    relationship = coded('personalRelationship', code ?? OTHER_RELATIONSHIP, word);
  }
  const billing = idOf(note, 'billing_code');
  const icd9 =
    billing !== undefined && ICD9_SHAPE.test(billing)
      ? billing
      : issues
          .map((issue) => idOf(issue, 'issue_code'))
          .find((code, index) => code !== undefined && String(issues[index].issue_type ?? '').toLowerCase() === 'icd9');
  const onsetText = extValue('Age at Onset');
  const age = onsetText === undefined ? undefined : idOf(onsetText, 'value');
  const startRow = extValue('Start Date');
  const start =
    startRow === undefined
      ? undefined
      : (dateOf(startRow, 'date_value', warnings, {
          section: 'familyHistory',
          column: 'casemgmt_note_ext.date_value',
        }) ?? dateOf(startRow, 'value', warnings, { section: 'familyHistory', column: 'casemgmt_note_ext.value' }));
  return prune({
    ...base,
    date: start ?? base.date,
    relationship,
    condition: icd9 === undefined ? undefined : coded('icd9', icd9, icd9Description(icd9, context.reference)),
    ageAtOnset: age !== undefined && /^\d{1,3}$/.test(age) ? Number(age) : undefined,
  });
}

/** casemgmt_note (+ issues, + ext) → encounters, alerts, family history, risk factors. */
export function noteEntries(rows: NoteRows, context: BuildContext): NoteEntries {
  const { warnings } = context;
  const issuesByNote = groupBy(rows.noteIssues, 'note_id');
  const extByNote = groupBy(rows.noteExt, 'note_id');
  const entries: NoteEntries = { encounters: [], alerts: [], familyHistory: [], riskFactors: [] };
  eachRow(latestRevisions(rows.notes), 'encounters', 'casemgmt_note', context, (note) => {
    if (flagOf(note, 'locked') || flagOf(note, 'has_password')) return undefined;
    const noteId = idOf(note, 'note_id');
    const issues = issuesByNote.get(String(note.note_id)) ?? [];
    const kind = cppKindOf(issues);
    const section =
      kind === 'alert'
        ? 'alerts'
        : kind === 'familyHistory'
          ? 'familyHistory'
          : kind === undefined
            ? 'encounters'
            : 'riskFactors';
    const archived = flagOf(note, 'archived');
    const base = {
      id: noteId,
      date: dateOf(note, 'observation_date', warnings, { section, column: 'casemgmt_note.observation_date' }),
      text: context.includeNoteText
        ? textOf(note, 'note', warnings, { section, column: 'casemgmt_note.note' })
        : undefined,
    };
    const status = archived ? ('inactive' as const) : ('active' as const);
    if (kind === 'alert') entries.alerts.push(prune({ ...base, status }));
    else if (kind === 'riskFactor' || kind === 'socialHistory')
      entries.riskFactors.push(prune({ ...base, kind, status }));
    // An archived family history note has been removed from the chart (the section has no status to say so).
    else if (kind === 'familyHistory' && !archived)
      entries.familyHistory.push(
        familyHistoryOf(note, issues, extByNote.get(String(note.note_id)) ?? [], base, context),
      );
    else if (kind === undefined && !archived) {
      if (issues.some((issue) => issue.issue_code === null))
        warnings.add('CPP_ISSUE_MISSING', 'encounters', 'casemgmt_issue_notes.id');
      const provider = context.providers.entryIdentity(
        idOf(note, 'provider_no'),
        warnings,
        'encounters',
        'casemgmt_note.provider_no',
      );
      entries.encounters.push(
        prune({
          id: noteId,
          date: base.date,
          providerId: provider.id,
          providerIdRoot: provider.idRoot,
          text: base.text,
        }),
      );
    }
    return undefined;
  });
  return entries;
}
