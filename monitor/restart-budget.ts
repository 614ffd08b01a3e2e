/**
 * The restart budget: how soon the watchdog may restart the gateway again (a back-off that
 * doubles after each restart and starts over after a healthy stretch) and how many restarts a
 * window allows before it gives up. Pure functions of a value and a clock (milliseconds).
 */

/** The budget's limits. */
export interface RestartPolicy {
  /** Least time between a restart and the next; doubles after each restart. */
  backoffInitialMs: number;
  backoffMaxMs: number;
  /** Healthy this long: the back-off starts again from nothing. */
  backoffResetMs: number;
  /** Restarts allowed within `windowMs`. */
  maxRestarts: number;
  windowMs: number;
}

/** What the budget remembers. */
export interface RestartBudget {
  /** Times of the restarts still inside the window. */
  readonly restartTimes: readonly number[];
  /** When the watchdog last restarted the gateway (kept when the window starts over). */
  readonly lastRestartAt?: number;
  /** Wait required after the last restart before the next; 0 = none (first restart is at once). */
  readonly backoffMs: number;
}

/** The verdict of {@link budgetVerdict}. */
export type BudgetVerdict =
  | { kind: 'allowed' }
  | { kind: 'backing-off'; until: number }
  | { kind: 'exhausted'; until: number };

/** A budget with no restarts behind it. */
export const FRESH_BUDGET: RestartBudget = { restartTimes: [], backoffMs: 0 };

function inWindow(budget: RestartBudget, now: number, policy: RestartPolicy): number[] {
  return budget.restartTimes.filter((at) => at > now - policy.windowMs);
}

/** May the watchdog restart now? `exhausted` when the window's budget is spent (state gave-up). */
export function budgetVerdict(budget: RestartBudget, now: number, policy: RestartPolicy): BudgetVerdict {
  const recent = inWindow(budget, now, policy);
  if (recent.length >= policy.maxRestarts) {
    return { kind: 'exhausted', until: recent[recent.length - policy.maxRestarts] + policy.windowMs };
  }
  const last = budget.lastRestartAt;
  if (last !== undefined && now < last + budget.backoffMs) return { kind: 'backing-off', until: last + budget.backoffMs };
  return { kind: 'allowed' };
}

/** The budget after a restart at `now`: the restart counted, the back-off doubled (capped). */
export function recordRestart(budget: RestartBudget, now: number, policy: RestartPolicy): RestartBudget {
  const backoffMs = budget.backoffMs === 0 ? policy.backoffInitialMs : Math.min(budget.backoffMs * 2, policy.backoffMaxMs);
  return { restartTimes: [...inWindow(budget, now, policy), now], lastRestartAt: now, backoffMs: Math.min(backoffMs, policy.backoffMaxMs) };
}

/** The budget after the gateway has been healthy since `healthySince`: back-off reset when long enough. */
export function recordHealthy(budget: RestartBudget, healthySince: number, now: number, policy: RestartPolicy): RestartBudget {
  if (budget.backoffMs === 0 || now - healthySince < policy.backoffResetMs) return budget;
  return { ...budget, backoffMs: 0 };
}

/** The budget when the gateway came back healthy after the watchdog gave up: the window starts over, the back-off stays. */
export function resumeAfterGivingUp(budget: RestartBudget): RestartBudget {
  return { ...budget, restartTimes: [] };
}
