/**
 * preventions (+ preventionsExt) → immunizations and screenings, as OSCAR records them: every row not deleted;
 * refused '1' and ineligible '2' are not given (negationInd) with their reason; a type OSCAR lists without a
 * standard code, or a type OSCAR does not list at all, is exported under its OSCAR name as a local code.
 */
import type { Coded, Immunization, NotGivenReason, Screening } from '../../e2e/index';
import type { SqlRow } from '../source/oscar-source';
import { preventionTypeOf, type PreventionType } from './prevention-types';
import { eachRow, prune, type BuildContext } from './sections';
import { dateOf, flagOf, idOf, localCode, textOf } from './values';
import { ROUTES, coded, lookup } from './vocab';

/** preventions.refused → why it was not given (absent: given; '3' completed elsewhere counts as given). */
const NOT_GIVEN: Readonly<Record<string, NotGivenReason>> = { '1': 'refused', '2': 'ineligible' };

/** Immunizations and screenings of one patient. */
export interface PreventionEntries {
  immunizations: Immunization[];
  screenings: Screening[];
}

function codeOf(type: PreventionType | undefined, name: string): Coded {
  if (type?.code !== undefined) return coded(type.code.system, type.code.code, type.display);
  return coded('oscarPreventionType', localCode(name), type?.display ?? name);
}

/** preventions → immunizations (vaccines) and screenings (PAP, MAM, FOBT …); deleted rows are left out. */
export function preventionEntries(
  rows: readonly SqlRow[] | undefined,
  extRows: readonly SqlRow[] | undefined,
  context: BuildContext,
): PreventionEntries {
  const { warnings } = context;
  const extByPrevention = new Map<string, Map<string, SqlRow>>();
  for (const ext of extRows ?? []) {
    const id = String(ext.prevention_id);
    if (!extByPrevention.has(id)) extByPrevention.set(id, new Map());
    const byKey = extByPrevention.get(id);
    const key = String(ext.keyval ?? '').toLowerCase();
    // The first row of a key wins (rows come in the join's order, without a sort of their TEXT values).
    if (byKey !== undefined && !byKey.has(key)) byKey.set(key, ext);
  }
  const screenings: Screening[] = [];
  const immunizations = eachRow(rows, 'immunizations', 'preventions', context, (row): Immunization | undefined => {
    if (flagOf(row, 'deleted')) return undefined;
    const name = idOf(row, 'prevention_type');
    if (name === undefined) {
      warnings.add('UNKNOWN_PREVENTION_TYPE', 'immunizations', 'preventions.prevention_type (empty)');
      return undefined;
    }
    const type = preventionTypeOf(name);
    const section = type?.kind === 'screening' ? 'screenings' : 'immunizations';
    if (type === undefined) warnings.add('UNKNOWN_PREVENTION_TYPE', section, 'preventions.prevention_type');
    else if (type.code === undefined)
      warnings.add('LOCAL_PREVENTION_CODE', section, `preventions.prevention_type ${localCode(name)}`);
    const reason = NOT_GIVEN[idOf(row, 'refused') ?? '0'];
    const id = idOf(row, 'id');
    const code = codeOf(type, name);
    const date = dateOf(row, 'prevention_date', warnings, { section, column: 'preventions.prevention_date' });
    const refused = reason !== undefined;
    if (type?.kind === 'screening') {
      screenings.push(prune({ id, code, name, date, refused, notGivenReason: reason }));
      return undefined;
    }
    const ext = extByPrevention.get(String(row.id));
    const extText = (key: string) => {
      const extRow = ext?.get(key);
      return extRow === undefined
        ? undefined
        : textOf(extRow, 'val', warnings, { section: 'immunizations', column: `preventionsExt.${key}` });
    };
    const route = lookup(ROUTES, extText('route'));
    const immunization: Immunization = {
      id,
      code,
      name: extText('name') ?? type?.display ?? name,
      date,
      refused,
      notGivenReason: reason,
      lot: extText('lot'),
      route: route === undefined ? undefined : coded('route', route[0], route[1]),
      site: extText('location'),
    };
    return prune(immunization);
  });
  return { immunizations, screenings };
}
