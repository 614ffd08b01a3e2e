/**
 * Ingest of one E2E document, shared by the HTTP route and the drop folder (each holds the read
 * budget for it, gateway/read-budget.ts, so documents sent together are read while their bytes
 * fit): at the store's gate
 * (so a wipe never falls half-way), the run checked open, then hash first (an identical re-send is
 * answered from the patient's small receipt, without parsing), then read, derive and write — the
 * source document, the patient replaced whole in one operation, then the receipt. The receipt is
 * the commit point: if the store fails before it is written, the next send of the document finds
 * no matching receipt and writes all three again.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readE2E, type DataWarning, type SectionCounts } from '../e2e/index';
import type { GatewayContext } from './context';
import { guessDemographicNo } from './header-key';
import { derivePatient } from './store/derive';
import type { StoredReceipt } from './store/connect';
import { patientKey } from './store/patient-document';
import { isDuplicateKey, withStore } from './store/store-errors';

/** What an ingest did. */
export type IngestOutcome = 'created' | 'updated' | 'unchanged';

/** The answer of an ingest. */
export interface IngestResult {
  patientKey: string;
  outcome: IngestOutcome;
  sections: Partial<SectionCounts>;
  warnings: DataWarning[];
}

/** Options of one ingest. */
export interface IngestOptions {
  /** The export run this document belongs to (checked open at the gate: NOT_FOUND, CONFLICT or RUN_CUT otherwise). */
  runId?: string;
}

/** Upserts retried when two creates of the same new patient race on the unique `_id`. */
const DUPLICATE_KEY_RETRIES = 3;

/** SHA-256 (hex) of the received bytes. */
export function sourceHashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The unchanged path: the receipt (a small document, an indexed point read by `_id` on every
 * Mongo-wire server) looked up by the key guessed from the header, and its content hash
 * compared; the receipt is marked with the run when the document carries a new one. The
 * patient document is neither read nor rewritten.
 */
async function findUnchanged(
  context: GatewayContext,
  bytes: Buffer,
  sourceHash: string,
  runId: string | undefined,
): Promise<Pick<StoredReceipt, '_id' | 'sectionCounts'> | null> {
  const demographicNo = guessDemographicNo(bytes);
  if (demographicNo === undefined) return null;
  const { receipts } = context.store;
  const retry = context.config.retryAfterSeconds;
  const key = patientKey(context.config.clinicId, demographicNo);
  const lookUp = async (): Promise<Pick<StoredReceipt, '_id' | 'sectionCounts'> | null> => {
    const receipt = await withStore(
      () => receipts.findOne({ _id: key }, { projection: { sectionCounts: 1, runId: 1, sourceHash: 1 } }),
      retry,
    );
    if (!receipt || receipt.sourceHash !== sourceHash) return null;
    if (runId !== undefined && receipt.runId !== runId)
      await withStore(() => receipts.updateOne({ _id: key }, { $set: { runId } }), retry);
    return receipt;
  };
  // Filters by `_id` alone: FerretDB's SQLite backend pushes down only a lone `_id` filter and
  // scans the collection for anything else. Under the patient lock, read and mark are one step.
  return runId === undefined ? lookUp() : context.patientLock.run(key, lookUp);
}

/** Ingests one document; throws coded errors for unusable documents and an unreachable store. */
export async function ingestDocument(
  context: GatewayContext,
  bytes: Buffer,
  options: IngestOptions = {},
): Promise<IngestResult> {
  const started = process.hrtime.bigint();
  const result = await context.state.trackImport(() =>
    context.gate.write(async () => {
      if (options.runId !== undefined) await context.runs.assertOpen(options.runId);
      return ingestCounted(context, bytes, options);
    }),
  );
  if (result.outcome === 'created') context.state.patientSetVersion += 1;
  context.metrics.ingests.inc(result.outcome);
  context.metrics.ingestLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
  context.logger.debug(
    {
      patientKey: result.patientKey,
      outcome: result.outcome,
      runId: options.runId,
      warningCount: result.warnings.length,
    },
    'document ingested',
  );
  return result;
}

async function ingestCounted(context: GatewayContext, bytes: Buffer, options: IngestOptions): Promise<IngestResult> {
  const sourceHash = sourceHashOf(bytes);
  const unchanged = await findUnchanged(context, bytes, sourceHash, options.runId);
  if (unchanged) {
    context.patientChanges.confirmed(unchanged._id, sourceHash);
    return { patientKey: unchanged._id, outcome: 'unchanged', sections: unchanged.sectionCounts, warnings: [] };
  }

  const { config } = context;
  const read = readE2E(bytes, { maxBytes: config.maxBodyBytes, keepNoteText: config.keepNoteText });
  const key = patientKey(config.clinicId, read.record.document.demographicNo);
  const outcome = await context.patientLock.run(key, () =>
    writePatient(context, key, bytes, sourceHash, read, options.runId),
  );
  return { patientKey: key, outcome, sections: read.sections, warnings: read.warnings };
}

/** When the patient was first stored: from its receipt, else (an older store, a lost receipt) from the patient. */
async function firstStored(
  context: GatewayContext,
  key: string,
  receipt: Pick<StoredReceipt, 'createdAt'> | null,
): Promise<Date | undefined> {
  if (receipt) return receipt.createdAt;
  const patient = await withStore(
    () => context.store.patients.findOne({ _id: key }, { projection: { createdAt: 1 } }),
    context.config.retryAfterSeconds,
  );
  return patient?.createdAt;
}

async function writePatient(
  context: GatewayContext,
  key: string,
  bytes: Buffer,
  sourceHash: string,
  read: ReturnType<typeof readE2E>,
  runId: string | undefined,
): Promise<IngestOutcome> {
  const { store, config, secrets } = context;
  const retry = config.retryAfterSeconds;
  for (let attempt = 0; ; attempt += 1) {
    const receipt = await withStore(
      () => store.receipts.findOne({ _id: key }, { projection: { sourceHash: 1, createdAt: 1 } }),
      retry,
    );
    if (receipt?.sourceHash === sourceHash) {
      context.patientChanges.confirmed(key, sourceHash);
      if (runId !== undefined)
        await withStore(() => store.receipts.updateOne({ _id: key }, { $set: { runId } }), retry);
      return 'unchanged';
    }
    const createdAt = await firstStored(context, key, receipt);
    const now = new Date();
    const patient = derivePatient(read.record, {
      clinicId: config.clinicId,
      hmacSecret: secrets.hmacSecret,
      keepNoteText: config.keepNoteText,
      sourceHash,
      sections: read.sections,
      now,
      createdAt,
    });
    const source = {
      _id: key,
      clinicId: config.clinicId,
      demographicNo: patient.demographicNo,
      sourceHash,
      gzip: gzipSync(bytes),
      receivedAt: now,
    };
    const newReceipt: StoredReceipt = {
      _id: key,
      clinicId: config.clinicId,
      sourceHash,
      runId,
      sectionCounts: { ...read.sections },
      createdAt: patient.createdAt,
      updatedAt: now,
    };
    if (runId === undefined) delete newReceipt.runId;
    try {
      await withStore(() => store.sources.replaceOne({ _id: key }, source, { upsert: true }), retry);
      await withStore(() => store.patients.replaceOne({ _id: key }, patient, { upsert: true }), retry);
      context.patientChanges.stored(patient);
      await withStore(() => store.receipts.replaceOne({ _id: key }, newReceipt, { upsert: true }), retry);
      return createdAt ? 'updated' : 'created';
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= DUPLICATE_KEY_RETRIES) throw error;
    }
  }
}
