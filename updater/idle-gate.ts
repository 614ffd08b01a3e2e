/**
 * The idle gate: an update switches only while it holds the update lock (shared with the
 * exporter's runs) and the gateway is drained with no running query and no import in
 * flight. Waiting has a limit; past it the gateway is undrained and the update deferred.
 */
import { acquireLock, updateLockFile, type HeldLock } from '../core/lock';
import { describeError, isEndpointError } from '../core/errors';
import type { UpdaterContext } from './context';
import { sleep } from './context';
import { isIdle } from './gateway-client';

/** The gate opened, or why not. */
export type GateResult = { open: true } | { open: false; reason: string };

/** Takes the update lock, waiting up to the idle limit while another part holds it. */
export async function acquireUpdateLock(context: UpdaterContext): Promise<HeldLock | { reason: string }> {
  const { config } = context;
  const file = updateLockFile(config.stateDir);
  const deadline = Date.now() + config.updateIdleTimeoutSeconds * 1000;
  for (;;) {
    try {
      return acquireLock(file, 'updater');
    } catch (error) {
      if (!isEndpointError(error, 'LOCKED')) throw error;
      if (Date.now() >= deadline) return { reason: `${describeError(error)} Waited ${config.updateIdleTimeoutSeconds} s` };
      await sleep(config.updatePollMs);
    }
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
    last = status.ok ? `${status.value.runningQueries} running quer(ies), ${status.value.importsInFlight} import(s) in flight` : status.reason;
    if (Date.now() >= deadline) break;
    await sleep(config.updatePollMs);
  }
  await gateway.undrain();
  return { open: false, reason: `the gateway was not idle within ${config.updateIdleTimeoutSeconds} s (${last}); undrained, will try at the next check` };
}
