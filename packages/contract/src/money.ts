import { type IntegerOptions, Type } from '@sinclair/typebox';

/*
 * Money limits, in minor units (cents, pence). The server's `kernel/money.ts` defines the same values
 * and says why they are what they are; a test there checks the two agree.
 */

/** The largest single amount a request may give: 1,000,000,000 (10 million in a two-decimal currency). */
export const MAX_AMOUNT_MINOR = 1_000_000_000;

/** The most a patron's account may owe, and so the largest fine limit of a patron category. */
export const MAX_BALANCE_MINOR = 10_000_000_000;

/** A money amount in a request: a whole number of minor units from 0 (unless `minimum` says otherwise) to {@link MAX_AMOUNT_MINOR}. */
export const MoneyMinor = (options: IntegerOptions = {}) =>
  Type.Integer({ minimum: 0, ...options, maximum: MAX_AMOUNT_MINOR });
