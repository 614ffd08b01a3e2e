/**
 * Where documents go: the gateway over HTTP, or one `.xml` file per patient in a folder (the
 * drop-folder transport, written atomically: temp file + rename, so the gateway's watcher never
 * sees half a document).
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { writeFileAtomic } from '../../core/files';
import type { PatientOutcome } from '../run/state';
import { GatewayClient, type GatewayClientOptions, type RunCompletion } from './gateway-client';

/** What sending one document came to. */
export type DeliveryResult =
  | { kind: 'settled'; outcome: PatientOutcome; error?: string; message?: string }
  | {
      kind: 'failed';
      reason: string;
      /** The receiver no longer accepts documents for this run id. */
      runClosed?: boolean;
      /** The gateway cut the run (RUN_CUT): every record was wiped while it was open. */
      runCut?: boolean;
      /** The gateway has accepted nothing for the outage limit: the run should stop. */
      outage?: boolean;
    };

/** A transport for one run. */
export interface DocumentTransport {
  readonly kind: 'http' | 'files';
  /** Starts a run and returns its id. */
  startRun(mode: 'full' | 'differential'): Promise<string>;
  deliver(demographicNo: number, xml: string, runId: string): Promise<DeliveryResult>;
  /** Full runs: tells the receiver the run is complete (HTTP only). */
  completeRun(runId: string, patientsSent: number): Promise<RunCompletion | undefined>;
  /** The receiver's store generation when the last run started (HTTP to a gateway that says; it grows with every wipe). */
  storeGeneration?(): number | undefined;
  close(): Promise<void>;
}

/** Sends to the gateway's ingest API. */
export class HttpTransport implements DocumentTransport {
  readonly kind = 'http' as const;
  private readonly client: GatewayClient;

  constructor(options: GatewayClientOptions) {
    this.client = new GatewayClient(options);
  }

  startRun(mode: 'full' | 'differential'): Promise<string> {
    return this.client.startRun(mode);
  }

  async deliver(_demographicNo: number, xml: string, runId: string): Promise<DeliveryResult> {
    const result = await this.client.sendDocument(xml, runId);
    if (result.kind === 'accepted') {
      const outcome = result.answer.outcome;
      return {
        kind: 'settled',
        outcome: outcome === 'created' || outcome === 'updated' || outcome === 'unchanged' ? outcome : 'updated',
      };
    }
    // 404/409 on ingest mean the run itself is unknown, already complete or cut (the route exists).
    if (result.kind === 'rejected' && result.error === 'RUN_CUT')
      return { kind: 'failed', reason: `RUN_CUT: ${result.message}`, runClosed: true, runCut: true };
    if (result.kind === 'rejected' && (result.status === 404 || result.status === 409))
      return { kind: 'failed', reason: `RUN_CLOSED: ${result.error}`, runClosed: true };
    if (result.kind === 'rejected')
      return { kind: 'settled', outcome: 'rejected', error: result.error, message: result.message };
    return { kind: 'failed', reason: result.reason, outage: result.outage };
  }

  completeRun(runId: string, patientsSent: number): Promise<RunCompletion> {
    return this.client.completeRun(runId, patientsSent);
  }

  storeGeneration(): number | undefined {
    return this.client.storeGeneration();
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Writes `<outDir>/<demographicNo>.xml` per patient. */
export class FileTransport implements DocumentTransport {
  readonly kind = 'files' as const;

  constructor(private readonly outDir: string) {
    mkdirSync(outDir, { recursive: true });
  }

  async startRun(): Promise<string> {
    return `local-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
  }

  async deliver(demographicNo: number, xml: string): Promise<DeliveryResult> {
    try {
      writeFileAtomic(path.join(this.outDir, `${demographicNo}.xml`), xml);
      return { kind: 'settled', outcome: 'written' };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      const why =
        code === 'ENOSPC' || code === 'EDQUOT'
          ? `${code}: the disk holding ${this.outDir} is full`
          : `${code} in ${this.outDir}`;
      return { kind: 'failed', reason: `write: ${why}` };
    }
  }

  async completeRun(): Promise<undefined> {
    return undefined;
  }

  async close(): Promise<void> {}
}
