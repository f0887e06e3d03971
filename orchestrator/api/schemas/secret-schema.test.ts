import { expect } from 'chai';
import { defaultObject } from './default-object.js';
import { expectCause, expectValid } from './support.test.js';

const secret = (over: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default' },
  ...over,
});

describe('Secret schema', () => {
  it('admits base64 data and stringData, and merges stringData into data on defaulting', () => {
    const admitted = expectValid(
      secret({ data: { a: 'YQ==', b: 'Yg==' }, stringData: { b: 'B', c: 'see' } }),
      'Secret',
    );
    const stored = defaultObject(admitted) as {
      type?: string;
      data?: Record<string, string>;
      stringData?: unknown;
    };
    expect(stored.type).to.equal('Opaque');
    expect(stored.stringData).to.equal(undefined);
    expect(stored.data).to.deep.equal({
      a: 'YQ==',
      b: Buffer.from('B').toString('base64'),
      c: Buffer.from('see').toString('base64'),
    });
  });

  it('refuses data that is not base64, without echoing it', () => {
    expectCause(secret({ data: { a: 'not base64!' } }), 'Secret', 'data[a]', 'must be base64-encoded');
    expectCause(secret({ data: { a: 'not base64!' } }), 'Secret', 'data[a]', '<secret contents redacted>');
  });

  it('refuses keys that are not file names and the type-required keys left out', () => {
    expectCause(secret({ stringData: { 'a/b': 'x' } }), 'Secret', 'stringData[a/b]', 'a valid config key');
    expectCause(
      secret({ type: 'kubernetes.io/tls', stringData: { 'tls.crt': 'x' } }),
      'Secret',
      'data[tls.key]',
      'Required value',
    );
  });

  it('refuses legacy service account token Secrets, pointing at TokenRequest', () => {
    expectCause(
      secret({ type: 'kubernetes.io/service-account-token' }),
      'Secret',
      'type',
      'request tokens through the TokenRequest API',
    );
  });
});
