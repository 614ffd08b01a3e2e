/**
 * What a full export of a clinic holds, section by section, beside the same figures counted by OSCAR's rules with SQL
 * (issue 14's closing figures): entries per section, active drugs, statin users (an active drug with ATC C10AA, C10BA
 * or C10BX), flu coverage (patients 65 and over with a flu vaccine given in the last 12 months), lab results,
 * encounters. The exporter's records are counted as they are built (no documents written), so the same script
 * compiled against an older exporter counts what that one built. Prints one JSON line.
 * Drug status is the exporter's, at the database's clock; `--reference-date` (default: today) sets the flu window and
 * the age of 65 (a synthetic clinic's dates end on its reference day, 2025-06-30 unless made otherwise).
 * `--timing` instead measures a plain full run (documents written by the exporter's writer, kept nowhere): patients/s
 * and the process's peak RSS (VmHWM), as bench/export-run.ts does, on any database; run each in a fresh process.
 * Run: `node dist/bench/export-sections.js --oscar-url mysql://root@127.0.0.1:3306/bench_export_10000 [--label new]
 * [--oscar-rules] [--reference-date 2025-06-30] [--timing]`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { countByRule, type OscarRuleName } from '../dev/clinic/oscar-rules';
import { loadConfig } from '../core/config/load';
import { createLogger } from '../core/logger';
import { runExport } from '../exporter/run/export-run';
import type { DocumentTransport } from '../exporter/send/transport';

/** The statin ATC groups PDC/HDC count. */
const STATIN = /^C10(AA|BA|BX)/;

/** Figures of one clinic. */
interface Figures {
  patients: number;
  sections: Record<string, number>;
  activeMedications: number;
  statinUsers: number;
  fluEligible: number;
  fluCovered: number;
  labResults: number;
  encounters: number;
}

/** A transport that keeps nothing (counts the bytes). */
class NoTransport implements DocumentTransport {
  readonly kind = 'files' as const;
  bytes = 0;
  async startRun(): Promise<string> {
    return `sections-${Date.now()}`;
  }
  async deliver(_demographicNo: number, xml: string) {
    this.bytes += xml.length;
    return { kind: 'settled' as const, outcome: 'written' as const };
  }
  async completeRun(): Promise<undefined> {
    return undefined;
  }
  async close(): Promise<void> {}
}

interface Entry {
  status?: string;
  atc?: { code?: string };
  code?: { code?: string };
  date?: string;
  refused?: boolean;
}

function yearsBetween(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** The exporter's figures: a full run whose records are counted instead of written. */
async function exporterFigures(oscarUrl: string, today: string, yearAgo: string): Promise<Figures> {
  const figures: Figures = {
    patients: 0,
    sections: {},
    activeMedications: 0,
    statinUsers: 0,
    fluEligible: 0,
    fluCovered: 0,
    labResults: 0,
    encounters: 0,
  };
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bench-sections-'));
  try {
    await runExport({
      oscarUrl,
      allowWritableAccount: true,
      stateDir,
      mode: 'full',
      transport: new NoTransport(),
      batchSize: 500,
      concurrency: 4,
      includeNoteText: false,
      consentProviders: [],
      logger: createLogger({ level: 'silent' }),
      writeDocument: (record) => {
        figures.patients++;
        const sections = record as unknown as Record<string, unknown>;
        for (const [name, value] of Object.entries(sections))
          if (Array.isArray(value) && name !== 'telecoms')
            figures.sections[name] = (figures.sections[name] ?? 0) + value.length;
        const medications = (sections.medications ?? []) as Entry[];
        const active = medications.filter((medication) => medication.status === 'active');
        figures.activeMedications += active.length;
        if (active.some((medication) => STATIN.test(medication.atc?.code ?? ''))) figures.statinUsers++;
        const birthDate = record.patient.birthDate;
        if (birthDate !== undefined && yearsBetween(birthDate, today) >= 65) {
          figures.fluEligible++;
          const flu = ((sections.immunizations ?? []) as Entry[]).some(
            (entry) =>
              /^J07BB/.test(entry.code?.code ?? '') &&
              !entry.refused &&
              (entry.date ?? '').slice(0, 10) >= yearAgo &&
              (entry.date ?? '').slice(0, 10) <= today,
          );
          if (flu) figures.fluCovered++;
        }
        figures.labResults += ((sections.labResults ?? []) as Entry[]).length;
        figures.encounters += ((sections.encounters ?? []) as Entry[]).length;
        return '';
      },
    });
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  return figures;
}

/** The same figures counted with SQL by OSCAR's rules (dev/clinic/oscar-rules.ts: the pipeline tests' oracle). */
async function oscarRuleFigures(oscarUrl: string, today: string): Promise<Omit<Figures, 'sections' | 'patients'>> {
  const count = (rule: OscarRuleName) => countByRule(oscarUrl, rule, today);
  return {
    activeMedications: await count('activeMedications'),
    statinUsers: await count('statinUsers'),
    fluEligible: await count('fluEligible65'),
    fluCovered: await count('fluCovered65'),
    labResults: (await count('routedLabResults')) + (await count('flowsheetLabValues')),
    encounters: await count('encounters'),
  };
}

/** The process's peak resident set (MB), from /proc/self/status VmHWM. */
function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? NaN : Math.round(Number(match[1]) / 1024);
}

/** A plain full run: patients/s, queries, MB written, peak RSS. */
async function timing(oscarUrl: string, label: string): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bench-sections-timing-'));
  const transport = new NoTransport();
  try {
    const result = await runExport({
      oscarUrl,
      allowWritableAccount: true,
      stateDir,
      mode: 'full',
      transport,
      batchSize: loadConfig().exportBatchSize,
      concurrency: 4,
      includeNoteText: false,
      consentProviders: [],
      logger: createLogger({ level: 'silent' }),
    });
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
    process.stdout.write(
      JSON.stringify({
        bench: 'export-timing',
        label,
        patients: result.summary.patientsTotal,
        seconds: Math.round(result.seconds * 10) / 10,
        patientsPerSecond: Math.round(result.summary.patientsTotal / result.seconds),
        queries: result.queryCount,
        batches: result.batches,
        megabytesWritten: Math.round(transport.bytes / 1e6),
        failed: result.summary.outcomes.failed,
        peakRssMb: peakRssMb(),
        loadAverage: load,
      }) + '\n',
    );
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'oscar-url': { type: 'string' },
      label: { type: 'string' },
      'oscar-rules': { type: 'boolean' },
      'reference-date': { type: 'string' },
      timing: { type: 'boolean' },
    },
  });
  const oscarUrl = values['oscar-url'] ?? 'mysql://root@127.0.0.1:3306/bench_export_10000';
  if (values.timing) return timing(oscarUrl, values.label ?? 'exporter');
  const connection = await mysql.createConnection({ uri: oscarUrl, dateStrings: true });
  try {
    const [[dates]] = await connection.query<mysql.RowDataPacket[]>(
      "SELECT DATE_FORMAT(d, '%Y-%m-%d') AS today, DATE_FORMAT(d - INTERVAL 12 MONTH, '%Y-%m-%d') AS yearAgo FROM (SELECT COALESCE(?, CURDATE()) AS d) x",
      [values['reference-date'] ?? null],
    );
    const today = String(dates.today);
    const yearAgo = String(dates.yearAgo);
    const started = Date.now();
    const exported = await exporterFigures(oscarUrl, today, yearAgo);
    const seconds = (Date.now() - started) / 1000;
    const oscarRules = values['oscar-rules'] ? await oscarRuleFigures(oscarUrl, today) : undefined;
    process.stdout.write(
      JSON.stringify({
        bench: 'export-sections',
        label: values.label ?? 'exporter',
        oscarUrl: oscarUrl.replace(/\/\/[^@]*@/, '//'),
        today,
        seconds,
        exported,
        oscarRules,
      }) + '\n',
    );
  } finally {
    await connection.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`export-sections bench: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
