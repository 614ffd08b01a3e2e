/**
 * The project's own DDL for the OSCAR tables an E2E export reads, built from the table data in
 * schema-tables.ts: CREATE TABLE statements (primary keys only, for fast bulk loading) and the
 * ALTER TABLE statements that add OSCAR's secondary indexes afterwards.
 */
import { OSCAR_TABLES, type ColumnRow, type OscarSchemaVariant } from './schema-tables';

export { OSCAR_TABLES, type OscarSchemaVariant } from './schema-tables';

function columnDefinition(column: ColumnRow, schema: OscarSchemaVariant): string | null {
  const [name, release121, latest] = column;
  const definition = schema === 'latest' && latest !== undefined ? latest : release121;
  return definition === null ? null : `${name.startsWith('`') ? name : '`' + name + '`'} ${definition}`;
}

/** The column names a table has in a schema variant, in declaration order. */
export function columnNames(tableName: string, schema: OscarSchemaVariant): string[] {
  const table = OSCAR_TABLES.find((candidate) => candidate.name === tableName);
  if (table === undefined) throw new Error(`no OSCAR table ${tableName}`);
  return table.columns
    .filter((column) => columnDefinition(column, schema) !== null)
    .map(([name]) => name.replace(/`/g, ''));
}

/** CREATE TABLE statements (primary keys only, so bulk loading stays fast). */
export function createTableStatements(schema: OscarSchemaVariant): string[] {
  return OSCAR_TABLES.map((table) => {
    const lines = table.columns
      .map((column) => columnDefinition(column, schema))
      .filter((line): line is string => line !== null);
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
