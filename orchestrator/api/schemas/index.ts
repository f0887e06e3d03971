/**
 * Admission for the bundled apiserver: structural and semantic validation of request bodies
 * (`validateObject`) and Kubernetes' defaulting (`defaultObject`), plus the name syntaxes
 * other packages need to check names outside of objects.
 */
export {
  validateObject,
  type FieldValidation,
  type ValidateOptions,
  type ValidationResult,
} from './validate-object.js';
export {
  defaultObject,
  defaultPullPolicy,
  DEFAULT_TOLERATION_SECONDS,
  type DefaultingOptions,
} from './default-object.js';
export { quantityValue } from './quantity.js';
export { schemaKinds } from './kinds.js';
export {
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
} from './names.js';
