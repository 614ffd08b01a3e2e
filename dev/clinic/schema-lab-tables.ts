/**
 * The HL7 lab tables of the project's own OSCAR DDL, as data (same shape as schema-tables.ts):
 * hl7TextInfo (one row per uploaded lab report) and measurementMap (lab test code → LOINC →
 * flowsheet type). Written from ../shared/oscar/oscar-lab-tables.release-12_1.sql and the
 * hl7TextInfo blocks of oscar-e2e-tables.*.sql; hl7TextMessage (the raw message) is left out.
 */
import type { TableDefinition } from './schema-tables';

/** hl7TextInfo: the report's status, OBR date, accession, discipline, ordering provider and patient as the lab sent them. */
export const HL7_TEXT_INFO: TableDefinition = {
  name: 'hl7TextInfo',
  columns: [
    ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
    ['lab_no', 'int(10) NOT NULL'],
    ['sex', 'varchar(1)'],
    ['health_no', 'varchar(12)'],
    ['result_status', 'varchar(1)'],
    ['final_result_count', 'int(10)'],
    ['obr_date', 'varchar(20)'],
    ['priority', 'varchar(1)'],
    ['requesting_client', 'varchar(100)'],
    ['discipline', 'varchar(100)'],
    ['last_name', 'varchar(30)'],
    ['first_name', 'varchar(30)'],
    ['report_status', 'varchar(1) NOT NULL', 'varchar(20) NOT NULL'],
    ['accessionNum', 'varchar(20)', 'varchar(255)'],
    ['filler_order_num', 'varchar(50)'],
    ['sending_facility', 'varchar(50)'],
    ['label', 'varchar(255)'],
  ],
  primaryKey: 'id',
  indexes: ['KEY labno_index (lab_no)'],
  latestIndexes: ['KEY accession_index (accessionNum)'],
};

/** measurementMap: which lab test codes map to which LOINC code, and (lab_type FLOWSHEET) which flowsheet type. */
export const MEASUREMENT_MAP: TableDefinition = {
  name: 'measurementMap',
  columns: [
    ['id', 'int(10) NOT NULL AUTO_INCREMENT'],
    ['loinc_code', 'varchar(20) NOT NULL'],
    ['ident_code', 'varchar(20) NOT NULL'],
    ['name', 'varchar(255)'],
    ['lab_type', 'varchar(10) NOT NULL'],
  ],
  primaryKey: 'id',
  indexes: ['KEY ident_code (ident_code)'],
};
