/**
 * OSCAR prevention types (preventions.prevention_type = an item `name` of OSCAR's PreventionItems.xml) → what they
 * are: an immunization coded by its vaccine's WHO ATC code, or a screening coded in SNOMED CT / LOINC, or either
 * kept under its OSCAR name as a local code. Written from the 58 items of scoophealth/oscar scoop-deploy
 * PreventionItems.xml and the items later OSCAR versions (Open-O) added; production boxes do not have that file.
 *
 * `origin` says where each code comes from:
 * - `oscar`: the item's `atc` attribute in the scoop-deploy xml, kept;
 * - `added`: the xml's `atc` is empty; the WHO ATC code of that vaccine added here;
 * - `corrected`: the xml's `atc` names another vaccine; the comment says what OSCAR wrote;
 * - `later`: a name of later OSCAR versions (Open-O PreventionItems.xml, BC immunization names), coded here;
 * - `screening`: a screening code (PDC/HDC indicator lists), or none.
 */

/** How a prevention type is exported. */
export interface PreventionType {
  kind: 'immunization' | 'screening';
  display: string;
  /** The standard code; absent: the OSCAR type is written as a local code (oscarPreventionType). */
  code?: { system: 'atc' | 'snomed' | 'loinc'; code: string };
  origin: 'oscar' | 'added' | 'corrected' | 'later' | 'screening';
}

type Row = readonly [name: string, display: string, atc: string | null, origin: PreventionType['origin']];

// prettier-ignore
const IMMUNIZATIONS: readonly Row[] = [
  ['DTaP', 'Diphtheria, tetanus, acellular pertussis (pediatric)', 'J07AJ52', 'added'],
  ['DTaP-IPV-Hib-HB', 'DTaP-IPV-Hib-HB (hexavalent, pediatric)', 'J07CA09', 'added'],
  ['DTaP-IPV-HB', 'DTaP-IPV-HB (pediatric)', 'J07CA12', 'added'],
  ['DTaP-Hib', 'DTaP-Hib (pediatric)', 'J07AG52', 'added'],
  ['DT-IPV', 'Diphtheria, tetanus, polio (pediatric)', 'J07CA01', 'added'],
  ['Tdap-IPV', 'Tdap-IPV', 'J07CA02', 'corrected'], // OSCAR: J07AJ52 (no polio component)
  ['TdP-IPV-Hib', 'DTaP-IPV-Hib', 'J07CA06', 'oscar'],
  ['DTaP-IPV-Hib', 'DTaP-IPV-Hib', 'J07CA06', 'oscar'],
  ['DTaP-HBV-IPV-Hib', 'DTaP-HB-IPV-Hib (hexavalent)', 'J07CA09', 'corrected'], // OSCAR: J07CA02 (no HB, no Hib)
  ['DTaP-IPV', 'DTaP-IPV', 'J07CA02', 'oscar'],
  ['Rot', 'Rotavirus vaccine', 'J07BH01', 'oscar'],
  ['Hib', 'Haemophilus influenzae type b vaccine', 'J07AG01', 'corrected'], // OSCAR: J07AG51 (Hib combined with toxoids)
  ['Pneumovax', 'Pneumococcal polysaccharide 23-valent vaccine', 'J07AL01', 'corrected'], // OSCAR: J07AL02 (conjugate); Open-O corrected it too
  ['Pneu-C', 'Pneumococcal conjugate vaccine', 'J07AL02', 'corrected'], // OSCAR: J07AL (the group)
  ['MR', 'Measles, rubella vaccine', 'J07BD53', 'added'],
  ['MMR', 'Measles, mumps, rubella vaccine', 'J07BD52', 'oscar'],
  ['MMRV', 'Measles, mumps, rubella, varicella vaccine', 'J07BD54', 'oscar'],
  ['Men-P-AC', 'Meningococcal polysaccharide A, C vaccine', 'J07AH03', 'added'],
  ['Men-P-ACWY', 'Meningococcal polysaccharide ACWY vaccine', 'J07AH04', 'added'],
  ['MenC-C', 'Meningococcal C conjugate vaccine', 'J07AH07', 'oscar'],
  ['VZ', 'Varicella vaccine', 'J07BK01', 'oscar'],
  ['HepB', 'Hepatitis B vaccine', 'J07BC01', 'oscar'],
  ['T', 'Tetanus toxoid', 'J07AM01', 'added'],
  ['Td-IPV', 'Tetanus, diphtheria, polio vaccine (adult)', 'J07CA01', 'added'],
  ['dTap', 'Tdap (adult/adolescent)', 'J07AJ52', 'oscar'],
  ['Td', 'Tetanus, diphtheria vaccine (adult)', 'J07AM51', 'corrected'], // OSCAR: J07CA01 (with polio)
  ['Flu', 'Influenza vaccine', 'J07BB', 'corrected'], // OSCAR: J07BB01 (whole-virus only); the type covers every influenza vaccine
  ['HA-Typh-I', 'Hepatitis A and typhoid vaccine', 'J07CA10', 'added'],
  ['HBTmf', 'Hepatitis B vaccine (thimerosal free)', 'J07BC01', 'added'],
  ['HepA', 'Hepatitis A vaccine', 'J07BC02', 'oscar'],
  ['HepAB', 'Hepatitis A and B vaccine', 'J07BC20', 'oscar'],
  ['Chol-Ecol-O', 'Cholera and ETEC vaccine (oral)', 'J07AE01', 'added'],
  ['CHOLERA', 'Cholera vaccine (Dukoral)', 'J07AE01', 'oscar'],
  ['Rabies', 'Rabies vaccine', 'J07BG01', 'oscar'],
  ['Typhoid', 'Typhoid vaccine (injection)', 'J07AP03', 'corrected'], // OSCAR: J07AP01 (oral live); the item is Typh-I
  ['Typh-O', 'Typhoid vaccine (oral)', 'J07AP01', 'added'],
  ['HPV Vaccine', 'Papillomavirus vaccine', 'J07BM', 'added'],
  ['TdP', 'Tdap', 'J07AJ52', 'oscar'],
  ['IPV', 'Poliomyelitis vaccine (inactivated)', 'J07BF03', 'oscar'],
  ['BCG', 'BCG vaccine', 'J07AN01', 'added'],
  ['YF', 'Yellow fever vaccine', 'J07BL01', 'added'],
  ['TBE', 'Tick-borne encephalitis vaccine', 'J07BA01', 'added'],
  ['JE', 'Japanese encephalitis vaccine', 'J07BA02', 'added'],
  ['H1N1', 'H1N1 influenza vaccine', 'J07BB02', 'oscar'],
  ['OtherA', 'Other immunization', null, 'oscar'],
  ['M', 'Measles vaccine', 'J07BD01', 'later'],
  ['Men-C-ACYW-135', 'Meningococcal ACYW conjugate vaccine', 'J07AH08', 'later'], // Open-O: J07AH (the group)
  ['MenC-ACYW', 'Meningococcal ACYW conjugate vaccine', 'J07AH08', 'later'],
  ['rMenB', 'Meningococcal B vaccine (recombinant)', 'J07AH09', 'later'], // Open-O: J07AH08 (the ACYW conjugate)
  ['4CMenB', 'Meningococcal B vaccine (recombinant)', 'J07AH09', 'later'],
  ['HZV', 'Herpes zoster vaccine (live)', 'J07BK02', 'later'],
  ['RZV', 'Herpes zoster vaccine (recombinant)', 'J07BK03', 'later'],
  ['Shingrix', 'Herpes zoster vaccine (recombinant)', 'J07BK03', 'later'],
  ['Zoster', 'Herpes zoster vaccine', 'J07BK02', 'later'], // the synthetic clinic's name; the live vaccine's code as before
  ['HPV-9', 'Papillomavirus vaccine 9-valent', 'J07BM03', 'later'],
  ['HPV', 'Papillomavirus vaccine', 'J07BM', 'later'],
  ['COVID-19', 'COVID-19 vaccine', 'J07BN', 'later'], // Open-O: J07BX03 (WHO moved COVID-19 vaccines to J07BN in 2022)
  ['RSV', 'Respiratory syncytial virus vaccine', 'J07BX05', 'later'],
  ['RSVAb', 'RSV monoclonal antibody (nirsevimab)', 'J06BD08', 'later'],
  ['Pneu-C-13', 'Pneumococcal conjugate 13-valent vaccine', 'J07AL02', 'later'],
  ['Pneu-C-15', 'Pneumococcal conjugate 15-valent vaccine', 'J07AL02', 'later'],
  ['Pneu-C-20', 'Pneumococcal conjugate 20-valent vaccine', 'J07AL02', 'later'],
  ['Pneu-P-23', 'Pneumococcal polysaccharide 23-valent vaccine', 'J07AL01', 'later'],
  ['Tdap', 'Tdap (adult/adolescent)', 'J07AJ52', 'later'],
];

type ScreeningRow = readonly [name: string, display: string, code: { system: 'snomed' | 'loinc'; code: string } | null];

// prettier-ignore
const SCREENINGS: readonly ScreeningRow[] = [
  ['PAP', 'Screening for malignant neoplasm of cervix', { system: 'snomed', code: '171149006' }],
  ['MAM', 'MG Breast Screening', { system: 'loinc', code: '24606-6' }],
  ['PSA', 'PSA', null],
  ['FOBT', 'Fecal occult blood test', { system: 'loinc', code: '58453-2' }],
  ['FIT', 'Fecal immunochemical test', { system: 'loinc', code: '58453-2' }],
  ['COLONOSCOPY', 'Colonoscopy', { system: 'snomed', code: '73761001' }],
  ['HIV', 'HIV screen', null],
  ['HepB screen', 'Hepatitis B serology', null],
  ['HepC screen', 'Hepatitis C antibody serology', null],
  ['VDRL', 'VDRL (syphilis) screen', null],
  ['chlamydia', 'Chlamydia urine PCR', null],
  ['ghonorrhea PCR', 'Gonorrhea urine PCR', null],
  ['OtherB', 'Other screening', null],
  // OSCAR's xml codes 'Tuberculosis' J07AN01 (BCG) with layout injection, but the entries are tuberculin skin tests
  // (Open-O files the item under Screenings: "TB=Tuberculosis Mantoux"): a vaccine count must not hold them.
  ['Tuberculosis', 'Tuberculin skin test (Mantoux)', null],
  ['HPV-CERVIX', 'HPV test (cervical screening)', null],
  ['BMD', 'Bone mineral density', null],
  ['PHV', 'Periodic health visit', null],
  ['Smoking', 'Smoking history', null],
];

/** Every known prevention type by OSCAR name, exactly as OSCAR spells it (DTaP, pediatric, and dTap, adult, differ in case only). */
export const PREVENTION_TYPES: ReadonlyMap<string, PreventionType> = new Map<string, PreventionType>([
  ...IMMUNIZATIONS.map(([name, display, atc, origin]): [string, PreventionType] => [
    name,
    { kind: 'immunization', display, origin, ...(atc === null ? {} : { code: { system: 'atc' as const, code: atc } }) },
  ]),
  ...SCREENINGS.map(([name, display, code]): [string, PreventionType] => [
    name,
    { kind: 'screening', display, origin: 'screening', ...(code === null ? {} : { code }) },
  ]),
]);

/** The same, by upper-case name, for types written in another case (the first spelling wins). */
const BY_UPPER_CASE = new Map<string, PreventionType>();
for (const [name, type] of PREVENTION_TYPES)
  if (!BY_UPPER_CASE.has(name.toUpperCase())) BY_UPPER_CASE.set(name.toUpperCase(), type);

/** The prevention type of an OSCAR name (exact, else case-insensitive), if OSCAR lists it. */
export function preventionTypeOf(name: string | undefined): PreventionType | undefined {
  if (name === undefined) return undefined;
  const trimmed = name.trim();
  return PREVENTION_TYPES.get(trimmed) ?? BY_UPPER_CASE.get(trimmed.toUpperCase());
}
