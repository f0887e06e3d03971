import { expect } from 'chai';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../support/decode-yaml.js';
import {
  defaultClusterSpec,
  nodePortRange,
  parseClusterSpec,
  simulatedNodeNames,
  workerNames,
} from './cluster-spec.js';

describe('cluster spec', () => {
  it('defaults a minimal file: one etcd, one of each control-plane component, three workers, fast timing', () => {
    const spec = parseClusterSpec('apiVersion: crucible.dev/v1alpha1\nkind: Cluster\n', 'c.yaml');
    expect(spec.etcd.members).to.equal(1);
    expect(spec.controlPlane).to.deep.equal({
      apiservers: 1,
      schedulers: 1,
      controllerManagers: 1,
      cloudControllerManager: false,
    });
    expect(workerNames(spec)).to.deep.equal(['worker-1', 'worker-2', 'worker-3']);
    expect(spec.timing).to.equal('fast');
    expect(Object.isFrozen(spec.workers[0])).to.equal(true);
  });

  it('reads an HA spec with worker groups, labels and taints', () => {
    const spec = parseClusterSpec(
      [
        'apiVersion: crucible.dev/v1alpha1',
        'kind: Cluster',
        'name: ha',
        'etcd: { members: 3 }',
        'controlPlane: { apiservers: 2, schedulers: 2, controllerManagers: 2 }',
        'workers:',
        '  - count: 2',
        '  - count: 1',
        '    labels: { disk: ssd }',
        '    taints: [{ key: dedicated, value: db, effect: NoSchedule }]',
      ].join('\n'),
      'ha.yaml',
    );
    expect(spec.etcd.members).to.equal(3);
    expect(workerNames(spec)).to.have.length(3);
    expect(spec.workers[1]!.taints[0]!.effect).to.equal('NoSchedule');
  });

  it('reports every problem at once, each with file, line and column', () => {
    const text = [
      'apiVersion: crucible.dev/v1alpha1',
      'kind: Cluster',
      'etcd: { members: 2 }',
      'controlPlane:',
      '  apiserverz: 2',
      'workers:',
      '  - count: 0',
      'timing: slow',
    ].join('\n');
    let error: unknown;
    try {
      parseClusterSpec(text, 'bad.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    const lines = (error as ConfigError).problems.map((p) => `${p.file}:${p.line} ${p.path}`);
    expect(lines).to.deep.equal([
      'bad.yaml:3 etcd.members',
      'bad.yaml:5 controlPlane.apiserverz',
      'bad.yaml:7 workers[0].count',
      'bad.yaml:8 timing',
    ]);
    expect((error as ConfigError).message)
      .to.include('unknown field "apiserverz"')
      .and.include('must be 1 or 3');
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseClusterSpec('kind: Cluster\nworkers: [\n', 'broken.yaml')).to.throw(
      ConfigError,
      /broken\.yaml:\d+:\d+/,
    );
  });

  it('builds a spec from flags', () => {
    const spec = defaultClusterSpec({ name: 'demo', workers: 2 });
    expect(spec.name).to.equal('demo');
    expect(workerNames(spec)).to.deep.equal(['worker-1', 'worker-2']);
  });

  it('reads simulated nodes: a count, defaulted to sim- names, 4 CPUs each and the simulated taint', () => {
    const spec = parseClusterSpec(
      'apiVersion: crucible.dev/v1alpha1\nkind: Cluster\nsimulatedNodes: { count: 3 }\n',
      'sim.yaml',
    );
    expect(simulatedNodeNames(spec)).to.deep.equal(['sim-1', 'sim-2', 'sim-3']);
    expect(spec.simulatedNodes).to.deep.equal({
      count: 3,
      prefix: 'sim-',
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      labels: {},
      taints: [{ key: 'crucible.dev/simulated', value: 'true', effect: 'NoSchedule' }],
    });
    expect(simulatedNodeNames(defaultClusterSpec())).to.deep.equal([]);
  });

  it('rejects a simulated cluster larger than 5000 nodes, or named like the workers', () => {
    let error: unknown;
    try {
      parseClusterSpec(
        [
          'apiVersion: crucible.dev/v1alpha1',
          'kind: Cluster',
          'simulatedNodes:',
          '  count: 5001',
          '  prefix: worker-',
          '  cpus: 2',
        ].join('\n'),
        'sim.yaml',
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => `${p.line} ${p.path}`)).to.deep.equal([
      '4 simulatedNodes.count',
      '5 simulatedNodes.prefix',
      '6 simulatedNodes.cpus',
    ]);
  });

  it('takes a node port range within 30000-32767, defaulting to 30080-30099', () => {
    const header = 'apiVersion: crucible.dev/v1alpha1\nkind: Cluster\n';
    expect(parseClusterSpec(header, 'c.yaml').nodePortRange).to.equal('30080-30099');
    expect(nodePortRange(parseClusterSpec(`${header}nodePortRange: 31000-31099\n`, 'c.yaml'))).to.deep.equal({
      min: 31000,
      max: 31099,
    });
    const problems = (text: string) => {
      try {
        parseClusterSpec(header + text, 'ports.yaml');
        return [];
      } catch (e) {
        return (e as ConfigError).problems.map(
          (p) => `${p.file}:${p.line}:${p.column} ${p.path}: ${p.message}`,
        );
      }
    };
    expect(problems('nodePortRange: 8080-8090\n')).to.deep.equal([
      "ports.yaml:3:16 nodePortRange: must lie within 30000-32767, kube-apiserver's default range (the cluster's own ports and the pods' lie outside it)",
    ]);
    expect(problems('nodePortRange: 30099-30080\n')).to.deep.equal([
      'ports.yaml:3:16 nodePortRange: "30099-30080": the last port comes before the first',
    ]);
  });

  it('says what replaced nodePorts, for a spec written before node port ranges', () => {
    expect(() =>
      parseClusterSpec(
        'apiVersion: crucible.dev/v1alpha1\nkind: Cluster\nnodePorts: [30080, 30081]\n',
        'old.yaml',
      ),
    ).to.throw(
      ConfigError,
      'old.yaml:3:12: nodePorts: replaced by nodePortRange (e.g. nodePortRange: 30080-30099): the apiservers now hand out node ports only from that range, and the docker provider publishes all of it',
    );
  });

  describe('images: the user’s own programs', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'crucible-spec-images-'));
      mkdirSync(join(dir, 'my-api'));
      writeFileSync(join(dir, 'my-api', 'server.js'), '');
      writeFileSync(join(dir, 'my-api', 'tool'), '', { mode: 0o644 });
      writeFileSync(join(dir, 'my-bin'), '', { mode: 0o755 });
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const spec = (images: string[]) =>
      ['apiVersion: crucible.dev/v1alpha1', 'kind: Cluster', 'images:', ...images].join('\n');

    it('reads a folder or a file, relative to the spec file, into an absolute path', () => {
      const parsed = parseClusterSpec(
        spec([
          '  - { name: example.com/my-api:1.0, path: ./my-api, command: [node, server.js] }',
          '  - { name: my-bin, path: my-bin, command: [./my-bin, --port, "8080"] }',
        ]),
        join(dir, 'cluster.yaml'),
      );
      expect(parsed.images).to.deep.equal([
        {
          name: 'example.com/my-api:1.0',
          path: join(dir, 'my-api'),
          command: ['node', 'server.js'],
          hostDir: join(dir, 'my-api'),
        },
        { name: 'my-bin', path: join(dir, 'my-bin'), command: ['./my-bin', '--port', '8080'], hostDir: dir },
      ]);
      expect(
        parseClusterSpec(spec(['  []']).replace('images:\n  []', 'images: []'), 'c.yaml').images,
      ).to.deep.equal([]);
    });

    it('reports a missing path, an empty command, a program that is not there or not executable, with their lines', () => {
      let error: unknown;
      try {
        parseClusterSpec(
          spec([
            '  - { name: a, path: ./missing, command: [node, server.js] }',
            '  - { name: b, path: ./my-api, command: [] }',
            '  - { name: c, path: ./my-api, command: [./tool] }',
            '  - { name: d, path: ./my-api, command: [./bin/server] }',
            '  - { name: e, path: ./my-bin, command: [./other] }',
            '  - { name: f, path: ./my-bin, command: [my-bin] }',
            '  - { name: crucible/echo, path: ./my-bin, command: [./my-bin] }',
            '  - { name: a:latest, path: ./my-bin, command: [./my-bin] }',
          ]),
          join(dir, 'bad.yaml'),
        );
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(ConfigError);
      expect(
        (error as ConfigError).problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`),
      ).to.deep.equal([
        `4:22 images[0].path: ${join(dir, 'missing')} does not exist`,
        '5:41 images[1].command: must say what to run, e.g. [node, server.js] or [./my-api]',
        `6:42 images[2].command[0]: ${join(dir, 'my-api', 'tool')} is not executable (chmod +x ${join(dir, 'my-api', 'tool')})`,
        `7:42 images[3].command[0]: ${join(dir, 'my-api', 'bin', 'server')} does not exist`,
        '8:42 images[4].command[0]: an image of one file runs that file: ./my-bin',
        '9:42 images[5].command[0]: write ./my-bin: a bare name is looked for on PATH',
        '10:13 images[6].name: crucible/ images are crucible’s own programs: give yours another name',
        '11:13 images[7].name: a:latest is loaded twice',
      ]);
    });
  });
});
