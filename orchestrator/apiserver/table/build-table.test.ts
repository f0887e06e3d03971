import { expect } from 'chai';

import type { KubeObject, Pod } from '../../api/types.js';
import { buildTable } from './build-table.js';

const NOW = new Date('2025-01-01T12:00:00Z');

function pod(name: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '7',
      creationTimestamp: '2025-01-01T11:59:00Z',
    },
    spec: { containers: [{ name: 'app', image: 'nginx' }] },
    status: { phase: 'Pending' },
  };
}

describe('buildTable', () => {
  it('returns a meta.k8s.io/v1 Table with the kind columns and the list metadata', () => {
    const table = buildTable([pod('a')], {
      kind: 'Pod',
      now: NOW,
      includeObject: 'Metadata',
      listMeta: { resourceVersion: '42', continue: 'tok', remainingItemCount: 3 },
    });
    expect(table.kind).to.equal('Table');
    expect(table.apiVersion).to.equal('meta.k8s.io/v1');
    expect(table.metadata).to.deep.equal({ resourceVersion: '42', continue: 'tok', remainingItemCount: 3 });
    expect(table.columnDefinitions[0]).to.deep.include({
      name: 'Name',
      type: 'string',
      format: 'name',
      priority: 0,
    });
    for (const column of table.columnDefinitions) {
      expect(column).to.have.all.keys('name', 'type', 'format', 'description', 'priority');
    }
  });

  it('gives every row exactly one cell per column definition, wide columns included', () => {
    const table = buildTable([pod('a'), pod('b')], {
      kind: 'Pod',
      now: NOW,
      includeObject: 'None',
      listMeta: {},
    });
    expect(table.rows).to.have.length(2);
    for (const row of table.rows) expect(row.cells).to.have.length(table.columnDefinitions.length);
    expect(table.rows.map((r) => r.cells[0])).to.deep.equal(['a', 'b']);
    expect(table.rows[0]!.cells[4]).to.equal('60s');
  });

  it('leaves unset list metadata fields off the table', () => {
    const table = buildTable([], {
      kind: 'Pod',
      now: NOW,
      includeObject: 'Metadata',
      listMeta: { resourceVersion: '9' },
    });
    expect(table.metadata).to.deep.equal({ resourceVersion: '9' });
    expect(table.rows).to.deep.equal([]);
    expect(table.columnDefinitions).to.have.length(9);
  });

  it('carries PartialObjectMetadata in each row for includeObject=Metadata', () => {
    const p = pod('a');
    const [row] = buildTable([p], { kind: 'Pod', now: NOW, includeObject: 'Metadata', listMeta: {} }).rows;
    expect(row!.object).to.deep.equal({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: p.metadata,
    });
  });

  it('carries the full object for includeObject=Object and nothing for includeObject=None', () => {
    const p = pod('a');
    const full = buildTable([p], { kind: 'Pod', now: NOW, includeObject: 'Object', listMeta: {} }).rows[0]!;
    expect(full.object).to.deep.equal(p);
    const none = buildTable([p], { kind: 'Pod', now: NOW, includeObject: 'None', listMeta: {} }).rows[0]!;
    expect(none).to.not.have.property('object');
  });

  it('answers in the negotiated version, v1beta1 included', () => {
    const table = buildTable([pod('a')], {
      kind: 'Pod',
      now: NOW,
      includeObject: 'Metadata',
      listMeta: {},
      version: 'v1beta1',
    });
    expect(table.apiVersion).to.equal('meta.k8s.io/v1beta1');
    expect(table.rows[0]!.object).to.include({ apiVersion: 'meta.k8s.io/v1beta1' });
  });

  it('omits the column definitions when asked for no headers, keeping the cells', () => {
    const table = buildTable([pod('a')], {
      kind: 'Pod',
      now: NOW,
      includeObject: 'None',
      listMeta: {},
      noHeaders: true,
    });
    expect(table.columnDefinitions).to.deep.equal([]);
    expect(table.rows[0]!.cells).to.have.length(9);
  });

  it('attaches row conditions to finished pods only', () => {
    const done = pod('done');
    done.status = { phase: 'Succeeded' };
    const rows = buildTable([pod('a'), done], {
      kind: 'Pod',
      now: NOW,
      includeObject: 'None',
      listMeta: {},
    }).rows;
    expect(rows[0]).to.not.have.property('conditions');
    expect(rows[1]!.conditions).to.deep.equal([
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
  });

  it('prints kinds without a printer as Name, Age and Created At', () => {
    const widget: KubeObject = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', creationTimestamp: '2025-01-01T10:00:00Z' },
    };
    const table = buildTable([widget], { kind: 'Widget', now: NOW, includeObject: 'None', listMeta: {} });
    expect(table.columnDefinitions.map((c) => c.name)).to.deep.equal(['Name', 'Age', 'Created At']);
    expect(table.rows[0]!.cells).to.deep.equal(['w', '120m', '2025-01-01T10:00:00Z']);
  });

  it('does not let callers mutate the shared column definitions through a table', () => {
    const first = buildTable([], { kind: 'Pod', now: NOW, includeObject: 'None', listMeta: {} });
    first.columnDefinitions[0]!.name = 'Mangled';
    const second = buildTable([], { kind: 'Pod', now: NOW, includeObject: 'None', listMeta: {} });
    expect(second.columnDefinitions[0]!.name).to.equal('Name');
  });
});
