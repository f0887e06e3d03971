import { expect } from 'chai';
import type { PodTemplateSpec } from '../api/types.js';
import {
  POD_TEMPLATE_HASH_LABEL,
  canonicalJson,
  computePodTemplateHash,
  equalIgnoreHash,
  fnv32a,
  safeEncodeString,
} from './pod-template-hash.js';

const template = (image = 'nginx:1', labels: Record<string, string> = { app: 'web' }): PodTemplateSpec => ({
  metadata: { labels },
  spec: { containers: [{ name: 'c', image }] },
});

describe('pod-template-hash', () => {
  it('computes FNV-1a 32 as the reference vectors say', () => {
    const fnv = (s: string) => fnv32a(Buffer.from(s));
    expect(fnv('')).to.equal(0x811c9dc5);
    expect(fnv('a')).to.equal(0xe40c292c);
    expect(fnv('foobar')).to.equal(0xbf9cf968);
    expect(fnv32a(Buffer.from('bar'), fnv('foo'))).to.equal(fnv('foobar'));
  });

  it('encodes like Kubernetes SafeEncodeString: digits map to 456789bcdf', () => {
    expect(safeEncodeString('0123456789')).to.equal('456789bcdf');
    expect(safeEncodeString('a')).to.equal('v');
  });

  it('serializes canonically: sorted keys, nothing for absent or empty values', () => {
    expect(canonicalJson({ b: 1, a: { d: [], c: null, e: {} }, f: undefined })).to.equal('{"b":1}');
    expect(canonicalJson({ b: [2, 1], a: 'x' })).to.equal('{"a":"x","b":[2,1]}');
    expect(canonicalJson({})).to.equal(undefined);
  });

  it('hashes equal templates equally whatever their key order, into the safe alphabet', () => {
    const a = template();
    const b: PodTemplateSpec = {
      spec: { containers: [{ image: 'nginx:1', name: 'c' }] },
      metadata: { labels: { app: 'web' } },
    };
    expect(computePodTemplateHash(a)).to.equal(computePodTemplateHash(b));
    expect(computePodTemplateHash(a)).to.match(/^[456789bcdf]{1,10}$/);
    const expected = safeEncodeString(String(fnv32a(Buffer.from(canonicalJson(a)!))));
    expect(computePodTemplateHash(a)).to.equal(expected);
  });

  it('hashes a changed template or a collision count differently', () => {
    const base = computePodTemplateHash(template());
    expect(computePodTemplateHash(template('nginx:2'))).to.not.equal(base);
    expect(computePodTemplateHash(template(), 0)).to.not.equal(base);
    expect(computePodTemplateHash(template(), 1)).to.not.equal(computePodTemplateHash(template(), 0));
  });

  it('compares templates ignoring only the pod-template-hash label', () => {
    const withHash = template('nginx:1', { app: 'web', [POD_TEMPLATE_HASH_LABEL]: 'abc' });
    expect(equalIgnoreHash(withHash, template())).to.equal(true);
    expect(equalIgnoreHash(withHash, template('nginx:2'))).to.equal(false);
    expect(equalIgnoreHash(withHash, template('nginx:1', { app: 'other' }))).to.equal(false);
    expect(
      equalIgnoreHash(template('nginx:1', { [POD_TEMPLATE_HASH_LABEL]: 'x' }), template('nginx:1', {})),
    ).to.equal(true);
  });
});
