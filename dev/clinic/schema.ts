/**
 * The project's own DDL for the OSCAR tables an E2E export reads, as data: one row per column
 * with its OSCAR type in 12.1 and, where it drifted, in the latest (Open-O 2025) schema.
 * Written from the column facts in ../shared/oscar (not copied); irrelevant columns left out.
 */

/** Which OSCAR schema generation the tables follow (column type drift, see ../shared/oscar). */
export type OscarSchemaVariant = '12.1' | 'latest';

/** A column: name, definition in 12.1, and the latest definition where it differs (null: absent). */
type ColumnRow = readonly [name: string, release121: string | null, latest?: string | null];

/** A table: its columns, primary key, and the secondary indexes OSCAR declares (per variant). */
interface TableDefinition {
  readonly name: string;
  readonly columns: readonly ColumnRow[];
  readonly primaryKey?: string;
  readonly indexes: readonly string[];
  readonly latestIndexes?: readonly string[];
}

const NOT_NULL_DATETIME = 'datetime NOT NULL';

/** The OSCAR tables, in creation order. */
export const OSCAR_TABLES: readonly TableDefinition[] = [
  {
    name: 'demographic',
    columns: [
      ['demographic_no', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['title', 'varchar(10)'],
      ['last_name', "varchar(30) NOT NULL DEFAULT ''"],
      ['first_name', "varchar(30) NOT NULL DEFAULT ''"],
      ['address', 'varchar(60)'],
      ['city', 'varchar(50)'],
      ['province', 'varchar(20)'],
      ['postal', 'varchar(9)'],
      ['phone', 'varchar(20)'],
      ['phone2', 'varchar(20)'],
      ['email', 'varchar(100)'],
      ['year_of_birth', 'varchar(4)'],
      ['month_of_birth', 'char(2)', 'varchar(2)'],
      ['date_of_birth', 'char(2)', 'varchar(2)'],
      ['hin', 'varchar(20)'],
      ['ver', 'char(3)'],
      ['roster_status', 'varchar(20)'],
      ['roster_date', 'date'],
      ['patient_status', 'varchar(20)'],
      ['patient_status_date', 'date'],
      ['date_joined', 'date'],
      ['chart_no', 'varchar(10)'],
      ['official_lang', 'varchar(60)'],
      ['spoken_lang', 'varchar(60)'],
      ['provider_no', 'varchar(250)', 'varchar(11)'],
      ['sex', "char(1) NOT NULL DEFAULT ''"],
      ['end_date', 'date'],
      ['eff_date', 'date'],
      ['hc_type', 'varchar(20)'],
      ['hc_renew_date', 'date'],
      ['family_doctor', 'varchar(80)'],
      ['lastUpdateUser', 'varchar(6)'],
      ['lastUpdateDate', NOT_NULL_DATETIME],
      ['pref_name', null, "varchar(30) NOT NULL DEFAULT ''"],
    ],
    primaryKey: 'demographic_no',
    indexes: ['KEY hin (hin)', 'KEY name (last_name,first_name)'],
  },
  {
    name: 'demographicExt',
    columns: [
      ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['demographic_no', 'int(10) DEFAULT NULL'],
      ['provider_no', 'varchar(6) DEFAULT NULL'],
      ['key_val', 'varchar(64) DEFAULT NULL'],
      ['value', 'text'],
      ['date_time', 'datetime DEFAULT NULL'],
      ['hidden', "char(1) DEFAULT '0'"],
    ],
    primaryKey: 'id',
    indexes: ['KEY demographic_no (demographic_no)'],
  },
  {
    name: 'provider',
    columns: [
      ['provider_no', "varchar(6) NOT NULL DEFAULT ''"],
      ['last_name', "varchar(30) NOT NULL DEFAULT ''"],
      ['first_name', "varchar(30) NOT NULL DEFAULT ''"],
      ['provider_type', "varchar(15) NOT NULL DEFAULT ''"],
      ['specialty', "varchar(40) NOT NULL DEFAULT ''"],
      ['sex', "char(1) NOT NULL DEFAULT ''"],
      ['phone', 'varchar(20) DEFAULT NULL'],
      ['work_phone', 'varchar(50) DEFAULT NULL'],
      ['ohip_no', 'varchar(20) DEFAULT NULL'],
      ['billing_no', 'varchar(20) DEFAULT NULL'],
      ['status', 'char(1) DEFAULT NULL'],
      ['practitionerNo', 'varchar(20)'],
      ['email', 'varchar(60) DEFAULT NULL'],
      ['lastUpdateUser', 'varchar(6) DEFAULT NULL'],
      ['lastUpdateDate', NOT_NULL_DATETIME],
      ['practitionerNoType', null, 'varchar(255)'],
    ],
    primaryKey: 'provider_no',
    indexes: [],
    latestIndexes: ['KEY provider_ikey (lastUpdateDate)'],
  },
  {
    name: 'clinic',
    columns: [
      ['clinic_no', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['clinic_name', 'varchar(100) DEFAULT NULL'],
      ['clinic_address', "varchar(60) DEFAULT ''"],
      ['clinic_city', "varchar(40) DEFAULT ''"],
      ['clinic_postal', "varchar(15) DEFAULT ''"],
      ['clinic_phone', 'varchar(50) DEFAULT NULL'],
      ['clinic_fax', "varchar(20) DEFAULT ''"],
      ['clinic_location_code', 'varchar(10) DEFAULT NULL'],
      ['status', 'char(1) DEFAULT NULL'],
      ['clinic_province', 'varchar(40) DEFAULT NULL'],
    ],
    primaryKey: 'clinic_no',
    indexes: [],
  },
  {
    name: 'drugs',
    columns: [
      ['drugid', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['provider_no', "varchar(6) NOT NULL DEFAULT ''"],
      ['demographic_no', "int(10) NOT NULL DEFAULT '0'"],
      ['rx_date', "date NOT NULL DEFAULT '0001-01-01'"],
      ['end_date', "date NOT NULL DEFAULT '0001-01-01'"],
      ['written_date', "date DEFAULT '0001-01-01'"],
      ['BN', "varchar(255) DEFAULT ''"],
      ['GCN_SEQNO', "decimal(10,0) NOT NULL DEFAULT '0'"],
      ['customName', 'varchar(60) DEFAULT NULL'],
      ['takemin', 'float DEFAULT NULL'],
      ['takemax', 'float DEFAULT NULL'],
      ['freqcode', 'varchar(6) DEFAULT NULL'],
      ['duration', 'varchar(4) DEFAULT NULL'],
      ['durunit', 'char(1) DEFAULT NULL'],
      ['quantity', 'varchar(20) DEFAULT NULL'],
      ['`repeat`', 'tinyint(4) DEFAULT NULL'],
      ['nosubs', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['prn', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['special', 'text'],
      ['special_instruction', 'text DEFAULT NULL'],
      ['archived', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['GN', 'varchar(255) DEFAULT NULL'],
      ['ATC', 'varchar(20) DEFAULT NULL'],
      ['script_no', 'int(10) DEFAULT NULL'],
      ['regional_identifier', 'varchar(100) DEFAULT NULL'],
      ['unit', "varchar(5) DEFAULT 'tab'"],
      ['method', "varchar(5) DEFAULT 'Take'"],
      ['route', "varchar(5) DEFAULT 'PO'", "varchar(50) DEFAULT 'PO'"],
      ['drug_form', 'varchar(50)'],
      ['create_date', 'datetime'],
      ['dosage', 'text'],
      ['custom_instructions', 'tinyint(1) DEFAULT 0'],
      ['unitName', 'varchar(10) DEFAULT NULL'],
      ['long_term', 'tinyint(1)'],
      ['short_term', null, 'tinyint(1)'],
      ['non_authoritative', 'tinyint(1)'],
      ['past_med', 'tinyint(1)'],
      ['outside_provider_name', 'varchar(100)'],
      ['archived_reason', "varchar(100) DEFAULT ''"],
      ['archived_date', 'datetime'],
      ['hide_from_drug_profile', "tinyint(1) DEFAULT '0'"],
      ['position', 'int(10) NOT NULL'],
      ['comment', 'varchar(255)'],
      ['start_date_unknown', 'tinyint(1)'],
      ['lastUpdateDate', NOT_NULL_DATETIME],
      ['dispenseInternal', null, 'tinyint(1) NOT NULL DEFAULT 0'],
    ],
    primaryKey: 'drugid',
    indexes: [],
    latestIndexes: ['KEY drugs_demographic_no (demographic_no)'],
  },
  {
    name: 'allergies',
    columns: [
      ['allergyid', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['demographic_no', "int(10) NOT NULL DEFAULT '0'"],
      ['entry_date', 'date DEFAULT NULL'],
      ['DESCRIPTION', "varchar(50) NOT NULL DEFAULT ''"],
      ['HICL_SEQNO', 'int(6) DEFAULT NULL'],
      ['HIC_SEQNO', 'int(6) DEFAULT NULL'],
      ['AGCSP', 'int(6) DEFAULT NULL'],
      ['AGCCS', 'int(6) DEFAULT NULL'],
      ['TYPECODE', "tinyint(4) NOT NULL DEFAULT '0'"],
      ['reaction', 'text'],
      ['drugref_id', 'varchar(100) DEFAULT NULL'],
      ['archived', "char(1) DEFAULT '0'", 'tinyint(1) NOT NULL'],
      ['start_date', 'date DEFAULT NULL'],
      ['age_of_onset', "char(4) DEFAULT '0'"],
      ['severity_of_reaction', "char(1) DEFAULT '0'"],
      ['onset_of_reaction', "char(1) DEFAULT '0'"],
      ['regional_identifier', 'varchar(100)'],
      ['life_stage', 'char(1)'],
      ['position', 'int(10) NOT NULL'],
      ['lastUpdateDate', NOT_NULL_DATETIME],
      ['providerNo', 'varchar(6)'],
      ['atc', null, 'varchar(55)'],
      ['reaction_type', null, 'varchar(20)'],
      ['nonDrug', null, 'tinyint(1) DEFAULT NULL'],
    ],
    primaryKey: 'allergyid',
    indexes: [],
  },
  {
    name: 'dxresearch',
    columns: [
      ['dxresearch_no', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['demographic_no', "int(10) DEFAULT '0'"],
      ['start_date', "date DEFAULT '0001-01-01'"],
      ['update_date', NOT_NULL_DATETIME],
      ['status', "char(1) DEFAULT 'A'"],
      ['dxresearch_code', "varchar(10) DEFAULT ''"],
      ['coding_system', 'varchar(20)'],
      ['association', 'tinyint(1) NOT NULL DEFAULT 0'],
      ['providerNo', null, 'varchar(6)'],
    ],
    primaryKey: 'dxresearch_no',
    indexes: [],
    latestIndexes: ['KEY dxresearch_ikey (demographic_no,status,update_date)', 'KEY dxresearch_integrator (demographic_no,update_date)'],
  },
  {
    name: 'icd9',
    columns: [
      ['id', 'int(11) NOT NULL AUTO_INCREMENT'],
      ['icd9', "varchar(7) NOT NULL DEFAULT ''"],
      ['description', "varchar(200) NOT NULL DEFAULT ''"],
    ],
    primaryKey: 'id',
    indexes: [],
  },
  {
    name: 'measurements',
    columns: [
      ['id', 'int UNSIGNED NOT NULL AUTO_INCREMENT'],
      ['type', 'varchar(50) NOT NULL'],
      ['demographicNo', "int(10) NOT NULL DEFAULT '0'"],
      ['providerNo', "varchar(6) NOT NULL DEFAULT ''"],
      ['dataField', 'varchar(255) NOT NULL'],
      ['measuringInstruction', 'varchar(255) NOT NULL'],
      ['comments', 'varchar(255) NOT NULL', 'varchar(255)'],
      ['dateObserved', NOT_NULL_DATETIME, 'datetime'],
      ['dateEntered', NOT_NULL_DATETIME],
      ['appointmentNo', 'int(10) NOT NULL', 'int(10)'],
    ],
    primaryKey: 'id',
    indexes: ['KEY type (type)', 'KEY measuringInstruction (measuringInstruction)', 'KEY demographicNo (demographicNo)'],
    latestIndexes: ['KEY measurement_integrator (demographicNo,dateEntered)'],
  },
  {
    name: 'measurementsExt',
    columns: [
      ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['measurement_id', 'int(10) NOT NULL'],
      ['keyval', 'varchar(20) NOT NULL'],
      ['val', 'text NOT NULL'],
    ],
    primaryKey: 'id',
    indexes: ['KEY measurement_id (measurement_id)'],
    latestIndexes: ['KEY measurements_ext_keyval_val (keyval, val(100))'],
  },
  {
    name: 'measurementType',
    columns: [
      ['id', 'int UNSIGNED NOT NULL AUTO_INCREMENT'],
      ['type', 'varchar(4) NOT NULL', 'varchar(50) NOT NULL'],
      ['typeDisplayName', 'varchar(255) NOT NULL'],
      ['typeDescription', 'varchar(255) NOT NULL'],
      ['measuringInstruction', 'varchar(255) NOT NULL'],
      ['validation', 'varchar(100) NOT NULL'],
      ['createDate', NOT_NULL_DATETIME],
    ],
    primaryKey: 'id',
    indexes: ['KEY type (type)', 'KEY measuringInstruction (measuringInstruction)'],
  },
  {
    name: 'patientLabRouting',
    columns: [
      ['demographic_no', "int(10) NOT NULL DEFAULT '0'"],
      ['lab_no', "int(10) NOT NULL DEFAULT '0'"],
      ['lab_type', "char(3) NOT NULL DEFAULT 'MDS'"],
      ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['created', NOT_NULL_DATETIME],
      ['dateModified', null, 'datetime'],
    ],
    primaryKey: 'id',
    indexes: ['KEY demographic (demographic_no)', 'KEY lab_type_index (lab_type)', 'KEY lab_no_index (lab_no)', 'KEY all_index (lab_type,lab_no,demographic_no)'],
    latestIndexes: ['KEY patientLabRouting_ikey (created)'],
  },
  {
    name: 'preventions',
    columns: [
      ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['demographic_no', "int(10) NOT NULL DEFAULT '0'"],
      ['creation_date', 'datetime DEFAULT NULL'],
      ['prevention_date', 'date DEFAULT NULL', 'datetime DEFAULT NULL'],
      ['provider_no', "varchar(6) NOT NULL DEFAULT ''"],
      ['provider_name', 'varchar(255) DEFAULT NULL'],
      ['prevention_type', 'varchar(20) DEFAULT NULL', 'varchar(255) DEFAULT NULL'],
      ['deleted', "char(1) DEFAULT '0'"],
      ['refused', "char(1) DEFAULT '0'"],
      ['next_date', 'date DEFAULT NULL'],
      ['never', "char(1) DEFAULT '0'"],
      ['creator', 'int(10) DEFAULT NULL'],
      ['lastUpdateDate', NOT_NULL_DATETIME],
      ['snomedId', null, 'varchar(255)'],
    ],
    primaryKey: 'id',
    indexes: [],
    latestIndexes: [
      'KEY preventions_demographic_no (demographic_no)',
      'KEY preventions_prevention_type (prevention_type(10))',
      'KEY preventions_ikey (lastUpdateDate)',
    ],
  },
  {
    name: 'preventionsExt',
    columns: [
      ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['prevention_id', 'int(10) DEFAULT NULL'],
      ['keyval', 'varchar(20) DEFAULT NULL'],
      ['val', 'text'],
    ],
    primaryKey: 'id',
    indexes: [],
    latestIndexes: ['KEY preventionsExt_prevention_id (prevention_id)', 'KEY preventionsExt_keyval (keyval(10))'],
  },
  {
    name: 'casemgmt_note',
    columns: [
      ['note_id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['update_date', "datetime NOT NULL DEFAULT '0000-00-00 00:00:00'"],
      ['observation_date', "datetime NOT NULL DEFAULT '0000-00-00 00:00:00'"],
      ['demographic_no', "int(10) NOT NULL DEFAULT '0'"],
      ['provider_no', "varchar(20) NOT NULL DEFAULT ''"],
      ['note', 'mediumtext NOT NULL'],
      ['signed', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['include_issue_innote', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['signing_provider_no', "varchar(20) NOT NULL DEFAULT ''"],
      ['encounter_type', "varchar(100) NOT NULL DEFAULT ''"],
      ['billing_code', "varchar(100) NOT NULL DEFAULT ''"],
      ['program_no', "varchar(20) NOT NULL DEFAULT ''"],
      ['reporter_caisi_role', "varchar(20) NOT NULL DEFAULT ''"],
      ['reporter_program_team', "varchar(20) NOT NULL DEFAULT ''"],
      ['history', 'mediumtext NOT NULL'],
      ['password', 'varchar(255) DEFAULT NULL'],
      ['locked', 'char(1) DEFAULT NULL'],
      ['archived', 'tinyint(1) DEFAULT 0'],
      ['position', 'int(10) DEFAULT 0'],
      ['uuid', 'char(36) DEFAULT NULL'],
      ['appointmentNo', 'int(10)'],
    ],
    primaryKey: 'note_id',
    indexes: ['KEY FKA8D537806CCA0FC (provider_no)', 'KEY demographic_no (demographic_no)', 'KEY uuid (uuid)', 'KEY program_no (program_no)', 'KEY observation_date (observation_date)'],
    latestIndexes: ['KEY casemgmt_note_ikey (demographic_no,update_date,locked)'],
  },
  {
    name: 'casemgmt_note_ext',
    columns: [
      ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['note_id', 'int(10) NOT NULL'],
      ['key_val', 'varchar(64) NOT NULL'],
      ['value', 'text'],
      ['date_value', 'date'],
    ],
    primaryKey: 'id',
    indexes: [],
    latestIndexes: ['KEY note_idIndex (note_id)'],
  },
  {
    name: 'casemgmt_issue',
    columns: [
      ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['demographic_no', "varchar(20) NOT NULL DEFAULT ''", 'int(11) NOT NULL'],
      ['issue_id', "int(10) NOT NULL DEFAULT '0'"],
      ['acute', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['certain', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['major', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['resolved', "tinyint(1) NOT NULL DEFAULT '0'"],
      ['program_id', 'int'],
      ['type', "varchar(100) NOT NULL DEFAULT ''"],
      ['update_date', "datetime NOT NULL DEFAULT '0000-00-00 00:00:00'", NOT_NULL_DATETIME],
    ],
    primaryKey: 'id',
    indexes: ['KEY FK718D130B49CFB32F (issue_id)'],
    latestIndexes: ['KEY casemgmt_issue_ikey (demographic_no,update_date)'],
  },
  {
    name: 'casemgmt_issue_notes',
    columns: [
      ['id', "int(10) NOT NULL DEFAULT '0'"],
      ['note_id', "int(10) NOT NULL DEFAULT '0'"],
    ],
    indexes: ['KEY id (id)', 'KEY note_id (note_id)'],
  },
  {
    name: 'issue',
    columns: [
      ['issue_id', 'int(10) NOT NULL AUTO_INCREMENT'],
      ['code', 'varchar(20) NOT NULL'],
      ['description', 'varchar(255) NOT NULL'],
      ['role', 'varchar(100) NOT NULL'],
      ['update_date', NOT_NULL_DATETIME],
      ['priority', 'char(10) DEFAULT NULL'],
      ['type', 'varchar(32) DEFAULT NULL'],
      ['sortOrderId', 'int NOT NULL'],
    ],
    primaryKey: 'issue_id',
    indexes: ['KEY description_index (description(20))', 'KEY code (code)'],
  },
];

function columnDefinition(column: ColumnRow, schema: OscarSchemaVariant): string | null {
  const [name, release121, latest] = column;
  const definition = schema === 'latest' && latest !== undefined ? latest : release121;
  return definition === null ? null : `${name.startsWith('`') ? name : '`' + name + '`'} ${definition}`;
}

/** The column names a table has in a schema variant, in declaration order. */
export function columnNames(tableName: string, schema: OscarSchemaVariant): string[] {
  const table = OSCAR_TABLES.find((candidate) => candidate.name === tableName);
  if (table === undefined) throw new Error(`no OSCAR table ${tableName}`);
  return table.columns.filter((column) => columnDefinition(column, schema) !== null).map(([name]) => name.replace(/`/g, ''));
}

/** CREATE TABLE statements (primary keys only, so bulk loading stays fast). */
export function createTableStatements(schema: OscarSchemaVariant): string[] {
  return OSCAR_TABLES.map((table) => {
    const lines = table.columns.map((column) => columnDefinition(column, schema)).filter((line): line is string => line !== null);
    if (table.primaryKey !== undefined) lines.push(`PRIMARY KEY (\`${table.primaryKey}\`)`);
    return `CREATE TABLE \`${table.name}\` (\n  ${lines.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
  });
}

/** ALTER TABLE statements adding OSCAR's secondary indexes, run once the data is in. */
export function createIndexStatements(schema: OscarSchemaVariant): string[] {
  return OSCAR_TABLES.flatMap((table) => {
    const indexes = [...table.indexes, ...(schema === 'latest' ? (table.latestIndexes ?? []) : [])];
    if (indexes.length === 0) return [];
    return [`ALTER TABLE \`${table.name}\` ${indexes.map((index) => `ADD ${index}`).join(', ')}`];
  });
}
