/**
 * The per-patient tables a batch reads, as rows of a table: one query each per batch
 * (`WHERE <patient column> IN (…)`), rows grouped by patient. Tables OSCAR versions lack are
 * detected (information_schema) and read as empty, optional columns and joins added when present.
 */
import { hasColumn, hasTable, type OscarSchemaFacts } from './schema-detect';

/** The per-patient row sets of a batch. */
export type ClinicalTableKey =
  | 'demographic'
  | 'drugs'
  | 'allergies'
  | 'dxresearch'
  | 'measurements'
  | 'measurementsExt'
  | 'labReports'
  | 'preventions'
  | 'preventionsExt'
  | 'notes'
  | 'noteIssues'
  | 'noteExt';

/** A join added when the joined table exists, with the columns it brings (expression AS alias). */
export interface OptionalJoin {
  table: string;
  /** The JOIN clause (the joined table aliased). */
  clause: string;
  /** Selected from the joined table; when the table is missing, the aliases are selected as NULL. */
  columns: readonly (readonly [expression: string, alias: string])[];
}

/** How one clinical table is read. */
export interface ClinicalTable {
  key: ClinicalTableKey;
  /** FROM clause (the base table aliased `t`, joins that are always there). */
  from: string;
  /** The column holding the demographic number, qualified. */
  patientColumn: string;
  /** Columns always selected (plain column names of `t`, or qualified expressions with aliases). */
  columns: readonly string[];
  /** Columns of `t` selected when the schema has them: [table, column]. */
  optional?: readonly (readonly [string, string])[];
  /** Joins made only when their table exists (hl7TextInfo in some databases). */
  optionalJoins?: readonly OptionalJoin[];
  /** Tables the query needs; when one is missing the table is read as empty, without a query. */
  requires?: readonly string[];
  /** A further condition (ANDed). */
  where?: string;
  /** The "row changed at" column for differential runs, or null. */
  changedColumn: string | null;
  /** ORDER BY, for stable documents; absent where the mapping orders the rows itself (a sort of TEXT values costs). */
  orderBy?: string;
}

/**
 * measurementsExt keys the labs are built from (comments and other free text are not read; the accession is the
 * report's, from hl7TextInfo). Every key is a row per result: the largest read of a batch.
 */
export const LAB_EXT_KEYS = [
  'lab_no',
  'identifier',
  'name',
  'unit',
  'abnormal',
  'range',
  'minimum',
  'maximum',
  'datetime',
  'other_id',
] as const;

/** preventionsExt keys of an immunization the mapping reads. */
export const PREVENTION_EXT_KEYS = ['name', 'lot', 'route', 'location'] as const;

/** casemgmt_note_ext keys of the CPP notes (family history attributes). */
export const NOTE_EXT_KEYS = ['Relationship', 'Age at Onset', 'Start Date'] as const;

const inList = (values: readonly string[]) => values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');

/** The tables, in the order they are read. */
export const CLINICAL_TABLES: readonly ClinicalTable[] = [
  {
    key: 'demographic',
    from: 'demographic t',
    patientColumn: 't.demographic_no',
    columns: [
      'demographic_no',
      'last_name',
      'first_name',
      'address',
      'city',
      'province',
      'postal',
      'phone',
      'phone2',
      'email',
      'year_of_birth',
      'month_of_birth',
      'date_of_birth',
      'hin',
      'hc_type',
      'sex',
      'official_lang',
      'provider_no',
      'patient_status',
      'lastUpdateDate',
    ],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no',
  },
  {
    key: 'drugs',
    from: 'drugs t',
    patientColumn: 't.demographic_no',
    columns: [
      'drugid',
      'demographic_no',
      'provider_no',
      'rx_date',
      'end_date',
      'BN',
      'GN',
      'customName',
      'takemin',
      'takemax',
      'freqcode',
      'prn',
      'special',
      'archived',
      'ATC',
      'regional_identifier',
      'unit',
      'route',
      'drug_form',
      'long_term',
    ],
    optional: [
      ['drugs', 'written_date'],
      ['drugs', 'duration'],
      ['drugs', 'durunit'],
      ['drugs', 'dosage'],
      ['drugs', 'method'],
    ],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no, t.drugid',
  },
  {
    key: 'allergies',
    from: 'allergies t',
    patientColumn: 't.demographic_no',
    columns: [
      'allergyid',
      'demographic_no',
      'DESCRIPTION',
      'TYPECODE',
      'reaction',
      'archived',
      'start_date',
      'severity_of_reaction',
      'regional_identifier',
    ],
    optional: [
      ['allergies', 'atc'],
      ['allergies', 'nonDrug'],
    ],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no, t.allergyid',
  },
  {
    key: 'dxresearch',
    from: 'dxresearch t',
    patientColumn: 't.demographic_no',
    columns: [
      'dxresearch_no',
      'demographic_no',
      'start_date',
      'update_date',
      'status',
      'dxresearch_code',
      'coding_system',
    ],
    changedColumn: 't.update_date',
    orderBy: 't.demographic_no, t.dxresearch_no',
  },
  {
    key: 'measurements',
    from: 'measurements t',
    patientColumn: 't.demographicNo',
    columns: ['id', 'demographicNo AS demographic_no', 'type', 'dataField', 'dateObserved'],
    changedColumn: 't.dateEntered',
    orderBy: 't.demographicNo, t.id',
  },
  {
    // The lab attributes of the batch's measurements (OSCAR writes them for every uploaded OBX result).
    key: 'measurementsExt',
    from: 'measurementsExt t JOIN measurements m ON m.id = t.measurement_id',
    patientColumn: 'm.demographicNo',
    columns: ['m.demographicNo AS demographic_no', 'measurement_id', 'keyval', 'val'],
    where: `t.keyval IN (${inList(LAB_EXT_KEYS)})`,
    changedColumn: null,
  },
  {
    // The HL7 lab reports routed to the patient, with the report's facts when hl7TextInfo is there.
    key: 'labReports',
    from: 'patientLabRouting t',
    patientColumn: 't.demographic_no',
    columns: ['demographic_no', 'lab_no'],
    optionalJoins: [
      {
        table: 'hl7TextInfo',
        clause: 'LEFT JOIN hl7TextInfo h ON h.lab_no = t.lab_no',
        columns: [
          ['h.id', 'info_id'],
          ['h.report_status', 'report_status'],
          ['h.obr_date', 'obr_date'],
          ['h.accessionNum', 'accession'],
          ['h.discipline', 'discipline'],
        ],
      },
    ],
    requires: ['patientLabRouting'],
    where: "t.lab_type = 'HL7'",
    changedColumn: 't.created',
    orderBy: 't.demographic_no, t.lab_no, t.id',
  },
  {
    key: 'preventions',
    from: 'preventions t',
    patientColumn: 't.demographic_no',
    columns: [
      'id',
      'demographic_no',
      'prevention_date',
      'prevention_type',
      'deleted',
      'refused',
      'never',
      'provider_no',
    ],
    optional: [['preventions', 'snomedId']],
    changedColumn: 't.lastUpdateDate',
    orderBy: 't.demographic_no, t.id',
  },
  {
    key: 'preventionsExt',
    from: 'preventionsExt t JOIN preventions p ON p.id = t.prevention_id',
    patientColumn: 'p.demographic_no',
    columns: ['p.demographic_no AS demographic_no', 'prevention_id', 'keyval', 'val'],
    // The immunization attributes the mapping writes (not comments, dose, manufacturer, neverReason).
    where: `t.keyval IN (${inList(PREVENTION_EXT_KEYS)})`,
    changedColumn: null,
  },
  {
    key: 'notes',
    from: 'casemgmt_note t',
    patientColumn: 't.demographic_no',
    columns: [
      'note_id',
      'demographic_no',
      'uuid',
      'update_date',
      'observation_date',
      'provider_no',
      'archived',
      'locked',
      "(t.password IS NOT NULL AND t.password <> '') AS has_password",
    ],
    optional: [['casemgmt_note', 'billing_code']],
    changedColumn: 't.update_date',
    orderBy: 't.demographic_no, t.note_id',
  },
  {
    // The issues of the batch's notes (issue code NULL: the link points at an issue that is gone). Joined
    // through the note's demographic number, so casemgmt_issue.demographic_no (varchar in 12.1, int later,
    // unindexed in 12.1) is never compared.
    key: 'noteIssues',
    from: 'casemgmt_issue_notes t JOIN casemgmt_note n ON n.note_id = t.note_id LEFT JOIN casemgmt_issue ci ON ci.id = t.id LEFT JOIN issue i ON i.issue_id = ci.issue_id',
    patientColumn: 'n.demographic_no',
    columns: ['n.demographic_no AS demographic_no', 'note_id', 'i.code AS issue_code', 'i.type AS issue_type'],
    requires: ['casemgmt_issue_notes', 'casemgmt_issue', 'issue'],
    changedColumn: null,
    orderBy: 't.note_id, t.id',
  },
  {
    key: 'noteExt',
    from: 'casemgmt_note_ext t JOIN casemgmt_note n ON n.note_id = t.note_id',
    patientColumn: 'n.demographic_no',
    columns: ['n.demographic_no AS demographic_no', 'note_id', 'key_val', 'value', 'date_value'],
    requires: ['casemgmt_note_ext'],
    where: `t.key_val IN (${inList(NOTE_EXT_KEYS)})`,
    changedColumn: null,
    orderBy: 't.note_id, t.id',
  },
];

/** True when every table `table` needs exists. */
export function isReadable(schema: OscarSchemaFacts, table: ClinicalTable): boolean {
  return (table.requires ?? []).every((name) => hasTable(schema, name));
}

function qualify(column: string): string {
  return /[ .(]/.test(column) ? column : `t.\`${column}\``;
}

/** The SELECT list of a table in this schema (optional columns and joins, the change column, note text). */
export function selectList(schema: OscarSchemaFacts, table: ClinicalTable, includeNoteText: boolean): string {
  const columns = table.columns.map(qualify);
  for (const [tableName, column] of table.optional ?? []) {
    if (hasColumn(schema, tableName, column)) columns.push(`t.\`${column}\``);
  }
  for (const join of table.optionalJoins ?? []) {
    const present = hasTable(schema, join.table);
    for (const [expression, alias] of join.columns) columns.push(`${present ? expression : 'NULL'} AS ${alias}`);
  }
  if (table.changedColumn !== null) columns.push(`${table.changedColumn} AS changed_at`);
  if (table.key === 'notes' && includeNoteText) columns.push('t.note');
  return columns.join(', ');
}

/** FROM clause with the joins whose tables exist. */
export function fromClause(schema: OscarSchemaFacts, table: ClinicalTable): string {
  const joins = (table.optionalJoins ?? [])
    .filter((join) => hasTable(schema, join.table))
    .map((join) => ` ${join.clause}`);
  return table.from + joins.join('');
}

/** The WHERE condition of a table's batch query beside the patient list (may be empty). */
export function extraCondition(table: ClinicalTable): string {
  return table.where === undefined ? '' : ` AND ${table.where}`;
}
