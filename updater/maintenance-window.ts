/**
 * The optional maintenance window: a cron expression saying when it opens (five fields:
 * minute hour day-of-month month day-of-week, local time) and how many minutes it stays open.
 * node-cron runs jobs but cannot say "is now inside", so this small matcher does.
 */
import { EndpointError } from '../core/errors';

const FIELD_RANGES: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];
const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'];

function parseField(text: string, index: number, expression: string): Set<number> {
  const [low, high] = FIELD_RANGES[index];
  const values = new Set<number>();
  const bad = () => new EndpointError('CONFIG_INVALID', `ENDPOINT_UPDATE_WINDOW is "${expression}", but its ${FIELD_NAMES[index]} field "${text}" is not a cron field.`);
  for (const part of text.split(',')) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw bad();
    const step = match[2] === undefined ? 1 : Number(match[2]);
    let from = low;
    let to = high;
    if (match[1] !== '*') {
      const [a, b] = match[1].split('-').map(Number);
      from = a;
      to = b ?? (match[2] === undefined ? a : high);
    }
    if (step < 1 || from < low || to > high || from > to) throw bad();
    for (let value = from; value <= to; value += step) values.add(index === 4 && value === 7 ? 0 : value);
  }
  return values;
}

/** A parsed window: when it opens and for how long. */
export class MaintenanceWindow {
  private readonly fields: Set<number>[];

  constructor(
    readonly expression: string,
    readonly minutes: number,
  ) {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 5) {
      throw new EndpointError('CONFIG_INVALID', `ENDPOINT_UPDATE_WINDOW is "${expression}", but it must be a five-field cron expression such as "0 2 * * *".`);
    }
    this.fields = parts.map((part, index) => parseField(part, index, expression));
  }

  /** True when the window opens at the start of this minute. */
  opensAt(time: Date): boolean {
    const [minute, hour, day, month, weekday] = this.fields;
    return minute.has(time.getMinutes()) && hour.has(time.getHours()) && day.has(time.getDate()) && month.has(time.getMonth() + 1) && weekday.has(time.getDay());
  }

  /** True when `now` lies inside a window (one opened within the last `minutes`). */
  contains(now: Date): boolean {
    const start = new Date(now);
    start.setSeconds(0, 0);
    for (let back = 0; back < this.minutes; back++) {
      if (this.opensAt(new Date(start.getTime() - back * 60_000))) return true;
    }
    return false;
  }
}
