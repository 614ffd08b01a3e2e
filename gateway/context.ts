/**
 * What the gateway's parts share: configuration, the store, the logger, state, metrics, the
 * run registry, the per-patient lock, the store's gate and the feed of patient changes. Built once by the service (or a test) and passed in.
 */
import type { Config } from '../core/config/load';
import type { Logger } from '../core/logger';
import type { KeyedLock } from './keyed-lock';
import type { ReadBudget } from './read-budget';
import type { GatewayMetrics } from './metrics';
import type { RunRegistry } from './runs';
import type { GatewayState } from './state';
import type { StoreGate } from './store-gate';
import type { GatewayStore } from './store/connect';
import type { PatientChanges } from './store/patient-changes';

/** Settings the gateway cannot run without, checked at start. */
export interface GatewaySecrets {
  ingestToken: string;
  adminToken: string;
  hmacSecret: string;
}

/** The gateway's shared parts. */
export interface GatewayContext {
  config: Config;
  secrets: GatewaySecrets;
  store: GatewayStore;
  logger: Logger;
  state: GatewayState;
  metrics: GatewayMetrics;
  runs: RunRegistry;
  patientLock: KeyedLock;
  /** Writes pass it together, a wipe alone; it keeps the store generation. */
  gate: StoreGate;
  /** Document bytes read at once (bounds the memory of documents sent together). */
  readBudget: ReadBudget;
  /** Told of every write to `patients` (the hub's query projection listens). */
  patientChanges: PatientChanges;
}
