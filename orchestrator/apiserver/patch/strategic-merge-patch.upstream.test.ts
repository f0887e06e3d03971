/**
 * Cases ported from k8s.io/apimachinery/pkg/util/strategicpatch/patch_test.go: each applies the
 * upstream patch (mostly the three-way patch kubectl computes) to the upstream current object
 * and expects upstream's result. Upstream's test type has `mergingList` (merge key `name`),
 * `mergingIntList` (merged primitives) and `retainKeysMap`; they are played here by a Pod's
 * `spec.containers` (nested lists by a container's `env`), `metadata.finalizers` and a
 * Deployment's `spec.strategy`.
 */
import { expect } from 'chai';
import { ApiError } from '../../api/errors.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

type Obj = Record<string, unknown>;
const n = (name: string, extra: Obj = {}): Obj => ({ name, ...extra });
const del = (name: string): Obj => ({ name, $patch: 'delete' });
const order = (...names: string[]) => names.map((name) => ({ name }));

/** Applies `patch` (directives named for `containers`) to a pod whose containers are `current`. */
function containers(current: Obj[], patch: Obj): unknown {
  const pod = { kind: 'Pod', spec: { containers: current } };
  return (applyStrategicMergePatch(pod, { spec: patch }, 'Pod') as { spec: Obj }).spec.containers;
}

/** Applies `patch` (directives named for `finalizers`) to an object whose finalizers are `current`. */
function finalizers(current: unknown[], patch: Obj): unknown {
  const pod = { kind: 'Pod', metadata: { finalizers: current } };
  return (applyStrategicMergePatch(pod, { metadata: patch }, 'Pod') as { metadata: Obj }).metadata.finalizers;
}

function strategy(current: Obj, patch: Obj): unknown {
  const deploy = { kind: 'Deployment', spec: { strategy: current } };
  return (applyStrategicMergePatch(deploy, { spec: { strategy: patch } }, 'Deployment') as { spec: Obj }).spec
    .strategy;
}

describe('applyStrategicMergePatch on upstream test cases', () => {
  describe('lists of maps', () => {
    it('merge lists of maps', () => {
      const current = [n('1', { other: 'a' }), n('2', { value: '2', other: 'b' })];
      const patch = {
        '$setElementOrder/containers': order('4', '1', '2', '3'),
        containers: [n('4', { value: '4' }), n('3', { value: '3' })],
      };
      expect(containers(current, patch)).to.deep.equal([
        n('4', { value: '4' }),
        n('1', { other: 'a' }),
        n('2', { value: '2', other: 'b' }),
        n('3', { value: '3' }),
      ]);
    });

    it('merge lists of maps with conflict', () => {
      const current = [n('1', { other: 'a' }), n('2', { value: '3', other: 'b' })];
      const patch = {
        '$setElementOrder/containers': order('1', '2', '3'),
        containers: [n('2', { value: '2' }), n('3', { value: '3' })],
      };
      expect(containers(current, patch)).to.deep.equal([
        n('1', { other: 'a' }),
        n('2', { value: '2', other: 'b' }),
        n('3', { value: '3' }),
      ]);
    });

    it('add field to map in merging list with conflict', () => {
      const current = [n('1', { other: 'a' }), n('3', { value: '2', other: 'b' })];
      const patch = {
        '$setElementOrder/containers': order('1', '2'),
        containers: [n('1', { value: '1' }), n('2', { value: '2' })],
      };
      expect(containers(current, patch)).to.deep.equal([
        n('1', { value: '1', other: 'a' }),
        n('2', { value: '2' }),
        n('3', { value: '2', other: 'b' }),
      ]);
    });

    it('delete field from map in merging list', () => {
      const current = [n('1', { value: '1', other: 'a' }), n('2', { value: '2', other: 'b' })];
      const patch = { '$setElementOrder/containers': order('1', '2'), containers: [n('1', { value: null })] };
      expect(containers(current, patch)).to.deep.equal([
        n('1', { other: 'a' }),
        n('2', { value: '2', other: 'b' }),
      ]);
    });

    it('delete missing map from merging list with conflict', () => {
      const patch = { '$setElementOrder/containers': order('2'), containers: [n('2'), del('1')] };
      expect(containers([n('3', { other: 'a' })], patch)).to.deep.equal([n('2'), n('3', { other: 'a' })]);
    });

    it('add map and delete map from merging list', () => {
      const current = [n('1'), n('2', { other: 'b' }), n('4', { other: 'c' })];
      const patch = { '$setElementOrder/containers': order('2', '3'), containers: [n('3'), del('1')] };
      expect(containers(current, patch)).to.deep.equal([
        n('2', { other: 'b' }),
        n('4', { other: 'c' }),
        n('3'),
      ]);
    });

    it('add map and delete map from merging list with conflict', () => {
      const current = [n('1', { other: 'a' }), n('4', { other: 'c' })];
      const patch = {
        '$setElementOrder/containers': order('2', '3'),
        containers: [n('2'), n('3'), del('1')],
      };
      expect(containers(current, patch)).to.deep.equal([n('4', { other: 'c' }), n('2'), n('3')]);
    });

    it('add map to merging list by pointer', () => {
      const patch = { '$setElementOrder/containers': order('1', '2'), containers: [n('2')] };
      expect(containers([n('1', { other: 'a' }), n('3')], patch)).to.deep.equal([
        n('1', { other: 'a' }),
        n('2'),
        n('3'),
      ]);
    });

    it('add map to merging list by pointer with conflict', () => {
      const patch = { '$setElementOrder/containers': order('1', '2'), containers: [n('1'), n('2')] };
      expect(containers([n('3')], patch)).to.deep.equal([n('1'), n('2'), n('3')]);
    });

    it('replace non merging list nested in merging list', () => {
      const current = [n('1', { other: 'a', args: ['x', 'y'] }), n('2', { other: 'b' })];
      const patch = { '$setElementOrder/containers': order('1', '2'), containers: [n('1', { args: ['z'] })] };
      expect(containers(current, patch)).to.deep.equal([
        n('1', { other: 'a', args: ['z'] }),
        n('2', { other: 'b' }),
      ]);
    });

    it('add field to map in merging list nested in merging list with deletion conflict', () => {
      const current = [
        n('1', { other: 'a', env: [n('2', { value: '2', other: 'd' })] }),
        n('2', { other: 'b' }),
      ];
      const patch = {
        '$setElementOrder/containers': order('1', '2'),
        containers: [n('1', { '$setElementOrder/env': order('2', '1'), env: [n('1', { value: '1' })] })],
      };
      expect(containers(current, patch)).to.deep.equal([
        n('1', { other: 'a', env: [n('2', { value: '2', other: 'd' }), n('1', { value: '1' })] }),
        n('2', { other: 'b' }),
      ]);
    });

    it('nested patch merge with empty list', () => {
      const patch = {
        '$setElementOrder/containers': order('hello', 'doesntexist'),
        containers: [n('hello'), del('doesntexist')],
      };
      expect(containers([n('hello2')], patch)).to.deep.equal([n('hello'), n('hello2')]);
    });

    it('delete an item in a list and preserve order', () => {
      const current = [n('1', { other: 'a' }), n('2', { value: '2', other: 'b' }), n('3', { value: '3' })];
      const patch = { '$setElementOrder/containers': order('2', '1'), containers: [del('3')] };
      expect(containers(current, patch)).to.deep.equal([
        n('2', { value: '2', other: 'b' }),
        n('1', { other: 'a' }),
      ]);
    });

    it('add and delete an item in a list and preserve order', () => {
      const current = [n('1', { other: 'a' }), n('2', { value: '2', other: 'b' }), n('3', { value: '3' })];
      const patch = {
        '$setElementOrder/containers': order('4', '2', '1'),
        containers: [n('4', { value: '4' }), del('3')],
      };
      expect(containers(current, patch)).to.deep.equal([
        n('4', { value: '4' }),
        n('2', { value: '2', other: 'b' }),
        n('1', { other: 'a' }),
      ]);
    });

    it('set elements order in a list with server-only items', () => {
      const current = [n('1'), n('3'), n('4'), n('2'), n('9')];
      const patch = { '$setElementOrder/containers': order('4', '2', '3', '1') };
      expect(containers(current, patch)).to.deep.equal([n('4'), n('2'), n('3'), n('1'), n('9')]);
    });

    it('set elements order in a list with server-only items 2', () => {
      const current = [n('1'), n('2'), n('9'), n('3'), n('4')];
      const patch = { '$setElementOrder/containers': order('2', '1', '4', '3') };
      expect(containers(current, patch)).to.deep.equal([n('2'), n('1'), n('9'), n('4'), n('3')]);
    });

    it('set elements order in a list with server-only items 3', () => {
      const current = ['1', '2', '7', '9', '8', '3', '4'].map((name) => n(name));
      const patch = { '$setElementOrder/containers': order('2', '1', '4', '3') };
      expect(names(containers(current, patch))).to.deep.equal(['2', '1', '7', '9', '8', '4', '3']);
    });

    it('behavior of set element order for a merging list with duplicate', () => {
      const current = [n('1'), n('2', { value: 'dup1' }), n('3'), n('2', { value: 'dup2' }), n('4')];
      const patch = { '$setElementOrder/containers': order('2', '1', '4', '3', '2') };
      expect(containers(current, patch)).to.deep.equal([
        n('2', { value: 'dup1' }),
        n('2', { value: 'dup2' }),
        n('1'),
        n('4'),
        n('3'),
      ]);
    });

    it('preserve the order from the patch in a merging list', () => {
      const current = [n('1'), n('2', { value: 'b' }), n('3')];
      const patch = { containers: [n('3', { value: 'c' }), n('1', { value: 'a' }), n('2', { other: 'x' })] };
      expect(containers(current, patch)).to.deep.equal([
        n('3', { value: 'c' }),
        n('1', { value: 'a' }),
        n('2', { value: 'b', other: 'x' }),
      ]);
    });

    it('preserve the order from the patch in a merging list 2', () => {
      const current = [n('1'), n('2', { value: 'b' }), n('3')];
      const patch = { containers: [n('3', { value: 'c' }), n('1', { value: 'a' })] };
      expect(containers(current, patch)).to.deep.equal([
        n('2', { value: 'b' }),
        n('3', { value: 'c' }),
        n('1', { value: 'a' }),
      ]);
    });

    it('$setElementOrder contains item that is not present in the list to be merged', () => {
      const patch = {
        '$setElementOrder/containers': order('3', '2', '1'),
        containers: [n('3', { value: '3' }), n('1', { value: '1' })],
      };
      expect(containers([n('1'), n('3')], patch)).to.deep.equal([
        n('3', { value: '3' }),
        n('1', { value: '1' }),
      ]);
    });

    it('should check if order in $setElementOrder and patch list match', () => {
      const patch = {
        '$setElementOrder/containers': order('1', '2', '3'),
        containers: [n('3', { value: '3' }), n('1', { value: '1' })],
      };
      expect(() => containers([n('1'), n('3'), n('2')], patch))
        .to.throw(ApiError)
        .with.property('message')
        .that.contains("doesn't match");
    });

    it('missing merge key should error out', () => {
      expect(() => containers([n('1', { value: 'a' })], { containers: [{ value: 'b' }] }))
        .to.throw(ApiError)
        .with.property('message')
        .that.contains('does not contain declared merge key');
    });

    it('delete all duplicate entries in a merging list', () => {
      const current = [n('1'), n('1'), n('2', { value: 'a' }), n('3'), n('3')];
      expect(containers(current, { containers: [del('1'), del('3')] })).to.deep.equal([
        n('2', { value: 'a' }),
      ]);
    });

    it('delete all items from merging list', () => {
      expect(containers([n('1'), n('2')], { containers: [{ $patch: 'replace' }] })).to.deep.equal([]);
    });
  });

  describe('lists of primitives', () => {
    it('merge lists of scalars', () => {
      expect(
        finalizers([1, 2, 4], { '$setElementOrder/finalizers': [1, 2, 3], finalizers: [3] }),
      ).to.deep.equal([1, 2, 3, 4]);
    });

    it('add an item in a list of primitives and preserve order', () => {
      expect(
        finalizers([1, 4, 2], { '$setElementOrder/finalizers': [3, 1, 2], finalizers: [3] }),
      ).to.deep.equal([3, 1, 4, 2]);
    });

    it('delete items in lists of scalars', () => {
      const patch = { '$setElementOrder/finalizers': [1, 2], '$deleteFromPrimitiveList/finalizers': [3] };
      expect(finalizers([1, 2, 3, 4], patch)).to.deep.equal([1, 2, 4]);
      expect(finalizers([1, 2, 3, 3, 4], patch)).to.deep.equal([1, 2, 4]);
    });

    it('add and delete an item in a int list and preserve order', () => {
      const patch = {
        '$setElementOrder/finalizers': [4, 2, 1],
        finalizers: [4],
        '$deleteFromPrimitiveList/finalizers': [3],
      };
      expect(finalizers([1, 2, 3], patch)).to.deep.equal([4, 2, 1]);
    });

    it('set elements order in a int list with server-only items 2 and 3', () => {
      const patch = { '$setElementOrder/finalizers': [2, 1, 4, 3] };
      expect(finalizers([1, 2, 9, 3, 4], patch)).to.deep.equal([2, 1, 9, 4, 3]);
      expect(finalizers([1, 2, 7, 9, 8, 3, 4], patch)).to.deep.equal([2, 1, 7, 9, 8, 4, 3]);
    });

    it('behavior of set element order for a merging int list with duplicate', () => {
      expect(finalizers([1, 2, 3, 2, 4], { '$setElementOrder/finalizers': [2, 1, 4, 3, 2] })).to.deep.equal([
        2, 2, 1, 4, 3,
      ]);
    });

    it('preserve the order from the patch in a merging int list', () => {
      expect(finalizers([1, 2, 3], { finalizers: [3, 1, 2] })).to.deep.equal([3, 1, 2]);
      expect(finalizers([1, 2, 3], { finalizers: [3, 1] })).to.deep.equal([2, 3, 1]);
    });

    it('unique scalars when merging lists', () => {
      expect(finalizers([1, 2], { finalizers: [2, 3] })).to.deep.equal([1, 2, 3]);
    });

    it('$setElementOrder contains item that is not present in the int list to be merged', () => {
      expect(finalizers([1, 3], { '$setElementOrder/finalizers': [3, 2, 1] })).to.deep.equal([3, 1]);
    });

    it('$deleteFromPrimitiveList of nonexistent item should not add the item to the list', () => {
      expect(finalizers([1, 2], { '$deleteFromPrimitiveList/finalizers': [3] })).to.deep.equal([1, 2]);
    });

    it('$deleteFromPrimitiveList should delete item from a list without merge patch strategy', () => {
      const pod = { kind: 'Pod', spec: { containers: [n('c', { args: ['1', '2', '3'] })] } };
      const out = applyStrategicMergePatch(
        pod,
        { spec: { containers: [n('c', { '$deleteFromPrimitiveList/args': ['2'] })] } },
        'Pod',
      ) as { spec: { containers: Obj[] } };
      expect(out.spec.containers[0].args).to.deep.equal(['1', '3']);
    });
  });

  describe('retainKeys maps', () => {
    it('retainKeys map should clear defaulted field', () => {
      expect(strategy({ value: 'foo' }, { $retainKeys: ['other'], other: 'bar' })).to.deep.equal({
        other: 'bar',
      });
    });

    it('retainKeys map should clear defaulted field with conflict (discriminated union)', () => {
      const patch = { $retainKeys: ['name', 'other'], name: 'type2', other: 'bar' };
      expect(strategy({ name: 'type1', value: 'foo' }, patch)).to.deep.equal({ name: 'type2', other: 'bar' });
    });

    it('retainKeys map adds a field and clear a field', () => {
      const patch = { $retainKeys: ['name', 'value'], value: 'bar' };
      expect(strategy({ name: 'foo', other: 'a' }, patch)).to.deep.equal({ name: 'foo', value: 'bar' });
    });

    it('retainKeys map clears a field', () => {
      const current = { name: 'foo', value: 'bar', other: 'a' };
      expect(strategy(current, { $retainKeys: ['name', 'value'] })).to.deep.equal({
        name: 'foo',
        value: 'bar',
      });
    });

    it('retainKeys map deletes a field in a nested map', () => {
      const current = { name: 'foo', value: 'bar', simpleMap: { key1: 'a', key2: 'b', key3: 'c' } };
      const patch = { $retainKeys: ['name', 'simpleMap', 'value'], simpleMap: { key2: null } };
      expect(strategy(current, patch)).to.deep.equal({
        name: 'foo',
        value: 'bar',
        simpleMap: { key1: 'a', key3: 'c' },
      });
    });
  });

  describe('maps', () => {
    it('add key and delete all keys from map', () => {
      const pod = { kind: 'Pod', spec: { name: 1, value: 1 } };
      expect(applyStrategicMergePatch(pod, { spec: { other: 'a', $patch: 'replace' } }, 'Pod')).to.deep.equal(
        {
          kind: 'Pod',
          spec: { other: 'a' },
        },
      );
    });

    it('defined null values should propagate removing original fields', () => {
      const current = { name: 'original-name', value: 'original-value', other: 'current-other' };
      const out = applyStrategicMergePatch(current, { name: 'modified-name', value: null }, 'Pod');
      expect(out).to.deep.equal({ name: 'modified-name', other: 'current-other' });
    });
  });
});

function names(list: unknown): string[] {
  return (list as { name: string }[]).map((c) => c.name);
}
