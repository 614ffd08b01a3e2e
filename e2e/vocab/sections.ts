/**
 * Sections of an E2E-DTC document: templateIds (with and without entries), LOINC or PITO
 * section codes, the "no information" text of an empty section, and the variants met in real
 * documents. The record's ten sections are mapped to fields (screenings live inside the
 * laboratory section); the other PITO sections are known (no warning) but not read.
 */
import type { SectionName } from '../record';
import { CODE_SYSTEM_OID } from './code-systems';

/** A record field that is a section of its own (screenings are written inside the laboratory section). */
export type SectionField = Exclude<SectionName, 'screenings'>;

/** One kind of section. */
export interface SectionRow {
  /** The record field it fills, or null for a known section the record does not model. */
  field: SectionField | null;
  /** Short name for warnings and comments (never PHI). */
  label: string;
  /** Title the writer uses (before " [with entries]" / " [without entries]"). */
  title: string;
  /** The narrative of the section without entries (OSCAR's wording), for the writer. */
  emptyText: string;
  /** templateId of the "with entries" form. */
  templateWithEntries: string;
  /** templateId of the "without entries" form. */
  templateWithoutEntries: string;
  /** Other templateIds that mean this section in real documents. */
  templateAliases: readonly string[];
  /** The section code the writer uses. */
  code: { code: string; codeSystem: string; codeSystemName: string; displayName: string };
  /** Other section codes that mean this section in real documents. */
  codeAliases: readonly string[];
}

const T = '2.16.840.1.113883.3.1818.10.2.';
const loinc = (code: string, displayName: string) => ({
  code,
  codeSystem: CODE_SYSTEM_OID.loinc,
  codeSystemName: 'LOINC',
  displayName,
});
const pito = (code: string, displayName: string) => ({
  code,
  codeSystem: CODE_SYSTEM_OID.pitoSectionType,
  codeSystemName: 'SectionType-CA-Pending',
  displayName,
});

function row(
  field: SectionField | null,
  label: string,
  title: string,
  n: string,
  code: SectionRow['code'],
  extra: Partial<Pick<SectionRow, 'templateAliases' | 'codeAliases' | 'emptyText'>> = {},
): SectionRow {
  return {
    field,
    label,
    title,
    emptyText: extra.emptyText ?? 'No information for this section for this patient',
    templateWithEntries: `${T}${n}.1`,
    templateWithoutEntries: `${T}${n}`,
    code,
    templateAliases: extra.templateAliases ?? [],
    codeAliases: extra.codeAliases ?? [],
  };
}

/** Every known section, the record's ones first in document order. */
export const SECTIONS: readonly SectionRow[] = [
  row(
    'medications',
    'medications',
    'Medications and Prescriptions - Medication List',
    '19',
    loinc('10160-0', 'History of Medication Use'),
    { codeAliases: ['10160-6', '19009-0'], emptyText: 'No Medication Entries' },
  ),
  row('problems', 'problems', 'Problems', '21', loinc('11450-4', 'Problem List'), { emptyText: 'No Problem Entries' }),
  row(
    'allergies',
    'allergies',
    'Allergies & Intolerances (Reaction List)',
    '4',
    loinc('48765-2', 'Allergies and or Adverse Reactions Doc'),
    { emptyText: 'No Allergy Entries' },
  ),
  row('immunizations', 'immunizations', 'Immunizations', '14', loinc('11369-6', 'History of Immunizations'), {
    emptyText: 'No Immunization Entries',
  }),
  row(
    'labResults',
    'labResults',
    'Laboratory Results and Reports',
    '16',
    loinc('30954-2', 'Relevant Diagnostic Tests and/or Laboratory Data'),
    { codeAliases: ['11502-2'], emptyText: 'No Laboratory Report Entries' },
  ),
  row(
    'vitalSigns',
    'vitalSigns',
    'Clinical Measured Observations',
    '8',
    pito('CLINOBS', 'Clinically Measured Observations'),
    { codeAliases: ['8716-3'], emptyText: 'No Clinical Measured Observations' },
  ),
  row(
    'encounters',
    'encounters',
    'Encounter History and Notes',
    '12',
    loinc('46240-8', 'History of hospitalizations+History of outpatient visits'),
    { templateAliases: [`${T}22.1`], emptyText: 'No Encounter Entries' },
  ),
  row('alerts', 'alerts', 'Alerts', '3', pito('ALERTS', 'Alerts'), { emptyText: 'No Alerts' }),
  row('familyHistory', 'familyHistory', 'Family History', '13', loinc('10157-6', 'History of family member diseases'), {
    emptyText: 'No Family History',
  }),
  row('riskFactors', 'riskFactors', 'Risk Factors', '24', loinc('46467-7', 'Risk Factors'), {
    emptyText: 'No Risk Factors',
  }),
  row(null, 'advanceDirectives', 'Advance Directives', '2', loinc('42348-3', 'Advance Directives')),
  row(null, 'appointments', 'Appointments', '5', loinc('56446-8', 'Appointment Summary')),
  row(null, 'billing', 'Billing', '6', pito('BILLING', 'Billing')),
  row(null, 'carePlan', 'Care Plan', '7', loinc('56851-9', 'Care Plan')),
  row(null, 'devices', 'Medical Devices', '11', loinc('46264-8', 'History of medical device use')),
  row(null, 'investigations', 'Investigations and Procedures', '15', pito('INVPROC', 'Investigations and Procedures')),
  row(null, 'medicalHistory', 'Medical History', '17', loinc('11348-0', 'History of past illness')),
  row(null, 'imaging', 'Diagnostic Imaging', '18', loinc('55115-0', 'Requested imaging studies information')),
  row(null, 'orders', 'Orders and Requisitions', '20', pito('REQS', 'Orders and Requisitions')),
  row(null, 'purpose', 'Purpose', '22', loinc('42349-1', 'Reason For Referral')),
  row(null, 'reproductive', 'Reproductive Observations', '23', loinc('56833-7', 'Pregnancy related history')),
  row(null, 'careHistory', 'Care History', '25', loinc('10167-5', 'History of surgical procedures')),
  row(null, 'treatmentHistory', 'Treatment History', '26', loinc('62387-6', 'Interventions provided')),
];

/** The row of each section the record models, by record field (for the writer). */
export const SECTION_BY_FIELD = Object.fromEntries(
  SECTIONS.filter((s) => s.field !== null).map((s) => [s.field, s]),
) as Record<SectionField, SectionRow>;

const byTemplate = new Map<string, SectionRow>();
const byCode = new Map<string, SectionRow>();
for (const section of SECTIONS) {
  for (const id of [section.templateWithEntries, section.templateWithoutEntries, ...section.templateAliases])
    byTemplate.set(id, section);
  for (const code of [section.code.code, ...section.codeAliases]) byCode.set(code.toUpperCase(), section);
}

/**
 * Finds the kind of a section from its templateIds and its code. When both are known and
 * disagree, the code wins for a clinical section (templates are often copied between sections);
 * `agreed` tells the caller whether they agreed.
 */
export function findSection(
  templateIds: readonly string[],
  code: string | undefined,
): { section: SectionRow; agreed: boolean } | undefined {
  let byTemplateRow: SectionRow | undefined;
  for (const id of templateIds) {
    byTemplateRow = byTemplate.get(id);
    if (byTemplateRow !== undefined) break;
  }
  const byCodeRow = code === undefined ? undefined : byCode.get(code.toUpperCase());
  if (byTemplateRow === undefined && byCodeRow === undefined) return undefined;
  if (byTemplateRow === undefined) return { section: byCodeRow!, agreed: false };
  if (byCodeRow === undefined) return { section: byTemplateRow, agreed: false };
  if (byCodeRow === byTemplateRow) return { section: byTemplateRow, agreed: true };
  return { section: byCodeRow.field !== null ? byCodeRow : byTemplateRow, agreed: false };
}
