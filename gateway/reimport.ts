/**
 * Re-derives every patient of the clinic from its stored source document with the current
 * reader (after a reader or derivation fix). Runs in the background; its progress is in
 * `state.reimport` and `/status`. A source that no longer reads is counted as failed. Each patient
 * is re-derived at the store's gate; a wipe of all records stops the re-import (state `cancelled`),
 * so nothing it read before the wipe is written back after it.
 */
import { gunzipSync } from 'node:zlib';
import { EndpointError, describeError, isEndpointError } from '../core/errors';
import { readE2E } from '../e2e/index';
import type { GatewayContext } from './context';
import { derivePatient } from './store/derive';
import { bytesOf, type StoredSource } from './store/connect';
import { DERIVATION_VERSION, derivationOutdated, markDerivationCurrent } from './store/derivation-version';
import { withStore } from './store/store-errors';

/** Starts the re-import; throws CONFLICT when one is already running. Resolves when it ends. */
export function startReimport(context: GatewayContext): Promise<void> {
  if (context.state.reimport.state === 'running')
    throw new EndpointError('CONFLICT', 'A re-import is already running.');
  context.state.reimport = { state: 'running', total: 0, done: 0, failed: 0, startedAt: new Date().toISOString() };
  return runReimport(context).then(
    async (finished) => {
      if (!finished) {
        context.state.reimport = {
          ...context.state.reimport,
          state: 'cancelled',
          finishedAt: new Date().toISOString(),
          error: 'a wipe of all records stopped it',
        };
        context.logger.warn({ ...context.state.reimport }, 'reimport stopped by a wipe of all records');
        return;
      }
      context.state.reimport = { ...context.state.reimport, state: 'done', finishedAt: new Date().toISOString() };
      context.logger.info({ ...context.state.reimport }, 'reimport finished');
      await markDerivationCurrent(context.store).catch((error: unknown) =>
        context.logger.warn({ error: describeError(error) }, 'the derivation version could not be recorded'),
      );
    },
    (error: unknown) => {
      context.state.reimport = {
        ...context.state.reimport,
        state: 'failed',
        finishedAt: new Date().toISOString(),
        error: describeError(error),
      };
      context.logger.error({ error: describeError(error) }, 'reimport failed');
    },
  );
}

/**
 * At start: when the stored patients were derived by an older version (store/derivation-version.ts),
 * re-derives them all from the stored documents in the background; a finished re-import records the
 * version. Nothing happens when one is already running.
 */
export async function rederiveIfOutdated(context: GatewayContext): Promise<void> {
  if (!(await derivationOutdated(context.store)) || context.state.reimport.state === 'running') return;
  context.logger.info(
    { derivationVersion: DERIVATION_VERSION },
    'the stored patients were derived by an older version; re-deriving them from the stored documents',
  );
  await startReimport(context);
}

/** Re-derives every patient; false when a wipe stopped it. */
async function runReimport(context: GatewayContext): Promise<boolean> {
  const { store, config, gate } = context;
  const retry = config.retryAfterSeconds;
  const generation = await gate.generation();
  context.state.reimport.total = await withStore(
    () => store.sources.countDocuments({ clinicId: config.clinicId }),
    retry,
  );
  const cursor = store.sources.find({ clinicId: config.clinicId }, { projection: { _id: 1 } });
  try {
    for await (const { _id } of cursor) {
      const current = await context.state.trackImport(() =>
        gate.write(async () => {
          if (gate.generationNow !== generation) return false;
          await context.patientLock.run(_id, () => rederive(context, _id));
          return true;
        }),
      );
      if (!current) return false;
    }
    return gate.generationNow === generation;
  } catch (error) {
    // The cursor over the sources may fail when a wipe removed them under it.
    if (gate.generationNow !== generation) return false;
    throw error;
  } finally {
    await cursor.close().catch(() => undefined);
  }
}

async function rederive(context: GatewayContext, key: string): Promise<void> {
  const { store, config, secrets } = context;
  const retry = config.retryAfterSeconds;
  const source: StoredSource | null = await withStore(() => store.sources.findOne({ _id: key }), retry);
  if (!source) return;
  try {
    const read = readE2E(gunzipSync(bytesOf(source.gzip)), {
      maxBytes: config.maxBodyBytes,
      keepNoteText: config.keepNoteText,
    });
    const existing = await withStore(
      () => store.patients.findOne({ _id: key }, { projection: { createdAt: 1 } }),
      retry,
    );
    const patient = derivePatient(read.record, {
      clinicId: config.clinicId,
      hmacSecret: secrets.hmacSecret,
      keepNoteText: config.keepNoteText,
      sourceHash: source.sourceHash,
      sections: read.sections,
      now: new Date(),
      createdAt: existing?.createdAt,
    });
    await withStore(() => store.patients.replaceOne({ _id: key }, patient, { upsert: true }), retry);
    context.patientChanges.stored(patient);
    context.state.reimport.done += 1;
  } catch (error) {
    if (!isEndpointError(error) || error.code === 'STORE_UNAVAILABLE') throw error;
    context.state.reimport.failed += 1;
    context.logger.warn({ patientKey: key, code: error.code }, 'source document no longer reads');
  }
}
