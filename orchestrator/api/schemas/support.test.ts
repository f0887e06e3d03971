// Fixtures and assertions shared by the schema tests (no tests of its own).
import { expect } from 'chai';
import { isApiError } from '../errors.js';
import type { KubeObject, StatusCause } from '../types.js';
import { validateObject, type FieldValidation } from './validate-object.js';

/** The causes `validateObject` reports, or `[]` when the object is admitted. */
export function causesOf(
  obj: unknown,
  kind: string,
  fieldValidation: FieldValidation = 'Strict',
): StatusCause[] {
  try {
    validateObject(obj, { kind, fieldValidation });
    return [];
  } catch (e) {
    if (!isApiError(e, 'Invalid')) throw e;
    expect(e.code).to.equal(422);
    return e.details?.causes ?? [];
  }
}

/** Asserts the object is admitted under Strict and returns what was admitted. */
export function expectValid(obj: unknown, kind: string): KubeObject {
  const causes = causesOf(obj, kind);
  expect(causes, JSON.stringify(causes, null, 2)).to.deep.equal([]);
  return validateObject(obj, { kind, fieldValidation: 'Strict' }).object;
}

/** Asserts a cause at exactly `field` whose message contains `message`. */
export function expectCause(obj: unknown, kind: string, field: string, message: string): void {
  const causes = causesOf(obj, kind);
  const found = causes.some((c) => c.field === field && c.message.includes(message));
  expect(found, `no cause ${field}: …${message}… in\n${JSON.stringify(causes, null, 2)}`).to.equal(true);
}

/** A minimal valid container, with overrides. */
export const container = (over: object = {}) => ({ name: 'web', image: 'nginx:1.27', ...over });

/** A minimal valid Pod, with spec and metadata overrides. */
export const pod = (spec: object = {}, meta: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', ...meta },
  spec: { containers: [container()], ...spec },
});

/** A minimal valid Deployment, with spec and pod-spec overrides. */
export const deployment = (spec: object = {}, podSpec: object = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container()], ...podSpec } },
    ...spec,
  },
});

/** A minimal valid Service, with spec overrides. */
export const service = (spec: object = {}, meta: object = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', ...meta },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
});
