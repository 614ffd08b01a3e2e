/**
 * The exporter's vocabulary tables against OSCAR's own code tables (the `sharedDir` setting's oscar/code-tables):
 * every PreventionItems.xml item is known, with OSCAR's ATC kept unless the table says it corrected it; every
 * e2eprrcode relationship word and every coded e2emeasurementcode row maps as OSCAR's table says. And the small
 * parsing rules: strength, reference ranges, units, consent entries.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../core/config/load';
import { isEndpointError } from '../../core/errors';
import { labValueOf, referenceRangeOf } from '../../exporter/mapping/labs';
import { drugStatus, strengthOf } from '../../exporter/mapping/medications';
import { PREVENTION_TYPES } from '../../exporter/mapping/prevention-types';
import { ProviderDirectory } from '../../exporter/mapping/providers';
import { relationshipCodeOf } from '../../exporter/mapping/relationships';
import type { BuildContext } from '../../exporter/mapping/sections';
import { MEASUREMENT_CODES } from '../../exporter/mapping/vocab';
import { WarningCollector } from '../../exporter/mapping/warnings';
import { parseConsentEntry, resolveConsentEntries } from '../../exporter/source/consent';

const TABLES = path.join(loadConfig().sharedDir, 'oscar', 'code-tables');

interface PreventionItem {
  name: string;
  atc: string;
  layout: string;
}

function preventionItems(): PreventionItem[] {
  const xml = readFileSync(path.join(TABLES, 'PreventionItems.scoop-deploy.xml'), 'utf8').replace(
    /<!--[\s\S]*?-->/g,
    '',
  );
  return [...xml.matchAll(/<item\b([\s\S]*?)\/?>/g)].map(([, attributes]) => {
    const attribute = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1] ?? '';
    return { name: attribute('name'), atc: attribute('atc'), layout: attribute('layout') };
  });
}

describe("OSCAR's PreventionItems.xml", () => {
  const items = preventionItems();

  test('has the 58 items the table was written from, every one known', () => {
    expect(items.length).toBe(58);
    expect(items.filter((item) => !PREVENTION_TYPES.has(item.name)).map((item) => item.name)).toEqual([]);
  });

  test.each(items.map((item) => [item.name, item] as const))(
    '%s: OSCAR’s ATC kept unless corrected; screenings are not vaccines',
    (_name, item) => {
      const type = PREVENTION_TYPES.get(item.name);
      if (item.layout === 'PAPMAM') expect(type?.kind).toBe('screening');
      if (type?.kind === 'screening') {
        expect(type.code?.system).not.toBe('atc');
        return;
      }
      if (type?.origin === 'oscar') expect(type.code?.code ?? '').toBe(item.atc);
      else if (item.atc !== '') expect(type?.origin).toBe('corrected');
      else expect(type?.origin).toBe('added');
    },
  );

  test('every vaccine code is a WHO ATC code (J07…, or J06 for the RSV antibody)', () => {
    for (const [name, type] of PREVENTION_TYPES) {
      if (type.kind === 'immunization' && type.code !== undefined)
        expect({ name, code: type.code.code }).toEqual({
          name,
          code: expect.stringMatching(/^J0[67][A-Z]{2}(\d{2})?$/),
        });
    }
  });
});

test('every relationship word of OSCAR’s e2eprrcode table maps to its code', () => {
  const rows = readFileSync(path.join(TABLES, 'e2eprrcode.csv'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t'));
  expect(rows.length).toBeGreaterThan(70);
  for (const [code, word] of rows) {
    expect(relationshipCodeOf(word)).toBe(code);
    expect(relationshipCodeOf(word.toUpperCase())).toBe(code);
  }
  expect(relationshipCodeOf('Godmother')).toBeUndefined();
});

test('every coded row of OSCAR’s e2emeasurementcode table is coded the same here', () => {
  const rows = readFileSync(path.join(TABLES, 'e2emeasurementcode.csv'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => line.split('\t'));
  const coded = rows.filter(([, loinc]) => loinc !== 'TBD');
  expect(coded.length).toBeGreaterThan(5);
  for (const [type, loinc] of coded)
    expect({ type, loinc: MEASUREMENT_CODES[type.toUpperCase()]?.loinc }).toEqual({ type, loinc });
});

test.each([
  ['20 MG', { quantity: 20, unit: 'mg' }],
  ['0.125MG', { quantity: 0.125, unit: 'mg' }],
  ['100 MCG', { quantity: 100, unit: 'ug' }],
  ['5 MG/ML', { quantity: 5, unit: 'mg/mL' }],
  ['1-2 as dir.', undefined],
  ['½ tab', undefined],
  ['20 MG/5 ML', undefined],
  [undefined, undefined],
])('strength of dosage %j → %j', (dosage, expected) => {
  expect(strengthOf(dosage)).toEqual(expected);
});

test.each([
  [false, false, undefined, 'completed'],
  [false, true, undefined, 'active'],
  [false, true, '2020-01-01', 'active'],
  [false, false, '2025-06-30', 'active'],
  [false, false, '2025-06-29', 'completed'],
  [true, true, '2099-01-01', 'aborted'],
] as const)('OSCAR drug status: archived %s, long term %s, end %s → %s', (archived, longTerm, end, status) => {
  expect(drugStatus(archived, longTerm, end, '2025-06-30')).toBe(status);
});

test.each([
  ['3.5-5.0', undefined, undefined, { low: 3.5, high: 5, text: '3.5-5.0' }],
  ['<5.2', undefined, undefined, { high: 5.2, text: '<5.2' }],
  ['> 1.0', undefined, undefined, { low: 1, text: '> 1.0' }],
  ['negative', undefined, undefined, { text: 'negative' }],
  [undefined, '120', '160', { low: 120, high: 160 }],
  [undefined, undefined, undefined, undefined],
])('reference range %j (min %j, max %j) → %j', (range, minimum, maximum, expected) => {
  expect(referenceRangeOf(range, minimum, maximum)).toEqual(expected);
});

test.each([
  ['5.9', 'mmol/L', { quantity: 5.9, unit: 'mmol/L' }, []],
  ['12', 'x10E9/L', { quantity: 12, unit: 'x10E9/L' }, []],
  ['72', 'mL/min/{1.73_m2}', { quantity: 72, unit: 'mL/min/{1.73_m2}' }, []],
  ['<0.5', 'U/L', { text: '<0.5' }, []],
  ['Positive', undefined, { text: 'Positive' }, []],
  ['3', 'N/A', { quantity: 3, unit: 'N/A' }, ['UNKNOWN_UNIT']],
  ['3', 'per high power field', { text: '3 per high power field' }, ['UNKNOWN_UNIT']],
  [undefined, 'g/L', undefined, []],
])('lab value %j with unit %j → %j', (value, unit, expected, codes) => {
  const warnings = new WarningCollector();
  const context = { warnings } as unknown as BuildContext;
  expect(labValueOf(value, unit, context)).toEqual(expected);
  expect(warnings.list().map((warning) => warning.code)).toEqual(codes);
});

describe('consent entries', () => {
  const providers = [
    { provider_no: '101', practitionerNo: '20871', ohip_no: '12345' },
    { provider_no: '102', practitionerNo: '12345', ohip_no: '99999' },
    { provider_no: '103', practitionerNo: null, ohip_no: '103' },
  ];
  const resolve = (...texts: string[]) => resolveConsentEntries(texts.map(parseConsentEntry), providers);

  test('CPSID, MSP and provider numbers, prefixed or bare', () => {
    expect(resolve('20871')).toEqual(['101']);
    expect(resolve('cpsid:12345')).toEqual(['102']);
    expect(resolve('msp:12345')).toEqual(['101']);
    expect(resolve('MSP: 99999', 'provider:101')).toEqual(['101', '102']);
    expect(resolve('103')).toEqual(['103']);
    expect(resolve('cpsid:00000', 'msp:00000')).toEqual([]);
    expect(resolve('424242')).toEqual(['424242']);
  });

  test('a bare number naming two physicians by different kinds of number is refused', () => {
    const error = (() => {
      try {
        return resolve('12345');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(isEndpointError(error, 'CONFIG_INVALID')).toBe(true);
  });
});

test('a provider without CPSID falls back to the MSP number, then to the OSCAR number, with a warning', () => {
  const directory = new ProviderDirectory(
    new Map([
      ['1', { provider_no: '1', practitionerNo: ' ', ohip_no: '777' }],
      ['2', { provider_no: '2', practitionerNo: null, ohip_no: null }],
    ]),
  );
  const warnings = new WarningCollector();
  expect(directory.identify('1', warnings, 'header', 'x')).toEqual({
    id: '777',
    idRoot: '2.16.840.1.113883.3.3331.3.1',
  });
  expect(directory.identify('2', warnings, 'header', 'x')).toEqual({ id: '2', idRoot: '2.16.840.1.113883.3.3331' });
  expect(directory.identify('3', warnings, 'header', 'x')).toEqual({ id: '3', idRoot: '2.16.840.1.113883.3.3331' });
  expect(directory.identify(undefined, warnings, 'header', 'x')).toBeUndefined();
  expect(warnings.list().map((warning) => warning.code)).toEqual([
    'PROVIDER_WITHOUT_CPSID',
    'PROVIDER_WITHOUT_CPSID',
    'PROVIDER_WITHOUT_CPSID',
  ]);
});
