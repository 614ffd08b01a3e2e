/** The OpenAPI 3 description of the hub API, served at `GET /openapi.json` on the HTTPS listener. */

const countOrSuppressed = {
  oneOf: [
    { type: 'integer', minimum: 0 },
    { type: 'object', properties: { suppressed: { const: true } }, required: ['suppressed'] },
  ],
};
const codes = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, maxItems: 50 }] };
const error = {
  description: 'Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }];

const population = {
  type: 'object',
  additionalProperties: false,
  description: 'All given criteria must hold.',
  properties: {
    sex: { oneOf: [{ enum: ['M', 'F', 'UN'] }, { type: 'array', items: { enum: ['M', 'F', 'UN'] } }] },
    age: {
      type: 'object',
      description: 'Age in whole years at the reference date, inclusive.',
      properties: { min: { type: 'integer' }, max: { type: 'integer' } },
    },
    activeMedicationCount: { type: 'object', properties: { min: { type: 'integer' }, max: { type: 'integer' } } },
    problems: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        properties: { icd9Prefix: codes, lacks: { type: 'boolean' } },
        required: ['icd9Prefix'],
      },
    },
    medications: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        description: 'Exactly one of atcPrefix, din.',
        properties: { atcPrefix: codes, din: codes, lacks: { type: 'boolean' } },
      },
    },
    observations: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        properties: {
          code: codes,
          comparator: { enum: ['>', '>=', '<', '<=', '='] },
          value: { type: 'number' },
          withinMonths: { type: 'integer' },
          lacks: { type: 'boolean' },
        },
        required: ['code'],
      },
    },
    immunizations: {
      type: 'array',
      maxItems: 10,
      items: {
        type: 'object',
        properties: {
          codePrefix: codes,
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          withinMonths: { type: 'integer' },
          lacks: { type: 'boolean' },
        },
        required: ['codePrefix'],
      },
    },
  },
};

/** The OpenAPI document. */
export const HUB_OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'e2e-endpoint hub query API',
    version: '1',
    description:
      'Aggregate queries only; counts below the minimum cell size are suppressed. Mutual TLS: a client certificate from the configured hub CA.',
  },
  paths: {
    '/indicators': {
      get: { summary: 'The library of ready indicators', responses: { 200: { description: 'Indicators' } } },
    },
    '/queries': {
      post: {
        summary: 'Submit a query definition or a library indicator',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  { $ref: '#/components/schemas/QueryDefinition' },
                  { $ref: '#/components/schemas/IndicatorRequest' },
                ],
              },
            },
          },
        },
        responses: {
          202: {
            description: 'Queued; Location names the job',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } },
          },
          400: error,
          413: error,
          415: error,
          429: { description: 'QUERY_QUEUE_FULL or QUERY_QUOTA_EXCEEDED; Retry-After says when to try again' },
          503: error,
        },
      },
    },
    '/queries/{id}': {
      get: {
        summary: 'Job status and timings',
        parameters: idParam,
        responses: {
          200: {
            description: 'The job',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } },
          },
          404: error,
        },
      },
      delete: {
        summary: 'Cancel a queued or running job',
        parameters: idParam,
        responses: { 200: { description: 'The job after cancelling' }, 404: error },
      },
    },
    '/queries/{id}/result': {
      get: {
        summary: 'The released (suppressed) result',
        parameters: idParam,
        responses: {
          200: {
            description: 'The result',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Result' } } },
          },
          404: error,
          409: error,
        },
      },
    },
    '/openapi.json': { get: { summary: 'This description', responses: { 200: { description: 'OpenAPI 3' } } } },
  },
  components: {
    schemas: {
      Population: population,
      QueryDefinition: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'population'],
        properties: {
          version: { const: 1 },
          population: { $ref: '#/components/schemas/Population' },
          denominator: { $ref: '#/components/schemas/Population' },
          breakdown: { type: 'array', items: { enum: ['sex', 'ageBand', 'provider'] }, maxItems: 3 },
          referenceDate: { type: 'string', format: 'date' },
        },
      },
      IndicatorRequest: {
        type: 'object',
        required: ['indicator'],
        properties: {
          indicator: { type: 'string' },
          referenceDate: { type: 'string', format: 'date' },
          breakdown: { type: 'array', items: { type: 'string' } },
        },
      },
      Job: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          status: { enum: ['queued', 'running', 'complete', 'failed', 'cancelled', 'held'] },
          definitionHash: { type: 'string' },
          submittedAt: { type: 'string', format: 'date-time' },
          startedAt: { type: 'string', format: 'date-time' },
          finishedAt: { type: 'string', format: 'date-time' },
          durationMs: { type: 'integer' },
        },
      },
      Cell: {
        type: 'object',
        properties: {
          key: { type: 'object', additionalProperties: { type: 'string' } },
          value: { type: 'object', properties: { numerator: countOrSuppressed, denominator: countOrSuppressed } },
        },
      },
      Result: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          minCellSize: { type: 'integer' },
          suppressionApplied: { type: 'boolean' },
          cells: { type: 'array', items: { $ref: '#/components/schemas/Cell' } },
          total: { $ref: '#/components/schemas/Cell' },
        },
      },
      Error: {
        type: 'object',
        properties: { error: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
        required: ['error', 'message'],
      },
    },
  },
} as const;
