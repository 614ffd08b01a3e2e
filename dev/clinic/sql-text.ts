/**
 * SQL text for bulk loading: value literals escaped for MariaDB and multi-row INSERT statements
 * of bounded size, built as plain text (faster than placeholders for millions of rows).
 */

/** A value that goes into a row: text, a number, NULL, or a boolean (0/1). */
export type SqlValue = string | number | boolean | null;

const NEEDS_ESCAPE = /[\0\n\r\x1a'\\]/;
const ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\x1a': '\\Z',
  "'": "\\'",
  '\\': '\\\\',
};

/** A quoted, escaped string literal (the connection must use utf8mb4). */
export function sqlString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return `'${text}'`;
  return `'${text.replace(/[\0\n\r\x1a'\\]/g, (character) => ESCAPES[character] ?? character)}'`;
}

/** The literal for one value. */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return sqlString(value);
}

/** `(v1,v2,…)` for one row. */
export function sqlTuple(values: readonly SqlValue[]): string {
  let text = '(';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    text += sqlLiteral(values[i] as SqlValue);
  }
  return text + ')';
}

/** Rows of one table waiting to be written, turned into INSERT statements of bounded size. */
export class InsertBuffer {
  private tuples: string[] = [];
  private bytes = 0;
  private readonly statements: string[] = [];
  /** Rows added since the buffer was created. */
  rowCount = 0;

  constructor(
    readonly table: string,
    private readonly columns: readonly string[],
    private readonly maxRows = 2500,
    private readonly maxBytes = 2_000_000,
  ) {}

  /** Adds one row (values in the order of the buffer's columns). */
  add(values: readonly SqlValue[]): void {
    const tuple = sqlTuple(values);
    this.tuples.push(tuple);
    this.bytes += tuple.length + 1;
    this.rowCount += 1;
    if (this.tuples.length >= this.maxRows || this.bytes >= this.maxBytes) this.seal();
  }

  private seal(): void {
    if (this.tuples.length === 0) return;
    const columnList = this.columns.map((column) => `\`${column}\``).join(',');
    this.statements.push(`INSERT INTO \`${this.table}\` (${columnList}) VALUES ${this.tuples.join(',')}`);
    this.tuples = [];
    this.bytes = 0;
  }

  /** Takes the statements built so far (including a partial last one). */
  drain(): string[] {
    this.seal();
    return this.statements.splice(0, this.statements.length);
  }
}
