/** `endpoint e2e read|validate FILE…` (to be built: issue 3). */
import { EndpointError } from '../core/errors';

/** Runs `endpoint e2e <subcommand>`. */
export async function run(_args: string[]): Promise<number> {
  throw new EndpointError('INTERNAL', 'endpoint e2e is not built yet.');
}
