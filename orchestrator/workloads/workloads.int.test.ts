import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { programForImage, workloadProgramPath } from './index.js';

interface Started {
  child: ChildProcess;
  port: number;
  /** Resolves with the exit code or signal and the performance.now() of the exit. */
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  output: () => string;
}

const running = new Set<ChildProcess>();

/** Starts the built program of `image` on a free loopback port and waits for its first line. */
async function startWorkload(image: string, env: Record<string, string> = {}): Promise<Started> {
  const program = workloadProgramPath(image)!;
  if (!existsSync(program)) throw new Error(`${program} is missing: build first (npx tsc -p tsconfig.json)`);
  const child = spawn(process.execPath, [program], {
    env: { ...process.env, PORT: '0', POD_IP: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, at: performance.now() });
    }),
  );
  const firstLine = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const nl = output.indexOf('\n');
      if (nl >= 0) resolve(output.slice(0, nl));
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    void exited.then(({ code }) => reject(new Error(`${image} exited (${code}) at start:\n${output}`)));
  });
  const port = Number((JSON.parse(firstLine) as { port?: number }).port ?? 0);
  return { child, port, exited, output: () => output };
}

interface Answer {
  status: number;
  text: string;
  ms: number;
}

function call(port: number, path: string, method = 'GET', agent: Agent | false = false): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('workload programs (built, run as processes)', function () {
  this.timeout(20_000);

  afterEach(() => {
    for (const child of running) child.kill('SIGKILL');
  });

  describe('image table', () => {
    it('maps each crucible image, with any tag or digest, to its program file', () => {
      expect(programForImage('crucible/echo')).to.equal('echo.js');
      expect(programForImage('crucible/echo:v2')).to.equal('echo.js');
      expect(programForImage('docker.io/crucible/crasher:latest')).to.equal('crasher.js');
      expect(programForImage('crucible/sleeper@sha256:0123abcd')).to.equal('sleeper.js');
      expect(programForImage('crucible/sleeper:1.0@sha256:0123abcd')).to.equal('sleeper.js');
      expect(programForImage('nginx:1.27')).to.equal(undefined);
      expect(programForImage('localhost:5000/crucible/echo')).to.equal(undefined);
      expect(programForImage('constructor')).to.equal(undefined);
    });

    it('resolves each program to a file of the build', () => {
      for (const image of ['crucible/echo', 'crucible/crasher:x', 'crucible/sleeper'])
        expect(existsSync(workloadProgramPath(image)!), image).to.equal(true);
    });
  });

  describe('crucible/echo', () => {
    it('answers every GET with pod, namespace, node, a per-process counter, path and host', async () => {
      const echo = await startWorkload('crucible/echo', {
        POD_NAME: 'web-1',
        POD_NAMESPACE: 'shop',
        NODE_NAME: 'node-a',
      });
      const first = await call(echo.port, '/any/path?q=1');
      const second = await call(echo.port, '/');
      expect(first.status).to.equal(200);
      expect(JSON.parse(first.text)).to.deep.equal({
        pod: 'web-1',
        namespace: 'shop',
        node: 'node-a',
        counter: 1,
        path: '/any/path?q=1',
        host: `127.0.0.1:${echo.port}`,
      });
      expect(JSON.parse(second.text).counter).to.equal(2);
      expect(await call(echo.port, '/healthz')).to.include({ status: 200, text: 'ok' });
      expect((await call(echo.port, '/', 'DELETE')).status).to.equal(405);
    });

    it('flips readiness with POST /ready and reports it on /readyz', async () => {
      const echo = await startWorkload('crucible/echo');
      expect((await call(echo.port, '/readyz')).status).to.equal(200);
      expect(JSON.parse((await call(echo.port, '/ready?state=false', 'POST')).text)).to.deep.equal({
        ready: false,
      });
      expect((await call(echo.port, '/readyz')).status).to.equal(503);
      // Not ready is about probes only: the echo keeps answering.
      expect((await call(echo.port, '/')).status).to.equal(200);
      await call(echo.port, '/ready?state=true', 'POST');
      expect((await call(echo.port, '/readyz')).status).to.equal(200);
      await call(echo.port, '/ready', 'POST');
      expect((await call(echo.port, '/readyz')).status).to.equal(503);
      expect((await call(echo.port, '/ready?state=maybe', 'POST')).status).to.equal(400);
    });

    it('is not ready until READY_AFTER_MS has passed', async () => {
      const echo = await startWorkload('crucible/echo', { READY_AFTER_MS: '600' });
      expect((await call(echo.port, '/readyz')).status).to.equal(503);
      await new Promise((r) => setTimeout(r, 700));
      expect((await call(echo.port, '/readyz')).status).to.equal(200);
    });

    it('fails about ERROR_RATE of the answers, in the same order for the same SEED, probes spared', async () => {
      const statuses = async (port: number) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        const out: number[] = [];
        for (let i = 0; i < 300; i++) out.push((await call(port, '/', 'GET', agent)).status);
        agent.destroy();
        return out;
      };
      const a = await startWorkload('crucible/echo', { ERROR_RATE: '0.3', SEED: '42' });
      const b = await startWorkload('crucible/echo', { ERROR_RATE: '0.3', SEED: '42' });
      const fromA = await statuses(a.port);
      const failed = fromA.filter((s) => s === 500).length;
      expect(failed).to.be.within(60, 120);
      expect(fromA.every((s) => s === 200 || s === 500)).to.equal(true);
      expect(await statuses(b.port)).to.deep.equal(fromA);
      expect((await call(a.port, '/healthz')).status).to.equal(200);

      const always = await startWorkload('crucible/echo', { ERROR_RATE: '1' });
      const answer = await call(always.port, '/x');
      expect(answer.status).to.equal(500);
      expect(JSON.parse(answer.text)).to.include({ path: '/x', counter: 1 });
      expect((await call(always.port, '/readyz')).status).to.equal(200);
    });

    it('adds LATENCY_MS to each echo answer, not to the probes', async () => {
      const echo = await startWorkload('crucible/echo', { LATENCY_MS: '250' });
      expect((await call(echo.port, '/')).ms).to.be.at.least(240);
      expect((await call(echo.port, '/healthz')).ms).to.be.below(200);
    });

    it('exits 0 promptly on SIGTERM, with an idle keep-alive connection and a slow request open', async () => {
      const echo = await startWorkload('crucible/echo', { LATENCY_MS: '5000' });
      const agent = new Agent({ keepAlive: true });
      await call(echo.port, '/healthz', 'GET', agent);
      const slow = call(echo.port, '/slow').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      const sent = performance.now();
      echo.child.kill('SIGTERM');
      const { code, at } = await echo.exited;
      agent.destroy();
      await slow;
      expect(code).to.equal(0);
      expect(at - sent).to.be.below(500);
    });

    it('exits 0 promptly on SIGINT too', async () => {
      const echo = await startWorkload('crucible/echo');
      const sent = performance.now();
      echo.child.kill('SIGINT');
      const { code, at } = await echo.exited;
      expect(code).to.equal(0);
      expect(at - sent).to.be.below(500);
    });

    it('refuses a bad ERROR_RATE with exit code 2 and a message', async () => {
      const child = spawn(process.execPath, [workloadProgramPath('crucible/echo')!], {
        env: { ...process.env, PORT: '0', POD_IP: '127.0.0.1', ERROR_RATE: '1.5' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      running.add(child);
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).to.equal(2);
      expect(stderr).to.contain('ERROR_RATE="1.5"');
    });
  });

  describe('crucible/crasher', () => {
    it('serves /healthz, then exits with EXIT_CODE after CRASH_AFTER_MS', async () => {
      const started = performance.now();
      const crasher = await startWorkload('crucible/crasher', { EXIT_CODE: '7', CRASH_AFTER_MS: '600' });
      expect(await call(crasher.port, '/healthz')).to.include({ status: 200, text: 'ok' });
      const { code, at } = await crasher.exited;
      expect(code).to.equal(7);
      expect(at - started).to.be.at.least(550);
    });

    it('exits with code 1 by default, at once on POST /crash', async () => {
      const crasher = await startWorkload('crucible/crasher', { CRASH_AFTER_MS: '60000' });
      expect((await call(crasher.port, '/crash', 'POST')).status).to.equal(202);
      const sent = performance.now();
      const { code, at } = await crasher.exited;
      expect(code).to.equal(1);
      expect(at - sent).to.be.below(500);
    });

    it('exits 0 on SIGTERM, as a stop rather than a crash', async () => {
      const crasher = await startWorkload('crucible/crasher', { CRASH_AFTER_MS: '60000' });
      crasher.child.kill('SIGTERM');
      expect((await crasher.exited).code).to.equal(0);
    });
  });

  describe('crucible/sleeper', () => {
    it('stays up until SIGTERM, then exits 0 at once', async () => {
      const sleeper = await startWorkload('crucible/sleeper');
      let gone = false;
      void sleeper.exited.then(() => (gone = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(gone).to.equal(false);
      const sent = performance.now();
      sleeper.child.kill('SIGTERM');
      const { code, at } = await sleeper.exited;
      expect(code).to.equal(0);
      expect(at - sent).to.be.below(500);
    });
  });
});
