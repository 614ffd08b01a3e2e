/**
 * Ingest of one E2E document, shared by the HTTP route, the drop folder and re-import:
 * hash first (an identical re-send is answered from a projection-only lookup, without
 * parsing), then read, derive and write — the source document, then the patient replaced
 * whole in one operation. The patient document is the commit point: if the store fails in
 * between, the old patient stays and the next send of the document writes both again.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readE2E, type DataWarning, type SectionCounts } from '../e2e/index';
import type { GatewayContext } from './context';
import { guessDemographicNo } from './header-key';
import { derivePatient } from './store/derive';
import { patientKey, type StoredPatient } from './store/patient-document';
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
  /** The export run this document belongs to (already checked to be open). */
  runId?: string;
}

/** Upserts retried when two creates of the same new patient race on the unique `_id`. */
const DUPLICATE_KEY_RETRIES = 3;

/** SHA-256 (hex) of the received bytes. */
export function sourceHashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The unchanged path: a projection-only lookup by `_id` (the key guessed from the header,
 * an indexed point read on every Mongo-wire server) and a comparison of the content hash;
 * the patient is marked as seen in the run when the document carries a new one.
 */
async function findUnchanged(context: GatewayContext, bytes: Buffer, sourceHash: string, runId: string | undefined): Promise<Pick<StoredPatient, '_id' | 'sectionCounts'> | null> {
  const demographicNo = guessDemographicNo(bytes);
  if (demographicNo === undefined) return null;
  const { patients } = context.store;
  const retry = context.config.retryAfterSeconds;
  const key = patientKey(context.config.clinicId, demographicNo);
  const stored = await withStore(() => patients.findOne({ _id: key }, { projection: { _id: 1, sectionCounts: 1, lastRunId: 1, sourceHash: 1 } }), retry);
  if (!stored || stored.sourceHash !== sourceHash) return null;
  if (runId === undefined || stored.lastRunId === runId) return stored;
  // Filters by `_id` alone: FerretDB's SQLite backend pushes down only a lone `_id` filter and
  // scans the collection for anything else. The patient lock and a re-read keep it exact.
  return context.patientLock.run(key, async () => {
    const current = await withStore(() => patients.findOne({ _id: key }, { projection: { sourceHash: 1 } }), retry);
    if (current?.sourceHash !== sourceHash) return null;
    await withStore(() => patients.updateOne({ _id: key }, { $set: { lastRunId: runId } }), retry);
    return stored;
  });
}

/** Ingests one document; throws coded errors for unusable documents and an unreachable store. */
export async function ingestDocument(context: GatewayContext, bytes: Buffer, options: IngestOptions = {}): Promise<IngestResult> {
  const started = process.hrtime.bigint();
  const result = await context.state.trackImport(() => ingestCounted(context, bytes, options));
  if (result.outcome === 'created') context.state.patientSetVersion += 1;
  context.metrics.ingests.inc(result.outcome);
  context.metrics.ingestLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
  context.logger.debug({ patientKey: result.patientKey, outcome: result.outcome, runId: options.runId, warningCount: result.warnings.length }, 'document ingested');
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
  const outcome = await context.patientLock.run(key, () => writePatient(context, key, bytes, sourceHash, read, options.runId));
  return { patientKey: key, outcome, sections: read.sections, warnings: read.warnings };
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
    const existing = await withStore(() => store.patients.findOne({ _id: key }, { projection: { sourceHash: 1, createdAt: 1 } }), retry);
    if (existing?.sourceHash === sourceHash) {
      context.patientChanges.confirmed(key, sourceHash);
      if (runId !== undefined) await withStore(() => store.patients.updateOne({ _id: key }, { $set: { lastRunId: runId } }), retry);
      return 'unchanged';
    }
    const now = new Date();
    const patient = derivePatient(read.record, {
      clinicId: config.clinicId,
      hmacSecret: secrets.hmacSecret,
      keepNoteText: config.keepNoteText,
      sourceHash,
      sections: read.sections,
      runId,
      now,
      createdAt: existing?.createdAt,
    });
    const source = { _id: key, clinicId: config.clinicId, demographicNo: patient.demographicNo, sourceHash, gzip: gzipSync(bytes), receivedAt: now };
    try {
      await withStore(() => store.sources.replaceOne({ _id: key }, source, { upsert: true }), retry);
      await withStore(() => store.patients.replaceOne({ _id: key }, patient, { upsert: true }), retry);
      context.patientChanges.stored(patient);
      return existing ? 'updated' : 'created';
    } catch (error) {
      if (!isDuplicateKey(error) || attempt >= DUPLICATE_KEY_RETRIES) throw error;
    }
  }
}
