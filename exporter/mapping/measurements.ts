/**
 * measurements → lab results and clinically measured observations, as OSCAR's exporter splits them: a row with a
 * measurementsExt `lab_no` is an uploaded lab result (labs.ts), left out when its report is not routed to the
 * patient; a row without one is measured in the clinic: every type, coded LOINC where MEASUREMENT_CODES knows it,
 * else its OSCAR type as a local code; BP "120/80" split. Flowsheet lab types typed in by hand (A1C, LDL …) stay
 * lab results.
 */
import type { LabResult, VitalSign } from '../../e2e/index';
import type { SqlRow } from '../source/oscar-source';
import { extByMeasurement, labResultFromReport, obxOrder, reportsByLabNo } from './labs';
import { eachRow, prune, type BuildContext } from './sections';
import { dateOf, idOf, localCode, plainNumber, textOf } from './values';
import { MEASUREMENT_CODES, coded, lookup } from './vocab';

const BLOOD_PRESSURE = /^\s*(\d{2,3}(?:\.\d+)?)\s*\/\s*(\d{2,3}(?:\.\d+)?)\s*$/;

/** Measurements split by section. */
export interface MeasurementEntries {
  vitalSigns: VitalSign[];
  labResults: LabResult[];
}

/** The rows measurements are built from (measurementsExt and patientLabRouting/hl7TextInfo optional). */
export interface MeasurementRows {
  measurements?: readonly SqlRow[];
  measurementsExt?: readonly SqlRow[];
  labReports?: readonly SqlRow[];
}

/** A measured observation (no lab report): a vital sign, or a flowsheet lab value (undefined: skipped with a warning). */
function measuredEntry(
  row: SqlRow,
  context: BuildContext,
): { vitalSign?: VitalSign; labResult?: LabResult } | undefined {
  const { warnings, reference } = context;
  const type = idOf(row, 'type');
  if (type === undefined) {
    warnings.add('UNMAPPED_MEASUREMENT', 'vitalSigns', 'measurements.type (empty, no lab_no)');
    return undefined;
  }
  const mapping = lookup(MEASUREMENT_CODES, type);
  const section = mapping?.section ?? 'vitalSigns';
  const value = textOf(row, 'dataField', warnings, { section, column: 'measurements.dataField' });
  const time = dateOf(row, 'dateObserved', warnings, { section, column: 'measurements.dateObserved' });
  if (mapping?.kind === 'bloodPressure') {
    const match = value === undefined ? null : BLOOD_PRESSURE.exec(value);
    if (match === null) {
      warnings.add('BAD_BLOOD_PRESSURE', section, 'measurements.dataField (BP)');
      return undefined;
    }
    return {
      vitalSign: prune({
        id: idOf(row, 'id'),
        code: coded('loinc', mapping.loinc, mapping.display),
        bloodPressure: { systolic: Number(match[1]), diastolic: Number(match[2]) },
        time,
      }),
    };
  }
  if (value === undefined) {
    warnings.add('BAD_MEASUREMENT_VALUE', section, `measurements.dataField (${localCode(type)})`);
    return undefined;
  }
  const number = mapping?.kind === 'text' ? undefined : plainNumber(value);
  const unit = mapping?.unit || undefined;
  const observed =
    number === undefined ? { text: value } : { quantity: number, ...(unit === undefined ? {} : { unit }) };
  if (mapping === undefined) {
    warnings.add('LOCAL_MEASUREMENT_CODE', 'vitalSigns', `measurements.type ${localCode(type)}`);
    const code = coded(
      'oscarMeasurementType',
      localCode(type),
      reference.measurementTypes.get(type.toUpperCase()) ?? type,
    );
    return { vitalSign: prune({ id: idOf(row, 'id'), code, value: observed, time }) };
  }
  const code = coded('loinc', mapping.loinc, mapping.display);
  if (section === 'labResults')
    return { labResult: prune({ id: idOf(row, 'id'), code, name: mapping.display, value: observed, time }) };
  return { vitalSign: prune({ id: idOf(row, 'id'), code, value: observed, time }) };
}

/**
 * measurements (+ measurementsExt, + the routed reports) → lab results (reports in lab_no order, results of a report in
 * OBX order, then flowsheet values) and vital signs.
 */
export function measurementEntries(rows: MeasurementRows, context: BuildContext): MeasurementEntries {
  const { warnings } = context;
  const exts = extByMeasurement(rows.measurementsExt);
  const reports = reportsByLabNo(rows.labReports);
  const reported: { result: LabResult; order: [number, number, number, number] }[] = [];
  const flowsheet: LabResult[] = [];
  const missingInfo = new Set<string>();
  const vitalSigns = eachRow(rows.measurements, 'vitalSigns', 'measurements', context, (row): VitalSign | undefined => {
    const ext = exts.get(String(row.id));
    const labNo = ext?.get('lab_no');
    if (ext !== undefined && labNo !== undefined) {
      const report = reports.get(labNo);
      if (report === undefined) {
        warnings.add('LAB_REPORT_MISSING', 'labResults', 'measurementsExt.lab_no');
        return undefined;
      }
      if (report.info_id === null && context.reference.hasLabReportInfo && !missingInfo.has(labNo)) {
        missingInfo.add(labNo);
        warnings.add('LAB_REPORT_INFO_MISSING', 'labResults', 'hl7TextInfo.lab_no');
      }
      const result = labResultFromReport(row, ext, report, context);
      if (result !== undefined)
        reported.push({ result, order: [Number(labNo), ...obxOrder(ext.get('other_id'), Number(row.id))] });
      return undefined;
    }
    const entry = measuredEntry(row, context);
    if (entry?.labResult !== undefined) flowsheet.push(entry.labResult);
    return entry?.vitalSign;
  });
  reported.sort(
    (a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2] || a.order[3] - b.order[3],
  );
  return { vitalSigns, labResults: [...reported.map(({ result }) => result), ...flowsheet] };
}
