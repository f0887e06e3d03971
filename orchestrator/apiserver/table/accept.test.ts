import { expect } from 'chai';

import { isTableRequest, negotiateTableVersion, parseIncludeObject } from './accept.js';

const KUBECTL_GET =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('isTableRequest', () => {
  it('is true for the Accept header kubectl get sends, negotiating v1', () => {
    expect(isTableRequest(KUBECTL_GET)).to.equal(true);
    expect(negotiateTableVersion(KUBECTL_GET)).to.equal('v1');
  });

  it('negotiates v1beta1 when that is the first Table version asked for', () => {
    expect(
      negotiateTableVersion('application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'),
    ).to.equal('v1beta1');
  });

  it('is false for plain JSON, wildcards, YAML and an absent header', () => {
    expect(isTableRequest('application/json')).to.equal(false);
    expect(isTableRequest('*/*')).to.equal(false);
    expect(isTableRequest('application/yaml')).to.equal(false);
    expect(isTableRequest(undefined)).to.equal(false);
    expect(isTableRequest('')).to.equal(false);
  });

  it('is false when plain JSON is preferred over the Table', () => {
    expect(isTableRequest('application/json,application/json;as=Table;v=v1;g=meta.k8s.io')).to.equal(false);
    expect(isTableRequest('application/json;as=Table;v=v1;g=meta.k8s.io;q=0.5,application/json')).to.equal(
      false,
    );
  });

  it('skips Tables of an unknown version or group, or in protobuf, for the next acceptable range', () => {
    expect(isTableRequest('application/json;as=Table;v=v1alpha1;g=meta.k8s.io')).to.equal(false);
    expect(isTableRequest('application/json;as=Table;v=v1;g=example.com')).to.equal(false);
    expect(
      negotiateTableVersion(
        'application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io',
      ),
    ).to.equal('v1beta1');
  });

  it('is false for PartialObjectMetadata requests', () => {
    expect(isTableRequest('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io')).to.equal(
      false,
    );
  });

  it('tolerates whitespace, quoted values and case in parameter names', () => {
    expect(isTableRequest('application/json ; AS="Table" ; v=v1 ; g=meta.k8s.io')).to.equal(true);
  });

  it('ignores ranges refused with q=0', () => {
    expect(isTableRequest('application/json;as=Table;v=v1;g=meta.k8s.io;q=0')).to.equal(false);
  });
});

describe('parseIncludeObject', () => {
  it('defaults to Metadata when absent', () => {
    expect(parseIncludeObject(undefined)).to.equal('Metadata');
    expect(parseIncludeObject(null)).to.equal('Metadata');
    expect(parseIncludeObject('')).to.equal('Metadata');
  });

  it('accepts None, Metadata and Object and rejects anything else', () => {
    expect(parseIncludeObject('None')).to.equal('None');
    expect(parseIncludeObject('Object')).to.equal('Object');
    expect(parseIncludeObject('object')).to.equal(undefined);
  });
});
