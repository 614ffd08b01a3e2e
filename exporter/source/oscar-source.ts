/**
 * OscarSource: the read-only connection to the backup OSCAR database. It refuses accounts that
 * can write, reads everything inside one `READ ONLY` transaction with a consistent snapshot,
 * detects the schema variant from information_schema, and counts every SQL statement it runs.
 *
 * Text: the connection uses `utf8mb4`, so the server converts latin1 columns to UTF-8 and
 * double-encoded text arrives as visible mojibake ("Ã©"), which the mapping repairs
 * (mapping/text.ts). Dates arrive as strings (`dateStrings`), so zero dates stay visible.
 */
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { EndpointError, describeError } from '../../core/errors';
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
}

/** The read-only OSCAR database, inside one consistent snapshot. */
export class OscarSource {
  /** SQL statements run so far (grants, snapshot, extraction): for tests and benchmarks. */
  queryCount = 0;

  private constructor(
    private readonly connection: Connection,
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
    if (database === '') throw new EndpointError('CONFIG_INVALID', 'ENDPOINT_OSCAR_URL must name the OSCAR database (mysql://user@host/database).');
    let connection: Connection;
    try {
      connection = await mysql.createConnection({
        host: url.hostname || '127.0.0.1',
        port: url.port ? Number(url.port) : 3306,
        user: decodeURIComponent(url.username || 'root'),
        password: decodeURIComponent(url.password),
        database,
        charset: 'utf8mb4',
        dateStrings: true,
        supportBigNumbers: true,
        connectTimeout: 10000,
      });
    } catch (error) {
      throw new EndpointError('SERVICE_UNAVAILABLE', `The OSCAR database at ${url.hostname}:${url.port || 3306} could not be reached: ${describeError(error)}.`);
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
      await run('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
      await run('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const [clock] = await run("SELECT DATE_FORMAT(NOW(), '%Y-%m-%d %H:%i:%s') AS now");
      const schema = detectSchema(await run(schemaQuery(database)), await run(indexQuery(database)));
      const source = new OscarSource(connection, database, schema, String(clock.now), writePrivileges);
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
