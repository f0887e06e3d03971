import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProcess, startLocalControlPlane } from '../../harness/cluster/index.js';
import { Kubectl } from '../../testing/kubectl.js';

const ADMIN_TOKEN = 'admin-token';

/** A NodePort Service of one port, with the node port given or left to the apiserver. */
function nodePortService(name: string, nodePort?: number): string {
  return [
    'apiVersion: v1',
    'kind: Service',
    `metadata: { name: ${name} }`,
    'spec:',
    '  type: NodePort',
    '  selector: { app: web }',
    `  ports: [{ port: 80, targetPort: 8080${nodePort === undefined ? '' : `, nodePort: ${nodePort}`} }]`,
  ].join('\n');
}

/**
 * `orchestrator apiserver --service-node-port-range`, the real binary over a real etcd, driven
 * with the real kubectl: node ports come only from the range, and a Service that asks for one
 * outside it gets kube-apiserver's 422, in kube-apiserver's words.
 */
describe('apiserver --service-node-port-range (real apiserver process, etcd and kubectl)', function () {
  this.timeout(60_000);
  let dir: string;
  const processes: LocalProcess[] = [];
  let kubectl: Kubectl;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucible-node-port-range-'));
    await writeFile(join(dir, 'tokens.csv'), `${ADMIN_TOKEN},admin,uid-admin,"system:masters"\n`);
    const cp = await startLocalControlPlane({
      dir,
      tokenFile: join(dir, 'tokens.csv'),
      processes,
      apiserverArgs: ['--service-node-port-range=30080-30099'],
    });
    kubectl = new Kubectl(cp.apiserverUrl, ADMIN_TOKEN, cp.caFile);
  });
  after(async () => {
    for (const p of processes.reverse()) await p.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const nodePortOf = async (name: string) =>
    Number(await kubectl.ok(['get', 'service', name, '-o', 'jsonpath={.spec.ports[0].nodePort}']));

  it('refuses a node port outside the range with 422 Invalid naming the field and the range', async () => {
    const created = await kubectl.run(['create', '-f', '-'], { input: nodePortService('outside', 31999) });
    expect(created.code).to.equal(1);
    expect(created.stderr.trim()).to.equal(
      'The Service "outside" is invalid: spec.ports[0].nodePort: Invalid value: 31999: provided port is not in the valid range. The range of valid ports is 30080-30099',
    );
    const verbose = await kubectl.run(['create', '-f', '-', '-v=6'], {
      input: nodePortService('outside', 31999),
    });
    expect(verbose.stderr).to.match(
      /POST https:\S+\/api\/v1\/namespaces\/default\/services\S* 422 Unprocessable Entity/,
    );
    const res = await kubectl.run(['get', '--raw', '/api/v1/namespaces/default/services/outside']);
    expect(res.stderr, 'nothing was created').to.include('NotFound');
  });

  it('takes a node port asked for inside the range, once', async () => {
    await kubectl.ok(['create', '-f', '-'], nodePortService('fixed', 30099));
    expect(await nodePortOf('fixed')).to.equal(30099);
    const again = await kubectl.run(['create', '-f', '-'], { input: nodePortService('fixed-again', 30099) });
    expect(again.stderr.trim()).to.equal(
      'The Service "fixed-again" is invalid: spec.ports[0].nodePort: Invalid value: 30099: provided port is already allocated',
    );
  });

  it('hands out every free port of the range and no other, then says the range is full', async () => {
    const names = Array.from({ length: 19 }, (_, i) => `auto-${i}`);
    await kubectl.ok(['create', '-f', '-'], names.map((n) => nodePortService(n)).join('\n---\n'));
    const ports = await Promise.all(names.map(nodePortOf));
    expect([...ports].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 19 }, (_, i) => 30080 + i));
    expect(await kubectl.ok(['get', 'service', 'auto-0'])).to.match(/80:300[89]\d\/TCP/);

    const full = await kubectl.run(['create', '-f', '-'], { input: nodePortService('one-too-many') });
    expect(full.code).to.equal(1);
    expect(full.stderr).to.include('Internal error occurred: failed to allocate a nodePort: range is full');

    // A port freed by a deletion is the one port left to hand out.
    await kubectl.ok(['delete', 'service', 'auto-7']);
    await kubectl.ok(['create', '-f', '-'], nodePortService('late'));
    expect(await nodePortOf('late')).to.equal(ports[7]);
  });
});
