import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ContainerRuntimeClient, GenericContainer } from 'testcontainers';
import {
  buildNodeImage,
  dockerEngineAnswers,
  IMAGE_ORCHESTRATOR_MAIN,
  NODE_IMAGE_LABEL,
  NODE_IMAGE_LABEL_VALUE,
} from './node-image.js';
import { loadTestcontainers } from '../support/docker-client.js';
import { addLoadedImages } from './loaded-images-layer.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Every container this suite starts carries it, so that none can be left behind unnoticed. */
const TEST_LABEL = 'crucible.dev/test';
const TEST_LABEL_VALUE = 'node-image';

describe('node image (Docker)', function () {
  this.timeout(180_000);
  let tc: Awaited<ReturnType<typeof loadTestcontainers>>;
  let client: ContainerRuntimeClient;
  let image: string;
  let firstBuildMs: number;

  const progress = (line: string) => process.stderr.write(`      ${line}\n`);

  /** Containers of this suite, running or not. */
  const ourContainers = () =>
    client.container.dockerode.listContainers({
      all: true,
      filters: { label: [`${TEST_LABEL}=${TEST_LABEL_VALUE}`] },
    });
  const removeOurContainers = async () => {
    for (const c of await ourContainers())
      await client.container.dockerode.getContainer(c.Id).remove({ force: true, v: true });
  };

  /** A container of `from` that runs to completion; resolves with what it printed. */
  async function runToCompletion(from: string, configure: (c: GenericContainer) => GenericContainer) {
    let output = '';
    let ended: Promise<void> = Promise.resolve();
    const container = configure(new tc.GenericContainer(from))
      .withLabels({ [TEST_LABEL]: TEST_LABEL_VALUE })
      .withWaitStrategy(tc.Wait.forOneShotStartup())
      .withStartupTimeout(30_000)
      .withLogConsumer((stream) => {
        ended = new Promise((done) => {
          stream.on('data', (chunk: Buffer | string) => (output += chunk.toString()));
          stream.on('end', done);
          stream.on('error', () => done());
        });
      });
    try {
      const started = await container.start();
      await ended;
      await started.stop();
      return output;
    } catch (e) {
      await ended;
      throw new Error(`${e instanceof Error ? e.message : String(e)}; it printed:\n${output}`);
    }
  }

  before(async function () {
    if (!(await dockerEngineAnswers())) {
      progress('no Docker engine answers: skipping the node image tests (scripts/setup.sh starts one)');
      this.skip();
    }
    tc = await loadTestcontainers();
    client = await tc.getContainerRuntimeClient();
    await removeOurContainers(); // left over by a run that crashed
    const started = performance.now();
    image = await buildNodeImage({ projectRoot, progress });
    firstBuildMs = performance.now() - started;
  });

  after(async function () {
    if (client) await removeOurContainers();
  });

  it('is tagged by its content, labelled, and reused when nothing changed', async () => {
    expect(image).to.match(/^crucible-node:[0-9a-f]{16}$/);
    const started = performance.now();
    const again = await buildNodeImage({ projectRoot, progress });
    const reuseMs = performance.now() - started;
    progress(
      `first call ${(firstBuildMs / 1000).toFixed(1)} s, second call ${(reuseMs / 1000).toFixed(2)} s`,
    );
    expect(again).to.equal(image);
    expect(reuseMs).to.be.below(3000);

    const info = await client.image.inspect(tc.ImageName.fromString(image));
    expect(info.Config.Labels?.[NODE_IMAGE_LABEL]).to.equal(NODE_IMAGE_LABEL_VALUE);
    expect(info.Config.Entrypoint).to.deep.equal(['/usr/bin/node', IMAGE_ORCHESTRATOR_MAIN]);
    expect(info.Config.Env).to.include('PATH=/usr/sbin:/usr/bin:/bin');
  });

  it('runs the orchestrator: --help lists every component', async () => {
    const help = await runToCompletion(image, (c) => c.withCommand(['--help']));
    for (const component of ['apiserver', 'scheduler', 'controller-manager', 'kubelet', 'kube-proxy'])
      expect(help).to.match(new RegExp(`^\\s+${component}\\b`, 'm'), component);
  });

  it('ships etcd 3.4', async () => {
    const version = await runToCompletion(image, (c) =>
      c.withEntrypoint(['/usr/bin/etcd']).withCommand(['--version']),
    );
    expect(version).to.match(/etcd Version: 3\.4\./);
  });

  it('carries iptables with its modules, for kube-proxy’s NetworkPolicy chains', async () => {
    const version = await runToCompletion(image, (c) =>
      c.withEntrypoint(['/usr/sbin/iptables-restore']).withCommand(['--version']),
    );
    expect(version).to.match(/iptables-restore v1\.\d+\.\d+/);
    // A rule that loads the owner, comment and REJECT modules, in a namespace of its own.
    const listed = await runToCompletion(image, (c) =>
      c
        .withAddedCapabilities('NET_ADMIN')
        .withEntrypoint(['/bin/sh'])
        .withCommand([
          '-c',
          'iptables -N T && iptables -A T -m owner --uid-owner 200001 -m comment --comment c -j REJECT && ip6tables -N T && iptables -S T',
        ]),
    );
    expect(listed).to.include('-A T -m owner --uid-owner 200001 -m comment --comment c -j REJECT');
  });

  it('has a /bin/sh that finds node on PATH (the kubelet runs containers under it)', async () => {
    const out = await runToCompletion(image, (c) =>
      c.withEntrypoint(['/bin/sh', '-c']).withCommand(['echo ok; command -v node; cd /tmp && echo "$PWD"']),
    );
    expect(out.trim().split('\n')).to.deep.equal(['ok', '/usr/bin/node', '/tmp']);
  });

  it('has a writable /tmp for everyone, and user and host lookups', async () => {
    const script = `
      const fs = require('node:fs'), os = require('node:os'), dns = require('node:dns');
      fs.writeFileSync('/tmp/probe', 'x');
      dns.lookup('localhost', (err, address) => console.log(JSON.stringify({
        tmp: (fs.statSync('/tmp').mode & 0o7777).toString(8), user: os.userInfo().username,
        home: os.homedir(), localhost: err ? err.code : address })));`;
    const out = await runToCompletion(image, (c) => c.withEntrypoint(['/usr/bin/node', '-e', script]));
    expect(JSON.parse(out)).to.deep.equal({
      tmp: '1777',
      user: 'root',
      home: '/root',
      localhost: '127.0.0.1',
    });
  });

  it('runs a workload: the echo server answers on its port', async () => {
    const echo = await new tc.GenericContainer(image)
      .withLabels({ [TEST_LABEL]: TEST_LABEL_VALUE })
      .withEntrypoint(['/usr/bin/node', '/crucible/dist/orchestrator/workloads/echo.js'])
      .withEnvironment({ PORT: '8080', POD_NAME: 'echo-0', POD_NAMESPACE: 'default', NODE_NAME: 'node-a' })
      .withExposedPorts(8080)
      .withWaitStrategy(tc.Wait.forHttp('/healthz', 8080))
      .withStartupTimeout(30_000)
      .start();
    try {
      const res = await fetch(`http://${echo.getHost()}:${echo.getMappedPort(8080)}/hello`);
      expect(res.status).to.equal(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).to.include({ pod: 'echo-0', namespace: 'default', node: 'node-a' });
    } finally {
      await echo.stop();
    }
  });

  it('builds on a base image instead of scratch (a merged-/usr one: its /lib symlinks survive)', async () => {
    // A tiny base like Debian's: /bin, /lib and /lib64 are symlinks into /usr, and it has a shell.
    const work = await mkdtemp(join(tmpdir(), 'crucible-test-base-'));
    const base = `crucible-test-base:${Date.now().toString(36)}`;
    let derived: string | undefined;
    try {
      const root = join(work, 'root');
      for (const dir of ['usr/bin', 'usr/lib', 'usr/lib64', 'etc', 'tmp'])
        await mkdir(join(root, dir), { recursive: true });
      for (const [link, target] of [
        ['bin', 'usr/bin'],
        ['lib', 'usr/lib'],
        ['lib64', 'usr/lib64'],
        ['usr/bin/sh', 'dash'],
      ])
        await symlink(target!, join(root, link!));
      await copyFile('/bin/sh', join(root, 'usr/bin/dash'));
      // The shell's libraries, under /usr where `ldd` names /lib or /lib64.
      const { stdout } = await promisify(execFile)('ldd', ['/bin/sh']);
      for (const [, lib] of stdout.matchAll(/(\/\S+) \(0x/g)) {
        const dest = join(root, 'usr', lib!.replace(/^\/usr\//, '/'));
        await mkdir(dirname(dest), { recursive: true });
        await copyFile(lib!, dest);
      }
      await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
      await writeFile(join(work, 'Dockerfile'), 'FROM scratch\nCOPY root/ /\n');
      await tc.GenericContainer.fromDockerfile(work).build(base, { deleteOnExit: false });

      derived = await buildNodeImage({ projectRoot, baseImage: base, progress });
      expect(derived).to.not.equal(image);
      // The base's shell finds the host's node on PATH; the orchestrator runs.
      const script = `
        const { lstatSync } = require('node:fs'), { execFileSync } = require('node:child_process');
        const help = execFileSync(process.execPath, ['${IMAGE_ORCHESTRATOR_MAIN}', '--help'], { encoding: 'utf8' });
        console.log(lstatSync('/lib').isSymbolicLink(), help.includes('kube-proxy'));`;
      const out = await runToCompletion(derived, (c) =>
        c.withEntrypoint(['/bin/sh', '-c', 'exec node -e "$0"']).withCommand([script]),
      );
      expect(out.trim()).to.equal('true true');
    } finally {
      const dockerode = client.container.dockerode;
      if (derived) await dockerode.getImage(derived).remove();
      await dockerode
        .getImage(base)
        .remove()
        .catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    }
  });

  it('adds the user’s programs as a layer: readable by any user, executables runnable, reused when unchanged', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-loaded-images-test-'));
    try {
      // Private on this machine: a checkout only its owner may read.
      await mkdir(join(dir, 'app', 'lib'), { recursive: true, mode: 0o700 });
      await writeFile(join(dir, 'app', 'lib', 'data.txt'), 'data', { mode: 0o600 });
      await writeFile(
        join(dir, 'app', 'run.sh'),
        '#!/bin/sh\necho "ran as $(id -u 2>/dev/null || echo someone)"\n',
        {
          mode: 0o700,
        },
      );
      await writeFile(join(dir, 'tool'), '#!/bin/sh\necho tool\n', { mode: 0o700 });
      const images = [
        { name: 'my-app:1', path: join(dir, 'app'), command: ['./run.sh'], hostDir: join(dir, 'app') },
        { name: 'my-tool:1', path: join(dir, 'tool'), command: ['./tool'], hostDir: dir },
      ];
      const { image: withPrograms, dirs } = await addLoadedImages(image, images, progress);
      expect(withPrograms).to.match(/^crucible-node:[0-9a-f]{16}-[0-9a-f]{12}$/);
      const app = dirs.get('my-app:1')!;
      const tool = dirs.get('my-tool:1')!;
      expect(app).to.match(/^\/crucible-images\/[0-9a-f]{16}$/);
      const script = `
        const fs = require('node:fs');
        const mode = (p) => (fs.statSync(p).mode & 0o7777).toString(8);
        console.log(JSON.stringify({
          modes: ['', '/lib', '/lib/data.txt', '/run.sh'].map((p) => mode('${app}' + p)),
          tool: mode('${tool}/tool'),
          data: fs.readFileSync('${app}/lib/data.txt', 'utf8'),
          ran: require('node:child_process').execFileSync('./tool', { cwd: '${tool}' }).toString().trim(),
        }));`;
      const out = await runToCompletion(withPrograms, (c) =>
        c.withUser('200000:200000').withEntrypoint(['/usr/bin/node', '-e', script]),
      );
      expect(JSON.parse(out)).to.deep.equal({
        modes: ['755', '755', '644', '755'],
        tool: '755',
        data: 'data',
        ran: 'tool',
      });
      const info = await client.image.inspect(tc.ImageName.fromString(withPrograms));
      expect(info.Config.Labels?.[NODE_IMAGE_LABEL]).to.equal(NODE_IMAGE_LABEL_VALUE);
      const started = performance.now();
      expect((await addLoadedImages(image, images)).image).to.equal(withPrograms);
      expect(performance.now() - started).to.be.below(3000);
      await client.container.dockerode.getImage(withPrograms).remove();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves no container behind', async () => {
    expect(await ourContainers()).to.deep.equal([]);
  });
});
