/**
 * Physician identity as OSCAR's exporter writes it (PatientExport.getProviderID): the CPSID
 * (provider.practitionerNo) when there is one, else the MSP billing number (provider.ohip_no), else
 * OSCAR's local provider_no under OSCAR's own root. A fallback is a PROVIDER_WITHOUT_CPSID warning.
 */
import type { SectionName } from '../../e2e/index';
import { ID_OIDS } from '../../e2e/vocab/oids';
import type { SqlRow } from '../source/oscar-source';
import { idOf } from './values';
import type { WarningCollector } from './warnings';

/** A physician's id and the root it is written under. */
export interface ProviderIdentity {
  id: string;
  idRoot: string;
}

/** The identity sources, in OSCAR's order of preference: provider column → id root. */
const IDENTITY_COLUMNS: readonly (readonly [column: string, root: string])[] = [
  ['practitionerNo', ID_OIDS.cpsid],
  ['ohip_no', ID_OIDS.mspBilling],
];

/** Resolves OSCAR provider numbers to physician identities, warning (once per section) where there is no CPSID. */
export class ProviderDirectory {
  constructor(private readonly providers: ReadonlyMap<string, SqlRow>) {}

  /** The provider row of a provider number, if the provider table has it. */
  row(providerNo: string | undefined): SqlRow | undefined {
    return providerNo === undefined ? undefined : this.providers.get(providerNo);
  }

  /** The identity of `providerNo` (undefined when empty); falls back with PROVIDER_WITHOUT_CPSID. */
  identify(
    providerNo: string | undefined,
    warnings: WarningCollector,
    section: SectionName | 'header',
    column: string,
  ): ProviderIdentity | undefined {
    if (providerNo === undefined) return undefined;
    const row = this.providers.get(providerNo);
    for (const [identityColumn, idRoot] of IDENTITY_COLUMNS) {
      const id = row === undefined ? undefined : idOf(row, identityColumn);
      if (id === undefined) continue;
      if (idRoot !== ID_OIDS.cpsid) warnings.add('PROVIDER_WITHOUT_CPSID', section, `${column} (MSP number used)`);
      return { id, idRoot };
    }
    warnings.add(
      'PROVIDER_WITHOUT_CPSID',
      section,
      `${column} (${row === undefined ? 'not in the provider table' : 'no CPSID or MSP number'}; OSCAR number used)`,
    );
    return { id: providerNo, idRoot: ID_OIDS.oscar };
  }

  /** An entry's physician: the id, and its root only when it is not a CPSID (the writer's default root). */
  entryIdentity(
    providerNo: string | undefined,
    warnings: WarningCollector,
    section: SectionName | 'header',
    column: string,
  ): { id?: string; idRoot?: string } {
    const identity = this.identify(providerNo, warnings, section, column);
    if (identity === undefined) return {};
    return identity.idRoot === ID_OIDS.cpsid ? { id: identity.id } : identity;
  }
}
