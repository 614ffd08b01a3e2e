/**
 * The synthetic OSCAR clinic generator (to be built: issue 2). Interface only for now.
 */
import { EndpointError } from '../../core/errors';

/** Which OSCAR schema generation the tables follow (column type drift, see ../shared/oscar). */
export type OscarSchemaVariant = '12.1' | 'latest';

/** What to generate. */
export interface MakeClinicOptions {
  /** mysql:// URL including the database to (re)create. */
  oscarUrl: string;
  patients: number;
  seed: number;
  schema: OscarSchemaVariant;
}

/** What was generated. */
export interface ClinicSummary {
  database: string;
  schema: OscarSchemaVariant;
  patients: number;
  activePatients: number;
  rows: Record<string, number>;
  seconds: number;
}

/** Creates the OSCAR tables in the database and fills them from the seed. */
export async function makeClinic(_options: MakeClinicOptions): Promise<ClinicSummary> {
  throw new EndpointError('INTERNAL', 'make-clinic is not built yet.');
}
