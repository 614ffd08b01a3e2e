/**
 * Where the hub's HTTPS listener (built in `gateway/hub/`) plugs in: loaded only when a TLS
 * certificate is configured, through a module path held in a variable so the gateway builds
 * whether or not the hub is there yet.
 */
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type { Db } from 'mongodb';
import type { Config } from '../core/config/load';
import { EndpointError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { PatientChanges } from './store/patient-changes';

/** What the hub listener is started with. */
export interface HubListenerOptions {
  config: Config;
  db: Db;
  logger: Logger;
  isDraining: () => boolean;
  /** The gateway's feed of patient writes (the memory engine's projection follows it). */
  patientChanges?: PatientChanges;
}

/** A running hub listener. */
export interface HubListener {
  address: AddressInfo;
  /** Hub queries running now (the gateway's `status` and the updater's idle gate read it). */
  runningQueries(): number;
  /** Hub queries waiting to run now. */
  queuedQueries?(): number;
  /** Which engine counts queries, and the memory engine's projection. */
  queryEngine?(): QueryEngineStatus;
  /** Stops accepting, aborts running queries (they end failed) and closes connections. */
  close(): Promise<void>;
  /** Admin routes of the hub (e.g. release), mounted at `/admin/queries` behind the admin token. */
  adminRouter?: Router;
}

/** The query engine as `/status` shows it. */
export interface QueryEngineStatus {
  engine: 'memory' | 'store';
  /** Memory engine: loading (queries wait) or ready. */
  projection?: { state: 'loading' | 'ready'; patients: number; lastLoadMs: number | null };
}

type StartHubListener = (options: HubListenerOptions) => Promise<HubListener>;

/** The hub module, relative to this file. */
const HUB_MODULE = './hub/server';

/** Starts the hub listener when `config.tlsCert` is set; undefined otherwise. */
export async function startHubIfConfigured(options: HubListenerOptions): Promise<HubListener | undefined> {
  if (options.config.tlsCert === undefined) return undefined;
  const modulePath: string = HUB_MODULE;
  const hub = (await import(modulePath)) as { startHubListener?: StartHubListener };
  if (typeof hub.startHubListener !== 'function') {
    throw new EndpointError(
      'DEPENDENCY_MISSING',
      'ENDPOINT_TLS_CERT is set but this build has no hub listener (gateway/hub/server).',
    );
  }
  return hub.startHubListener(options);
}
