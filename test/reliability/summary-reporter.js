/**
 * Jest reporter: prints the reliability suite's summary after the run from the ledger lines
 * written by test/reliability/record.ts (cases tried, passed; fault cases' patients
 * expected / present). Plain JS because Jest loads reporters without the TS transform.
 */
const fs = require('node:fs');
const path = require('node:path');

const LEDGER_DIR = path.join(__dirname, '..', '..', 'var', 'reliability');

class ReliabilitySummaryReporter {
  onRunStart() {
    fs.rmSync(LEDGER_DIR, { recursive: true, force: true });
  }

  onRunComplete() {
    if (!fs.existsSync(LEDGER_DIR)) return;
    const cases = [];
    for (const file of fs.readdirSync(LEDGER_DIR)) {
      if (!file.endsWith('.jsonl')) continue;
      for (const line of fs.readFileSync(path.join(LEDGER_DIR, file), 'utf8').split('\n')) if (line.trim()) cases.push(JSON.parse(line));
    }
    if (cases.length === 0) return;
    const lines = ['', 'Reliability suite summary'];
    for (const group of ['hostile', 'fault', 'security']) {
      const mine = cases.filter((entry) => entry.group === group);
      if (mine.length === 0) continue;
      const passed = mine.filter((entry) => entry.passed).length;
      lines.push(`  ${group}: ${mine.length} tried, ${passed} passed, ${mine.length - passed} failed`);
      for (const entry of mine) {
        const figures = entry.patientsExpected !== undefined ? ` patients expected/present ${entry.patientsExpected}/${entry.patientsPresent ?? '?'}` : '';
        if (group === 'fault' || !entry.passed) lines.push(`    ${entry.passed ? 'ok  ' : 'FAIL'} ${entry.name}${figures}${entry.detail ? ` (${entry.detail})` : ''}`);
      }
    }
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}

module.exports = ReliabilitySummaryReporter;
