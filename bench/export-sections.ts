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
              (entry.date ?? '').slice(0, 10) > yearAgo &&
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

const ACTIVE = "JOIN demographic p ON p.demographic_no = %s AND p.patient_status = 'AC'";
const active = (column: string) => ACTIVE.replace('%s', column);

/** The same figures counted with SQL by OSCAR's rules (E2EPatientExport, e2etemplate.vm). */
async function oscarRuleFigures(
  connection: mysql.Connection,
  today: string,
  yearAgo: string,
): Promise<Omit<Figures, 'sections' | 'patients'>> {
  const one = async (sql: string, values: unknown[] = []) =>
    Number(Object.values((await connection.query<mysql.RowDataPacket[]>(sql, values))[0][0])[0]);
  const hasInfo = await one(
    "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'hl7TextInfo'",
  );
  // One medication per drug (DIN, else ATC, else name), its status the newest prescription's.
  const newestDrugs = `SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.demographic_no, COALESCE(NULLIF(TRIM(d.regional_identifier), ''), NULLIF(TRIM(d.ATC), ''), UPPER(COALESCE(NULLIF(d.GN, ''), NULLIF(d.BN, ''), d.customName, d.drugid))) ORDER BY d.rx_date DESC, d.drugid DESC) AS newest FROM drugs d ${active('d.demographic_no')}`;
  const activeDrug = `newest = 1 AND archived = 0 AND (long_term = 1 OR (end_date >= CURDATE() AND end_date NOT IN ('0000-00-00', '0001-01-01')))`;
  // Drug status at the database's clock, as the exporter's snapshot date.
  const activeMedications = await one(`SELECT COUNT(*) FROM (${newestDrugs}) x WHERE ${activeDrug}`);
  const statinUsers = await one(
    `SELECT COUNT(DISTINCT demographic_no) FROM (${newestDrugs}) x WHERE ${activeDrug} AND (ATC LIKE 'C10AA%' OR ATC LIKE 'C10BA%' OR ATC LIKE 'C10BX%')`,
  );
  const age = `TIMESTAMPDIFF(YEAR, STR_TO_DATE(CONCAT(p.year_of_birth, '-', p.month_of_birth, '-', p.date_of_birth), '%Y-%m-%d'), ?)`;
  const fluEligible = await one(`SELECT COUNT(*) FROM demographic p WHERE p.patient_status = 'AC' AND ${age} >= 65`, [
    today,
  ]);
  const fluCovered = await one(
    `SELECT COUNT(DISTINCT p.demographic_no) FROM demographic p JOIN preventions v ON v.demographic_no = p.demographic_no
     WHERE p.patient_status = 'AC' AND ${age} >= 65 AND v.prevention_type IN ('Flu', 'H1N1') AND v.deleted = '0' AND v.refused = '0' AND v.prevention_date > ? AND v.prevention_date <= ? + INTERVAL 1 DAY`,
    [today, yearAgo, today],
  );
  // Results whose lab_no is a report routed to the patient (with its hl7TextInfo row, when the table exists).
  const labResults = await one(
    `SELECT COUNT(*) FROM measurements m ${active('m.demographicNo')} JOIN measurementsExt e ON e.measurement_id = m.id AND e.keyval = 'lab_no'
     WHERE EXISTS (SELECT 1 FROM patientLabRouting r ${hasInfo ? 'JOIN hl7TextInfo h ON h.lab_no = r.lab_no' : ''} WHERE r.demographic_no = m.demographicNo AND r.lab_type = 'HL7' AND r.lab_no = e.val)`,
  );
  // Latest revision per uuid, not locked, protected or archived, on no CPP issue.
  const encounters = await one(
    `SELECT COUNT(*) FROM (SELECT n.*, ROW_NUMBER() OVER (PARTITION BY n.demographic_no, COALESCE(n.uuid, n.note_id) ORDER BY n.update_date DESC, n.note_id DESC) AS latest FROM casemgmt_note n ${active('n.demographic_no')}) x
     WHERE latest = 1 AND COALESCE(locked, '0') <> '1' AND (password IS NULL OR password = '') AND archived = 0
       AND NOT EXISTS (SELECT 1 FROM casemgmt_issue_notes l JOIN casemgmt_issue ci ON ci.id = l.id JOIN issue i ON i.issue_id = ci.issue_id
                       WHERE l.note_id = x.note_id AND i.code IN ('OMeds', 'SocHistory', 'MedHistory', 'Concerns', 'Reminders', 'FamHistory', 'RiskFactors'))`,
  );
  return { activeMedications, statinUsers, fluEligible, fluCovered, labResults, encounters };
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
    const oscarRules = values['oscar-rules'] ? await oscarRuleFigures(connection, today, yearAgo) : undefined;
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
