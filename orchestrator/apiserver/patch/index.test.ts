import { expect } from 'chai';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { applyPatch } from './index.js';

const live: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'a', image: 'x' },
      { name: 'b', image: 'y' },
    ],
  },
};

function rejection(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('applyPatch', () => {
  it('replaces lists under application/merge-patch+json', () => {
    const out = applyPatch(
      'application/merge-patch+json',
      live,
      { spec: { containers: [{ name: 'b', image: 'z' }] } },
      'Pod',
    );
    expect(out.spec).to.deep.equal({ containers: [{ name: 'b', image: 'z' }] });
  });

  it('merges lists by key under application/strategic-merge-patch+json', () => {
    const out = applyPatch(
      'application/strategic-merge-patch+json',
      live,
      { spec: { containers: [{ name: 'b', image: 'z' }] } },
      'Pod',
    );
    expect(out.spec).to.deep.equal({
      containers: [
        { name: 'a', image: 'x' },
        { name: 'b', image: 'z' },
      ],
    });
  });

  it('applies operations under application/json-patch+json, ignoring media type parameters', () => {
    const out = applyPatch(
      'Application/JSON-Patch+JSON; charset=utf-8',
      live,
      [{ op: 'replace', path: '/spec/containers/1/image', value: 'z' }],
      'Pod',
    );
    expect(out.spec).to.deep.equal({
      containers: [
        { name: 'a', image: 'x' },
        { name: 'b', image: 'z' },
      ],
    });
  });

  it('answers 415 UnsupportedMediaType for any other content type, including apply', () => {
    for (const type of ['application/json', 'application/apply-patch+yaml', 'text/plain']) {
      const err = rejection(() => applyPatch(type, live, {}, 'Pod'));
      expect(err.code).to.equal(415);
      expect(err.reason).to.equal('UnsupportedMediaType');
    }
  });

  it('refuses a patch that turns the object into something other than an object', () => {
    const err = rejection(() => applyPatch('application/merge-patch+json', live, ['x'], 'Pod'));
    expect(err.reason).to.equal('BadRequest');
    expect(err.message).to.contain('an array');
  });

  it('does not mutate the live object', () => {
    const before = structuredClone(live);
    applyPatch('application/json-patch+json', live, [{ op: 'remove', path: '/metadata/labels' }], 'Pod');
    applyPatch(
      'application/strategic-merge-patch+json',
      live,
      { metadata: { labels: { app: null } } },
      'Pod',
    );
    expect(live).to.deep.equal(before);
  });
});
