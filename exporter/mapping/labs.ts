/**
 * Lab results from OSCAR's HL7 lab store (Hl7textResultsData, E2EPatientExport.assembleLabs): a `measurements`
 * row whose measurementsExt `lab_no` is a report routed to the patient (patientLabRouting 'HL7' → hl7TextInfo) is
 * one OBX result: the lab's test code (pCLOCD/LOINC, else OSCAR's measurementMap, else the lab's own code), the
 * lab's unit, abnormal flag, reference range, result time, and the report's status and accession.
 */
import type { Coded, LabResult, ObservedValue } from '../../e2e/index';
import { LOINC_SHAPE } from '../source/reference-data';
import type { SqlRow } from '../source/oscar-source';
import { prune, type BuildContext } from './sections';
import { dateOf, idOf, localCode, plainNumber, textOf } from './values';
import { MEASUREMENT_CODES, coded, lookup } from './vocab';

/** measurementsExt.abnormal → HL7 ObservationInterpretation. */
const INTERPRETATIONS: Readonly<Record<string, string>> = {
  A: 'A',
  AA: 'AA',
  H: 'H',
  HH: 'HH',
  L: 'L',
  LL: 'LL',
  N: 'N',
};

/** hl7TextInfo.report_status → report status (F final, C corrected, P preliminary, A some results, I pending). */
const REPORT_STATUS: Readonly<Record<string, NonNullable<LabResult['status']>>> = {
  F: 'final',
  C: 'final',
  P: 'preliminary',
  A: 'preliminary',
  I: 'preliminary',
};

/** A unit written as a UCUM-like token ("mmol/L", "x10E9/L", "mL/min/{1.73_m2}", "%"). */
const UCUM_LIKE = /^(?=.*[A-Za-z%µ])[A-Za-z0-9%µ.\/*^\[\]{}()'_+-]{1,24}$/;
/** Tokens labs write where there is no unit. */
const NOT_UNITS = new Set(['NA', 'N/A', 'NONE', 'NULL', 'UNK', 'UNKNOWN', 'SEE', 'TEXT']);

function isUnitToken(unit: string): boolean {
  return UCUM_LIKE.test(unit) && !NOT_UNITS.has(unit.toUpperCase());
}

/** The lab attributes of one measurement (measurementsExt keyval → val). */
export type LabExt = ReadonlyMap<string, string>;

/** Groups measurementsExt rows by measurement id (first value of each key). */
export function extByMeasurement(rows: readonly SqlRow[] | undefined): Map<string, Map<string, string>> {
  const byMeasurement = new Map<string, Map<string, string>>();
  for (const row of rows ?? []) {
    const id = String(row.measurement_id);
    let ext = byMeasurement.get(id);
    if (ext === undefined) byMeasurement.set(id, (ext = new Map()));
    const key = String(row.keyval ?? '').toLowerCase();
    const value = row.val === null ? '' : String(row.val).trim();
    if (!ext.has(key) && value !== '') ext.set(key, value);
  }
  return byMeasurement;
}

/** The reports routed to the patient by lab_no (the row with hl7TextInfo facts first). */
export function reportsByLabNo(rows: readonly SqlRow[] | undefined): Map<string, SqlRow> {
  const reports = new Map<string, SqlRow>();
  for (const row of rows ?? []) {
    const labNo = String(row.lab_no);
    const known = reports.get(labNo);
    if (known === undefined || (known.info_id === null && row.info_id !== null)) reports.set(labNo, row);
  }
  return reports;
}

/** The test code: the lab's identifier (LOINC-shaped → pCLOCD; else measurementMap's LOINC; else the lab's own code), else the measurement type. */
export function labCodeOf(
  identifier: string | undefined,
  type: string | undefined,
  name: string | undefined,
  context: BuildContext,
): Coded | undefined {
  const { reference } = context;
  if (identifier !== undefined) {
    if (LOINC_SHAPE.test(identifier)) return coded('pclocd', identifier, name);
    const loinc = reference.labCodeToLoinc.get(identifier);
    return loinc === undefined
      ? coded('labLocal', localCode(identifier), name ?? identifier)
      : coded('loinc', loinc, name);
  }
  if (type === undefined) return undefined;
  const mapping = lookup(MEASUREMENT_CODES, type);
  if (mapping !== undefined) return coded('loinc', mapping.loinc, name ?? mapping.display);
  const loinc = reference.labCodeToLoinc.get(type);
  if (loinc !== undefined) return coded('loinc', loinc, name);
  context.warnings.add('LOCAL_MEASUREMENT_CODE', 'labResults', `measurements.type ${localCode(type)}`);
  return coded(
    'oscarMeasurementType',
    localCode(type),
    name ?? reference.measurementTypes.get(type.toUpperCase()) ?? type,
  );
}

/**
 * The value: a plain number with the lab's unit, else the text as written. A unit that is not a UCUM-like token is an
 * UNKNOWN_UNIT: a compound unit written with spaces ("mL/min/1.73 m2") keeps its number, without the spaces; words
 * ("see comment") stay with the value as text, since a document's unit cannot hold spaces.
 */
export function labValueOf(
  dataField: string | undefined,
  labUnit: string | undefined,
  context: BuildContext,
): ObservedValue | undefined {
  if (dataField === undefined) return undefined;
  const number = plainNumber(dataField);
  let unit = labUnit;
  if (unit !== undefined && !isUnitToken(unit)) {
    context.warnings.add('UNKNOWN_UNIT', 'labResults', 'measurementsExt.unit');
    if (/\s/.test(unit)) {
      const joined = unit.replace(/\s+/g, '');
      if (!/[/\d]/.test(joined) || !isUnitToken(joined)) return { text: `${dataField} ${unit}` };
      unit = joined;
    }
  }
  if (number === undefined) return { text: dataField };
  return { quantity: number, ...(unit === undefined ? {} : { unit }) };
}

const RANGE_BETWEEN = /^\s*(-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\s*$/;
const RANGE_BELOW = /^\s*<=?\s*(-?\d+(?:\.\d+)?)\s*$/;
const RANGE_ABOVE = /^\s*>=?\s*(-?\d+(?:\.\d+)?)\s*$/;

/** The reference range from `range` text ("3.5-5.0", "<5.2", ">1.0") or minimum/maximum. */
export function referenceRangeOf(
  range: string | undefined,
  minimum: string | undefined,
  maximum: string | undefined,
): LabResult['referenceRange'] {
  const low = plainNumber(minimum);
  const high = plainNumber(maximum);
  if (range === undefined) return low === undefined && high === undefined ? undefined : prune({ low, high });
  const between = RANGE_BETWEEN.exec(range);
  if (between !== null) return { low: Number(between[1]), high: Number(between[2]), text: range };
  const below = RANGE_BELOW.exec(range);
  if (below !== null) return { high: Number(below[1]), text: range };
  const above = RANGE_ABOVE.exec(range);
  if (above !== null) return { low: Number(above[1]), text: range };
  return prune({ low, high, text: range });
}

/** OBX order inside a report: other_id "x-y" as numbers, then the measurement id. */
export function obxOrder(otherId: string | undefined, measurementId: number): [number, number, number] {
  const match = otherId === undefined ? null : /^(\d+)-(\d+)/.exec(otherId);
  return match === null
    ? [Number.MAX_SAFE_INTEGER, 0, measurementId]
    : [Number(match[1]), Number(match[2]), measurementId];
}

/** One OBX result of a routed report (undefined when it has no code at all). */
export function labResultFromReport(
  row: SqlRow,
  ext: LabExt,
  report: SqlRow,
  context: BuildContext,
): LabResult | undefined {
  const { warnings } = context;
  const extText = (key: string) => {
    const value = ext.get(key);
    return value === undefined
      ? undefined
      : textOf({ value }, 'value', warnings, { section: 'labResults', column: `measurementsExt.${key}` });
  };
  const type = idOf(row, 'type');
  const name =
    extText('name') ?? (type === undefined ? undefined : context.reference.measurementTypes.get(type.toUpperCase()));
  const code = labCodeOf(idOf({ identifier: ext.get('identifier') ?? null }, 'identifier'), type, name, context);
  if (code === undefined) {
    warnings.add('LAB_RESULT_WITHOUT_CODE', 'labResults', 'measurementsExt.identifier');
    return undefined;
  }
  const dataField = textOf(row, 'dataField', warnings, { section: 'labResults', column: 'measurements.dataField' });
  const unit = extText('unit') ?? (type === undefined ? undefined : lookup(MEASUREMENT_CODES, type)?.unit || undefined);
  const value = labValueOf(dataField, unit, context);
  if (value === undefined) warnings.add('LAB_RESULT_WITHOUT_VALUE', 'labResults', 'measurements.dataField');
  const time =
    dateOf({ datetime: ext.get('datetime') ?? null }, 'datetime', warnings, {
      section: 'labResults',
      column: 'measurementsExt.datetime',
    }) ?? dateOf(row, 'dateObserved', warnings, { section: 'labResults', column: 'measurements.dateObserved' });
  const abnormal = ext.get('abnormal')?.toUpperCase();
  return prune({
    id: idOf(row, 'id'),
    code,
    name,
    value,
    referenceRange: referenceRangeOf(extText('range'), ext.get('minimum'), ext.get('maximum')),
    interpretation: abnormal === undefined ? undefined : INTERPRETATIONS[abnormal],
    time,
    reportId: String(report.lab_no),
    status:
      REPORT_STATUS[
        String(report.report_status ?? '')
          .trim()
          .toUpperCase()
      ],
    accession: idOf(report, 'accession'),
  });
}
