/**
 * What every row → entry builder shares (the build context, `eachRow`, `prune`) and the builders of the
 * small sections: `problemsFromDxresearch`, `allergiesFromRows`. The other sections have their own files:
 * medications.ts, preventions.ts, measurements.ts (labs and vital signs), notes.ts (encounters and CPP).
 * Each row is mapped on its own: a row that cannot be mapped becomes a warning (ROW_UNREADABLE), never an
 * aborted patient.
 */
import type { Allergy, Problem, SectionName } from '../../e2e/index';
import type { ReferenceData } from '../source/extract';
import type { SqlRow } from '../source/oscar-source';
import type { ProviderDirectory } from './providers';
import { dateOf, flagOf, idOf, repairDoubleEncoding, textOf } from './values';
import { ALLERGY_SEVERITIES, ALLERGY_TYPES, DX_CODING_SYSTEMS, DX_STATUS, coded, lookup } from './vocab';
import type { WarningCollector } from './warnings';

/** What every builder gets besides its rows. */
export interface BuildContext {
  warnings: WarningCollector;
  /** The snapshot's date (YYYY-MM-DD): OSCAR's "today" for drug status. */
  today: string;
  includeNoteText: boolean;
  /** Physician identities (CPSID, else MSP, else the OSCAR number). */
  providers: ProviderDirectory;
  /** The run's reference rows (measurement types, lab code map, ICD9 descriptions). */
  reference: ReferenceData;
}

/** Maps each row (or group of rows) with `build`; a throwing one becomes ROW_UNREADABLE. */
export function eachRow<T, R = SqlRow>(
  rows: readonly R[] | undefined,
  section: SectionName,
  table: string,
  context: BuildContext,
  build: (row: R) => T | undefined,
): T[] {
  const entries: T[] = [];
  for (const row of rows ?? []) {
    try {
      const entry = build(row);
      if (entry !== undefined) entries.push(entry);
    } catch {
      context.warnings.add('ROW_UNREADABLE', section, table);
    }
  }
  return entries;
}

/** dxresearch → problems (ICD9 and friends); a NULL status is a warning, deleted rows are left out. */
export function problemsFromDxresearch(rows: readonly SqlRow[] | undefined, context: BuildContext): Problem[] {
  const { warnings } = context;
  return eachRow(rows, 'problems', 'dxresearch', context, (row) => {
    const statusText = idOf(row, 'status');
    const status = lookup(DX_STATUS, statusText);
    if (status === 'deleted') return undefined;
    const problem: Problem = { id: idOf(row, 'dxresearch_no') };
    if (status === undefined) warnings.add('MISSING_PROBLEM_STATUS', 'problems', 'dxresearch.status');
    else problem.status = status;
    const code = idOf(row, 'dxresearch_code');
    const system = lookup(DX_CODING_SYSTEMS, idOf(row, 'coding_system') ?? 'icd9');
    if (code !== undefined) {
      if (system !== undefined)
        problem.code = coded(system, code, system === 'icd9' ? icd9Description(code, context.reference) : undefined);
      else warnings.add('UNKNOWN_CODING_SYSTEM', 'problems', 'dxresearch.coding_system');
    }
    problem.description = problem.code?.displayName;
    problem.onset = dateOf(row, 'start_date', warnings, { section: 'problems', column: 'dxresearch.start_date' });
    if (problem.status === 'resolved')
      problem.resolved = dateOf(row, 'update_date', warnings, {
        section: 'problems',
        column: 'dxresearch.update_date',
      });
    return prune(problem);
  });
}

/** allergies → allergies: agent, type, reaction, severity, onset, status (archived → inactive). */
export function allergiesFromRows(rows: readonly SqlRow[] | undefined, context: BuildContext): Allergy[] {
  const { warnings } = context;
  const site = (column: string) => ({ section: 'allergies' as const, column: `allergies.${column}` });
  return eachRow(rows, 'allergies', 'allergies', context, (row) => {
    const allergy: Allergy = { id: idOf(row, 'allergyid') };
    allergy.description = textOf(row, 'DESCRIPTION', warnings, site('DESCRIPTION'));
    const din = idOf(row, 'regional_identifier');
    const atc = idOf(row, 'atc');
    if (din !== undefined && /^\d{1,8}$/.test(din))
      allergy.allergen = coded('din', din.padStart(8, '0'), allergy.description);
    else if (atc !== undefined && /^[A-Z]\d{2}/i.test(atc))
      allergy.allergen = coded('atc', atc.toUpperCase(), allergy.description);
    allergy.type = flagOf(row, 'nonDrug') ? 'other' : (lookup(ALLERGY_TYPES, idOf(row, 'TYPECODE')) ?? 'other');
    allergy.reaction = textOf(row, 'reaction', warnings, site('reaction'));
    allergy.severity = lookup(ALLERGY_SEVERITIES, idOf(row, 'severity_of_reaction')) ?? 'unknown';
    allergy.onset = dateOf(row, 'start_date', warnings, site('start_date'));
    allergy.status = flagOf(row, 'archived') ? 'inactive' : 'active';
    return prune(allergy);
  });
}

/** The description of an ICD9 code in OSCAR's icd9 table (repaired when double-encoded). */
export function icd9Description(code: string, reference: ReferenceData): string | undefined {
  const description = reference.icd9Descriptions.get(code);
  return description === undefined ? undefined : (repairDoubleEncoding(description) ?? description);
}

/** Removes keys whose value is undefined (the model leaves absent values out). */
export function prune<T extends object>(entry: T): T {
  // A copy of the defined values, not `delete` (which turns every entry into a slow dictionary-mode object).
  const pruned = {} as Record<string, unknown>;
  const keys = Object.keys(entry);
  for (let index = 0; index < keys.length; index++) {
    const value = (entry as Record<string, unknown>)[keys[index]];
    if (value !== undefined) pruned[keys[index]] = value;
  }
  return pruned as T;
}
