/**
 * The reliability suite's case ledger: each hostile-input, fault or security case records its
 * outcome here (one JSON line per case, in `var/reliability/`), and `summary-reporter.js`
 * prints the totals after the run: cases tried and passed, and for the fault cases the
 * patients expected and present.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Where the ledger lines go (cleared by the reporter at the start of a run). */
export const LEDGER_DIR = path.join(__dirname, '..', '..', 'var', 'reliability');

/** One case's outcome. */
export interface CaseOutcome {
  group: 'hostile' | 'fault' | 'security';
  name: string;
  passed: boolean;
  /** Fault cases: the active patients the store should hold, and how many it holds. */
  patientsExpected?: number;
  patientsPresent?: number;
  /** A short reason or figure (no patient data). */
  detail?: string;
}

/** Records one case's outcome for the summary. */
export function recordCase(outcome: CaseOutcome): void {
  mkdirSync(LEDGER_DIR, { recursive: true });
  appendFileSync(path.join(LEDGER_DIR, `cases-${process.pid}.jsonl`), `${JSON.stringify(outcome)}\n`);
}

/**
 * Runs a case body and records it: passed when the body resolves, failed (and rethrown, so
 * Jest fails too) when it throws. The body may return fault figures and a detail.
 */
export async function trackCase(
  group: CaseOutcome['group'],
  name: string,
  body: () => Promise<Partial<Pick<CaseOutcome, 'patientsExpected' | 'patientsPresent' | 'detail'>> | void>,
): Promise<void> {
  try {
    const figures = (await body()) ?? {};
    recordCase({ group, name, passed: true, ...figures });
  } catch (error) {
    recordCase({ group, name, passed: false, detail: error instanceof Error ? error.message.slice(0, 200) : String(error).slice(0, 200) });
    throw error;
  }
}
