/**
 * Label and field selectors with Kubernetes' syntax and semantics, shared by the apiserver's
 * list/watch filtering, the controllers and the clients.
 */
export {
  EVERYTHING,
  NOTHING,
  labelSelectorFromObject,
  parseLabelSelector,
  selectorToString,
  type LabelRequirement,
  type LabelSelectorMatcher,
  type SelectorOperator,
} from './label-selector.js';
export {
  EVERYTHING_FIELDS,
  fieldValue,
  fieldsFor,
  parseFieldSelector,
  type FieldRequirement,
  type FieldSelector,
} from './field-selector.js';
