/**
 * Support of the fault cases (test/reliability/faults-*.test.ts): a synthetic clinic with its
 * active patients counted from MariaDB the way the exporter selects them, the real CLI run as
 * child processes (gateway, exporter, watchdog) whose output is kept for the PHI scan, a
 * FerretDB of the case's own that can be killed and started again on the same data and port,
 * and the store check (every active patient present, none half-written). Every process started
 * here is ended by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from 'mongodb';
import mysql from 'mysql2/promise';
import { XMLValidator } from 'fast-xml-parser';
import { makeClinic, type ClinicSummary } from '../../dev/clinic/make-clinic';
import { ensureFerretDbBinary, freePort, waitForMongo } from '../../dev/services/mongo';
import { createTestOscarDatabase } from '../support/services';
import { findPhi, phiTermsOf, type PhiTerms } from './phi-scan';
import { waitFor as pollUntil } from '../support/wait';

/** The project root and the built CLI. */
export const ROOT = path.join(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

/** Tokens and secret of the fault cases' gateways. */
export const FAULT_SECRETS = { ENDPOINT_INGEST_TOKEN: 'fault-ingest-token', ENDPOINT_ADMIN_TOKEN: 'fault-admin-token', ENDPOINT_HMAC_SECRET: 'fault-clinic-secret' } as const;
/** The clinic id the fault cases' gateways run with. */
export const FAULT_CLINIC_ID = 'fault-clinic';

export { sleep } from '../support/wait';

/** {@link pollUntil} with the fault cases' patience: 20 s, every 25 ms. */
export function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20000, everyMs = 25): Promise<T> {
  return pollUntil(what, probe, timeoutMs, everyMs);
}

/** A synthetic clinic in a MariaDB database of the test file's own. */
export interface FaultClinic {
  url: string;
  summary: ClinicSummary;
  /** Demographic numbers the exporter must send: patient_status 'AC' (no consent filter). */
  activeNos: string[];
  phi: PhiTerms;
  drop(): Promise<void>;
}

/** Makes a clinic and counts its active patients from MariaDB (the exporter's `listPatients` rule). */
export async function createFaultClinic(testFile: string, patients: number, seed: number): Promise<FaultClinic> {
  const database = await createTestOscarDatabase(testFile);
  const summary = await makeClinic({ oscarUrl: database.url, patients, seed, schema: 'latest' });
  const connection = await mysql.createConnection({ uri: database.url });
  try {
    const [rows] = await connection.query("SELECT demographic_no FROM demographic WHERE patient_status = 'AC' ORDER BY demographic_no");
    const activeNos = (rows as { demographic_no: number }[]).map((row) => String(row.demographic_no));
    return { url: database.url, summary, activeNos, phi: await phiTermsOf(database.url), drop: database.drop };
  } finally {
    await connection.end();
  }
}

/** Output of every process a case started, for the PHI scan and for failure messages. */
export class ProcessLog {
  private text = '';

  /** Appends a chunk, prefixed by the process's name on each line. */
  add(name: string, chunk: string): void {
    this.text += chunk.replace(/^(?=.)/gm, `[${name}] `);
  }

  /** Everything captured. */
  all(): string {
    return this.text;
  }

  /** The last `chars` characters (for assertion messages). */
  tail(chars = 3000): string {
    return this.text.slice(-chars);
  }

  /** Patient names or health numbers found in the output (must be none). */
  phiIn(terms: PhiTerms): string[] {
    return findPhi(this.text, terms);
  }
}

/** A child process run by a case. */
export interface CaseProcess {
  child: ChildProcess;
  stdout(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every child process the fault cases started (ended by pid in {@link endProcesses}). */
const started: ChildProcess[] = [];

/** Starts `node dist/cli/main.js …args` with the environment; output goes to `log`. */
export function startCli(name: string, args: string[], env: Record<string, string>, log: ProcessLog): CaseProcess {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    log.add(name, chunk.toString('utf8'));
  });
  child.stderr?.on('data', (chunk: Buffer) => log.add(name, chunk.toString('utf8')));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => stdout, exit };
}

/** Ends the processes the cases started and any pid in `extraPids` (the watchdog's gateways). */
export async function endProcesses(extraPids: number[] = []): Promise<void> {
  for (const child of started.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000).unref())]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The environment of a gateway child process (add ENDPOINT_DROP_DIR etc. through `extra`). */
export function gatewayEnv(options: { port: number; mongoUrl: string; database: string; stateDir: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    ...FAULT_SECRETS,
    ENDPOINT_CLINIC_ID: FAULT_CLINIC_ID,
    ENDPOINT_GATEWAY_HOST: '127.0.0.1',
    ENDPOINT_GATEWAY_PORT: String(options.port),
    ENDPOINT_GATEWAY_URL: `http://127.0.0.1:${options.port}`,
    ENDPOINT_MONGODB_URL: options.mongoUrl,
    ENDPOINT_MONGODB_DATABASE: options.database,
    ENDPOINT_MONGODB_TIMEOUT_MS: '1000',
    ENDPOINT_RETRY_AFTER_SECONDS: '1',
    ENDPOINT_STATE_DIR: options.stateDir,
    ENDPOINT_LOG_LEVEL: 'info',
    ENDPOINT_COMMIT: 'fault-test',
    ...options.extra,
  };
}

/** The environment of an exporter child process: small batches, short retries. */
export function exporterEnv(options: { oscarUrl: string; gatewayPort?: number; stateDir: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    ...FAULT_SECRETS,
    ENDPOINT_CLINIC_ID: FAULT_CLINIC_ID,
    ENDPOINT_OSCAR_URL: options.oscarUrl,
    ENDPOINT_GATEWAY_URL: `http://127.0.0.1:${options.gatewayPort ?? 9}`,
    ENDPOINT_STATE_DIR: options.stateDir,
    ENDPOINT_EXPORT_BATCH_SIZE: '25',
    ENDPOINT_EXPORT_CONCURRENCY: '2',
    ENDPOINT_EXPORT_RETRIES: '10',
    ENDPOINT_EXPORT_RETRY_BASE_MS: '200',
    ENDPOINT_REQUEST_TIMEOUT_MS: '10000',
    ENDPOINT_LOG_LEVEL: 'info',
    ...options.extra,
  };
}

/** The exporter's full-run command line (the test clinic's account is root, so writable). */
export const FULL_RUN = ['export', 'run', '--full', '--allow-writable-account'];

/** Waits until a gateway answers `/readyz` 200. */
export async function waitReady(port: number, timeoutMs = 20000): Promise<void> {
  await waitFor(`the gateway on port ${port} to be ready`, async () => {
    const answer = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
    return answer?.status === 200;
  }, timeoutMs, 50);
}

/** Patients the exporter has journalled as settled in the run in progress (0 without a journal). */
export function journalled(stateDir: string): number {
  try {
    return readFileSync(path.join(stateDir, 'export-run.journal'), 'utf8').split('\n').filter((line) => /^\d+ \w+$/.test(line)).length;
  } catch {
    return 0;
  }
}

/** A temporary folder removed by {@link removeFolders}. */
const folders: string[] = [];
export function tempFolder(prefix: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(folder);
  return folder;
}
export function removeFolders(): void {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/** A FerretDB of the case's own (SQLite backend) that can be killed and started again on the same data folder and port. */
export class OwnFerretDb {
  private child?: ChildProcess;

  private constructor(
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  /** Starts one on a free loopback port. */
  static async start(): Promise<OwnFerretDb> {
    const ferret = new OwnFerretDb(tempFolder('fault-ferretdb-'), await freePort());
    await ferret.startAgain();
    return ferret;
  }

  /** The connection string. */
  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  /** Starts the server (again) on the same data and port; resolves when it answers a ping. */
  async startAgain(): Promise<void> {
    const bin = await ensureFerretDbBinary();
    const dir = this.dataDir;
    const child = spawn(bin, ['--handler=sqlite', `--sqlite-url=file:${dir}/`, `--state-dir=${dir}`, `--listen-addr=127.0.0.1:${this.port}`, '--debug-addr=127.0.0.1:0', '--telemetry=disable', '--log-level=error'], { stdio: 'ignore' });
    started.push(child);
    this.child = child;
    await waitForMongo(this.uri, 20000);
  }

  /** Kills the server (SIGKILL by default: no clean shutdown) and waits for its exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}

/** What the store holds for the clinic after a case. */
export interface StoreCheck {
  present: number;
  /** Active patients not stored (counts only, no patient data). */
  missing: number;
  /** Stored patients that are not active in MariaDB. */
  extra: number;
  /** Stored patients missing a field the gateway writes, or without their source document or receipt (same hash). */
  halfWritten: number;
  /** The first few problems, as `demographicNo: what` (demographic numbers are not PHI). */
  problems: string[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Counts the clinic's patients in `db` and checks each is whole (its fields, its source and its receipt with the same hash). */
export async function checkStore(db: Db, activeNos: readonly string[]): Promise<StoreCheck> {
  const patients = await db.collection('patients').find({ clinicId: FAULT_CLINIC_ID }).toArray();
  const sources = new Map<string, unknown>();
  for (const source of await db.collection('sources').find({ clinicId: FAULT_CLINIC_ID }, { projection: { sourceHash: 1 } }).toArray()) sources.set(String(source._id), source.sourceHash);
  const receipts = new Map<string, unknown>();
  for (const receipt of await db.collection('receipts').find({ clinicId: FAULT_CLINIC_ID }, { projection: { sourceHash: 1 } }).toArray()) receipts.set(String(receipt._id), receipt.sourceHash);
  const problems: string[] = [];
  let halfWritten = 0;
  for (const patient of patients) {
    const lacks: string[] = [];
    if (typeof patient.sourceHash !== 'string' || !HEX64.test(patient.sourceHash)) lacks.push('sourceHash');
    if (String(patient._id) !== `${FAULT_CLINIC_ID}:${String(patient.demographicNo)}`) lacks.push('_id');
    for (const field of ['createdAt', 'updatedAt']) if (!(patient[field] instanceof Date)) lacks.push(field);
    for (const field of ['medications', 'problems', 'observations', 'immunizations', 'allergies', 'encounters', 'activeProblemCodes']) if (!Array.isArray(patient[field])) lacks.push(field);
    if (typeof patient.activeMedicationCount !== 'number') lacks.push('activeMedicationCount');
    if (typeof patient.sectionCounts !== 'object' || patient.sectionCounts === null) lacks.push('sectionCounts');
    if (sources.get(String(patient._id)) !== patient.sourceHash) lacks.push('source');
    if (receipts.get(String(patient._id)) !== patient.sourceHash) lacks.push('receipt');
    if (lacks.length > 0) {
      halfWritten++;
      if (problems.length < 5) problems.push(`${String(patient.demographicNo)}: ${lacks.join(',')}`);
    }
  }
  const stored = new Set(patients.map((patient) => String(patient.demographicNo)));
  const active = new Set(activeNos);
  const missing = activeNos.filter((no) => !stored.has(no));
  const extra = [...stored].filter((no) => !active.has(no));
  if (missing.length > 0) problems.push(`missing ${missing.slice(0, 5).join(' ')}`);
  if (extra.length > 0) problems.push(`extra ${extra.slice(0, 5).join(' ')}`);
  return { present: patients.length, missing: missing.length, extra: extra.length, halfWritten, problems };
}

/** Mount points made by {@link mountTmpfs}, unmounted by {@link unmountAll}. */
const mounts: string[] = [];

/** Mounts a tmpfs of `size` (e.g. `256k`) on a new folder; the reason when that is not possible here (not root, no mount). */
export function mountTmpfs(size: string): { dir: string } | { skipped: string } {
  const dir = path.join(tempFolder('fault-tmpfs-'), 'mnt');
  mkdirSync(dir);
  if (process.getuid?.() !== 0) return { skipped: 'not root: a tmpfs cannot be mounted' };
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (result.status !== 0) return { skipped: `mount -t tmpfs failed: ${(result.stderr || String(result.error)).trim()}` };
  mounts.push(dir);
  return { dir };
}

/** Changes a mounted tmpfs's size (frees space when larger). */
export function resizeTmpfs(dir: string, size: string): void {
  const result = spawnSync('mount', ['-o', `remount,size=${size}`, dir], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`remount of ${dir} failed: ${result.stderr}`);
}

/** Unmounts every tmpfs the cases mounted (lazily, in case a process still has a file open). */
export function unmountAll(): void {
  for (const dir of mounts.splice(0)) spawnSync('umount', ['-l', dir]);
}

/** Fills the file system of `dir` to the last byte with `name` (so nothing else fits); returns the bytes written. */
export function fillDisk(dir: string, name: string): number {
  const fd = openSync(path.join(dir, name), 'w');
  const chunk = Buffer.alloc(4096);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk, 0, chunk.length);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  for (let size = 1024; size >= 1; size /= 2) {
    const small = openSync(path.join(dir, name), 'a');
    try {
      for (;;) bytes += writeSync(small, Buffer.alloc(size));
    } catch {
      // full at this size; try a smaller one
    } finally {
      closeSync(small);
    }
  }
  return bytes;
}

/** The E2E files of a folder: their demographic numbers, and those that are not a whole document. */
export function documentsIn(dir: string): { demographicNos: string[]; broken: string[]; others: string[] } {
  const demographicNos: string[] = [];
  const broken: string[] = [];
  const others: string[] = [];
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (!name.isFile()) continue;
    const match = /^(\d+)\.xml$/.exec(name.name);
    if (!match) {
      others.push(name.name);
      continue;
    }
    const xml = readFileSync(path.join(dir, name.name), 'utf8');
    const whole = XMLValidator.validate(xml) === true && xml.includes('<ClinicalDocument') && xml.trimEnd().endsWith('</ClinicalDocument>');
    if (whole) demographicNos.push(match[1]);
    else broken.push(name.name);
  }
  return { demographicNos, broken, others };
}

/**
 * The end of every fault case: the store holds exactly the clinic's active patients, none
 * half-written, and no process's output holds a name or health number; returns the ledger figures.
 */
export async function expectNothingLost(db: Db, clinic: FaultClinic, log: ProcessLog, detail: string): Promise<{ patientsExpected: number; patientsPresent: number; detail: string }> {
  const store = await checkStore(db, clinic.activeNos);
  expect(store).toEqual({ present: clinic.activeNos.length, missing: 0, extra: 0, halfWritten: 0, problems: [] });
  expect(clinic.activeNos.length).toBe(clinic.summary.activePatients);
  expect(log.phiIn(clinic.phi)).toEqual([]);
  return { patientsExpected: clinic.activeNos.length, patientsPresent: store.present, detail };
}
