/**
 * ResourceQuota accounting shared by the apiserver's quota admission and the resourcequota
 * controller: exact quantities, resource lists, and what each kind of object consumes.
 */
export { Quantity, type QuantityFormat } from './quantity.js';
export {
  addResources,
  exceededResources,
  formatResourceList,
  maskResources,
  maxResources,
  parseResourceList,
  renderResourceList,
  withoutZeros,
  type ResourceList,
} from './resource-list.js';
export {
  objectCountName,
  podChargedUntil,
  quotaCovers,
  quotaEvaluator,
  quotaEvaluators,
  quotaScopes,
  quotaUsage,
  trackedResources,
  type QuotaEvaluator,
  type ScopeRequirement,
} from './quota-evaluator.js';
