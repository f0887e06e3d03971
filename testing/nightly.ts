/** Whether the nightly recipe's long tests run: `CRUCIBLE_NIGHTLY=1` (`npm run test:nightly`). */
export const NIGHTLY = process.env.CRUCIBLE_NIGHTLY === '1';

/**
 * `it` for a test too long for every change (a whole suite through the real CLI): it runs in the
 * nightly recipe, and elsewhere is reported pending with the reason in its title, never passed.
 */
export const nightlyIt = (title: string, fn: Mocha.AsyncFunc): Mocha.Test =>
  NIGHTLY
    ? it(title, fn)
    : it.skip(`${title} — pending: nightly only (CRUCIBLE_NIGHTLY=1 npm run test:nightly)`);
