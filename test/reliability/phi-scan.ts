/**
 * The PHI scan of the reliability suite: the synthetic clinic's patient names and health
 * numbers (read from its MariaDB database) searched for in captured log output. A suite file
 * collects its logs and ends with a test that expects {@link findPhi} to return nothing.
 */
import mysql from 'mysql2/promise';

/** Terms that must never appear in logs: last names, first names and health numbers. */
export interface PhiTerms {
  names: string[];
  healthNumbers: string[];
}

/** Reads the terms from a clinic database (names of 4+ letters, so short common words do not match by chance). */
export async function phiTermsOf(oscarDatabaseUrl: string): Promise<PhiTerms> {
  const connection = await mysql.createConnection({ uri: oscarDatabaseUrl });
  try {
    const [rows] = await connection.query('SELECT first_name, last_name, hin FROM demographic');
    const names = new Set<string>();
    const healthNumbers = new Set<string>();
    for (const row of rows as { first_name: string | null; last_name: string | null; hin: string | null }[]) {
      for (const name of [row.first_name, row.last_name]) {
        const trimmed = name?.trim();
        if (trimmed && trimmed.length >= 4) names.add(trimmed);
      }
      const hin = row.hin?.replace(/\s/g, '');
      if (hin && hin.length >= 6) healthNumbers.add(hin);
    }
    return { names: [...names], healthNumbers: [...healthNumbers] };
  } finally {
    await connection.end();
  }
}

/** The terms found in `text` (names as whole words, case-sensitive; health numbers as digit runs). */
export function findPhi(text: string, terms: PhiTerms): string[] {
  const found: string[] = [];
  const words = new Set(text.split(/[^\p{L}\p{M}'-]+/u));
  for (const name of terms.names) if (/\s/.test(name) ? text.includes(name) : words.has(name)) found.push(`name:${name}`);
  const digitRuns = new Set(text.match(/\d{6,}/g) ?? []);
  for (const hin of terms.healthNumbers) if (digitRuns.has(hin)) found.push(`health number:${hin.slice(0, 2)}…`);
  return found;
}
