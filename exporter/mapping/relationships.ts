/**
 * Family history relationships: casemgmt_note_ext `Relationship` (the word OSCAR's CPP form stores) → HL7
 * PersonalRelationshipRoleType code, from OSCAR's own e2eprrcode table (code → text, 79 rows). A word not
 * listed is written as OTH with the word as display name; an empty one as UNK.
 */

// prettier-ignore
const PRR_CODES: readonly (readonly [code: string, text: string])[] = [
  ['AUNT', 'aunt'], ['BRO', 'Brother'], ['BROINLAW', 'brother-in-law'], ['CHLDADOPT', 'adopted child'],
  ['CHLDFOST', 'foster child'], ['CHLDINLAW', 'child in-law'], ['COUSN', 'cousin'], ['DAU', 'natural daughter'],
  ['DAUADOPT', 'adopted daughter'], ['DAUC', 'Daughter'], ['DAUFOST', 'foster daughter'],
  ['DAUINLAW', 'daughter in-law'], ['ECON', 'emergency contact'], ['FAMMEMB', 'Family Member'], ['CHILD', 'Child'],
  ['EXT', 'extended family member'], ['IMED', 'Immediate family'], ['PRN', 'Parent'], ['SIB', 'Sibling'],
  ['SIGOTHR', 'significant other'], ['DOMPART', 'domestic partner'], ['SPS', 'spouse'], ['FRND', 'unrelated friend'],
  ['FTH', 'Father'], ['FTHINLAW', 'father-in-law'], ['GGRFTH', 'great grandfather'], ['GGRMTH', 'great grandmother'],
  ['GGRPRN', 'great grandparent'], ['GRFTH', 'Grandfather'], ['GRMTH', 'Grandmother'], ['GRNDCHILD', 'grandchild'],
  ['GRNDDAU', 'granddaughter'], ['GRNDSON', 'grandson'], ['GRPRN', 'Grandparent'], ['GUARD', 'Guardian'],
  ['HBRO', 'half-brother'], ['HSIB', 'half-sibling'], ['HSIS', 'half-sister'], ['HUSB', 'husband'],
  ['MTH', 'Mother'], ['MTHINLAW', 'mother-in-law'], ['NBOR', 'neighbor'], ['NBRO', 'natural brother'],
  ['NCHILD', 'natural child'], ['NEPHEW', 'nephew'], ['NFTH', 'natural father'],
  ['NFTHF', 'natural father of fetus'], ['NIECE', 'niece'], ['NIENEPH', 'niece/nephew'], ['NMTH', 'natural mother'],
  ['NOK', 'next of kin'], ['NPRN', 'natural parent'], ['NSIB', 'natural sibling'], ['NSIS', 'natural sister'],
  ['POWATY', 'Power of attorney'], ['POWATYPR', 'Power of attorney-Personal'],
  ['POWATYPT', 'Power of attorney-Property'], ['PRNINLAW', 'parent in-law'], ['ROOM', 'Roomate'],
  ['SIBINLAW', 'sibling in-law'], ['SIS', 'Sister'], ['SISINLAW', 'sister-in-law'], ['SON', 'natural son'],
  ['SONADOPT', 'adopted son'], ['SONC', 'Son'], ['SONFOST', 'foster son'], ['SONINLAW', 'son in-law'],
  ['STPBRO', 'stepbrother'], ['STPCHLD', 'step child'], ['STPDAU', 'stepdaughter'], ['STPFTH', 'stepfather'],
  ['STPMTH', 'stepmother'], ['STPPRN', 'step parent'], ['STPSIB', 'step sibling'], ['STPSIS', 'stepsister'],
  ['STPSON', 'stepson'], ['SUBDM', 'substitute decision maker'], ['UNCLE', 'uncle'], ['WIFE', 'wife'],
];

/** Upper-case relationship word or code → HL7 role code. */
const BY_WORD: ReadonlyMap<string, string> = new Map(
  PRR_CODES.flatMap(
    ([code, text]) =>
      [
        [text.toUpperCase(), code],
        [code, code],
      ] as [string, string][],
  ),
);

/** The HL7 role code of a relationship word (case-insensitive; also accepts the code itself); undefined when unknown. */
export function relationshipCodeOf(word: string): string | undefined {
  return BY_WORD.get(word.trim().replace(/\s+/g, ' ').toUpperCase());
}

/** The HL7 code for a relationship OSCAR does not list. */
export const OTHER_RELATIONSHIP = 'OTH';
/** The HL7 code for an unknown relationship. */
export const UNKNOWN_RELATIONSHIP = 'UNK';
