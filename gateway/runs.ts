/**
 * Export runs: start, check that an ingest's run is open, and complete with the full-run
 * sweep. A patient counts as received in a run when its receipt's `runId` is the run's id (set
 * by every ingest carrying the run, also for unchanged documents). A run is tied to the store
 * generation it started in: a wipe of all records cuts it (RUN_CUT on every later ingest and on
 * its completion), because the documents it sent went with the wipe.
 */
import { randomUUID } from 'node:crypto';
import { EndpointError } from '../core/errors';
import type { GatewayStore, RunMode, RunSweep, StoredRun } from './store/connect';
import type { KeyedLock } from './keyed-lock';
import type { StoreGate } from './store-gate';
import type { PatientChanges } from './store/patient-changes';
import { removePatientDocuments } from './store/remove-patient';
import { withStore } from './store/store-errors';

/** The answer of a run completion. */
export interface RunCompletion {
  runId: string;
  mode: RunMode;
  patientsSent: number;
  patientsReceived: number;
  swept: boolean;
  removed: number;
  reason?: string;
}

const RUN_MODES: readonly RunMode[] = ['full', 'differential'];

/** Open run ids remembered in memory (a forgotten one costs one lookup). */
const OPEN_RUNS_KEPT = 64;

/** Checks a run mode from a request body. */
export function parseRunMode(value: unknown): RunMode {
  if (typeof value === 'string' && (RUN_MODES as readonly string[]).includes(value)) return value as RunMode;
  throw new EndpointError('INVALID_REQUEST', `mode must be one of ${RUN_MODES.join(', ')}.`);
}

/** Starts, checks and completes runs of one clinic. */
export class RunRegistry {
  /** Run ids known to be open, with their store generation (saves a lookup per ingest); the oldest forgotten past {@link OPEN_RUNS_KEPT} (differential runs are never completed). */
  private readonly openRuns = new Map<string, number>();

  private readonly store: GatewayStore;
  private readonly clinicId: string;
  private readonly retryAfterSeconds: number;
  private readonly changes: PatientChanges;
  private readonly patientLock: KeyedLock;
  private readonly gate: StoreGate;

  constructor(parts: {
    store: GatewayStore;
    clinicId: string;
    retryAfterSeconds: number;
    changes: PatientChanges;
    patientLock: KeyedLock;
    gate: StoreGate;
  }) {
    ({
      store: this.store,
      clinicId: this.clinicId,
      retryAfterSeconds: this.retryAfterSeconds,
      changes: this.changes,
      patientLock: this.patientLock,
      gate: this.gate,
    } = parts);
  }

  /** Starts a run in the current store generation and returns it. */
  async start(mode: RunMode): Promise<StoredRun> {
    return this.gate.write(async () => {
      const storeGeneration = await this.gate.generation();
      const run: StoredRun = {
        _id: randomUUID(),
        clinicId: this.clinicId,
        mode,
        state: 'open',
        storeGeneration,
        startedAt: new Date(),
      };
      await withStore(() => this.store.runs.insertOne(run), this.retryAfterSeconds);
      this.rememberOpen(run._id, storeGeneration);
      return run;
    });
  }

  /**
   * Throws NOT_FOUND for an unknown run, CONFLICT for a completed one and RUN_CUT for one a wipe
   * cut. Call at the store's gate (ingest does), so no wipe falls between the check and the write.
   */
  async assertOpen(runId: string): Promise<void> {
    const generation = await this.gate.generation();
    const known = this.openRuns.get(runId);
    if (known === generation) return;
    const run = await withStore(
      () => this.store.runs.findOne({ _id: runId, clinicId: this.clinicId }),
      this.retryAfterSeconds,
    );
    if (!run) throw new EndpointError('NOT_FOUND', `Run ${shown(runId)} is not known; start one with POST /runs.`);
    if (run.state === 'complete') throw new EndpointError('CONFLICT', `Run ${runId} is already complete.`);
    if (run.state === 'cut' || (run.storeGeneration ?? 0) !== generation) throw runCut(runId);
    this.rememberOpen(runId, generation);
  }

  private rememberOpen(runId: string, generation: number): void {
    this.openRuns.set(runId, generation);
    for (const oldest of this.openRuns.keys()) {
      if (this.openRuns.size <= OPEN_RUNS_KEPT) break;
      this.openRuns.delete(oldest);
    }
  }

  /** Marks every open run of the clinic cut (a wipe does, alone at the gate); returns how many. */
  async cutOpenRuns(): Promise<number> {
    this.openRuns.clear();
    const cut = await withStore(
      () =>
        this.store.runs.updateMany(
          { clinicId: this.clinicId, state: 'open' },
          { $set: { state: 'cut', cutAt: new Date() } },
        ),
      this.retryAfterSeconds,
    );
    return cut.modifiedCount;
  }

  /** The most recently started run, or null. */
  async latest(): Promise<StoredRun | null> {
    return withStore(
      () => this.store.runs.find({ clinicId: this.clinicId }).sort({ startedAt: -1 }).limit(1).next(),
      this.retryAfterSeconds,
    );
  }

  /**
   * Completes a run. A full run whose received count equals `patientsSent` removes this
   * clinic's patients not seen in it; otherwise nothing is removed and the reason is given.
   * Idempotent for retries: completing again with the same count returns the first answer.
   */
  async complete(runId: string, patientsSent: number): Promise<RunCompletion> {
    return this.gate.write(() => this.completeAtGate(runId, patientsSent));
  }

  private async completeAtGate(runId: string, patientsSent: number): Promise<RunCompletion> {
    const run = await withStore(
      () => this.store.runs.findOne({ _id: runId, clinicId: this.clinicId }),
      this.retryAfterSeconds,
    );
    if (!run) throw new EndpointError('NOT_FOUND', `Run ${shown(runId)} is not known; start one with POST /runs.`);
    if (run.state === 'complete') return this.repeatedCompletion(run, patientsSent);
    if (run.state === 'cut' || (run.storeGeneration ?? 0) !== (await this.gate.generation())) throw runCut(runId);
    const patientsReceived = await withStore(
      () => this.store.receipts.countDocuments({ clinicId: this.clinicId, runId }),
      this.retryAfterSeconds,
    );
    const sweep = await this.sweep(run, patientsSent, patientsReceived);
    const closed = await withStore(
      () =>
        this.store.runs.updateOne(
          { _id: runId, state: 'open' },
          { $set: { state: 'complete', completedAt: new Date(), patientsSent, patientsReceived, sweep } },
        ),
      this.retryAfterSeconds,
    );
    this.openRuns.delete(runId);
    if (closed.modifiedCount === 0)
      throw new EndpointError('CONFLICT', `Run ${runId} was completed by another request.`);
    return {
      runId,
      mode: run.mode,
      patientsSent,
      patientsReceived,
      swept: sweep.performed,
      removed: sweep.removed,
      ...(sweep.reason ? { reason: sweep.reason } : {}),
    };
  }

  /** A retried completion (same count) gets the first answer again; another count is a conflict. */
  private repeatedCompletion(run: StoredRun, patientsSent: number): RunCompletion {
    if (run.patientsSent !== patientsSent || !run.sweep) {
      throw new EndpointError(
        'CONFLICT',
        `Run ${run._id} is already complete with patientsSent ${String(run.patientsSent)}.`,
      );
    }
    const { sweep } = run;
    return {
      runId: run._id,
      mode: run.mode,
      patientsSent,
      patientsReceived: run.patientsReceived ?? 0,
      swept: sweep.performed,
      removed: sweep.removed,
      ...(sweep.reason ? { reason: sweep.reason } : {}),
    };
  }

  private async sweep(run: StoredRun, patientsSent: number, patientsReceived: number): Promise<RunSweep> {
    if (run.mode !== 'full') return { performed: false, removed: 0, reason: 'A differential run removes no patients.' };
    if (patientsReceived !== patientsSent) {
      return {
        performed: false,
        removed: 0,
        reason: `The exporter sent ${patientsSent} patients but the gateway received ${patientsReceived} in this run; nothing was removed.`,
      };
    }
    const missing = { clinicId: this.clinicId, runId: { $ne: run._id } };
    const keys = await withStore(
      async () => (await this.store.receipts.find(missing, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id),
      this.retryAfterSeconds,
    );
    let removed = 0;
    for (const key of keys) if (await this.removeUnlessSent(key, run._id)) removed += 1;
    return { performed: true, removed };
  }

  /**
   * Removes one patient the run did not send — unless it arrived meanwhile (checked under the
   * patient's lock). Each by `_id` (a point operation on every Mongo-wire server); the receipt is
   * tombstoned first and removed last, so a crash in between leaves one that matches no re-send
   * and that the next full run sweeps again.
   */
  private async removeUnlessSent(key: string, runId: string): Promise<boolean> {
    return this.patientLock.run(key, async () => {
      const receipt = await withStore(
        () => this.store.receipts.findOne({ _id: key }, { projection: { runId: 1 } }),
        this.retryAfterSeconds,
      );
      if (!receipt || receipt.runId === runId) return false;
      await removePatientDocuments(this.store, key, this.retryAfterSeconds);
      this.changes.removed([key]);
      return true;
    });
  }
}

/** A run id as messages repeat it: at most 64 characters of what the caller sent. */
function shown(runId: string): string {
  return runId.length <= 64 ? runId : `${runId.slice(0, 64)}…`;
}

function runCut(runId: string): EndpointError {
  return new EndpointError(
    'RUN_CUT',
    `Run ${runId} was cut: every record was wiped while it was open, so what it sent is gone; start a new full run.`,
  );
}
