/**
 * Jest global setup: makes sure MariaDB answers (starting it if installed and stopped) and
 * finds or starts one Mongo-wire server for the whole run. Test files get their own
 * databases from test/support. The server's URI reaches the workers through the environment.
 */
import { ensureMariaDb } from '../../dev/services/mariadb';
import { findOrStartMongo, type MongoServer } from '../../dev/services/mongo';

declare global {
  var __E2E_MONGO__: MongoServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const oscarUrl = process.env.ENDPOINT_OSCAR_URL ?? 'mysql://root@127.0.0.1:3306';
  await ensureMariaDb(oscarUrl);
  const mongo = await findOrStartMongo(process.env.ENDPOINT_TEST_MONGODB_URL);
  globalThis.__E2E_MONGO__ = mongo;
  process.env.ENDPOINT_TEST_MONGODB_URL = mongo.uri;
  process.env.ENDPOINT_TEST_MONGO_KIND = mongo.kind;
  process.env.ENDPOINT_TEST_OSCAR_URL = oscarUrl;
  process.stderr.write(`\n[test setup] MariaDB at ${oscarUrl.replace(/:[^:@/]*@/, ':***@')}; Mongo-wire server: ${mongo.kind} (${mongo.uri})\n`);
}
