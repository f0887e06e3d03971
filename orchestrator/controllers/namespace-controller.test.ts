import { expect } from 'chai';
import type { Condition } from '../api/types.js';
import { namespaceDeletionConditions, type ContentDeletion } from './namespace-controller.js';

const outcome = (over: Partial<ContentDeletion> = {}): ContentDeletion => ({
  remaining: new Map(),
  finalizers: new Map(),
  failures: [],
  deletedAny: false,
  ...over,
});
const byType = (conditions: Condition[], type: string) => conditions.find((c) => c.type === type)!;

describe('namespaceDeletionConditions', () => {
  it('reports remaining content and finalizers as Kubernetes does', () => {
    const conditions = namespaceDeletionConditions(
      outcome({
        remaining: new Map([
          ['pods', 2],
          ['configmaps', 1],
        ]),
        finalizers: new Map([['example.com/hold', 1]]),
      }),
      [],
      '2024-01-01T00:00:00Z',
    );
    expect(conditions.map((c) => c.type)).to.deep.equal([
      'NamespaceDeletionDiscoveryFailure',
      'NamespaceDeletionGroupVersionParsingFailure',
      'NamespaceDeletionContentFailure',
      'NamespaceContentRemaining',
      'NamespaceFinalizersRemaining',
    ]);
    expect(byType(conditions, 'NamespaceContentRemaining')).to.include({
      status: 'True',
      reason: 'SomeResourcesRemain',
      message:
        'Some resources are remaining: configmaps has 1 resource instances, pods has 2 resource instances',
    });
    expect(byType(conditions, 'NamespaceFinalizersRemaining')).to.include({
      status: 'True',
      message:
        'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    });
    expect(byType(conditions, 'NamespaceDeletionContentFailure').status).to.equal('False');
  });

  it('reports failures in NamespaceDeletionContentFailure', () => {
    const conditions = namespaceDeletionConditions(outcome({ failures: ['pods "a": boom'] }), [], 't');
    expect(byType(conditions, 'NamespaceDeletionContentFailure')).to.include({
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: 'Failed to delete all resource types, 1 remaining: pods "a": boom',
    });
  });

  it('gives back the same conditions for the same outcome, and keeps conditions of other types', () => {
    const other: Condition = { type: 'Custom', status: 'True' };
    const first = namespaceDeletionConditions(outcome(), [other], 't1');
    expect(first[0]).to.equal(other);
    expect(namespaceDeletionConditions(outcome(), first, 't2')).to.deep.equal(first);
  });

  it('moves lastTransitionTime only for a condition whose status changed', () => {
    const first = namespaceDeletionConditions(outcome({ remaining: new Map([['pods', 1]]) }), [], 't1');
    const second = namespaceDeletionConditions(outcome(), first, 't2');
    expect(byType(second, 'NamespaceContentRemaining').lastTransitionTime).to.equal('t2');
    expect(byType(second, 'NamespaceDeletionContentFailure').lastTransitionTime).to.equal('t1');
  });
});
