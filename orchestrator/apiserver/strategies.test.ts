import { expect } from 'chai';
import type { Job } from '../api/types.js';
import { prepareForCreate } from './strategies.js';

const job = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'migrate', namespace: 'default', uid: '0a5f6c1e-0000-4000-8000-000000000001' },
  spec: {
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'crucible/crasher' }] } },
  },
} as Job;

describe('write strategies: Job', () => {
  it("gets its selector from its uid on create, and its template the labels that match, kubectl's job-name too", () => {
    const created = prepareForCreate(job) as Job;
    expect(created.spec.selector).to.deep.equal({
      matchLabels: { 'batch.kubernetes.io/controller-uid': '0a5f6c1e-0000-4000-8000-000000000001' },
    });
    expect(created.spec.template.metadata?.labels).to.deep.equal({
      'batch.kubernetes.io/controller-uid': '0a5f6c1e-0000-4000-8000-000000000001',
      'batch.kubernetes.io/job-name': 'migrate',
      'controller-uid': '0a5f6c1e-0000-4000-8000-000000000001',
      'job-name': 'migrate',
    });
    expect(created.status).to.deep.equal({});
  });

  it('leaves a manual selector and the template alone', () => {
    const manual = {
      ...job,
      spec: { ...job.spec, manualSelector: true, selector: { matchLabels: { a: 'b' } } },
    };
    expect(prepareForCreate(manual as Job)).to.deep.include({ spec: manual.spec });
  });
});
