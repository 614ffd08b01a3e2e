/**
 * SQL text for bulk loading: value literals escaped for MariaDB and multi-row INSERT statements of
 * bounded size (the clinic-wide reference rows), and the LOAD DATA text of the per-patient rows
 * (tab-separated, backslash escapes, kept as UTF-8 pieces), convertible back to INSERTs.
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

const TSV_NEEDS_ESCAPE = /[\0\n\r\t\\]/;
const TSV_ESCAPES: Readonly<Record<string, string>> = {
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\\': '\\\\',
};

/** One value as a LOAD DATA field (tab-separated, backslash escapes, `\N` for NULL). */
export function tsvField(value: SqlValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '\\N';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (!TSV_NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\0\n\r\t\\]/g, (character) => TSV_ESCAPES[character] ?? character);
}

/** Rows of one table as LOAD DATA text: UTF-8 pieces of whole lines, fields in the buffer's column order. */
export interface RowBatch {
  readonly table: string;
  readonly columns: readonly string[];
  readonly pieces: readonly Buffer[];
  readonly rows: number;
}

/** Characters per piece (a piece is one protocol packet of the LOAD DATA stream). */
const PIECE_CHARS = 256 * 1024;

/** Rows of one table waiting to be loaded, kept as LOAD DATA text in UTF-8 pieces (compact; cheaper to build than SQL). */
export class RowBuffer {
  private text = '';
  private pieces: Buffer[] = [];
  private rows = 0;
  /** Rows added since the buffer was created. */
  rowCount = 0;

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
  ) {}

  /** Adds one row (values in the order of the buffer's columns). */
  add(values: readonly SqlValue[]): void {
    let line = tsvField(values[0] as SqlValue);
    for (let i = 1; i < values.length; i++) line += '\t' + tsvField(values[i] as SqlValue);
    this.text += line + '\n';
    this.rows += 1;
    this.rowCount += 1;
    if (this.text.length >= PIECE_CHARS) {
      this.pieces.push(Buffer.from(this.text, 'utf8'));
      this.text = '';
    }
  }

  /** Takes the rows added so far (null when none). */
  drain(): RowBatch | null {
    if (this.text !== '') this.pieces.push(Buffer.from(this.text, 'utf8'));
    const batch: RowBatch | null =
      this.rows === 0 ? null : { table: this.table, columns: this.columns, pieces: this.pieces, rows: this.rows };
    this.text = '';
    this.pieces = [];
    this.rows = 0;
    return batch;
  }
}

/** A LOAD DATA field back as an SQL literal (its backslash escapes are MariaDB string escapes too). */
function fieldLiteral(field: string): string {
  if (field === '\\N') return 'NULL';
  return field.includes("'") ? `'${field.replace(/'/g, "\\'")}'` : `'${field}'`;
}

/** The same rows as multi-row INSERT statements (for servers that refuse LOCAL INFILE). */
export function batchToInserts(batch: RowBatch, maxRows = 2500): string[] {
  const columnList = batch.columns.map((column) => `\`${column}\``).join(',');
  const lines = batch.pieces.flatMap((piece) => piece.toString('utf8').split('\n').slice(0, -1));
  const statements: string[] = [];
  for (let start = 0; start < lines.length; start += maxRows) {
    const tuples = lines
      .slice(start, start + maxRows)
      .map((line) => `(${line.split('\t').map(fieldLiteral).join(',')})`);
    statements.push(`INSERT INTO \`${batch.table}\` (${columnList}) VALUES ${tuples.join(',')}`);
  }
  return statements;
}
