/**
 * The consent list (`ENDPOINT_CONSENT_PROVIDERS`) names physicians by CPSID (provider.practitionerNo), MSP billing
 * number (provider.ohip_no) or OSCAR provider number, optionally prefixed `cpsid:`, `msp:` or `provider:`. Each entry
 * is resolved through the provider table to OSCAR provider numbers before patients are listed (one query per run).
 * A bare entry that names one physician by one kind of number and another physician by another kind is refused:
 * exporting the wrong physician's patients is worse than exporting none.
 */
import { EndpointError } from '../../core/errors';
import type { OscarSource, SqlRow } from './oscar-source';

/** How an entry names a physician. */
type NumberKind = 'cpsid' | 'msp' | 'provider';

/** The provider columns of each kind of number, in the order a bare entry is tried. */
const KIND_COLUMNS: readonly (readonly [NumberKind, string])[] = [
  ['cpsid', 'practitionerNo'],
  ['msp', 'ohip_no'],
  ['provider', 'provider_no'],
];

/** One consent entry: its number and, when prefixed, its kind. */
export interface ConsentEntry {
  value: string;
  kind?: NumberKind;
}

/** Parses `cpsid:12345`, `msp:12345`, `provider:101` or a bare number. */
export function parseConsentEntry(text: string): ConsentEntry {
  const match = /^(cpsid|msp|provider)\s*:\s*(.+)$/i.exec(text.trim());
  return match === null
    ? { value: text.trim() }
    : { value: match[2].trim(), kind: match[1].toLowerCase() as NumberKind };
}

/**
 * The OSCAR provider numbers named by `entries`, from provider rows (provider_no, practitionerNo, ohip_no). A bare or
 * `provider:` entry that matches no provider row is kept as a provider number; a `cpsid:` or `msp:` one names no one;
 * a bare entry matching different physicians by different kinds of number throws CONFIG_INVALID.
 */
export function resolveConsentEntries(entries: readonly ConsentEntry[], providers: readonly SqlRow[]): string[] {
  const resolved = new Set<string>();
  for (const entry of entries) {
    const byKind = KIND_COLUMNS.map(([kind, column]) => ({
      kind,
      providerNos: providers
        .filter((row) => String(row[column] ?? '').trim() === entry.value)
        .map((row) => String(row.provider_no)),
    })).filter(({ kind, providerNos }) => providerNos.length > 0 && (entry.kind === undefined || entry.kind === kind));
    if (entry.kind === undefined) {
      const distinct = new Set(byKind.flatMap(({ providerNos }) => providerNos));
      if (distinct.size > 1 && byKind.length > 1) {
        throw new EndpointError(
          'CONFIG_INVALID',
          `ENDPOINT_CONSENT_PROVIDERS entry ${entry.value} is the ${byKind.map(({ kind }) => kind).join(' and the ')} number of different providers; write cpsid:${entry.value}, msp:${entry.value} or provider:${entry.value}.`,
        );
      }
    }
    const providerNos = byKind[0]?.providerNos ?? [];
    for (const providerNo of providerNos) resolved.add(providerNo);
    // A provider number the provider table lacks still names the patients filed under it (as before CPSIDs).
    if (providerNos.length === 0 && entry.kind !== 'cpsid' && entry.kind !== 'msp') resolved.add(entry.value);
  }
  return [...resolved].sort();
}

const resolutions = new WeakMap<OscarSource, Map<string, Promise<string[]>>>();

/** The provider numbers of a consent list, read once per source (snapshot) and list. */
export function consentProviderNumbers(source: OscarSource, consentProviders: readonly string[]): Promise<string[]> {
  const key = consentProviders.join('\n');
  let bySource = resolutions.get(source);
  if (bySource === undefined) resolutions.set(source, (bySource = new Map()));
  let pending = bySource.get(key);
  if (pending === undefined) {
    const entries = consentProviders.map(parseConsentEntry).filter((entry) => entry.value !== '');
    const values = entries.map((entry) => entry.value);
    pending =
      values.length === 0
        ? Promise.resolve([])
        : source
            .query(
              'SELECT provider_no, practitionerNo, ohip_no FROM provider WHERE provider_no IN (?) OR practitionerNo IN (?) OR ohip_no IN (?)',
              [values, values, values],
            )
            .then((rows) => resolveConsentEntries(entries, rows));
    bySource.set(key, pending);
    pending.catch(() => bySource?.delete(key));
  }
  return pending;
}
