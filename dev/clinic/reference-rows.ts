/**
 * The clinic-wide rows: provider, clinic, icd9 (descriptions of the codes used), measurementType
 * (the OSCAR type codes used, with the variant's column width in mind), measurementMap (the lab
 * codes and the flowsheet mappings) and issue.
 */
import type { ClinicCalendar } from './clinic-rows';
import { InsertBuffer } from './sql-text';
import { CHRONIC_CONDITIONS, MEASUREMENT_KINDS } from './vocabulary-clinical';
import { measurementMapRows } from './vocabulary-labs';
import { CPP_ISSUES, FAMILY_CONDITIONS } from './vocabulary-notes';
import { CLINIC, PROVIDERS } from './vocabulary-people';

/** ICD9 codes used besides the chronic problems (the NULL-status acute problem). */
const EXTRA_ICD9: readonly (readonly [code: string, description: string])[] = [
  ['465', 'ACUTE UPPER RESPIRATORY INFECTIONS OF MULTIPLE OR UNSPECIFIED SITES'],
];

/** The INSERT statements of the clinic-wide tables and the issue id of each issue code (CPP code or ICD9 code). */
export function referenceRows(calendar: ClinicCalendar): {
  statements: string[];
  issueIdByCode: Map<string, number>;
  rows: Record<string, number>;
} {
  const created = calendar.dateTime(calendar.daysAgo(20 * 365));
  const provider = new InsertBuffer('provider', [
    'provider_no',
    'last_name',
    'first_name',
    'provider_type',
    'specialty',
    'sex',
    'phone',
    'work_phone',
    'ohip_no',
    'billing_no',
    'status',
    'practitionerNo',
    'email',
    'lastUpdateUser',
    'lastUpdateDate',
  ]);
  for (const p of PROVIDERS) {
    provider.add([
      p.providerNo,
      p.lastName,
      p.firstName,
      p.type,
      p.type === 'doctor' ? 'GP' : '',
      p.sex,
      '604-555-0100',
      '604-555-0199',
      p.ohipNo === '' ? null : p.ohipNo,
      p.ohipNo,
      '1',
      p.practitionerNo,
      null,
      '999998',
      created,
    ]);
  }
  const clinic = new InsertBuffer('clinic', [
    'clinic_no',
    'clinic_name',
    'clinic_address',
    'clinic_city',
    'clinic_postal',
    'clinic_phone',
    'clinic_fax',
    'clinic_location_code',
    'status',
    'clinic_province',
  ]);
  clinic.add([
    1,
    CLINIC.name,
    CLINIC.address,
    CLINIC.city,
    CLINIC.postal,
    CLINIC.phone,
    CLINIC.fax,
    null,
    'A',
    CLINIC.province,
  ]);

  const icd9 = new InsertBuffer('icd9', ['id', 'icd9', 'description']);
  const codes: (readonly [string, string])[] = [
    ...CHRONIC_CONDITIONS.map((condition) => [condition.icd9, condition.description] as const),
    ...EXTRA_ICD9,
  ];
  for (const [code, description] of FAMILY_CONDITIONS)
    if (!codes.some(([known]) => known === code)) codes.push([code, description]);
  codes.forEach(([code, description], index) => icd9.add([index + 1, code, description]));

  const measurementType = new InsertBuffer('measurementType', [
    'id',
    'type',
    'typeDisplayName',
    'typeDescription',
    'measuringInstruction',
    'validation',
    'createDate',
  ]);
  let typeId = 0;
  for (const kind of MEASUREMENT_KINDS.values())
    measurementType.add([
      ++typeId,
      kind.type,
      kind.displayName,
      kind.displayName,
      kind.instruction,
      kind.type === 'BP' ? '6' : kind.values === undefined ? '5' : '7',
      created,
    ]);

  const measurementMap = new InsertBuffer('measurementMap', ['id', 'loinc_code', 'ident_code', 'name', 'lab_type']);
  measurementMapRows().forEach(([loinc, identCode, name, labType], index) =>
    measurementMap.add([index + 1, loinc, identCode, name, labType]),
  );

  const issue = new InsertBuffer('issue', [
    'issue_id',
    'code',
    'description',
    'role',
    'update_date',
    'priority',
    'type',
    'sortOrderId',
  ]);
  const issueIdByCode = new Map<string, number>();
  let issueId = 0;
  for (const [code, description] of CPP_ISSUES) {
    issueIdByCode.set(code, ++issueId);
    issue.add([issueId, code, description, 'nurse', created, null, 'system', 0]);
  }
  for (const [code, description] of codes) {
    issueIdByCode.set(code, ++issueId);
    issue.add([issueId, code, description, 'doctor', created, null, 'icd9', 0]);
  }
  const buffers = [provider, clinic, icd9, measurementType, measurementMap, issue];
  return {
    statements: buffers.flatMap((buffer) => buffer.drain()),
    issueIdByCode,
    rows: Object.fromEntries(buffers.map((buffer) => [buffer.table, buffer.rowCount])),
  };
}
