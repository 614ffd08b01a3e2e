/**
 * The building blocks of the record arbitraries (arbitraries.ts): XML-legal text with accents,
 * markup characters, `]]>`, `--`, line ends and tabs (trimmed: the reader trims), tokens, ISO dates
 * in every precision, numbers, and codes of the known code systems.
 */
import fc from 'fast-check';
import type { Coded } from '../../e2e';

export const OID = {
  loinc: '2.16.840.1.113883.6.1',
  din: '2.16.840.1.113883.5.1105',
  atc: '2.16.840.1.113883.6.73',
  icd9: '2.16.840.1.113883.6.42',
  icd10: '2.16.840.1.113883.6.3',
  snomed: '2.16.840.1.113883.6.96',
  pclocd: '2.16.840.1.113883.2.20.5.1',
  route: '2.16.840.1.113883.5.112',
  relationship: '2.16.840.1.113883.5.111',
  oscarMeasurementType: '2.16.840.1.113883.3.3331.2.1',
  oscarPreventionType: '2.16.840.1.113883.3.3331.2.2',
  labLocal: '2.16.840.1.113883.3.3331.2.3',
};

const PIECES = [
  'a',
  'Z',
  'é',
  'Ç',
  'ü',
  'Ł',
  'ß',
  '中',
  '😀',
  '€',
  '&',
  '<',
  '>',
  '"',
  "'",
  ']]>',
  '--',
  '<!--',
  '&amp;',
  '&#233;',
  ' ',
  '\n',
  '\r\n',
  '\t',
  '\r',
  '0',
  '9',
  '/',
  ';',
  '#',
];

/** XML-legal text, trimmed, never empty. */
export const text = fc
  .oneof(
    fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 20 }).map((p) => p.join('')),
    fc.string({ minLength: 1, maxLength: 30 }),
  )
  .map((s) => s.trim())
  .filter((s) => s.length > 0);

/** Text on one line (encounter reasons). */
export const line = text.map((s) => s.replace(/[\r\n]+/g, ' ')).filter((s) => s.trim() === s && s.length > 0);

export const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.\-]{0,11}$/);
export const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO dates in every precision: year, month, day, minute, second, fraction, with or without zone. */
export const isoDate = fc
  .record({
    year: fc.integer({ min: 1900, max: 2030 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.constantFrom('', '.1', '.25', '.250', '.123456'),
    zone: fc.constantFrom('', 'Z', '-08:00', '+05:30', '-03:30'),
    precision: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ year, month, day, hour, minute, second, fraction, zone, precision }) => {
    const ymd = [String(year), `${year}-${pad(month)}`, `${year}-${pad(month)}-${pad(day)}`][Math.min(precision, 2)];
    if (precision <= 2) return ymd;
    if (precision === 3) return `${ymd}T${pad(hour)}:${pad(minute)}${zone}`;
    if (precision === 4) return `${ymd}T${pad(hour)}:${pad(minute)}:${pad(second)}${zone}`;
    return `${ymd}T${pad(hour)}:${pad(minute)}:${pad(second)}${fraction || '.5'}${zone}`;
  });

export const number = fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => n / 100);

export function codedIn(system: keyof typeof OID, name?: string): fc.Arbitrary<Coded> {
  return fc.record(
    {
      code: token,
      codeSystem: fc.constant(OID[system]),
      codeSystemName: opt(fc.constant(name ?? system)),
      displayName: opt(text),
    },
    { requiredKeys: ['code', 'codeSystem'] },
  );
}

export const anyCoded = fc.oneof(
  codedIn('loinc', 'LOINC'),
  codedIn('snomed', 'SNOMED-CT'),
  codedIn('icd9', 'ICD9'),
  codedIn('pclocd', 'pCLOCD'),
);
export const observedValue = fc.oneof(
  fc.record({ quantity: number, unit: opt(token) }, { requiredKeys: ['quantity'] }),
  fc.record({ text }),
);
