/**
 * How many document bytes the gateway reads at once. Reading a document (parse, derive, write)
 * holds several times its size in memory until the write is done; documents are admitted while
 * their bytes fit the budget (one of the largest allowed size at a time, many of the usual few
 * hundred kilobytes), the others wait their turn in arrival order. So four 19 MB documents sent at
 * once are read one after another, and the gateway's memory stays bounded whatever the senders do.
 */

interface Waiting {
  bytes: number;
  admit(): void;
}

/** A first-come, first-served budget of bytes. */
export class ReadBudget {
  private used = 0;
  private readonly queue: Waiting[] = [];

  constructor(private readonly capacity: number) {}

  /** Runs `work` once `bytes` fit (a document larger than the whole budget runs alone). */
  async run<T>(bytes: number, work: () => Promise<T>): Promise<T> {
    const weight = Math.min(Math.max(bytes, 1), this.capacity);
    await this.take(weight);
    try {
      return await work();
    } finally {
      this.used -= weight;
      this.admitWaiting();
    }
  }

  /** Bytes being read now. */
  get inUse(): number {
    return this.used;
  }

  private take(weight: number): Promise<void> {
    if (this.queue.length === 0 && this.used + weight <= this.capacity) {
      this.used += weight;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push({ bytes: weight, admit: resolve }));
  }

  private admitWaiting(): void {
    while (this.queue.length > 0 && this.used + this.queue[0].bytes <= this.capacity) {
      const next = this.queue.shift() as Waiting;
      this.used += next.bytes;
      next.admit();
    }
  }
}
