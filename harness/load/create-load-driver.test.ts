import { expect } from 'chai';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuiltinDriver } from './builtin/builtin-driver.js';
import { createLoadDriver } from './create-load-driver.js';
import { K6Driver } from './k6/k6-driver.js';
import { LoadError } from './load-error.js';
import { parseLoadSpec } from './load-spec.js';

const targets = [{ url: 'http://127.0.0.1:1', node: '127.0.0.1:1' }];
const spec = (extra: object = {}) =>
  parseLoadSpec({ target: 'http://127.0.0.1:1', rate: 1, duration: '1s', ...extra });
const noImage = async () => undefined;

describe('choosing a load driver', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-driver-choice-'));
    await writeFile(join(dir, 'k6'), '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, 'k6'), 0o755);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('auto: k6 when there is one, else builtin', async () => {
    const withK6 = await createLoadDriver(spec(), targets, {
      lookup: { env: { PATH: dir }, findImage: noImage },
    });
    expect(withK6).to.be.instanceOf(K6Driver);
    const without = await createLoadDriver(spec(), targets, {
      lookup: { env: { PATH: '' }, findImage: noImage },
    });
    expect(without).to.be.instanceOf(BuiltinDriver);
  });

  it('builtin when asked, even with k6 present; k6 when asked is an error without it', async () => {
    const lookup = { env: { PATH: dir }, findImage: noImage };
    expect(await createLoadDriver(spec(), targets, { driver: 'builtin', lookup })).to.be.instanceOf(
      BuiltinDriver,
    );
    const error = await createLoadDriver(spec({ driver: 'k6' }), targets, {
      lookup: { env: { PATH: '' }, findImage: noImage },
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(LoadError).with.property('code', 'K6NotFound');
  });

  it("refuses a user's k6 script with the builtin driver", async () => {
    const error = await createLoadDriver(spec({ script: 'mine.js', driver: 'builtin' }), targets).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(LoadError).with.property('code', 'InvalidLoadSpec');
  });
});
