/**
 * The gateway's in-memory state that health and status report: draining, work in flight,
 * progress counters (which only grow) and the re-import's progress.
 */

import type { QueryEngineStatus } from './hub-plug';

/** Progress of a re-derivation of every patient from `sources`. */
export interface ReimportProgress {
  /** `cancelled`: a wipe of all records stopped it (the re-derived patients went with the wipe). */
  state: 'idle' | 'running' | 'done' | 'failed' | 'cancelled';
  total: number;
  done: number;
  failed: number;
  startedAt?: string;
  finishedAt?: string;
  /** Why it stopped, when it failed (no patient data). */
  error?: string;
}

/** Mutable state shared by the routes, the drop folder and the service. */
export class GatewayState {
  readonly startedAt = new Date();
  draining = false;
  importsInFlight = 0;
  requestsInFlight = 0;
  requestsCompleted = 0;
  importsCompleted = 0;
  /** Grows whenever the set of stored patients changes (one created or removed); `/status` caches its count against it. */
  patientSetVersion = 0;
  reimport: ReimportProgress = { state: 'idle', total: 0, done: 0, failed: 0 };
  /** Running hub queries (0 without a hub listener). */
  runningQueries: () => number = () => 0;
  /** Hub queries waiting to run (0 without a hub listener). */
  queuedQueries: () => number = () => 0;
  /** The hub's query engine (undefined without a hub listener). */
  queryEngine: () => QueryEngineStatus | undefined = () => undefined;

  /** Runs `work` counted as one import in flight; counts it completed when it succeeds. */
  async trackImport<T>(work: () => Promise<T>): Promise<T> {
    this.importsInFlight += 1;
    try {
      const result = await work();
      this.importsCompleted += 1;
      return result;
    } finally {
      this.importsInFlight -= 1;
    }
  }
}
