/**
 * The compact form of one patient that the hub's checks read: the query fields of a stored
 * patient, with repeated strings interned and observations/immunizations packed into typed
 * arrays (three numbers per entry), so 50,000 patients fit in tens of megabytes. Both query
 * engines use it: the memory engine keeps one per patient (gateway/hub/projection.ts); the
 * store engine converts each projected row it streams. One form, one set of checks.
 */

/** One patient as the hub's checks see it. */
export interface CohortPatient {
  id: string;
  /** The stored document's content hash (lets the projection notice a stale entry). */
  sourceHash?: string;
  gender?: string;
  birthDate?: Date;
  providerId?: string;
  activeProblemCodes: readonly string[];
  activeMedicationAtc: readonly string[];
  activeMedicationDin: readonly string[];
  activeMedicationCount?: number;
  /** `[codeId, value, timeMs]` per observation; NaN where unknown. */
  observations: Float64Array;
  /** `[codeId, dateMs, refused ? 1 : 0]` per immunization; NaN where unknown. */
  immunizations: Float64Array;
}

/** The fields of a stored patient a cohort patient is made from (a projection of `StoredPatient`). */
export interface PatientRow {
  _id: unknown;
  sourceHash?: unknown;
  gender?: unknown;
  birthDate?: unknown;
  providerId?: unknown;
  observations?: { code?: unknown; value?: unknown; time?: unknown }[];
  immunizations?: { code?: unknown; date?: unknown; refused?: unknown }[];
  activeProblemCodes?: unknown;
  activeMedicationAtc?: unknown;
  activeMedicationDin?: unknown;
  activeMedicationCount?: unknown;
}

/** The `$project` document that reads a {@link PatientRow} from `patients`. */
export const PATIENT_ROW_PROJECTION = {
  _id: 1,
  sourceHash: 1,
  gender: 1,
  birthDate: 1,
  providerId: 1,
  activeProblemCodes: 1,
  activeMedicationAtc: 1,
  activeMedicationDin: 1,
  activeMedicationCount: 1,
  'observations.code': 1,
  'observations.value': 1,
  'observations.time': 1,
  'immunizations.code': 1,
  'immunizations.date': 1,
  'immunizations.refused': 1,
} as const;

/** Numbers per packed entry. */
export const ENTRY_WIDTH = 3;

/**
 * Most strings kept for sharing. Only stored patients' values are interned (hub queries never add
 * to the tables: {@link knownCodeIdOf}); past the bound a value is used as it is, unshared.
 */
export const INTERN_LIMIT = 200_000;

const interned = new Map<string, string>();
const codeIds = new Map<string, number>();
const codes: string[] = [];
const EMPTY_ENTRIES = new Float64Array(0);
const EMPTY_CODES: readonly string[] = Object.freeze([]);

/** One shared copy of a repeated string (codes, sexes, provider ids) of a stored patient. */
export function intern(value: string): string {
  const known = interned.get(value);
  if (known !== undefined) return known;
  if (interned.size < INTERN_LIMIT) interned.set(value, value);
  return value;
}

/** Strings interned now (for tests of the bound). */
export function internedCount(): number {
  return interned.size;
}

/**
 * The number standing for an observation or immunization code of a stored patient (stable for the
 * process). Only codes the store holds get one: the table grows with the store's distinct codes,
 * never with the codes hub queries ask for.
 */
export function codeIdOf(code: string): number {
  let id = codeIds.get(code);
  if (id === undefined) {
    id = codes.length;
    codes.push(code);
    codeIds.set(code, id);
  }
  return id;
}

/** The number of a code some stored patient had, or undefined (a query's code that nothing holds). */
export function knownCodeIdOf(code: string): number | undefined {
  return codeIds.get(code);
}

/** How many codes have numbers (grows only; a query's unknown codes are looked up again when it grew). */
export function codeCount(): number {
  return codes.length;
}

/** The code a number stands for. */
export function codeOf(id: number): string {
  return codes[id];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? intern(value) : undefined;
}

function texts(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0) return EMPTY_CODES;
  return value.filter((item): item is string => typeof item === 'string').map(intern);
}

function millis(value: unknown): number {
  return value instanceof Date ? value.getTime() : Number.NaN;
}

function pack<T>(items: T[] | undefined, entry: (item: T) => [unknown, number, number]): Float64Array {
  if (!Array.isArray(items) || items.length === 0) return EMPTY_ENTRIES;
  const packed: number[] = [];
  for (const item of items) {
    const [code, second, third] = entry(item);
    if (typeof code !== 'string') continue;
    packed.push(codeIdOf(code), second, third);
  }
  return packed.length === 0 ? EMPTY_ENTRIES : Float64Array.from(packed);
}

/** A stored patient (or a projected row of one) in compact form. */
export function toCohortPatient(row: PatientRow): CohortPatient {
  return {
    id: String(row._id),
    sourceHash: typeof row.sourceHash === 'string' ? row.sourceHash : undefined,
    gender: text(row.gender),
    birthDate: row.birthDate instanceof Date ? row.birthDate : undefined,
    providerId: text(row.providerId),
    activeProblemCodes: texts(row.activeProblemCodes),
    activeMedicationAtc: texts(row.activeMedicationAtc),
    activeMedicationDin: texts(row.activeMedicationDin),
    activeMedicationCount: typeof row.activeMedicationCount === 'number' ? row.activeMedicationCount : undefined,
    observations: pack(row.observations, (o) => [
      o.code,
      typeof o.value === 'number' ? o.value : Number.NaN,
      millis(o.time),
    ]),
    immunizations: pack(row.immunizations, (i) => [i.code, millis(i.date), i.refused === true ? 1 : 0]),
  };
}

/**
 * A memo of "does this code match" per distinct code: the hub's prefix checks run once per
 * code, not once per patient.
 */
export function memoized<K>(test: (key: K) => boolean): (key: K) => boolean {
  const memo = new Map<K, boolean>();
  return (key) => {
    let answer = memo.get(key);
    if (answer === undefined) {
      answer = test(key);
      memo.set(key, answer);
    }
    return answer;
  };
}
