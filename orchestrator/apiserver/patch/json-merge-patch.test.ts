import { expect } from 'chai';
import { applyJsonMergePatch } from './json-merge-patch.js';

describe('applyJsonMergePatch', () => {
  describe('RFC 7386 appendix A examples', () => {
    const cases: [unknown, unknown, unknown][] = [
      [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
      [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
      [{ a: 'b' }, { a: null }, {}],
      [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
      [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
      [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
      [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
      [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
      [
        ['a', 'b'],
        ['c', 'd'],
        ['c', 'd'],
      ],
      [{ a: 'b' }, ['c'], ['c']],
      [{ a: 'foo' }, null, null],
      [{ a: 'foo' }, 'bar', 'bar'],
      [{ e: null }, { a: 1 }, { e: null, a: 1 }],
      [[1, 2], { a: 'b', c: null }, { a: 'b' }],
      [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
    ];
    cases.forEach(([target, patch, expected], i) => {
      it(`example ${i + 1}: ${JSON.stringify(target)} + ${JSON.stringify(patch)} = ${JSON.stringify(expected)}`, () => {
        expect(applyJsonMergePatch(target, patch)).to.deep.equal(expected);
      });
    });
  });

  it('merges the RFC 7386 section 3 document example', () => {
    const target = {
      title: 'Goodbye!',
      author: { givenName: 'John', familyName: 'Doe' },
      tags: ['example', 'sample'],
      content: 'This will be unchanged',
    };
    const patch = {
      title: 'Hello!',
      phoneNumber: '+01-123-456-7890',
      author: { familyName: null },
      tags: ['example'],
    };
    expect(applyJsonMergePatch(target, patch)).to.deep.equal({
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
  });

  it('deletes a label with null and leaves the other labels alone', () => {
    const pod = { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } } };
    expect(applyJsonMergePatch(pod, { metadata: { labels: { tier: null } } })).to.deep.equal({
      metadata: { name: 'p', labels: { app: 'web' } },
    });
  });

  it('mutates neither the target nor the patch, and shares no structure with them', () => {
    const target = { a: { b: [1, 2] }, keep: { deep: true } };
    const patch = { a: { c: { d: 1 } }, x: null };
    const targetCopy = JSON.parse(JSON.stringify(target));
    const patchCopy = JSON.parse(JSON.stringify(patch));
    const result = applyJsonMergePatch(target, patch) as { keep: { deep: boolean }; a: { c: unknown } };
    expect(target).to.deep.equal(targetCopy);
    expect(patch).to.deep.equal(patchCopy);
    expect(result.keep).to.not.equal(target.keep);
    expect(result.a.c).to.not.equal(patch.a.c);
  });

  it('stores a "__proto__" key as data instead of changing the prototype', () => {
    const result = applyJsonMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(result)).to.equal(Object.prototype);
    expect(Object.keys(result)).to.deep.equal(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });
});
