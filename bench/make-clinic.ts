/**
 * Benchmark: time to generate synthetic OSCAR clinics of 10,000 and 50,000 patients (or the
 * sizes given as arguments), peak RSS, rows per table. Prints one JSON object per size.
 * Run: `npx tsc -p tsconfig.build.json && node dist/bench/make-clinic.js [sizes…]`.
 */
import mysql from 'mysql2/promise';
import { ensureMariaDb } from '../dev/services/mariadb';
import { makeClinic } from '../dev/clinic/make-clinic';

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((size) => Number.isInteger(size) && size > 0);
  const serverUrl = new URL(process.env.ENDPOINT_OSCAR_URL ?? 'mysql://root@127.0.0.1:3306');
  serverUrl.pathname = '';
  const server = serverUrl.toString().replace(/\/$/, '');
  await ensureMariaDb(server);
  for (const patients of sizes.length > 0 ? sizes : [10000, 50000]) {
    const database = `bench_clinic_${patients}_${process.pid}`;
    const summary = await makeClinic({ oscarUrl: `${server}/${database}`, patients, seed: 1, schema: 'latest' });
    const totalRows = Object.values(summary.rows).reduce((sum, count) => sum + count, 0);
    process.stdout.write(
      JSON.stringify({
        bench: 'make-clinic',
        patients,
        seconds: Math.round(summary.seconds * 10) / 10,
        patientsPerSecond: Math.round(patients / summary.seconds),
        rowsPerSecond: Math.round(totalRows / summary.seconds),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        totalRows,
        rows: summary.rows,
      }) + '\n',
    );
    const connection = await mysql.createConnection({ uri: server });
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await connection.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
