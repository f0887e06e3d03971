/**
 * ObjectMeta and the small structures every group shares (label selectors, object
 * references), with the checks of Kubernetes' `ValidateObjectMeta`.
 */
import type { LabelSelector, ObjectMeta, OwnerReference } from '../types.js';
import { eachInvalid } from './checks.js';
import { child, index, type FieldErrors } from './field-errors.js';
import { isDNS1123Label, isQualifiedName, isValidLabelValue, type NameValidator } from './names.js';
import {
  anything,
  array,
  boolean,
  int64,
  map,
  object,
  required,
  string,
  type FieldSpec,
  type Shape,
} from './shape.js';

const ownerReference = object({
  apiVersion: string(),
  kind: string(),
  name: string(),
  uid: string(),
  controller: boolean(),
  blockOwnerDeletion: boolean(),
});

const managedFieldsEntry = object({
  manager: string(),
  operation: string(),
  apiVersion: string(),
  time: string(),
  fieldsType: string(),
  fieldsV1: anything(),
  subresource: string(),
});

/** `metadata` of every object. Timestamps may be `null`, as `kubectl create --dry-run -o yaml` writes them. */
export const objectMetaShape: Shape = object({
  name: string(),
  generateName: string(),
  namespace: string(),
  selfLink: string(),
  uid: string(),
  resourceVersion: string(),
  generation: int64(),
  creationTimestamp: string(),
  deletionTimestamp: string(),
  deletionGracePeriodSeconds: int64(),
  labels: map(string()),
  annotations: map(string()),
  ownerReferences: array(ownerReference),
  finalizers: array(string()),
  managedFields: array(managedFieldsEntry),
});

const labelSelectorRequirement = object({
  key: required(string()),
  operator: required(string()),
  values: array(string()),
});

/** `metav1.LabelSelector`. */
export const labelSelectorShape: Shape = object({
  matchLabels: map(string()),
  matchExpressions: array(labelSelectorRequirement),
});

/** `corev1.ObjectReference`. */
export const objectReferenceShape: Shape = object({
  kind: string(),
  namespace: string(),
  name: string(),
  uid: string(),
  apiVersion: string(),
  resourceVersion: string(),
  fieldPath: string(),
});

/** `corev1.LocalObjectReference`: `{name}`. */
export const localObjectReferenceShape: Shape = object({ name: string() });

/** The top level of a kind: `apiVersion`, `kind`, `metadata` and the kind's own fields. */
export function kindShape(fields: Readonly<Record<string, FieldSpec>>): Shape {
  return object({ apiVersion: string(), kind: string(), metadata: objectMetaShape, ...fields });
}

/** Kubernetes' `ValidateLabels`: qualified-name keys, label-value values, reported at `path`. */
export function validateLabels(
  errs: FieldErrors,
  path: string,
  labels: Record<string, string> | undefined,
): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    eachInvalid(errs, path, k, isQualifiedName(k));
    eachInvalid(errs, path, v, isValidLabelValue(v));
  }
}

const totalAnnotationSizeLimitB = 256 * 1024;

/** Kubernetes' `ValidateAnnotations`: case-insensitive qualified-name keys, 256 KiB in total. */
export function validateAnnotations(
  errs: FieldErrors,
  path: string,
  annotations: Record<string, string> | undefined,
): void {
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    eachInvalid(errs, path, k, isQualifiedName(k.toLowerCase()));
    size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > totalAnnotationSizeLimitB) errs.tooLong(path, totalAnnotationSizeLimitB);
}

function validateOwnerReferences(errs: FieldErrors, path: string, refs: OwnerReference[] | undefined): void {
  const controllers: string[] = [];
  refs?.forEach((ref, i) => {
    const at = index(path, i);
    const version = ref.apiVersion?.includes('/') ? ref.apiVersion.split('/')[1] : ref.apiVersion;
    if (!version) errs.invalid(child(at, 'apiVersion'), ref.apiVersion ?? '', 'version must not be empty');
    if (!ref.kind) errs.invalid(child(at, 'kind'), ref.kind ?? '', 'kind must not be empty');
    if (!ref.name) errs.invalid(child(at, 'name'), ref.name ?? '', 'name must not be empty');
    if (!ref.uid) errs.invalid(child(at, 'uid'), ref.uid ?? '', 'uid must not be empty');
    if (ref.controller) controllers.push(`${ref.kind}/${ref.name}`);
  });
  if (controllers.length > 1) {
    errs.invalid(
      path,
      refs,
      `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
    );
  }
}

/** How `validateObjectMeta` treats the name. */
export interface ObjectMetaRules {
  /** The syntax of `name` and `generateName`. */
  name: NameValidator;
}

/** Kubernetes' `ValidateObjectMeta` for a top-level object at `metadata`. */
export function validateObjectMeta(
  errs: FieldErrors,
  meta: ObjectMeta | undefined,
  rules: ObjectMetaRules,
): void {
  const path = 'metadata';
  const m = meta ?? {};
  if (m.generateName)
    eachInvalid(errs, child(path, 'generateName'), m.generateName, rules.name(m.generateName, true));
  if (!m.name && !m.generateName) errs.required(child(path, 'name'), 'name or generateName is required');
  if (m.name) eachInvalid(errs, child(path, 'name'), m.name, rules.name(m.name, false));
  if (m.namespace) eachInvalid(errs, child(path, 'namespace'), m.namespace, isDNS1123Label(m.namespace));
  if (m.generation !== undefined && m.generation < 0) {
    errs.invalid(child(path, 'generation'), m.generation, 'must be greater than or equal to 0');
  }
  validateLabels(errs, child(path, 'labels'), m.labels);
  validateAnnotations(errs, child(path, 'annotations'), m.annotations);
  validateOwnerReferences(errs, child(path, 'ownerReferences'), m.ownerReferences);
  m.finalizers?.forEach((f, i) =>
    eachInvalid(errs, index(child(path, 'finalizers'), i), f, isQualifiedName(f)),
  );
}

/** Kubernetes' `ValidateTemplateObjectMeta`: a pod template's metadata only has labels and annotations checked. */
export function validateTemplateMeta(errs: FieldErrors, path: string, meta: ObjectMeta | undefined): void {
  validateLabels(errs, child(path, 'labels'), meta?.labels);
  validateAnnotations(errs, child(path, 'annotations'), meta?.annotations);
}

/** Kubernetes' `ValidateLabelSelector` for the structured form at `path`. */
export function validateLabelSelector(
  errs: FieldErrors,
  path: string,
  selector: LabelSelector | undefined,
): void {
  if (!selector) return;
  validateLabels(errs, child(path, 'matchLabels'), selector.matchLabels);
  selector.matchExpressions?.forEach((expr, i) => {
    const at = index(child(path, 'matchExpressions'), i);
    const operator = expr.operator as string | undefined;
    const values = expr.values ?? [];
    switch (operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errs.required(child(at, 'values'), "must be specified when `operator` is 'In' or 'NotIn'");
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errs.forbidden(
            child(at, 'values'),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          );
        }
        break;
      case undefined:
        break;
      default:
        errs.invalid(child(at, 'operator'), operator, 'not a valid selector operator');
    }
    if (expr.key !== undefined) eachInvalid(errs, child(at, 'key'), expr.key, isQualifiedName(expr.key));
    values.forEach((v, j) => eachInvalid(errs, index(child(at, 'values'), j), v, isValidLabelValue(v)));
  });
}
