import { expect } from 'chai';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  isValidPathSegmentName,
  isValidPortName,
  nameIsDNSSubdomain,
} from './names.js';

describe('names', () => {
  describe('isDNS1123Subdomain', () => {
    it('accepts dotted lower-case names', () => {
      expect(isDNS1123Subdomain('web-1.example.com')).to.deep.equal([]);
    });

    it('rejects capitals and underscores with Kubernetes message', () => {
      expect(isDNS1123Subdomain('Bad_Name')).to.deep.equal([
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      ]);
    });

    it('rejects names over 253 characters', () => {
      expect(isDNS1123Subdomain('a'.repeat(254))).to.deep.equal(['must be no more than 253 characters']);
    });
  });

  describe('isDNS1123Label', () => {
    it('accepts a name that starts with a digit', () => {
      expect(isDNS1123Label('123-abc')).to.deep.equal([]);
    });

    it('rejects dots, with the doubled space of Kubernetes RegexError', () => {
      expect(isDNS1123Label('a.b')).to.deep.equal([
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      ]);
    });

    it('rejects labels over 63 characters', () => {
      expect(isDNS1123Label('a'.repeat(64))).to.include('must be no more than 63 characters');
    });
  });

  describe('isDNS1035Label', () => {
    it('accepts a name that starts with a letter', () => {
      expect(isDNS1035Label('web-1')).to.deep.equal([]);
    });

    it('rejects a name that starts with a digit', () => {
      expect(isDNS1035Label('1web')[0]).to.match(/^a DNS-1035 label must consist/);
    });
  });

  describe('isQualifiedName', () => {
    it('accepts names with and without a DNS prefix', () => {
      expect(isQualifiedName('app')).to.deep.equal([]);
      expect(isQualifiedName('app.kubernetes.io/name')).to.deep.equal([]);
      expect(isQualifiedName('MyName_1')).to.deep.equal([]);
    });

    it('rejects an empty prefix, a bad prefix, a bad name and two slashes', () => {
      expect(isQualifiedName('/a')).to.deep.equal(['prefix part must be non-empty']);
      expect(isQualifiedName('Example.com/a')[0]).to.match(/^prefix part a lowercase RFC 1123 subdomain/);
      expect(isQualifiedName('bad key')[0]).to.match(/^name part must consist of alphanumeric characters/);
      expect(isQualifiedName('a/b/c')[0]).to.match(/^a qualified name must consist/);
      expect(isQualifiedName('x/')).to.include('name part must be non-empty');
    });
  });

  describe('isValidLabelValue', () => {
    it('accepts the empty string and inner dashes, dots and underscores', () => {
      expect(isValidLabelValue('')).to.deep.equal([]);
      expect(isValidLabelValue('v1.2_3-a')).to.deep.equal([]);
    });

    it('rejects spaces, a leading dash and more than 63 characters', () => {
      expect(isValidLabelValue('a b')[0]).to.match(/^a valid label must be an empty string/);
      expect(isValidLabelValue('-a')).to.have.length(1);
      expect(isValidLabelValue('a'.repeat(64))).to.include('must be no more than 63 characters');
    });
  });

  describe('isValidPortName', () => {
    it('accepts an IANA service name', () => {
      expect(isValidPortName('http-alt')).to.deep.equal([]);
    });

    it('rejects digits only, double dashes, capitals and more than 15 characters', () => {
      expect(isValidPortName('8080')).to.deep.equal(['must contain at least one letter (a-z)']);
      expect(isValidPortName('a--b')).to.deep.equal(['must not contain consecutive hyphens']);
      expect(isValidPortName('HTTP')).to.include(
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      );
      expect(isValidPortName('abcdefghijklmnop')).to.include('must be no more than 15 characters');
    });
  });

  describe('other syntaxes', () => {
    it('isConfigMapKey accepts file-name-like keys and rejects slashes and ".."', () => {
      expect(isConfigMapKey('app.properties')).to.deep.equal([]);
      expect(isConfigMapKey('a/b')).to.have.length(1);
      expect(isConfigMapKey('..a')).to.include("must not start with '..'");
    });

    it('isEnvVarName accepts dots and dashes but not a leading digit', () => {
      expect(isEnvVarName('MY_VAR.x-y')).to.deep.equal([]);
      expect(isEnvVarName('1VAR')).to.have.length(1);
    });

    it('isValidPathSegmentName accepts colons and rejects slashes, percent and dot names', () => {
      expect(isValidPathSegmentName('system:node')).to.deep.equal([]);
      expect(isValidPathSegmentName('a/b')).to.deep.equal(["may not contain '/'"]);
      expect(isValidPathSegmentName('..')).to.deep.equal(["may not be '..'"]);
    });

    it('isValidIP accepts IPv4 and IPv6 and rejects anything else', () => {
      expect(isValidIP('10.0.0.1')).to.deep.equal([]);
      expect(isValidIP('2001:db8::1')).to.deep.equal([]);
      expect(isValidIP('10.0.0.256')).to.have.length(1);
    });

    it('a generateName prefix may end with a dash', () => {
      expect(nameIsDNSSubdomain('web-', true)).to.deep.equal([]);
      expect(nameIsDNSSubdomain('web-', false)).to.have.length(1);
    });
  });
});
