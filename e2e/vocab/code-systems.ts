/**
 * Code systems: OID ↔ name, with the alias spellings and typo OIDs met in real documents.
 * Reader and writer both look codes up here.
 */

/** One code system: its OID, the name the writer uses, and the aliases the reader accepts. */
export interface CodeSystemRow {
  key: string;
  oid: string;
  name: string;
  /** Other names written in real documents (compared case-insensitively). */
  nameAliases: readonly string[];
  /** Wrong OIDs seen in real documents that mean this system. */
  oidAliases: readonly string[];
}

/** The code systems the E2E documents use. */
export const CODE_SYSTEMS = [
  { key: 'loinc', oid: '2.16.840.1.113883.6.1', name: 'LOINC', nameAliases: [], oidAliases: [] },
  { key: 'pclocd', oid: '2.16.840.1.113883.2.20.5.1', name: 'pCLOCD', nameAliases: ['PCLOCD'], oidAliases: [] },
  {
    key: 'snomed',
    oid: '2.16.840.1.113883.6.96',
    name: 'SNOMED-CT',
    nameAliases: ['SNOMED CT', 'SNOMEDCT', 'SNOMED'],
    oidAliases: ['2.16.840.1.113883.6.69'],
  },
  {
    key: 'din',
    oid: '2.16.840.1.113883.5.1105',
    name: 'HC-DIN',
    nameAliases: ['DIN', 'HC DIN', 'Health Canada DIN'],
    oidAliases: ['2.16.840.1.113.883.5.1105', '2.16.840.1.113883.5.1105.1'],
  },
  {
    key: 'atc',
    oid: '2.16.840.1.113883.6.73',
    name: 'whoATC',
    nameAliases: ['ATC', 'WHO ATC', 'WHO-ATC'],
    oidAliases: [],
  },
  {
    key: 'icd9',
    oid: '2.16.840.1.113883.6.42',
    name: 'ICD9',
    nameAliases: ['ICD-9', 'ICD9CM', 'ICD-9-CM'],
    oidAliases: ['2.16.840.1.113883.6.2'],
  },
  { key: 'icd10', oid: '2.16.840.1.113883.6.3', name: 'ICD10', nameAliases: ['ICD-10', 'ICD-10-CA'], oidAliases: [] },
  { key: 'actCode', oid: '2.16.840.1.113883.5.4', name: 'HL7 ActCode', nameAliases: ['ActCode'], oidAliases: [] },
  { key: 'actClass', oid: '2.16.840.1.113883.5.6', name: 'ActClass', nameAliases: [], oidAliases: [] },
  {
    key: 'gender',
    oid: '2.16.840.1.113883.5.1',
    name: 'HL7 - Administrative Gender',
    nameAliases: ['AdministrativeGender'],
    oidAliases: [],
  },
  { key: 'confidentiality', oid: '2.16.840.1.113883.5.25', name: 'Confidentiality', nameAliases: [], oidAliases: [] },
  { key: 'route', oid: '2.16.840.1.113883.5.112', name: 'RouteOfAdministration', nameAliases: [], oidAliases: [] },
  {
    key: 'drugForm',
    oid: '2.16.840.1.113883.19.5.3',
    name: 'HL7 Orderable Drug Form',
    nameAliases: ['OrderableDrugForm'],
    oidAliases: [],
  },
  {
    key: 'administrableForm',
    oid: '2.16.840.1.113883.1.11.14570',
    name: 'AdministerableDrugForm',
    nameAliases: [],
    oidAliases: [],
  },
  {
    key: 'interpretation',
    oid: '2.16.840.1.113883.5.83',
    name: 'ObservationInterpretation',
    nameAliases: [],
    oidAliases: ['2.16.840.1.113883.2.20.3.78'],
  },
  {
    key: 'observationValue',
    oid: '2.16.840.1.113883.5.1063',
    name: 'HL7 ObservationValue',
    nameAliases: ['ObservationValue'],
    oidAliases: [],
  },
  {
    key: 'interpretationNormality',
    oid: '2.16.840.1.113883.1.11.10206',
    name: 'ObservationInterpretationNormality',
    nameAliases: [],
    oidAliases: [],
  },
  {
    key: 'pitoObservationType',
    oid: '2.16.840.1.113883.3.3068.10.6.3',
    name: 'ObservationType-CA-Pending',
    nameAliases: [],
    oidAliases: [],
  },
  {
    key: 'actReason',
    oid: '2.16.840.1.113883.5.8',
    name: 'ActReason',
    nameAliases: ['ActNoImmunizationReason'],
    oidAliases: [],
  },
  {
    key: 'personalRelationship',
    oid: '2.16.840.1.113883.5.111',
    name: 'PersonalRelationshipRoleType',
    nameAliases: ['RoleCode'],
    oidAliases: [],
  },
  // Local code systems of this project (made-up but stable OIDs under OSCAR's root, like the
  // document id root): an EMR code that has no standard code is written as itself, never dropped.
  {
    key: 'oscarMeasurementType',
    oid: '2.16.840.1.113883.3.3331.2.1',
    name: 'OSCAR-MeasurementType',
    nameAliases: [],
    oidAliases: [],
  },
  {
    key: 'oscarPreventionType',
    oid: '2.16.840.1.113883.3.3331.2.2',
    name: 'OSCAR-PreventionType',
    nameAliases: [],
    oidAliases: [],
  },
  {
    key: 'labLocal',
    oid: '2.16.840.1.113883.3.3331.2.3',
    name: 'Lab-LocalTestCode',
    nameAliases: [],
    oidAliases: [],
  },
  {
    key: 'pitoSectionType',
    oid: '2.16.840.1.113883.3.3068.10.6.2',
    name: 'SectionType-CA-Pending',
    nameAliases: [],
    oidAliases: [],
  },
] as const satisfies readonly CodeSystemRow[];

/** Key of a known code system. */
export type CodeSystemKey = (typeof CODE_SYSTEMS)[number]['key'];

/** The canonical OID of each code system, by key (the writer's constants). */
export const CODE_SYSTEM_OID = Object.fromEntries(CODE_SYSTEMS.map((row) => [row.key, row.oid])) as Record<
  CodeSystemKey,
  string
>;

/** The name the writer writes for each code system, by key. */
export const CODE_SYSTEM_NAME = Object.fromEntries(CODE_SYSTEMS.map((row) => [row.key, row.name])) as Record<
  CodeSystemKey,
  string
>;

const byOid = new Map<string, CodeSystemRow>();
const byName = new Map<string, CodeSystemRow>();
for (const row of CODE_SYSTEMS as readonly CodeSystemRow[]) {
  byOid.set(row.oid, row);
  for (const oid of row.oidAliases) byOid.set(oid, row);
  for (const name of [row.name, ...row.nameAliases]) byName.set(name.toLowerCase(), row);
}

/**
 * Finds a code system from what a document wrote: by OID (canonical or alias), else by name.
 * Returns undefined when neither is known.
 */
export function findCodeSystem(oid: string | undefined, name: string | undefined): CodeSystemRow | undefined {
  if (oid !== undefined) {
    const row = byOid.get(oid);
    if (row !== undefined) return row;
  }
  return name === undefined ? undefined : byName.get(name.toLowerCase());
}

/** The name a code system OID is written with, if known (for the writer). */
export function codeSystemNameOf(oid: string | undefined): string | undefined {
  return oid === undefined ? undefined : byOid.get(oid)?.name;
}
