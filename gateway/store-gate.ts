/**
 * The store's gate and generation. Every write of patient data — an ingest, a delete, a step of a
 * re-import, a run's start and completion with its sweep — passes the gate as one of many; a wipe
 * of all records passes it alone, after the writes already in flight and before any that arrive
 * later (first come, first served, so a stream of ingests never starves a wipe). So no write is
 * half done when a wipe runs, and none lands after a wipe answered.
 *
 * The generation counts the wipes (kept in `meta`, so it survives restarts): a run remembers the
 * generation it started in, and a run of an older generation is cut — its documents went with the
 * wipe, and the gateway tells the exporter so instead of counting the run complete.
 */
import type { GatewayStore } from './store/connect';
import { withStore } from './store/store-errors';

/** The `meta` document that holds the store generation and an unfinished wipe. */
export const STORE_MARKER = 'store';

/** The `meta` document's fields. */
interface StoreMarker {
  _id: string;
  generation?: number;
  /** Set when a wipe began and cleared when it finished; a gateway that finds it set finishes the wipe. */
  wipeStartedAt?: Date;
}

interface Waiter {
  alone: boolean;
  admit(): void;
}

/** The gate of one store (one per gateway process, which is the only writer). */
export class StoreGate {
  private writers = 0;
  private wiping = false;
  private readonly queue: Waiter[] = [];
  private known: number | undefined;
  private loading: Promise<number> | undefined;

  constructor(
    private readonly store: Pick<GatewayStore, 'meta'>,
    private readonly retryAfterSeconds: number,
  ) {}

  /** Runs `work` beside other writes, never during a wipe. Do not nest: a wipe waiting between would deadlock. */
  async write<T>(work: () => Promise<T>): Promise<T> {
    await this.enter(false);
    try {
      return await work();
    } finally {
      this.leave(false);
    }
  }

  /** Runs `work` alone: after every write in flight, before every write that arrives later. */
  async alone<T>(work: () => Promise<T>): Promise<T> {
    await this.enter(true);
    try {
      return await work();
    } finally {
      this.leave(true);
    }
  }

  /** Writes waiting at the gate or passing it now (for tests and status). */
  get busy(): number {
    return this.writers + this.queue.length + (this.wiping ? 1 : 0);
  }

  /** The store generation (read from `meta` once, then kept). */
  async generation(): Promise<number> {
    if (this.known !== undefined) return this.known;
    this.loading ??= withStore(() => this.store.meta.findOne({ _id: STORE_MARKER }), this.retryAfterSeconds)
      .then((marker) => {
        this.known ??=
          typeof (marker as StoreMarker | null)?.generation === 'number' ? (marker as StoreMarker).generation! : 0;
        return this.known;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** The generation as last read (undefined before the first read). */
  get generationNow(): number | undefined {
    return this.known;
  }

  /** Starts a wipe: one generation more, and the wipe marked unfinished. Call inside {@link alone}. */
  async beginWipe(): Promise<number> {
    const next = (await this.generation()) + 1;
    await withStore(
      () =>
        this.store.meta.updateOne(
          { _id: STORE_MARKER },
          { $set: { generation: next, wipeStartedAt: new Date() } },
          { upsert: true },
        ),
      this.retryAfterSeconds,
    );
    this.known = next;
    return next;
  }

  /** Marks the wipe finished. */
  async endWipe(): Promise<void> {
    await withStore(
      () => this.store.meta.updateOne({ _id: STORE_MARKER }, { $unset: { wipeStartedAt: '' } }),
      this.retryAfterSeconds,
    );
  }

  /** True when a wipe began and never finished (the gateway stopped or the store failed half-way). */
  async wipeUnfinished(): Promise<boolean> {
    const marker = (await withStore(
      () => this.store.meta.findOne({ _id: STORE_MARKER }),
      this.retryAfterSeconds,
    )) as StoreMarker | null;
    return marker?.wipeStartedAt !== undefined;
  }

  private enter(alone: boolean): Promise<void> {
    if (this.queue.length === 0 && this.mayEnter(alone)) {
      this.take(alone);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ alone, admit: resolve }));
  }

  private mayEnter(alone: boolean): boolean {
    return alone ? !this.wiping && this.writers === 0 : !this.wiping;
  }

  private take(alone: boolean): void {
    if (alone) this.wiping = true;
    else this.writers += 1;
  }

  private leave(alone: boolean): void {
    if (alone) this.wiping = false;
    else this.writers -= 1;
    while (this.queue.length > 0 && this.mayEnter(this.queue[0].alone)) {
      const next = this.queue.shift() as Waiter;
      this.take(next.alone);
      next.admit();
      if (next.alone) break;
    }
  }
}
