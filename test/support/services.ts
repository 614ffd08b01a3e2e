/**
 * Per-test-file access to the run's services: a MongoDB database and a MariaDB database of
 * the test file's own, named after it and dropped at the end. No test depends on another's data.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import mysql from 'mysql2/promise';

/** The Mongo-wire server's URI for this run (set by the global setup). */
export function testMongoUri(): string {
  const uri = process.env.ENDPOINT_TEST_MONGODB_URL;
  if (!uri) throw new Error('ENDPOINT_TEST_MONGODB_URL is not set: run the tests through jest (global setup).');
  return uri;
}

/** The MariaDB server URL for this run, without a database. */
export function testOscarServerUrl(): string {
  return process.env.ENDPOINT_TEST_OSCAR_URL ?? 'mysql://root@127.0.0.1:3306';
}

/** A database name unique to this test file and run: `t_<file>_<random>`, at most 48 characters. */
export function uniqueDatabaseName(testFile: string): string {
  const base = path.basename(testFile).replace(/\.test\.ts$/, '').replace(/[^A-Za-z0-9]/g, '_').slice(0, 30);
  return `t_${base}_${randomBytes(4).toString('hex')}`;
}

/** A MongoDB database of the test file's own; call `drop()` in afterAll. */
export async function openTestMongo(testFile: string): Promise<{ client: MongoClient; db: Db; name: string; uri: string; drop(): Promise<void> }> {
  const uri = testMongoUri();
  const client = await MongoClient.connect(uri);
  const name = uniqueDatabaseName(testFile);
  const db = client.db(name);
  return {
    client,
    db,
    name,
    uri,
    drop: async () => {
      await db.dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/** Creates an empty MariaDB database of the test file's own; returns its URL and a drop function. */
export async function createTestOscarDatabase(testFile: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const server = new URL(testOscarServerUrl());
  server.pathname = '';
  const serverUrl = server.toString().replace(/\/$/, '');
  const name = uniqueDatabaseName(testFile);
  const connection = await mysql.createConnection({ uri: serverUrl });
  await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
  await connection.end();
  const url = `${serverUrl}/${name}`;
  return {
    name,
    url,
    drop: async () => {
      const c = await mysql.createConnection({ uri: serverUrl });
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}
