/**
 * OscarSource: the read-only connection to the backup OSCAR database. It refuses accounts that
 * can write, reads everything inside one `READ ONLY` transaction with a consistent snapshot,
 * detects the schema variant from information_schema, and counts every SQL statement it runs.
 *
 * A connection lost while reading (killed, server restarted) is opened again with a new
 * snapshot and the batch read again, a bounded number of times ({@link OscarSource.withReconnect}).
 *
 * Text: the connection uses `utf8mb4`, so the server converts latin1 columns to UTF-8 and
 * double-encoded text arrives as visible mojibake ("Ã©"), which the mapping repairs
 * (mapping/text.ts). Dates arrive as strings (`dateStrings`), so zero dates stay visible.
 */
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import type { SqlValue } from 'mysql2';
import { EndpointError, describeError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { parseGrant, writePrivilegesIn, type GrantLine } from './grants';
import { detectSchema, type OscarSchemaFacts } from './schema-detect';

/** A row as mysql2 returns it with `dateStrings`: column name → string, number or null. */
export type SqlRow = Record<string, string | number | null>;

/** Options of {@link OscarSource.open}. */
export interface OscarSourceOptions {
  /** mysql://user:password@host:port/database */
  oscarUrl: string;
  /** Accept an account that can write (the `--allow-writable-account` escape hatch). */
  allowWritableAccount: boolean;
  /** Where a lost connection is reported. */
  logger?: Logger;
}

/** Reconnections per read after a lost connection, and the pause before the first (doubled each time). */
const RECONNECT = { attempts: 3, firstPauseMs: 300 } as const;

/** Error codes that mean the connection is gone, not that a statement was wrong. */
const CONNECTION_LOST_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ER_CONNECTION_KILLED',
  'ER_SERVER_SHUTDOWN',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/** True when `error` means the database connection was lost (mysql2 marks those `fatal`). */
export function isConnectionLost(error: unknown): boolean {
  const { fatal, code } = (error ?? {}) as { fatal?: unknown; code?: unknown };
  return fatal === true || CONNECTION_LOST_CODES.has(String(code));
}

/** Where to connect, from the URL. */
interface ConnectTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

async function openConnection(target: ConnectTarget): Promise<Connection> {
  // multipleStatements: a batch's SELECTs go as one round trip (queryAll), so the server reads the next batch while the
  // exporter builds the current one. Values are always escaped by mysql2 (format), never concatenated.
  const connection = await mysql.createConnection({
    ...target,
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    connectTimeout: 10000,
    multipleStatements: true,
  });
  // A connection lost while idle is noticed by the next statement; without a listener it would crash the process.
  connection.on('error', () => undefined);
  return connection;
}

/** Starts the read-only snapshot on a fresh connection; returns the database clock. */
async function startSnapshot(run: (sql: string) => Promise<SqlRow[]>): Promise<string> {
  await run('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
  await run('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  const [clock] = await run("SELECT DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:%s') AS now");
  return String(clock.now);
}

/** The read-only OSCAR database, inside one consistent snapshot. */
export class OscarSource {
  /** SQL statements run so far (grants, snapshot, extraction): for tests and benchmarks. */
  queryCount = 0;
  /** Times the connection was lost and opened again (each with a new snapshot). */
  reconnects = 0;

  private constructor(
    private connection: Connection,
    private readonly target: ConnectTarget,
    private readonly logger: Logger | undefined,
    /** The OSCAR database name. */
    readonly database: string,
    /** What information_schema says about the tables. */
    readonly schema: OscarSchemaFacts,
    /** The database clock at snapshot start (`YYYY-MM-DD HH:MM:SS`): the next differential watermark. */
    readonly snapshotTime: string,
    /** Write privileges the account has (empty for a proper SELECT-only account). */
    readonly writePrivileges: string[],
  ) {}

  /** Connects, checks grants, starts the snapshot and detects the schema. */
  static async open(options: OscarSourceOptions): Promise<OscarSource> {
    const url = new URL(options.oscarUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (database === '')
      throw new EndpointError(
        'CONFIG_INVALID',
        'ENDPOINT_OSCAR_URL must name the OSCAR database (mysql://user@host/database).',
      );
    const target: ConnectTarget = {
      host: url.hostname || '127.0.0.1',
      port: url.port ? Number(url.port) : 3306,
      user: decodeURIComponent(url.username || 'root'),
      password: decodeURIComponent(url.password),
      database,
    };
    let connection: Connection;
    try {
      connection = await openConnection(target);
    } catch (error) {
      throw new EndpointError(
        'SERVICE_UNAVAILABLE',
        `The OSCAR database at ${url.hostname}:${url.port || 3306} could not be reached: ${describeError(error)}.`,
      );
    }
    let count = 0;
    const run = async (sql: string): Promise<SqlRow[]> => {
      count++;
      const [rows] = await connection.query<RowDataPacket[]>(sql);
      return rows as SqlRow[];
    };
    try {
      const writePrivileges = await readWritePrivileges(run, database);
      if (writePrivileges.length > 0 && !options.allowWritableAccount) {
        throw new EndpointError(
          'WRITABLE_ACCOUNT',
          `The OSCAR account ${url.username || 'root'} can change data (${writePrivileges.slice(0, 4).join(', ')}${writePrivileges.length > 4 ? ', …' : ''}). ` +
            'Use a SELECT-only account (GRANT SELECT ON db.* TO …), or pass --allow-writable-account / ENDPOINT_ALLOW_WRITABLE_ACCOUNT=true.',
        );
      }
      const snapshotTime = await startSnapshot(run);
      const schema = detectSchema(await run(schemaQuery(database)), await run(indexQuery(database)));
      const source = new OscarSource(
        connection,
        target,
        options.logger,
        database,
        schema,
        snapshotTime,
        writePrivileges,
      );
      source.queryCount = count;
      return source;
    } catch (error) {
      await connection.end().catch(() => undefined);
      throw error;
    }
  }

  /** Runs one read inside the snapshot and counts it. */
  async query(sql: string, values: unknown[] = []): Promise<SqlRow[]> {
    this.queryCount++;
    const [rows] = await this.connection.query<RowDataPacket[]>(sql, values as (string | number | null | unknown[])[]);
    return rows as SqlRow[];
  }

  /**
   * Runs several SELECTs as one multi-statement round trip (each counted) and returns their rows in order: the server
   * works through all of them without waiting for the client to read each answer.
   */
  async queryAll(statements: readonly { sql: string; values: unknown[] }[]): Promise<SqlRow[][]> {
    if (statements.length === 0) return [];
    this.queryCount += statements.length;
    const sql = statements.map((statement) => mysql.format(statement.sql, statement.values as SqlValue[])).join(';\n');
    const [results] = await this.connection.query<RowDataPacket[][]>(sql);
    // One statement answers with its rows, several with one row set each.
    return (statements.length === 1 ? [results] : results) as SqlRow[][];
  }

  /**
   * Runs `read` (reads that belong together, e.g. one batch). When the connection is lost
   * meanwhile, opens a new connection with a new read-only snapshot and runs `read` again, at
   * most {@link RECONNECT}.attempts times; any other error is thrown as it is. `context` goes
   * into the log line (no patient data). The new snapshot is later than the first one.
   */
  async withReconnect<T>(context: Record<string, number | string>, read: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (attempt > 0) await this.reconnect();
        return await read();
      } catch (error) {
        if (!isConnectionLost(error)) throw error;
        const code = String((error as { code?: unknown }).code ?? 'CONNECTION_CLOSED');
        if (attempt >= RECONNECT.attempts) {
          throw new EndpointError(
            'SERVICE_UNAVAILABLE',
            `The OSCAR database connection was lost and ${RECONNECT.attempts} reconnections did not restore it (${code}); the next run resumes.`,
          );
        }
        this.logger?.warn(
          { ...context, code, attempt: attempt + 1, of: RECONNECT.attempts },
          'the OSCAR database connection was lost; reconnecting with a new snapshot to read the batch again',
        );
        await new Promise((resolve) => setTimeout(resolve, RECONNECT.firstPauseMs * 2 ** attempt));
      }
    }
  }

  /** Replaces a lost connection: a new one, a new read-only snapshot (errors are thrown raw, to be retried). */
  private async reconnect(): Promise<void> {
    this.connection.destroy();
    const connection = await openConnection(this.target);
    try {
      await startSnapshot(async (sql) => {
        this.queryCount++;
        const [rows] = await connection.query<RowDataPacket[]>(sql);
        return rows as SqlRow[];
      });
    } catch (error) {
      connection.destroy();
      throw error;
    }
    this.connection = connection;
    this.reconnects++;
  }

  /** Ends the snapshot and closes the connection. */
  async close(): Promise<void> {
    await this.connection.query('COMMIT').catch(() => undefined);
    await this.connection.end().catch(() => undefined);
  }
}

async function readWritePrivileges(run: (sql: string) => Promise<SqlRow[]>, database: string): Promise<string[]> {
  const grants: GrantLine[] = [];
  const pending: string[] = ['SHOW GRANTS'];
  const seenRoles = new Set<string>();
  while (pending.length > 0) {
    const statement = pending.shift() as string;
    for (const row of await run(statement)) {
      const parsed = parseGrant(String(Object.values(row)[0]));
      if (parsed === undefined) continue;
      if ('role' in parsed) {
        if (!seenRoles.has(parsed.role)) {
          seenRoles.add(parsed.role);
          pending.push(`SHOW GRANTS FOR \`${parsed.role.replace(/`/g, '')}\``);
        }
      } else {
        grants.push(parsed);
      }
    }
  }
  return writePrivilegesIn(grants, database);
}

function indexQuery(database: string): string {
  return mysql.format(
    'SELECT DISTINCT TABLE_NAME AS tableName, COLUMN_NAME AS columnName FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND SEQ_IN_INDEX = 1',
    [database],
  );
}

function schemaQuery(database: string): string {
  return mysql.format(
    'SELECT TABLE_NAME AS tableName, COLUMN_NAME AS columnName, DATA_TYPE AS dataType, CHARACTER_MAXIMUM_LENGTH AS maxLength ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?',
    [database],
  );
}
