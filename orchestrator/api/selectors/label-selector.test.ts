import { expect } from 'chai';
import { ApiError, isApiError } from '../errors.js';
import { labelSelectorFromObject, parseLabelSelector, selectorToString } from './label-selector.js';

function badRequest(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (isApiError(e, 'BadRequest')) return e;
    throw e;
  }
  throw new Error('expected a BadRequest');
}

const labels = { app: 'web', tier: 'frontend', version: '3' };

describe('label selectors', () => {
  describe('parseLabelSelector', () => {
    it('matches equality with =, == and !=', () => {
      expect(parseLabelSelector('app=web').matches(labels)).to.equal(true);
      expect(parseLabelSelector('app==web').matches(labels)).to.equal(true);
      expect(parseLabelSelector('app!=web').matches(labels)).to.equal(false);
      expect(parseLabelSelector('app=db').matches(labels)).to.equal(false);
    });

    it('treats != as true when the label is absent', () => {
      expect(parseLabelSelector('zone!=a').matches(labels)).to.equal(true);
    });

    it('matches the set-based forms in and notin', () => {
      expect(parseLabelSelector('tier in (frontend, backend)').matches(labels)).to.equal(true);
      expect(parseLabelSelector('tier in (backend)').matches(labels)).to.equal(false);
      expect(parseLabelSelector('tier notin (backend)').matches(labels)).to.equal(true);
      expect(parseLabelSelector('zone notin (a)').matches(labels)).to.equal(true);
      expect(parseLabelSelector('zone in (a)').matches(labels)).to.equal(false);
    });

    it('matches existence with key and !key', () => {
      expect(parseLabelSelector('app').matches(labels)).to.equal(true);
      expect(parseLabelSelector('!app').matches(labels)).to.equal(false);
      expect(parseLabelSelector('!zone').matches(labels)).to.equal(true);
    });

    it('ANDs comma-separated requirements', () => {
      expect(parseLabelSelector('app=web,tier in (frontend),!zone').matches(labels)).to.equal(true);
      expect(parseLabelSelector('app=web,tier=backend').matches(labels)).to.equal(false);
    });

    it('compares integers with > and <', () => {
      expect(parseLabelSelector('version>2').matches(labels)).to.equal(true);
      expect(parseLabelSelector('version<3').matches(labels)).to.equal(false);
    });

    it('matches everything when empty, including objects without labels', () => {
      const all = parseLabelSelector('');
      expect(all.matchesEverything).to.equal(true);
      expect(all.matches(undefined)).to.equal(true);
      expect(parseLabelSelector('   ').matchesEverything).to.equal(true);
    });

    it('accepts qualified keys and empty values', () => {
      expect(
        parseLabelSelector('app.kubernetes.io/name=web').matches({ 'app.kubernetes.io/name': 'web' }),
      ).to.equal(true);
      expect(parseLabelSelector('a=').matches({ a: '' })).to.equal(true);
      expect(parseLabelSelector('a in (,x)').matches({ a: '' })).to.equal(true);
    });

    it('treats in and notin as ordinary words in value position', () => {
      expect(parseLabelSelector('a in (in,notin)').matches({ a: 'notin' })).to.equal(true);
    });

    it('prints the canonical form, sorted by key with sorted values', () => {
      expect(parseLabelSelector('z in (b,a), a , !c, d != e,f==g, h>1').toString()).to.equal(
        'a,!c,d!=e,f==g,h>1,z in (a,b)',
      );
    });

    describe('errors', () => {
      it('are BadRequest (400)', () => {
        expect(badRequest(() => parseLabelSelector('a in b')).code).to.equal(400);
      });

      it('name a missing parenthesis', () => {
        expect(badRequest(() => parseLabelSelector('a in b')).message).to.equal(
          "unable to parse requirement: found 'b', expected: '('",
        );
        expect(badRequest(() => parseLabelSelector('a in (x')).message).to.equal(
          "unable to parse requirement: found '', expected: ',' or ')'",
        );
      });

      it('name a missing operator', () => {
        expect(badRequest(() => parseLabelSelector('a b')).message).to.equal(
          "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
        );
      });

      it('name a dangling comma and a lone !', () => {
        expect(badRequest(() => parseLabelSelector('a=b,')).message).to.equal(
          "found '', expected: identifier after ','",
        );
        expect(badRequest(() => parseLabelSelector('!')).message).to.equal(
          "unable to parse requirement: found '', expected: identifier",
        );
      });

      it('name an invalid key or value with the Kubernetes reason', () => {
        expect(badRequest(() => parseLabelSelector('-a=b')).message).to.match(
          /^unable to parse requirement: key: Invalid value: "-a": name part must consist/,
        );
        expect(badRequest(() => parseLabelSelector('a=b;c')).message).to.match(
          /values\[0\]\[a\]: Invalid value: "b;c": a valid label must be/,
        );
      });

      it('require an integer for > and <', () => {
        expect(badRequest(() => parseLabelSelector('a>b')).message).to.contain(
          "for 'Gt', 'Lt' operators, the value must be an integer",
        );
      });

      it('reject an empty set', () => {
        expect(() => parseLabelSelector('a in ()')).to.not.throw();
        expect(badRequest(() => parseLabelSelector('a in (,')).message).to.contain('found');
      });
    });
  });

  describe('labelSelectorFromObject', () => {
    it('ANDs matchLabels and matchExpressions', () => {
      const sel = labelSelectorFromObject({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
          { key: 'zone', operator: 'DoesNotExist' },
          { key: 'version', operator: 'NotIn', values: ['1'] },
          { key: 'tier', operator: 'Exists' },
        ],
      });
      expect(sel.matches(labels)).to.equal(true);
      expect(sel.matches({ ...labels, zone: 'a' })).to.equal(false);
      expect(sel.matches({ ...labels, app: 'db' })).to.equal(false);
    });

    it('matches everything when empty', () => {
      expect(labelSelectorFromObject({}).matches({})).to.equal(true);
      expect(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matchesEverything).to.equal(
        true,
      );
    });

    it('matches nothing when null', () => {
      const none = labelSelectorFromObject(null);
      expect(none.matchesNothing).to.equal(true);
      expect(none.matches({})).to.equal(false);
      expect(none.matches(labels)).to.equal(false);
    });

    it('rejects an unknown operator and In without values', () => {
      const op = 'Near' as 'In';
      expect(
        badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: op }] })).message,
      ).to.equal('"Near" is not a valid label selector operator');
      expect(
        badRequest(() =>
          labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
        ).message,
      ).to.contain("values set can't be empty");
    });
  });

  describe('selectorToString', () => {
    it('gives the canonical form of metav1.FormatLabelSelector', () => {
      expect(
        selectorToString({
          matchLabels: { tier: 'frontend', app: 'web' },
          matchExpressions: [
            { key: 'env', operator: 'NotIn', values: ['prod', 'dev'] },
            { key: 'canary', operator: 'DoesNotExist' },
            { key: 'owner', operator: 'Exists' },
            { key: 'zone', operator: 'In', values: ['a'] },
          ],
        }),
      ).to.equal('app=web,!canary,env notin (dev,prod),owner,tier=frontend,zone in (a)');
    });

    it('prints <none> for an empty or null selector and <error> for an invalid one', () => {
      expect(selectorToString({})).to.equal('<none>');
      expect(selectorToString(null)).to.equal('<none>');
      expect(selectorToString({ matchLabels: { 'bad key': 'x' } })).to.equal('<error>');
    });

    it('round-trips through parseLabelSelector', () => {
      const text = selectorToString({
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'env', operator: 'In', values: ['b', 'a'] }],
      });
      expect(parseLabelSelector(text).toString()).to.equal(text);
    });
  });
});
