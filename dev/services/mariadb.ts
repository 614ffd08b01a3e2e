/**
 * Finds or starts the MariaDB/MySQL server that stands in for the clinic's backup OSCAR
 * database in tests, the demo and benchmarks. On loopback only: when nothing answers and
 * MariaDB is installed, it is started; when it is not installed, the error names the package.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { EndpointError, describeError } from '../../core/errors';

const MARIADB_DAEMONS = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];

/** Connection settings parsed from a `mysql://user:password@host:port/database` URL. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
}

/** Parses a mysql URL (the `ENDPOINT_OSCAR_URL` form). */
export function parseMysqlUrl(url: string): MysqlTarget {
  const parsed = new URL(url);
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new EndpointError('CONFIG_INVALID', `ENDPOINT_OSCAR_URL must start with mysql://, not ${parsed.protocol}//.`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: decodeURIComponent(parsed.username || 'root'),
    password: decodeURIComponent(parsed.password),
    database: database === '' ? undefined : database,
  };
}

async function canConnect(target: MysqlTarget): Promise<unknown> {
  try {
    const connection = await mysql.createConnection({ ...target, database: undefined, connectTimeout: 2000 });
    await connection.end();
    return undefined;
  } catch (error) {
    return error;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Makes sure a MariaDB/MySQL server answers at `url` (starting a local MariaDB if needed),
 * or throws one clear sentence saying what to do.
 */
export async function ensureMariaDb(url: string, waitMs = 30000): Promise<MysqlTarget> {
  const target = parseMysqlUrl(url);
  const firstError = await canConnect(target);
  if (firstError === undefined) return target;
  const code = (firstError as { code?: string }).code;
  if (code !== 'ECONNREFUSED' || !isLoopback(target.host)) {
    throw new EndpointError('SERVICE_UNAVAILABLE', `MariaDB at ${target.host}:${target.port} refused us: ${describeError(firstError)}.`);
  }
  const daemon = MARIADB_DAEMONS.find((candidate) => existsSync(candidate));
  if (daemon === undefined) {
    throw new EndpointError(
      'DEPENDENCY_MISSING',
      'Nothing listens on the OSCAR database address and MariaDB is not installed: install the Debian package mariadb-server (apt-get install mariadb-server), or set ENDPOINT_OSCAR_URL.',
    );
  }
  await promisify(execFile)('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', daemon]).catch(
    (error: unknown) => {
      throw new EndpointError('SERVICE_UNAVAILABLE', `MariaDB is installed but could not be started (${describeError(error)}).`);
    },
  );
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if ((await canConnect(target)) === undefined) return target;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new EndpointError('SERVICE_UNAVAILABLE', `MariaDB was started but did not answer at ${target.host}:${target.port} within ${waitMs / 1000} s.`);
}
