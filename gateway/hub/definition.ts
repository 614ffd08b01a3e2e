/**
 * The hub's query definition format (version 1) and its schema table. A definition is data:
 * a population (criteria, all of which must hold), an optional denominator population and an
 * optional breakdown. The request body is either a definition or `{"indicator": name}`.
 */
import { EndpointError } from '../../core/errors';
import { scanStructure, validate, type SchemaNode } from './schema';

/** A comparator of a lab or vital value. */
export type Comparator = '>' | '>=' | '<' | '<=' | '=';

/** The breakdown dimensions. */
export type BreakdownKey = 'sex' | 'ageBand' | 'provider';

/** Has (or, with `lacks`, has not) an active problem whose ICD9 code starts with a prefix. */
export interface ProblemCriterion {
  icd9Prefix: string | string[];
  lacks?: boolean;
}

/** Has (or lacks) an active medication by ATC prefix or by DIN. */
export interface MedicationCriterion {
  atcPrefix?: string | string[];
  din?: string | string[];
  lacks?: boolean;
}

/** Has (or lacks) a lab or vital result with one of the codes, optionally compared and recent. */
export interface ObservationCriterion {
  code: string | string[];
  comparator?: Comparator;
  value?: number;
  /** Only results in the last N months before the reference date. */
  withinMonths?: number;
  lacks?: boolean;
}

/** Has (or lacks) a received (not refused) immunization whose code starts with a prefix, in a period. */
export interface ImmunizationCriterion {
  codePrefix: string | string[];
  from?: string;
  to?: string;
  withinMonths?: number;
  lacks?: boolean;
}

/** The criteria of a population; all given criteria must hold. */
export interface PopulationCriteria {
  sex?: string | string[];
  age?: { min?: number; max?: number };
  problems?: ProblemCriterion[];
  medications?: MedicationCriterion[];
  observations?: ObservationCriterion[];
  immunizations?: ImmunizationCriterion[];
  activeMedicationCount?: { min?: number; max?: number };
}

/** A version-1 query definition. */
export interface QueryDefinition {
  version: 1;
  population: PopulationCriteria;
  denominator?: PopulationCriteria;
  breakdown?: BreakdownKey[];
  /** Day at which ages and "last N months" are computed (default: the day the query is submitted). */
  referenceDate?: string;
}

/** A request to run a library indicator. */
export interface IndicatorRequest {
  indicator: string;
  referenceDate?: string;
  breakdown?: BreakdownKey[];
}

/** Limits of the format, in one place. */
export const DEFINITION_LIMITS = { maxCriteria: 10, maxCodes: 50, maxCodeLength: 20, maxBodyBytes: 32 * 1024 } as const;

const codeList = (pattern: RegExp, patternDoc: string): SchemaNode => ({
  kind: 'stringOrStrings',
  maxItems: DEFINITION_LIMITS.maxCodes,
  item: { kind: 'string', maxLength: DEFINITION_LIMITS.maxCodeLength, pattern, patternDoc },
});
const lacks: SchemaNode = { kind: 'boolean' };
const months: SchemaNode = { kind: 'number', min: 1, max: 600, integer: true };
const range = (max: number): SchemaNode => ({
  kind: 'object',
  fields: { min: { schema: { kind: 'number', min: 0, max, integer: true } }, max: { schema: { kind: 'number', min: 0, max, integer: true } } },
});
const criteriaList = (item: SchemaNode): SchemaNode => ({ kind: 'array', of: item, maxItems: DEFINITION_LIMITS.maxCriteria });

const POPULATION_SCHEMA: SchemaNode = {
  kind: 'object',
  fields: {
    sex: { schema: { kind: 'stringOrStrings', maxItems: 3, item: { kind: 'string', maxLength: 2, values: ['M', 'F', 'UN'] } } },
    age: { schema: range(150) },
    activeMedicationCount: { schema: range(1000) },
    problems: {
      schema: criteriaList({
        kind: 'object',
        fields: { icd9Prefix: { schema: codeList(/^[0-9VEve][0-9.]{0,6}$/, '1–7 digits/dots (an ICD9 prefix, V/E codes allowed)'), required: true }, lacks: { schema: lacks } },
      }),
    },
    medications: {
      schema: criteriaList({
        kind: 'object',
        fields: {
          atcPrefix: { schema: codeList(/^[A-Za-z][A-Za-z0-9]{0,6}$/, 'an ATC prefix (a letter, then up to 6 letters/digits)') },
          din: { schema: codeList(/^\d{1,8}$/, 'a DIN of 1–8 digits') },
          lacks: { schema: lacks },
        },
        exactlyOneOf: [['atcPrefix', 'din']],
      }),
    },
    observations: {
      schema: criteriaList({
        kind: 'object',
        fields: {
          code: { schema: codeList(/^[A-Za-z0-9][A-Za-z0-9.\-_]*$/, 'a LOINC or local code (letters, digits, . - _)'), required: true },
          comparator: { schema: { kind: 'string', maxLength: 2, values: ['>', '>=', '<', '<=', '='] } },
          value: { schema: { kind: 'number', min: -1e9, max: 1e9 } },
          withinMonths: { schema: months },
          lacks: { schema: lacks },
        },
        requiresTogether: [['comparator', 'value']],
      }),
    },
    immunizations: {
      schema: criteriaList({
        kind: 'object',
        fields: {
          codePrefix: { schema: codeList(/^[A-Za-z0-9][A-Za-z0-9.\-_]*$/, 'a vaccine code prefix (letters, digits, . - _)'), required: true },
          from: { schema: { kind: 'date' } },
          to: { schema: { kind: 'date' } },
          withinMonths: { schema: months },
          lacks: { schema: lacks },
        },
      }),
    },
  },
};

const BREAKDOWN_SCHEMA: SchemaNode = {
  kind: 'array',
  maxItems: 3,
  of: { kind: 'string', maxLength: 10, values: ['sex', 'ageBand', 'provider'] },
};

/** The schema of a version-1 definition. */
export const DEFINITION_SCHEMA: SchemaNode = {
  kind: 'object',
  fields: {
    version: { schema: { kind: 'literal', value: 1 }, required: true },
    population: { schema: POPULATION_SCHEMA, required: true },
    denominator: { schema: POPULATION_SCHEMA },
    breakdown: { schema: BREAKDOWN_SCHEMA },
    referenceDate: { schema: { kind: 'date' } },
  },
};

/** The schema of an indicator request. */
export const INDICATOR_REQUEST_SCHEMA: SchemaNode = {
  kind: 'object',
  fields: {
    indicator: { schema: { kind: 'string', maxLength: 64, pattern: /^[a-z0-9-]+$/, patternDoc: 'an indicator name (see GET /indicators)' }, required: true },
    referenceDate: { schema: { kind: 'date' } },
    breakdown: { schema: BREAKDOWN_SCHEMA },
  },
};

/** Checks a request body; returns it typed as a definition or an indicator request. */
export function parseQueryRequest(body: unknown): QueryDefinition | IndicatorRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new EndpointError('INVALID_QUERY', 'body must be a JSON object (a query definition or {"indicator": name})', { details: { field: 'body' } });
  }
  scanStructure(body);
  if ('indicator' in body) {
    validate(INDICATOR_REQUEST_SCHEMA, body);
    return body as IndicatorRequest;
  }
  validate(DEFINITION_SCHEMA, body);
  const definition = body as QueryDefinition;
  for (const [name, population] of [['population', definition.population], ['denominator', definition.denominator]] as const) {
    checkRanges(name, population);
  }
  if (definition.breakdown && new Set(definition.breakdown).size !== definition.breakdown.length) {
    throw new EndpointError('INVALID_QUERY', 'breakdown must not repeat a dimension', { details: { field: 'breakdown' } });
  }
  return definition;
}

function checkRanges(name: string, population: PopulationCriteria | undefined): void {
  for (const key of ['age', 'activeMedicationCount'] as const) {
    const range = population?.[key];
    if (range?.min !== undefined && range.max !== undefined && range.min > range.max) {
      throw new EndpointError('INVALID_QUERY', `${name}.${key}.min must not exceed ${name}.${key}.max`, { details: { field: `${name}.${key}` } });
    }
  }
  population?.immunizations?.forEach((item, index) => {
    if (item.from !== undefined && item.to !== undefined && item.from > item.to) {
      throw new EndpointError('INVALID_QUERY', `${name}.immunizations[${index}].from must not be after to`, { details: { field: `${name}.immunizations[${index}]` } });
    }
    if (item.withinMonths !== undefined && (item.from !== undefined || item.to !== undefined)) {
      throw new EndpointError('INVALID_QUERY', `${name}.immunizations[${index}] takes withinMonths or from/to, not both`, { details: { field: `${name}.immunizations[${index}]` } });
    }
  });
}

/** The canonical JSON of a value: object keys sorted, no spaces (the input of the definition hash). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
