/**
 * The locks and the idle gate. `updater.lock` keeps two updater runs apart for a whole run
 * (fetch, build); it never stops an export. The update lock (`update.lock`, shared with the
 * exporter's runs) is held only from the drain to the end of the soak: the gateway is switched
 * only while no export runs, and a nightly export waits (bounded) for a switch in progress
 * instead of being refused for a whole build. The gate then drains the gateway and waits until
 * no query runs and no import is in flight; waiting has a limit, past it the gateway is
 * undrained and the update deferred.
 */
import path from 'node:path';
import { acquireLock, updateLockFile, waitForLock, type HeldLock } from '../core/lock';
import { describeError, isEndpointError } from '../core/errors';
import type { UpdaterContext } from './context';
import { sleep } from './context';
import { isIdle } from './gateway-client';

/** The gate opened, or why not. */
export type GateResult = { open: true } | { open: false; reason: string };

/** The lock one updater run holds from start to end (not shared with the exporter). */
export function updaterRunLockFile(stateDir: string): string {
  return path.join(stateDir, 'updater.lock');
}

/** Takes the run lock without waiting; the reason when another updater run holds it. */
export function acquireRunLock(context: UpdaterContext): HeldLock | { reason: string } {
  try {
    return acquireLock(updaterRunLockFile(context.config.stateDir), 'updater');
  } catch (error) {
    if (!isEndpointError(error, 'LOCKED')) throw error;
    return { reason: `another update run is in progress (${describeError(error)})` };
  }
}

/** Takes the update lock, waiting up to the idle limit while an export (or a switch) holds it. */
export async function acquireUpdateLock(context: UpdaterContext): Promise<HeldLock | { reason: string }> {
  const { config, log } = context;
  try {
    return await waitForLock(updateLockFile(config.stateDir), 'updater', {
      waitMs: config.updateIdleTimeoutSeconds * 1000,
      pollMs: config.updatePollMs,
      onWait: (holder) => log.info({ holder }, 'waiting for the update lock'),
    });
  } catch (error) {
    if (!isEndpointError(error, 'LOCKED')) throw error;
    return { reason: describeError(error) };
  }
}

/**
 * Asks the gateway to drain and waits until it is idle. A gateway that does not answer at
 * all is not running anything, so the gate opens (the verify step will judge the restart).
 * On timeout the gateway is undrained before returning.
 */
export async function drainUntilIdle(context: UpdaterContext, onDrained: () => void): Promise<GateResult> {
  const { gateway, config, log } = context;
  const drained = await gateway.drain();
  if (!drained.ok) {
    const live = await gateway.livez();
    if (live.ok) return { open: false, reason: `the gateway refused to drain (${drained.reason})` };
    log.warn({ reason: drained.reason }, 'gateway not answering; updating without a drain');
    return { open: true };
  }
  onDrained();
  const deadline = Date.now() + config.updateIdleTimeoutSeconds * 1000;
  let last = 'no status yet';
  for (;;) {
    const status = await gateway.status();
    if (status.ok && isIdle(status.value)) return { open: true };
    last = status.ok
      ? `${status.value.runningQueries} running quer(ies), ${status.value.importsInFlight} import(s) in flight`
      : status.reason;
    if (Date.now() >= deadline) break;
    await sleep(config.updatePollMs);
  }
  await gateway.undrain();
  return {
    open: false,
    reason: `the gateway was not idle within ${config.updateIdleTimeoutSeconds} s (${last}); undrained, will try at the next check`,
  };
}
