/**
 * A synthetic patient's drugs rows. Long-term drugs come as 1–3 consecutive 90-day prescriptions
 * of one DIN (the newest row has both the highest drugid and the latest rx_date), the latest still
 * running on the reference day unless planted `longTermEnded`; an earlier, archived course of the
 * same drug comes before them. Short courses end (completed), some are archived. Dirt: zero rx and
 * end dates, NULL long_term, unparseable doses, drugs without DIN.
 */
import { ONE_DAY_MS } from './clinic-rows';
import { UNPARSEABLE_DOSES, ZERO_DATES } from './dirt';
import { dirtyText, type GeneratorSetup, type Patient } from './patient';
import { CUSTOM_DRUGS, DRUG_BY_KEY, DRUG_PRODUCTS, type DrugProduct } from './vocabulary-clinical';

interface DrugPlan {
  readonly product: DrugProduct | null;
  readonly custom?: readonly [name: string, dosage: string];
  readonly longTerm: boolean;
  /** The latest row is archived. */
  readonly archived: boolean;
  readonly prn: boolean;
  /** An earlier course of this plan's drug (index into the plans), dated before that drug's first prescription. */
  readonly previousCourseOf?: number;
}

interface DrugTiming {
  readonly renewals: number;
  readonly days: number;
  readonly firstRxMs: number;
}

function plansFor(patient: Patient): DrugPlan[] {
  const { random } = patient;
  const chosen = new Map<string, DrugPlan>();
  const give = (key: string, prn = false): void => {
    const product = DRUG_BY_KEY.get(key);
    if (product !== undefined && !chosen.has(key)) chosen.set(key, { product, longTerm: !prn, archived: false, prn });
  };
  for (const condition of patient.conditions)
    for (const [key, chance] of condition.drugs) if (random.chance(chance)) give(key, key === 'salbutamol');
  if (patient.ageYears >= 65) {
    if (random.chance(0.3)) give('acetaminophen', true);
    if (random.chance(0.25)) give('pantoprazole');
    // A few elderly patients on many drugs (polypharmacy, ≥ 10 medications).
    if (random.chance(0.04))
      for (let i = 0; i < 9; i++) {
        const product = random.pick(DRUG_PRODUCTS);
        if (product.key !== 'azithromycin') give(product.key);
      }
  }
  const plans = [...chosen.values()];
  if (random.chance(0.3))
    plans.push({
      product: DRUG_BY_KEY.get('azithromycin') ?? null,
      longTerm: false,
      archived: random.chance(0.2),
      prn: false,
    });
  const first = plans[0];
  if (first?.longTerm === true && random.chance(0.08))
    plans.push({ product: first.product, longTerm: false, archived: true, prn: false, previousCourseOf: 0 });
  if (patient.dirt.has('drugWithoutDin') || random.chance(0.05))
    plans.push({
      product: null,
      custom: random.pick(CUSTOM_DRUGS),
      longTerm: random.chance(0.5),
      archived: false,
      prn: false,
    });
  return plans;
}

/** When each plan's prescriptions start; `endedIndex` is the current long-term plan planted as ended (−1: none). */
function timings(
  setup: GeneratorSetup,
  patient: Patient,
  plans: readonly DrugPlan[],
  endedIndex: number,
): DrugTiming[] {
  const { calendar } = setup;
  const { random } = patient;
  const result: DrugTiming[] = [];
  plans.forEach((plan, index) => {
    const days = plan.product === null ? 30 : plan.longTerm ? 90 : 7;
    let renewals = plan.longTerm ? random.int(1, 3) : 1;
    const current = plan.longTerm && !plan.archived;
    let latestRxMs: number;
    if (index === endedIndex)
      latestRxMs =
        Math.max(patient.joinedMs, calendar.daysAgo(days + random.int(30, 700))) + random.int(8 * 60, 17 * 60) * 60_000;
    else latestRxMs = calendar.visit(random, patient.joinedMs, current ? days - 5 : 4 * 365);
    while (renewals > 1 && latestRxMs - (renewals - 1) * days * ONE_DAY_MS < patient.birthMs) renewals -= 1;
    result.push({ renewals, days, firstRxMs: latestRxMs - (renewals - 1) * days * ONE_DAY_MS });
  });
  plans.forEach((plan, index) => {
    if (plan.previousCourseOf === undefined) return;
    const later = result[plan.previousCourseOf] as DrugTiming;
    const days = 30;
    const firstRxMs = later.firstRxMs - (days + random.int(30, 400)) * ONE_DAY_MS;
    result[index] = { renewals: firstRxMs < patient.birthMs ? 0 : 1, days, firstRxMs };
  });
  return result;
}

/** Writes the drugs rows and returns the keys of the products prescribed (for the labs that follow them). */
export function writeMedications(setup: GeneratorSetup, patient: Patient): ReadonlySet<string> {
  const { calendar, rows, ids } = setup;
  const { random, demographicNo, dirt } = patient;
  const plans = plansFor(patient);
  const currentLongTerm = plans.flatMap((plan, index) => (plan.longTerm && !plan.archived ? [index] : []));
  const endedIndex = dirt.has('longTermEnded')
    ? (currentLongTerm.find((index) => plans[index]?.product !== null) ?? -1)
    : -1;
  const zeroEndLongTerm = dirt.has('zeroEndDate') ? (currentLongTerm.filter((i) => i !== endedIndex).pop() ?? -1) : -1;
  const shortTerm = plans.flatMap((plan, index) => (!plan.longTerm ? [index] : []));
  const zeroEndShortTerm =
    dirt.has('zeroEndDate') && (zeroEndLongTerm < 0 || random.chance(0.5)) ? (shortTerm[0] ?? -1) : -1;
  const nullLongTermIndex = dirt.has('nullLongTerm') ? (shortTerm[shortTerm.length - 1] ?? -1) : -1;
  const timing = timings(setup, patient, plans, endedIndex);
  // Earlier courses first, so that within a DIN the newest prescription has the highest drugid.
  const order = plans
    .map((_, index) => index)
    .sort(
      (a, b) => Number(plans[b]?.previousCourseOf !== undefined) - Number(plans[a]?.previousCourseOf !== undefined),
    );
  let position = 0;
  let dosePlanted = false;
  let zeroPlanted = false;
  for (const index of order) {
    const plan = plans[index] as DrugPlan;
    const { renewals, days, firstRxMs } = timing[index] as DrugTiming;
    const product = plan.product;
    const sharesDin = product !== null && plans.some((other, i) => i !== index && other.product === product);
    let rxMs = firstRxMs;
    for (let renewal = 0; renewal < renewals; renewal++) {
      const endMs = rxMs + days * ONE_DAY_MS;
      const latest = renewal === renewals - 1;
      const archived = plan.archived && latest;
      const archivedMs = calendar.later(endMs, random.int(0, 60 * 24 * 30));
      let takeMin: number | null = product?.takeMin ?? 1;
      let takeMax: number | null = product?.takeMax ?? 1;
      let dosage: string = product?.strength ?? plan.custom?.[1] ?? '';
      const unit = product?.unit ?? 'tab';
      const freq = product?.freq ?? 'OD';
      const name = product?.brand ?? plan.custom?.[0] ?? '';
      let special = `${name} Take ${takeMin} ${unit} ${freq}${plan.prn ? ' PRN' : ''}`;
      if (!dosePlanted && dirt.has('unparseableDose')) {
        dosage = random.pick(UNPARSEABLE_DOSES);
        takeMin = null;
        takeMax = null;
        special = `${name} ${dosage}`;
        dosePlanted = true;
        setup.dirt.plant('unparseableDose', demographicNo);
      }
      special = dirtyText(setup, patient, special, renewal === 0 && position === 0 ? ['xmlSpecialCharacters'] : []);
      let rxDate = calendar.date(rxMs);
      let endDate = calendar.date(endMs);
      // A zero rx_date never on the newest row of a DIN (that row stays the newest by rx_date).
      if (!zeroPlanted && dirt.has('zeroDate') && (!latest || (renewals === 1 && !sharesDin)) && random.chance(0.5)) {
        rxDate = random.pick(ZERO_DATES);
        zeroPlanted = true;
        setup.dirt.plant('zeroDate', demographicNo);
      }
      if (latest && (index === zeroEndLongTerm || index === zeroEndShortTerm)) {
        endDate = random.pick(ZERO_DATES);
        setup.dirt.plant('zeroEndDate', demographicNo);
      }
      if (latest && index === endedIndex && endMs < calendar.referenceMs)
        setup.dirt.plant('longTermEnded', demographicNo);
      if (index === nullLongTermIndex) setup.dirt.plant('nullLongTerm', demographicNo);
      if (product === null) setup.dirt.plant('drugWithoutDin', demographicNo);
      const updatedMs = archived ? archivedMs : calendar.later(rxMs, random.int(1, 600));
      rows.add('drugs', [
        ids.take('drugs'),
        patient.provider.providerNo,
        demographicNo,
        rxDate,
        endDate,
        rxDate,
        name,
        0,
        product === null ? name : null,
        takeMin,
        takeMax,
        freq,
        String(days),
        'D',
        String(days * (takeMax ?? 1)),
        plan.longTerm ? random.int(0, 3) : 0,
        0,
        plan.prn,
        special,
        archived,
        product?.generic ?? null,
        product?.atc ?? null,
        product?.din ?? (random.chance(0.5) ? null : ''),
        unit,
        'Take',
        product?.route ?? 'PO',
        product?.form ?? null,
        calendar.dateTime(calendar.later(rxMs, random.int(1, 600))),
        dosage,
        index === nullLongTermIndex ? null : plan.longTerm,
        archived ? random.pick(['discontinued', 'adverseReaction', 'completed']) : '',
        archived ? calendar.dateTime(archivedMs) : null,
        ++position,
        calendar.dateTime(Math.min(updatedMs, calendar.referenceMs)),
      ]);
      rxMs = endMs;
    }
  }
  return new Set(plans.flatMap((plan) => (plan.product === null ? [] : [plan.product.key])));
}
