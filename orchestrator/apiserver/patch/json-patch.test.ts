import { expect } from 'chai';
import { ApiError } from '../../api/errors.js';
import { applyJsonPatch } from './json-patch.js';

function rejection(target: unknown, ops: unknown): ApiError {
  try {
    applyJsonPatch(target, ops);
  } catch (e) {
    expect(e).to.be.instanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected the patch to be rejected');
}

describe('applyJsonPatch', () => {
  describe('RFC 6902 appendix A', () => {
    it('A.1 adds an object member', () => {
      expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).to.deep.equal({
        baz: 'qux',
        foo: 'bar',
      });
    });

    it('A.2 adds an array element before the given index', () => {
      expect(
        applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]),
      ).to.deep.equal({
        foo: ['bar', 'qux', 'baz'],
      });
    });

    it('A.3 removes an object member', () => {
      expect(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }])).to.deep.equal({
        foo: 'bar',
      });
    });

    it('A.4 removes an array element', () => {
      expect(
        applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]),
      ).to.deep.equal({
        foo: ['bar', 'baz'],
      });
    });

    it('A.5 replaces a value', () => {
      expect(
        applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]),
      ).to.deep.equal({ baz: 'boo', foo: 'bar' });
    });

    it('A.6 moves a value', () => {
      const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
      expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).to.deep.equal({
        foo: { bar: 'baz' },
        qux: { corge: 'grault', thud: 'fred' },
      });
    });

    it('A.7 moves an array element', () => {
      const doc = { foo: ['all', 'grass', 'cows', 'eat'] };
      expect(applyJsonPatch(doc, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).to.deep.equal({
        foo: ['all', 'cows', 'eat', 'grass'],
      });
    });

    it('A.8 passes a successful test', () => {
      const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
      const ops = [
        { op: 'test', path: '/baz', value: 'qux' },
        { op: 'test', path: '/foo/1', value: 2 },
      ];
      expect(applyJsonPatch(doc, ops)).to.deep.equal(doc);
    });

    it('A.9 rejects a failed test with 422 Invalid naming the operation and path', () => {
      const err = rejection({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]);
      expect(err.code).to.equal(422);
      expect(err.reason).to.equal('Invalid');
      expect(err.message).to.contain('the server rejected our request due to an error in our request');
      expect(err.message).to.contain('operation 0 (test at "/baz")');
      expect(err.details?.causes?.[0].message).to.contain('"/baz"');
    });

    it('A.10 adds a nested member object', () => {
      expect(
        applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]),
      ).to.deep.equal({
        foo: 'bar',
        child: { grandchild: {} },
      });
    });

    it('A.11 ignores unrecognised members of an operation', () => {
      expect(
        applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }]),
      ).to.deep.equal({
        foo: 'bar',
        baz: 'qux',
      });
    });

    it('A.12 rejects adding to a nonexistent target', () => {
      const err = rejection({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]);
      expect(err.code).to.equal(422);
      expect(err.message).to.contain('"/baz" does not exist');
    });

    it('A.13 rejects an invalid operation (here: an unknown op)', () => {
      const err = rejection({ foo: 'bar' }, [{ op: 'frobnicate', path: '/baz', value: 'qux' }]);
      expect(err.code).to.equal(422);
      expect(err.message).to.contain('unknown op "frobnicate"');
    });

    it('A.14 unescapes ~01 as "~1", not as "/"', () => {
      const doc = { '/': 9, '~1': 10 };
      expect(applyJsonPatch(doc, [{ op: 'test', path: '/~01', value: 10 }])).to.deep.equal(doc);
    });

    it('A.15 fails a test comparing a number with a string', () => {
      const err = rejection({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]);
      expect(err.reason).to.equal('Invalid');
      expect(err.message).to.contain('test failed');
    });

    it('A.16 adds an array value', () => {
      expect(
        applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]),
      ).to.deep.equal({
        foo: ['bar', ['abc', 'def']],
      });
    });
  });

  it('copies a value so that the copy and the source are independent', () => {
    const result = applyJsonPatch({ a: { b: 1 } }, [
      { op: 'copy', from: '/a', path: '/c' },
      { op: 'replace', path: '/c/b', value: 2 },
    ]);
    expect(result).to.deep.equal({ a: { b: 1 }, c: { b: 2 } });
  });

  it('appends with "-" and decodes ~1 in a label key', () => {
    const pod = {
      metadata: { labels: { 'app.kubernetes.io/name': 'web' } },
      spec: { tolerations: [{ key: 'a' }] },
    };
    const result = applyJsonPatch(pod, [
      { op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'api' },
      { op: 'add', path: '/spec/tolerations/-', value: { key: 'b' } },
    ]);
    expect(result).to.deep.equal({
      metadata: { labels: { 'app.kubernetes.io/name': 'api' } },
      spec: { tolerations: [{ key: 'a' }, { key: 'b' }] },
    });
  });

  it('replaces the whole document with an empty path', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).to.deep.equal({ b: 2 });
  });

  it('keeps the key order when replacing a member', () => {
    const result = applyJsonPatch({ a: 1, b: 2, c: 3 }, [{ op: 'replace', path: '/a', value: 9 }]);
    expect(Object.keys(result as object)).to.deep.equal(['a', 'b', 'c']);
  });

  it('rejects replacing or removing a member that does not exist', () => {
    expect(rejection({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]).message).to.contain(
      '"/b" does not exist',
    );
    expect(rejection({ a: 1 }, [{ op: 'remove', path: '/b' }]).message).to.contain('"/b" does not exist');
  });

  it('rejects out-of-bounds and malformed array indexes', () => {
    expect(rejection({ a: [1] }, [{ op: 'add', path: '/a/2', value: 0 }]).message).to.contain(
      'out of bounds',
    );
    expect(rejection({ a: [1] }, [{ op: 'remove', path: '/a/1' }]).message).to.contain('out of bounds');
    expect(rejection({ a: [1] }, [{ op: 'remove', path: '/a/01' }]).message).to.contain('not an array index');
    expect(rejection({ a: [1] }, [{ op: 'remove', path: '/a/-' }]).message).to.contain('not an array index');
  });

  it('rejects moving a value into its own child', () => {
    expect(rejection({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]).message).to.contain(
      'into one of its own children',
    );
  });

  it('rejects operations missing their members, naming the index of the operation', () => {
    expect(
      rejection({}, [
        { op: 'add', path: '/a', value: 1 },
        { op: 'add', path: '/b' },
      ]).message,
    ).to.contain('operation 1 (add at "/b"): missing "value" member');
    expect(rejection({}, [{ op: 'remove' }]).message).to.contain('missing or non-string "path"');
    expect(rejection({}, [{ op: 'copy', path: '/x' }]).message).to.contain('missing "from"');
    expect(rejection({}, [{ path: '/x' }]).message).to.contain('missing "op"');
    expect(rejection({}, [{ op: 'remove', path: 'a' }]).message).to.contain(
      'must be empty or start with "/"',
    );
    expect(rejection({ 'a~b': 1 }, [{ op: 'remove', path: '/a~b' }]).message).to.contain(
      'invalid "~" escape',
    );
  });

  it('answers 400 BadRequest when the body is not an array of objects', () => {
    const notArray = rejection({}, { op: 'add', path: '/a', value: 1 });
    expect(notArray.reason).to.equal('BadRequest');
    expect(notArray.code).to.equal(400);
    expect(rejection({}, ['add']).reason).to.equal('BadRequest');
  });

  it('is all or nothing and never mutates its inputs', () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    const ops = [
      { op: 'remove', path: '/a/0' },
      { op: 'add', path: '/b/d', value: { e: 1 } },
      { op: 'test', path: '/b/c', value: 2 },
    ];
    const before = JSON.parse(JSON.stringify(doc));
    const opsBefore = JSON.parse(JSON.stringify(ops));
    rejection(doc, ops);
    expect(doc).to.deep.equal(before);
    const ok = applyJsonPatch(doc, ops.slice(0, 2)) as { b: { d: unknown } };
    expect(doc).to.deep.equal(before);
    expect(ops).to.deep.equal(opsBefore);
    expect(ok.b.d).to.not.equal(ops[1].value);
  });
});
