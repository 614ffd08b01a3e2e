/**
 * `endpoint update schedule`: check and run on a cron expression (node-cron), never two at
 * once, until SIGTERM/SIGINT. Each tick is a whole `runUpdate`, so a deferred update is
 * simply tried again at the next tick.
 */
import cron from 'node-cron';
import { EndpointError, describeError } from '../core/errors';
import type { UpdaterContext } from './context';
import { runUpdate } from './update-run';

/** Runs updates on the configured schedule until a stop signal; resolves with exit code 0. */
export async function runSchedule(context: UpdaterContext, expression: string): Promise<number> {
  if (!cron.validate(expression)) {
    throw new EndpointError('CONFIG_INVALID', `ENDPOINT_UPDATE_SCHEDULE is "${expression}", but it must be a cron expression such as "*/15 * * * *".`);
  }
  const { log } = context;
  const task = cron.schedule(
    expression,
    async () => {
      try {
        await runUpdate(context);
      } catch (error) {
        log.error({ error: describeError(error) }, 'update run failed unexpectedly');
      }
    },
    { noOverlap: true, name: 'endpoint-update' },
  );
  log.info({ schedule: expression }, 'update schedule started');
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  await task.stop();
  log.info('update schedule stopped');
  return 0;
}
