/**
 * ExportRun: one export from the backup OSCAR database to the gateway (or a folder). Takes the
 * update lock, resumes an interrupted run, lists the patients, reads them batch by batch, builds
 * and writes each document, delivers them with bounded concurrency, journals what was settled,
 * and leaves the state, the status file and a summary. One bad patient never stops the run. A run
 * the gateway cut (every record wiped while it was open) records no success and moves no watermark.
 */
import { describeError } from '../../core/errors';
import { EXPORTER_LOCK_OWNER, updateLockFile, waitForLock } from '../../core/lock';
import type { Logger } from '../../core/logger';
import type { ExportOutcomeCounts, ExportRunSummary } from '../../core/status-files';
import { writeE2E, type PatientRecord } from '../../e2e/index';
import { buildPatientRecord } from '../mapping/patient-record';
import {
  batchesOf,
  listPatients,
  listPatientsLeftActive,
  readReferenceData,
  type PatientBatch,
  type ReferenceData,
} from '../source/extract';
import { OscarSource } from '../source/oscar-source';
import type { DocumentTransport } from '../send/transport';
import { SILENT_PROGRESS, type ProgressReporter } from './progress';
import { startRunAt } from './start-run';
import { ExportState, type ExportMode, type ExportStateFile, type InProgressRun, type PatientOutcome } from './state';
import { writeExportStatus } from './status';

/** Everything one run needs. */
export interface ExportRunOptions {
  oscarUrl: string;
  allowWritableAccount: boolean;
  stateDir: string;
  /** `full`, or `differential` (= `--since last`; a full run when there is no previous success). */
  mode: ExportMode;
  transport: DocumentTransport;
  /** Output folder of the file transport (part of the resume check). */
  outDir?: string;
  batchSize: number;
  concurrency: number;
  includeNoteText: boolean;
  consentProviders: readonly string[];
  logger: Logger;
  progress?: ProgressReporter;
  /** The document writer (default e2e's writeE2E). */
  writeDocument?: (record: PatientRecord, options: { includeNoteText: boolean }) => string;
  /** How long to wait for the update lock (an update switching the gateway); default 0: one try. */
  lockWaitMs?: number;
}

/** What a run came to. */
export interface ExportRunResult {
  summary: ExportRunSummary;
  /** 0 only when every patient was accepted or unchanged (or written). */
  exitCode: number;
  /** SQL statements the run issued. */
  queryCount: number;
  batches: number;
  /** Patients settled in an earlier attempt of this run and not sent again. */
  resumedPatients: number;
  /** Differential runs: patients whose status left AC since the watermark (swept by the next full run). */
  leftActive: number[];
  schemaVariant: string;
  /** Patients that failed (could not be built, or not delivered after the retries), with the reason; at most 100. */
  failures: { demographicNo: number; reason: string }[];
  /** The gateway's answer to the run-complete call (full HTTP runs); `cut` when a wipe cut the run. */
  completion?: { swept?: boolean; removed?: number; reason?: string; cut?: boolean };
  seconds: number;
}

function emptyOutcomes(): ExportOutcomeCounts {
  return { created: 0, updated: 0, unchanged: 0, rejected: 0, failed: 0 };
}

function countOutcome(outcomes: ExportOutcomeCounts, outcome: PatientOutcome): void {
  if (outcome === 'written') outcomes.created++;
  else if (outcome === 'unbuildable') outcomes.failed++;
  else outcomes[outcome]++;
}

/** How many failed patients a result lists (the rest are only counted). */
const FAILURE_LIST_CAP = 100;

/**
 * Runs one export under the update lock, waiting (bounded) while an update holds it. A run that
 * could not get the lock is recorded as failed in the status file, so `check export` warns about
 * the night without an export instead of staying OK on the previous success.
 */
export async function runExport(options: ExportRunOptions): Promise<ExportRunResult> {
  const started = new Date().toISOString();
  let lock;
  try {
    lock = await waitForLock(updateLockFile(options.stateDir), EXPORTER_LOCK_OWNER, {
      waitMs: options.lockWaitMs ?? 0,
      pollMs: 1000,
      onWait: (holder) =>
        options.logger.info({ holder }, 'waiting for the update lock (an update is switching the gateway)'),
    });
  } catch (error) {
    const mode: ExportMode = options.mode;
    writeExportStatus(options.stateDir, {
      runId: 'not-started',
      mode,
      transport: options.transport.kind,
      status: 'failed',
      startedAt: started,
      finishedAt: new Date().toISOString(),
      patientsTotal: 0,
      outcomes: emptyOutcomes(),
      warnings: {},
      error: `no export: ${describeError(error)}`,
    });
    throw error;
  }
  try {
    return await runLocked(options);
  } finally {
    lock.release();
  }
}

function chooseRun(
  state: ExportStateFile,
  options: ExportRunOptions,
  logger: Logger,
): { mode: ExportMode; resume?: InProgressRun } {
  const previous = state.inProgress;
  const wanted: ExportMode =
    options.mode === 'differential' && (state.lastSuccess === undefined || state.storeWiped === true)
      ? 'full'
      : options.mode;
  if (wanted !== options.mode) {
    logger.warn(
      state.storeWiped
        ? "the gateway's store was wiped during an earlier run; running a full export"
        : 'no earlier successful run to continue from; running a full export',
    );
  }
  if (previous !== undefined) {
    if (
      previous.mode === wanted &&
      previous.transport === options.transport.kind &&
      previous.outDir === options.outDir
    ) {
      return { mode: wanted, resume: previous };
    }
    logger.warn(
      { runId: previous.runId, mode: previous.mode, transport: previous.transport },
      'abandoning an interrupted run of another kind',
    );
  }
  return { mode: wanted };
}

async function runLocked(options: ExportRunOptions): Promise<ExportRunResult> {
  const started = Date.now();
  const { logger, transport } = options;
  const progress = options.progress ?? SILENT_PROGRESS;
  const write = options.writeDocument ?? ((record, writeOptions) => writeE2E(record, writeOptions));
  const stateStore = new ExportState(options.stateDir);
  const state = stateStore.read();
  const chosen = chooseRun(state, options, logger);
  const { resume } = chosen;
  let mode = chosen.mode;
  let summary: ExportRunSummary | undefined;
  let source: OscarSource | undefined;
  try {
    source = await OscarSource.open({
      oscarUrl: options.oscarUrl,
      allowWritableAccount: options.allowWritableAccount,
      logger,
    });
    if (source.writePrivileges.length > 0)
      logger.warn(
        { privileges: source.writePrivileges.length },
        'the OSCAR account can write; allowed by --allow-writable-account',
      );
    logger.info({ schema: source.schema.variant, votes: source.schema.votes }, 'OSCAR schema detected');
    if (source.schema.unindexedPatientTables.length > 0) {
      logger.warn(
        { tables: source.schema.unindexedPatientTables, batchSize: options.batchSize },
        'OSCAR tables without an index on the demographic number are scanned once per batch; a larger ENDPOINT_EXPORT_BATCH_SIZE means fewer scans',
      );
    }
    let run: InProgressRun;
    if (resume) {
      run = { ...resume, attempts: resume.attempts + 1 };
    } else {
      const begun = await startRunAt(transport, mode, state.lastSuccess, logger);
      mode = begun.mode;
      const since = mode === 'differential' ? state.lastSuccess?.watermark : undefined;
      run = {
        runId: begun.runId,
        mode,
        transport: transport.kind,
        outDir: options.outDir,
        startedAt: new Date().toISOString(),
        watermark: source.snapshotTime,
        since,
        attempts: 1,
        storeGeneration: begun.storeGeneration,
      };
    }
    const since = run.since;
    stateStore.update((next) => {
      next.inProgress = run;
      next.lastRunStartedAt = new Date(started).toISOString();
    });
    stateStore.openJournal(run.runId);
    const settled = stateStore.readJournal(run.runId);
    logger.info(
      { runId: run.runId, mode, attempt: run.attempts, resumedPatients: settled.size },
      resume ? 'export run resumed' : 'export run started',
    );

    const selection = { consentProviders: options.consentProviders, since };
    const patients = await listPatients(source, selection);
    const leftActive = since === undefined ? [] : await listPatientsLeftActive(source, { ...selection, since });
    const reference = await readReferenceData(source);
    const toSend = patients.filter((demographicNo) => !settled.has(demographicNo));
    const outcomes = emptyOutcomes();
    for (const demographicNo of patients) {
      const outcome = settled.get(demographicNo);
      if (outcome !== undefined) countOutcome(outcomes, outcome);
    }
    summary = {
      runId: run.runId,
      mode,
      transport: transport.kind,
      status: 'running',
      startedAt: run.startedAt,
      patientsTotal: patients.length,
      outcomes,
      warnings: {},
    };
    writeExportStatus(options.stateDir, summary);

    progress.start(patients.length, patients.length - toSend.length);
    let done = patients.length - toSend.length;
    let transportFailures = 0;
    let runClosed = false;
    /** Set when the gateway cut the run (RUN_CUT: every record was wiped while it was open): why. */
    let cut: string | undefined;
    /** Set when the transport gave up on the gateway (nothing accepted for the outage limit): the run stops. */
    let outage: string | undefined;
    let batches = 0;
    const failures: ExportRunResult['failures'] = [];
    const batchCount = Math.ceil(toSend.length / options.batchSize);
    for await (const batch of batchesOf(source, toSend, options.batchSize, options.includeNoteText)) {
      // Stopped: the remaining batches are read but not sent. (Breaking out would close the source
      // under the batch reader's prefetch, which then reconnects and keeps the process alive.)
      if (outage !== undefined || runClosed) continue;
      batches++;
      await deliverBatch(batch, {
        stopped: () => outage !== undefined || runClosed,
        onOutage: (reason) => {
          outage ??= reason;
        },
        run,
        reference,
        options,
        write,
        summary,
        snapshotTime: source.snapshotTime,
        onSettled: (demographicNo, outcome) => {
          stateStore.journal(demographicNo, outcome);
          countOutcome(outcomes, outcome);
        },
        onRunClosed: (cutReason) => {
          runClosed = true;
          if (cutReason !== undefined) cut ??= cutReason;
        },
        onFailed: (demographicNo, reason, settledForGood) => {
          if (failures.length < FAILURE_LIST_CAP) failures.push({ demographicNo, reason });
          if (settledForGood) {
            stateStore.journal(demographicNo, 'unbuildable');
          } else {
            transportFailures++;
          }
          outcomes.failed++;
        },
        onDone: () => progress.update(++done),
      });
      progress.batchDone(batch.index, batchCount, done);
    }
    progress.finish();

    let completion: ExportRunResult['completion'];
    if (transportFailures === 0 && outage === undefined && !runClosed && mode === 'full' && transport.kind === 'http') {
      // patientsSent = every patient of the run: the gateway sweeps only if it received them all.
      const answer = await transport.completeRun(run.runId, patients.length);
      completion =
        answer === undefined
          ? undefined
          : {
              swept: answer.swept,
              removed: answer.removed,
              reason: answer.reason,
              ...(answer.cut ? { cut: true } : {}),
            };
      if (answer?.removed !== undefined) summary.removedByGateway = answer.removed;
      if (answer?.cut) {
        cut = answer.reason ?? 'RUN_CUT';
        runClosed = true;
      }
    }
    // A cut run settled nothing for good: what it sent went with the wipe.
    const allSettled = transportFailures === 0 && outage === undefined && cut === undefined;
    summary.status = allSettled ? 'complete' : 'failed';
    summary.finishedAt = new Date().toISOString();
    if (!allSettled)
      summary.error = `${transportFailures} patients could not be delivered; the next run resumes with them`;
    if (runClosed)
      summary.error = `the gateway no longer accepts run ${run.runId} (unknown or already complete); the next run starts a new one`;
    if (cut !== undefined) {
      summary.error = `${cut.startsWith('RUN_CUT') ? '' : 'RUN_CUT: '}${cut} Nothing is recorded as exported; the next run is a full one.`;
      logger.error({ runId: run.runId }, summary.error);
    }
    if (outage !== undefined) {
      const settledCount = outcomes.created + outcomes.updated + outcomes.unchanged + outcomes.rejected;
      summary.error = `stopped: ${outage}; ${settledCount} of ${patients.length} patients settled, the next run resumes with the rest`;
      logger.error({ runId: run.runId, settled: settledCount, total: patients.length }, summary.error);
    }
    finishState(stateStore, run, mode, allSettled, leftActive, summary.finishedAt, cut !== undefined);
    if (runClosed) {
      stateStore.update((next) => {
        next.inProgress = undefined;
      });
      stateStore.closeJournal();
    }
    writeExportStatus(options.stateDir, summary, { storeWiped: cut !== undefined });
    const accepted = outcomes.created + outcomes.updated + outcomes.unchanged;
    const result: ExportRunResult = {
      summary,
      exitCode: accepted === patients.length && cut === undefined ? 0 : 1,
      queryCount: source.queryCount,
      batches,
      resumedPatients: settled.size,
      leftActive,
      schemaVariant: source.schema.variant,
      completion,
      failures,
      seconds: (Date.now() - started) / 1000,
    };
    logger.info(
      {
        runId: run.runId,
        status: summary.status,
        outcomes,
        warnings: summary.warnings,
        queries: source.queryCount,
        reconnects: source.reconnects,
        leftActive: leftActive.length,
      },
      'export run finished',
    );
    return result;
  } catch (error) {
    // The status file says why, so the Nagios check sees a run that could not even start.
    summary ??= {
      runId: resume?.runId ?? 'not-started',
      mode,
      transport: transport.kind,
      status: 'failed',
      startedAt: new Date(started).toISOString(),
      patientsTotal: 0,
      outcomes: emptyOutcomes(),
      warnings: {},
    };
    summary.status = 'failed';
    summary.finishedAt = new Date().toISOString();
    summary.error = error instanceof Error ? error.message : String(error);
    writeExportStatus(options.stateDir, summary);
    throw error;
  } finally {
    await source?.close();
  }
}

function finishState(
  stateStore: ExportState,
  run: InProgressRun,
  mode: ExportMode,
  allSettled: boolean,
  leftActive: number[],
  finishedAt: string,
  storeWiped: boolean,
): void {
  stateStore.update((next) => {
    next.leftActivePending =
      mode === 'full' && allSettled
        ? []
        : [...new Set([...next.leftActivePending, ...leftActive])].sort((a, b) => a - b);
    if (storeWiped) next.storeWiped = true;
    if (!allSettled) return;
    if (mode === 'full') delete next.storeWiped;
    const generation = run.storeGeneration === undefined ? {} : { storeGeneration: run.storeGeneration };
    next.lastSuccess = { runId: run.runId, mode, watermark: run.watermark, finishedAt, ...generation };
    if (mode === 'full')
      next.lastFullSuccess = { runId: run.runId, watermark: run.watermark, finishedAt, ...generation };
    next.inProgress = undefined;
  });
  if (allSettled) stateStore.closeJournal();
}

interface BatchContext {
  /** True once the run stops (the gateway is down): no more patients are sent. */
  stopped(): boolean;
  /** The transport gave up: nothing was accepted for the outage limit. */
  onOutage(reason: string): void;
  run: InProgressRun;
  reference: ReferenceData;
  options: ExportRunOptions;
  write: NonNullable<ExportRunOptions['writeDocument']>;
  summary: ExportRunSummary;
  snapshotTime: string;
  onSettled(demographicNo: number, outcome: PatientOutcome): void;
  /** The receiver said the run id is unknown or complete, or (with why) that a wipe cut it. */
  onRunClosed(cutReason?: string): void;
  /** `settledForGood`: the patient cannot be built, so a resumed run does not try again. */
  onFailed(demographicNo: number, reason: string, settledForGood: boolean): void;
  onDone(): void;
}

/** Builds, writes and delivers one batch, `concurrency` documents at a time. */
async function deliverBatch(batch: PatientBatch, context: BatchContext): Promise<void> {
  const { options, summary } = context;
  const queue = [...batch.demographicNos];
  const worker = async (): Promise<void> => {
    for (
      let demographicNo = queue.shift();
      demographicNo !== undefined && !context.stopped();
      demographicNo = queue.shift()
    ) {
      await deliverPatient(batch, demographicNo, context, summary);
      context.onDone();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, queue.length) }, worker));
}

async function deliverPatient(
  batch: PatientBatch,
  demographicNo: number,
  context: BatchContext,
  summary: ExportRunSummary,
): Promise<void> {
  const { logger, transport, includeNoteText } = context.options;
  const built = buildPatientRecord(batch, demographicNo, context.reference, {
    includeNoteText,
    snapshotTime: context.snapshotTime,
  });
  for (const warning of built.warnings) summary.warnings[warning.code] = (summary.warnings[warning.code] ?? 0) + 1;
  if (built.warnings.length > 0)
    logger.debug(
      { demographicNo, warnings: built.warnings.map((warning) => warning.code) },
      'patient built with warnings',
    );
  let xml: string;
  try {
    if (!built.ok) throw new Error(built.reason);
    xml = context.write(built.record, { includeNoteText });
  } catch (error) {
    const reason = built.ok ? `WRITE_FAILED: ${error instanceof Error ? error.name : 'error'}` : built.reason;
    logger.error({ demographicNo, reason }, 'patient could not be built');
    context.onFailed(demographicNo, reason, true);
    return;
  }
  const result = await transport.deliver(demographicNo, xml, context.run.runId);
  if (result.kind === 'failed') {
    if (result.runClosed) context.onRunClosed(result.runCut ? result.reason : undefined);
    if (result.outage) context.onOutage(result.reason);
    logger.error({ demographicNo, reason: result.reason }, 'patient could not be delivered');
    context.onFailed(demographicNo, result.reason, false);
    return;
  }
  if (result.outcome === 'rejected')
    logger.warn({ demographicNo, error: result.error, reason: result.message }, 'patient rejected by the gateway');
  context.onSettled(demographicNo, result.outcome);
}
