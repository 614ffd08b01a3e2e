/**
 * The watchdog's pure decisions with a fake clock (milliseconds): the restart budget and
 * back-off, hung versus busy, readiness never restarting, grace, the update lock, and resuming
 * after giving up. The real-process tests cover the same behaviour end to end.
 */
import { budgetVerdict, FRESH_BUDGET, recordHealthy, recordRestart, type RestartPolicy } from '../../monitor/restart-budget';
import { afterRestart, decide, initialMemory, type DecisionPolicy, type ProbeResult, type WatchdogMemory } from '../../monitor/watchdog-decision';
import { alerts, parseRange } from '../../monitor/nagios/threshold-range';

const S = 1000;
const MIN = 60 * S;
/** The default settings' policy (see core/config/settings-monitor.ts). */
const DEFAULTS: DecisionPolicy = { hungAfter: 3, graceMs: 60 * S, backoffInitialMs: 10 * S, backoffMaxMs: 5 * MIN, backoffResetMs: 10 * MIN, maxRestarts: 5, windowMs: 60 * MIN };

const ok: ProbeResult = { livez: 'ok', ready: true, latencyMs: 3, progress: 10 };
const refused: ProbeResult = { livez: 'refused', detail: '/livez: ECONNREFUSED' };
const timeout = (progress?: number): ProbeResult => ({ livez: 'timeout', progress });

function feed(memory: WatchdogMemory, probes: [number, ProbeResult][], policy = DEFAULTS) {
  const restarts: number[] = [];
  for (const [at, probe] of probes) {
    const decision = decide(memory, { kind: 'probe', probe }, at, policy);
    memory = decision.memory;
    if (decision.restart) {
      restarts.push(at);
      memory = afterRestart(memory, at, policy, 'restarted');
    }
  }
  return { memory, restarts };
}

describe('restart budget', () => {
  const policy: RestartPolicy = DEFAULTS;
  test('first restart at once, then 10 s, doubling to 5 min at most', () => {
    let budget = FRESH_BUDGET;
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const verdict = budgetVerdict(budget, now, { ...policy, maxRestarts: 100 });
      const wait = verdict.kind === 'backing-off' ? verdict.until - now : 0;
      waits.push(wait / S);
      now += wait;
      budget = recordRestart(budget, now, policy);
    }
    expect(waits).toEqual([0, 10, 20, 40, 80, 160, 300, 300]);
  });

  test('10 minutes healthy resets the back-off; less does not', () => {
    const budget = recordRestart(recordRestart(FRESH_BUDGET, 0, policy), 10 * S, policy);
    expect(recordHealthy(budget, 20 * S, 20 * S + 9 * MIN, policy).backoffMs).toBe(20 * S);
    expect(recordHealthy(budget, 20 * S, 20 * S + 10 * MIN, policy).backoffMs).toBe(0);
  });

  test('too many restarts in the window: exhausted until the oldest leaves the window', () => {
    let budget = FRESH_BUDGET;
    for (const at of [0, 1, 2, 3, 4].map((i) => i * 10 * MIN)) budget = recordRestart(budget, at, policy);
    expect(budgetVerdict(budget, 41 * MIN, policy)).toEqual({ kind: 'exhausted', until: 60 * MIN });
    expect(budgetVerdict(budget, 60 * MIN + 1, policy).kind).toBe('allowed');
  });
});

describe('watchdog decisions', () => {
  test('livez refused after the grace: one restart at once, then back-off while it stays down', () => {
    const { memory, restarts } = feed(initialMemory(0, DEFAULTS), [[1 * S, ok], [20 * S, refused], [21 * S, refused]]);
    expect(restarts).toEqual([20 * S]);
    expect(memory.state).toBe('starting'); // refused within the new grace after the restart
    const noGrace = { ...DEFAULTS, graceMs: 0 };
    const loop = feed(initialMemory(0, noGrace), [0, 1, 5, 11, 12, 30, 31].map((s): [number, ProbeResult] => [s * S, refused]), noGrace);
    expect(loop.restarts).toEqual([0, 11 * S, 31 * S]); // at once, then 10 s, then 20 s later
    const waiting = decide(loop.memory, { kind: 'probe', probe: refused }, 32 * S, noGrace).memory;
    expect(waiting.state).toBe('backing-off');
    expect(waiting.message).toMatch(/^backing off until 1970-01-01T00:01:11\.000Z; livez refused: \/livez: ECONNREFUSED$/);
  });

  test('refused during the start-up grace does not count', () => {
    const { memory, restarts } = feed(initialMemory(0, DEFAULTS), [[1 * S, refused], [30 * S, refused]]);
    expect(restarts).toEqual([]);
    expect(memory.state).toBe('starting');
  });

  test('hung: K timeouts in a row with still counters restart; moving counters never do', () => {
    const alive = feed(initialMemory(0, DEFAULTS), [[1 * S, ok]]).memory;
    const busy = feed(alive, [[10 * S, timeout(11)], [20 * S, timeout(12)], [30 * S, timeout(13)], [40 * S, timeout(14)]]);
    expect(busy.restarts).toEqual([]);
    expect(busy.memory.message).toMatch(/busy, not hung/);
    const hung = feed(alive, [[10 * S, timeout()], [20 * S, timeout()], [30 * S, timeout(10)]]);
    expect(hung.restarts).toEqual([30 * S]);
    const interrupted = feed(alive, [[10 * S, timeout()], [20 * S, timeout()], [30 * S, ok], [40 * S, timeout()]]);
    expect(interrupted.restarts).toEqual([]);
  });

  test('readyz failing is not-ready, never a restart', () => {
    const notReady: ProbeResult = { ...ok, ready: false, readyReasons: ['store unreachable'] };
    const { memory, restarts } = feed(initialMemory(0, DEFAULTS), Array.from({ length: 50 }, (_, i): [number, ProbeResult] => [i * 10 * S, notReady]));
    expect(restarts).toEqual([]);
    expect(memory.state).toBe('not-ready');
    expect(memory.message).toBe('not ready: store unreachable');
  });

  test('the update lock pauses decisions and gives a fresh grace afterwards', () => {
    let memory = feed(initialMemory(0, DEFAULTS), [[1 * S, ok]]).memory;
    memory = decide(memory, { kind: 'update-lock-held' }, 100 * S, DEFAULTS).memory;
    expect(memory.state).toBe('paused-for-update');
    const after = feed(memory, [[110 * S, refused]]);
    expect(after.restarts).toEqual([]);
    expect(after.memory.state).toBe('starting');
  });

  test('a crash loop gives up after the budget, then resumes once healthy', () => {
    const policy = { ...DEFAULTS, graceMs: 0 };
    let memory = initialMemory(0, policy);
    const restarts: number[] = [];
    for (let at = 1 * S; at < 30 * MIN; at += 10 * S) {
      const decision = decide(memory, { kind: 'probe', probe: { livez: 'refused', childExited: true, detail: 'exited' } }, at, policy);
      memory = decision.memory;
      if (decision.restart) {
        restarts.push(at);
        memory = afterRestart(memory, at, policy, 'restarted');
      }
    }
    expect(restarts).toHaveLength(5);
    expect(memory.state).toBe('gave-up');
    const healthy = decide(memory, { kind: 'probe', probe: ok }, 31 * MIN, policy).memory;
    expect(healthy.state).toBe('healthy');
    expect(healthy.message).toBe('healthy again: restarting resumed');
    expect(budgetVerdict(healthy.budget, 40 * MIN, policy).kind).toBe('allowed');
  });
});

describe('Nagios threshold ranges', () => {
  test.each<[string, number, boolean]>([
    ['10', 11, true], ['10', 10, false], ['10', -1, true], ['10:', 9, true], ['10:', 1e9, false],
    ['~:10', -1e9, false], ['~:10', 10.5, true], ['10:20', 15, false], ['10:20', 21, true], ['@10:20', 15, true], ['@10:20', 21, false],
  ])('%s alerts on %d: %s', (text, value, expected) => {
    expect(alerts(parseRange(text, '-w'), value)).toBe(expected);
  });
  test('nonsense is a usage error naming the option', () => {
    expect(() => parseRange('20:10', '-c')).toThrow("-c takes a threshold range such as 10, 10:, ~:10, 10:20 or @10:20, not '20:10'.");
  });
});
