/**
 * The node image: what every container of the `docker` provider runs. Built through
 * testcontainers (`GenericContainer.fromDockerfile`) `FROM scratch` out of this host's Node.js
 * binary and the libraries `ldd` lists for it, the etcd binaries, a POSIX shell (the kubelet's
 * container shim runs under /bin/sh), the built project and its production dependencies. No
 * registry is needed: nothing is pulled.
 *
 * Layout: /usr/bin/node, /usr/bin/etcd, /usr/bin/etcdctl (when the host has it), /bin/sh, their
 * libraries at the paths `ldd` gives, /etc/passwd, /etc/group, /etc/nsswitch.conf, /tmp (1777),
 * /root, and the project at /crucible (dist/, package.json, node_modules/ with the production
 * dependencies as installed). Entry point: `node /crucible/dist/orchestrator/cmd/main.js`.
 *
 * `baseImage` builds on an existing image instead of `scratch`: the binaries and their libraries
 * are laid over it (file by file, so the base's folders and symlinks such as /lib → usr/lib stay),
 * and the base brings its own shell, /etc and /tmp.
 *
 * The tag is a hash of what goes in (place, size, modification time and mode of every file, and
 * the Dockerfile), computed without copying anything, so an unchanged project reuses its image
 * in a fraction of a second. Three layers (system, node_modules, the project), so a change to the
 * project rebuilds only the last one. Each layer goes into the build context as one tar that ADD
 * unpacks: thousands of small files cost the classic builder seconds in COPY, and the context's
 * packer would drop the sticky bit of /tmp.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { chmod, copyFile, link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, posix, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { ContainerRuntimeClient } from 'testcontainers';
import { dockerClient, loadTestcontainers } from '../support/docker-client.js';
import { CONFINE_TOOLS } from '../../orchestrator/api/pod-confinement.js';
import { ClusterError } from './cluster-error.js';

const run = promisify(execFile);

/** The image repository; the tag is the content hash. */
export const NODE_IMAGE_REPOSITORY = 'crucible-node';
/** The label every node image carries (`crucible.dev/component=node-image`). */
export const NODE_IMAGE_LABEL = 'crucible.dev/component';
export const NODE_IMAGE_LABEL_VALUE = 'node-image';
/** Where the project sits in the image, and the orchestrator's entry point there. */
export const IMAGE_PROJECT_DIR = '/crucible';
export const IMAGE_ORCHESTRATOR_MAIN = `${IMAGE_PROJECT_DIR}/dist/orchestrator/cmd/main.js`;

/** Bump when the layout changes in a way the file list does not show. */
const LAYOUT_VERSION = 'crucible-node-image/2';
/** iptables' multi-call binary (Debian's default, nftables-based, first) and its modules' folder. */
const IPTABLES_PROGRAMS = ['/usr/sbin/xtables-nft-multi', '/usr/sbin/xtables-legacy-multi'];
const IPTABLES_MODULE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/xtables',
  '/usr/lib/aarch64-linux-gnu/xtables',
  '/usr/lib/xtables',
];

export interface BuildNodeImageOptions {
  /** The repository root: dist/ (built), package.json and node_modules/ (installed). */
  projectRoot: string;
  /** Build on this existing image instead of `scratch`. */
  baseImage?: string;
  /** Receives one line per step (staging, building, done). */
  progress?: (line: string) => void;
}

/** Something of the system layer, at `path` relative to the image's root. */
type SystemEntry =
  | { path: string; kind: 'file'; source: string }
  | { path: string; kind: 'dir'; mode: number }
  | { path: string; kind: 'content'; content: string; mode: number };

/** Files (and symlinks) under `root`, by path relative to it, that go in a layer as they are. */
interface Tree {
  root: string;
  paths: string[];
}

/**
 * Builds the node image unless an image of the same content exists, and returns its name
 * (`crucible-node:<hash>`). Needs a Docker engine, `ldd`, `tar`, and etcd on PATH.
 */
export async function buildNodeImage(opts: BuildNodeImageOptions): Promise<string> {
  const progress = opts.progress ?? (() => undefined);
  const root = resolve(opts.projectRoot);
  const fromScratch = opts.baseImage === undefined;
  const started = performance.now();
  const system = await systemEntries(fromScratch);
  const modules = productionModules(root);
  const app = projectFiles(root);
  const dockerfile = renderDockerfile(opts.baseImage);
  const hash = contentHash(dockerfile, system, modules, app);
  const image = `${NODE_IMAGE_REPOSITORY}:${hash}`;

  const tc = await loadTestcontainers();
  const client = await tc.getContainerRuntimeClient();
  const imageName = tc.ImageName.fromString(image);
  if (await client.image.exists(imageName)) {
    const size = (await client.image.inspect(imageName)).Size;
    progress(`node image ${image} is up to date (${megabytes(size)}, checked in ${seconds(started)})`);
    return image;
  }

  // Scenarios run in parallel (`run --parallel`) ask at once: one build, which they all wait for.
  let build = buildsInFlight.get(image);
  if (!build) {
    build = (async () => {
      const work = await mkdtemp(join(tmpdir(), 'crucible-node-image-'));
      try {
        const files = system.length + modules.paths.length + app.paths.length;
        progress(`node image: staging ${files} files`);
        const staging = performance.now();
        const context = join(work, 'context');
        await mkdir(context);
        const systemTree = await stageSystem(join(work, 'system'), system);
        await Promise.all([
          // Staged just now: one fixed time, so that an unchanged system layer stays cached.
          packTar(systemTree, join(context, 'system.tar'), { folders: fromScratch, mtime: '@946684800' }),
          packTar(modules, join(context, 'modules.tar'), { folders: true }),
          packTar(app, join(context, 'app.tar'), { folders: true }),
        ]);
        await writeFile(
          join(context, 'Dockerfile'),
          `${dockerfile}LABEL ${NODE_IMAGE_LABEL}="${NODE_IMAGE_LABEL_VALUE}" crucible.dev/content-hash="${hash}"\n`,
        );
        const bytes = CONTEXT_FILES.reduce((sum, f) => sum + statSync(join(context, f)).size, 0);
        progress(`node image: staged ${megabytes(bytes)} in ${seconds(staging)}; building ${image}`);
        const building = performance.now();
        try {
          await tc.GenericContainer.fromDockerfile(context).build(image, { deleteOnExit: false });
        } catch (e) {
          throw new ClusterError(
            'ImageBuildFailed',
            `building ${image} failed: ${await buildError(client, context, e)}`,
          );
        }
        const size = (await client.image.inspect(imageName)).Size;
        progress(
          `node image ${image} built (${megabytes(size)}) in ${seconds(building)}; ${seconds(started)} in all`,
        );
        return image;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    })();
    buildsInFlight.set(image, build);
    void build.finally(() => buildsInFlight.delete(image)).catch(() => undefined);
  }
  return build;
}

const buildsInFlight = new Map<string, Promise<string>>();

/**
 * Whether a Docker engine answers, within `timeoutMs`. Callers that can do without Docker (the
 * `process` provider, tests that skip) ask this first.
 */
export async function dockerEngineAnswers(timeoutMs = 5000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const tc = await loadTestcontainers();
    const timeout = new Promise<false>((ok) => (timer = setTimeout(() => ok(false), timeoutMs)));
    return await Promise.race([tc.getContainerRuntimeClient().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** A node image younger than this is never removed as older: a run beside this one may be about to use it. */
const UNUSED_IMAGE_GRACE_S = 3600;

/**
 * Removes the node images other than `current` (each change of the project builds one) that no
 * container uses and that are over an hour old, so images do not pile up; one in use stays until
 * its cluster is gone, and a fresh one is left to the run (of another checkout) that built it.
 * Slow (seconds per image), so it runs when a cluster goes, never while one boots.
 */
export async function removeOlderNodeImages(current: string): Promise<number> {
  const docker = await dockerClient();
  const images = await docker.listImages({
    filters: JSON.stringify({ label: [`${NODE_IMAGE_LABEL}=${NODE_IMAGE_LABEL_VALUE}`] }),
  });
  let removed = 0;
  for (const image of images) {
    if ((image.RepoTags ?? []).includes(current)) continue;
    // Another checkout's run may have built it a moment ago and not yet started a container on it.
    if (Date.now() / 1000 - image.Created < UNUSED_IMAGE_GRACE_S) continue;
    try {
      await docker.getImage(image.Id).remove();
      removed++;
    } catch {
      // In use by a container (a cluster still up): it goes with a later build.
    }
  }
  return removed;
}

/** The build context: the Dockerfile and one archive per layer. */
const CONTEXT_FILES = ['Dockerfile', 'system.tar', 'modules.tar', 'app.tar'];

function renderDockerfile(baseImage: string | undefined): string {
  const path = baseImage
    ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    : '/usr/sbin:/usr/bin:/bin';
  return [
    `FROM ${baseImage ?? 'scratch'}`,
    'ADD system.tar /',
    `ADD modules.tar ${IMAGE_PROJECT_DIR}/node_modules/`,
    `ADD app.tar ${IMAGE_PROJECT_DIR}/`,
    `ENV PATH=${path}`,
    `WORKDIR ${IMAGE_PROJECT_DIR}`,
    `ENTRYPOINT ${JSON.stringify(['/usr/bin/node', IMAGE_ORCHESTRATOR_MAIN])}`,
    '',
  ].join('\n');
}

/**
 * The host's binaries and the libraries they load (their real files, at the paths `ldd` gives).
 * On `scratch` also a shell, the few files of /etc that user lookup and name resolution read,
 * /tmp and /root.
 */
async function systemEntries(fromScratch: boolean): Promise<SystemEntry[]> {
  const etcd = onPath('etcd');
  if (!etcd)
    throw new ClusterError('MissingPrerequisite', 'etcd is not on PATH (scripts/setup.sh installs it)');
  const binaries: [source: string, dest: string][] = [
    [process.execPath, '/usr/bin/node'],
    [etcd, '/usr/bin/etcd'],
  ];
  const etcdctl = onPath('etcdctl');
  if (etcdctl) binaries.push([etcdctl, '/usr/bin/etcdctl']);
  if (fromScratch) binaries.push(['/bin/sh', '/bin/sh']);
  // What a kubelet runs to confine its pods: a private mount namespace, a bind mount, a user of their own.
  for (const tool of Object.values(CONFINE_TOOLS)) {
    if (!existsSync(tool))
      throw new ClusterError(
        'MissingPrerequisite',
        `${tool} is missing (Debian's util-linux and mount packages have it)`,
      );
    binaries.push([tool, tool]);
  }
  // What kube-proxy runs to enforce NetworkPolicies in the node's network namespace: iptables, one
  // multi-call binary that acts by the name it is run as, and the match and target modules it loads.
  const iptables = IPTABLES_PROGRAMS.find(existsSync);
  if (!iptables)
    throw new ClusterError(
      'MissingPrerequisite',
      `none of ${IPTABLES_PROGRAMS.join(', ')} exists (Debian's iptables package has them)`,
    );
  for (const name of ['iptables', 'iptables-restore', 'iptables-save', 'ip6tables', 'ip6tables-restore'])
    binaries.push([iptables, `/usr/sbin/${name}`]);

  const files = new Map<string, string>(); // place in the image → real file on the host
  for (const [source, dest] of binaries) {
    files.set(dest, realpathSync(source));
    for (const library of await sharedLibraries(source)) files.set(library, realpathSync(library));
  }
  // libxtables looks for its modules where the host's build put them: the same path in the image.
  const modules = IPTABLES_MODULE_DIRS.find(existsSync);
  if (!modules)
    throw new ClusterError(
      'MissingPrerequisite',
      `iptables' modules are in none of ${IPTABLES_MODULE_DIRS.join(', ')}`,
    );
  for (const name of readdirSync(modules)) files.set(join(modules, name), realpathSync(join(modules, name)));
  const entries: SystemEntry[] = [...files].map(([dest, source]) => ({
    path: dest.slice(1),
    kind: 'file',
    source,
  }));
  if (fromScratch) {
    const etc = (path: string, content: string): SystemEntry => ({
      path,
      kind: 'content',
      content,
      mode: 0o644,
    });
    entries.push(
      { path: 'tmp', kind: 'dir', mode: 0o1777 },
      { path: 'root', kind: 'dir', mode: 0o700 },
      etc('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n'),
      etc('etc/group', 'root:x:0:\n'),
      etc('etc/nsswitch.conf', 'hosts: files dns\n'),
    );
  }
  return entries;
}

/** The absolute paths of the shared libraries `ldd` lists for a binary (none for a static one). */
async function sharedLibraries(binary: string): Promise<string[]> {
  let stdout: string;
  try {
    ({ stdout } = await run('ldd', [binary]));
  } catch (e) {
    const { stdout: out = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    if (/not a dynamic executable|statically linked/.test(out + stderr)) return [];
    throw new ClusterError(
      'MissingPrerequisite',
      `ldd ${binary} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const libraries: string[] = [];
  for (const line of stdout.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)", "/lib64/ld-linux-x86-64.so.2 (0x…)",
    // "linux-vdso.so.1 (0x…)" (the kernel's: nothing to copy).
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (m) libraries.push(m[1]!);
    else if (line.includes('not found'))
      throw new ClusterError('MissingPrerequisite', `ldd ${binary}: ${line.trim()}`);
  }
  return libraries;
}

/**
 * The production dependencies, as installed: the files of every package that the hidden
 * lockfile (node_modules/.package-lock.json, which describes the tree on disk) does not mark
 * `dev`, relative to node_modules/.
 */
function productionModules(root: string): Tree {
  const modulesRoot = join(root, 'node_modules');
  const lockFile = [join(modulesRoot, '.package-lock.json'), join(root, 'package-lock.json')].find(
    existsSync,
  );
  if (!lockFile || !existsSync(modulesRoot))
    throw new ClusterError('MissingPrerequisite', `${root} has no installed node_modules (run npm ci)`);
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as {
    packages?: Record<string, { dev?: boolean; link?: boolean }>;
  };
  const production = new Set(
    Object.entries(lock.packages ?? {})
      .filter(([key, pkg]) => key.startsWith('node_modules/') && !pkg.dev && !pkg.link)
      .map(([key]) => key),
  );
  const paths: string[] = [];
  // A package's files, and its own node_modules/ (whose packages are checked again).
  const visitPackage = (dir: string) => {
    for (const dirent of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = posix.join(dir, dirent.name);
      if (!dirent.isDirectory()) paths.push(rel.slice('node_modules/'.length));
      else if (dirent.name === 'node_modules') visitModules(rel);
      else visitPackage(rel);
    }
  };
  const visitModules = (dir: string) => {
    for (const dirent of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (!dirent.isDirectory()) continue; // .package-lock.json; .bin/ is no package either
      const rel = posix.join(dir, dirent.name);
      const packages = dirent.name.startsWith('@')
        ? readdirSync(join(root, rel), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => posix.join(rel, d.name))
        : [rel];
      for (const pkg of packages) if (production.has(pkg)) visitPackage(pkg);
    }
  };
  visitModules('node_modules');
  return { root: modulesRoot, paths };
}

/** The built project: package.json (it says `"type": "module"`) and dist/ without tsc's state. */
function projectFiles(root: string): Tree {
  const main = join(root, 'dist/orchestrator/cmd/main.js');
  if (!existsSync(main))
    throw new ClusterError(
      'MissingPrerequisite',
      `${main} is missing: build the project first (npx tsc -p tsconfig.json)`,
    );
  const paths = ['package.json'];
  const visit = (dir: string) => {
    for (const dirent of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = posix.join(dir, dirent.name);
      if (dirent.isDirectory()) visit(rel);
      else if (!dirent.name.endsWith('.tsbuildinfo')) paths.push(rel);
    }
  };
  visit('dist');
  return { root, paths };
}

/** sha256 over the Dockerfile and every file's place, mode, size and modification time. */
function contentHash(dockerfile: string, system: SystemEntry[], ...trees: Tree[]): string {
  const lines: string[] = [];
  const stat = (file: string) => {
    const s = lstatSync(file);
    return `${(s.mode & 0o177777).toString(8)} ${s.size} ${s.mtimeMs}`;
  };
  for (const e of system) {
    if (e.kind === 'file') lines.push(`/${e.path} ${stat(e.source)}`);
    else if (e.kind === 'dir') lines.push(`/${e.path}/ ${e.mode.toString(8)}`);
    else
      lines.push(`/${e.path} ${e.mode.toString(8)} ${createHash('sha256').update(e.content).digest('hex')}`);
  }
  trees.forEach((tree, i) => {
    for (const path of tree.paths) lines.push(`${i}:${path} ${stat(join(tree.root, path))}`);
  });
  const hash = createHash('sha256').update(`${LAYOUT_VERSION}\n${dockerfile}\n`);
  for (const line of lines.sort()) hash.update(line + '\n');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Lays the system layer out under `dir` (hard links where the file system allows, else copies)
 * and returns it as a tree: the files, and the folders whose mode matters.
 */
async function stageSystem(dir: string, entries: SystemEntry[]): Promise<Tree> {
  let linkable = true;
  for (const e of entries) {
    const dest = join(dir, e.path);
    if (e.kind === 'dir') {
      await mkdir(dest, { recursive: true });
      await chmod(dest, e.mode); // mkdir's mode is masked by the umask and has no sticky bit
      continue;
    }
    await mkdir(dirname(dest), { recursive: true, mode: 0o755 });
    if (e.kind === 'content') {
      await writeFile(dest, e.content);
      await chmod(dest, e.mode);
      continue;
    }
    if (linkable) {
      try {
        await link(e.source, dest);
        continue;
      } catch {
        linkable = false; // another file system, or not allowed: copy from now on
      }
    }
    await copyFile(e.source, dest);
  }
  return { root: dir, paths: entries.map((e) => e.path) };
}

/**
 * `tar` of a tree's paths, owned by root, with their modification times or the given `mtime`.
 * With `folders`, every folder goes in too, before what it holds (with its mode; without them the
 * engine unpacks thousands of files about twice as slowly); without, only files go in, so that
 * unpacking over a base image keeps its folders and symlinks to folders as they are.
 */
async function packTar(
  tree: Tree,
  archive: string,
  { folders, mtime }: { folders: boolean; mtime?: string },
): Promise<void> {
  // In the order of the walk that listed them, which keeps each folder's content together: the
  // engine unpacks a sorted list (where "a/b-c" comes between "a/b" and "a/b/c") far more slowly.
  const paths = new Set<string>();
  for (const path of tree.paths) {
    if (folders) {
      const missing: string[] = [];
      for (let p = posix.dirname(path); p !== '.' && !paths.has(p); p = posix.dirname(p)) missing.unshift(p);
      for (const p of missing) paths.add(p);
    }
    paths.add(path);
  }
  const args = ['--null', '--no-recursion', '--owner=0', '--group=0', '--numeric-owner'];
  if (mtime) args.push(`--mtime=${mtime}`);
  const tar = spawn('tar', [...args, '-C', tree.root, '-cf', archive, '-T', '-'], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((ok, fail) => {
    tar.once('error', fail);
    tar.once('exit', (code) =>
      code === 0 ? ok() : fail(new Error(`tar of ${tree.root} failed (${code}): ${stderr.trim()}`)),
    );
  });
  tar.stdin.on('error', () => undefined); // tar failing early: its exit code says why
  tar.stdin.end(
    [...paths]
      .sort()
      .map((p) => p + '\0')
      .join(''),
  );
  await exited;
}

/**
 * testcontainers reports a failed build only as "Failed to build image". Run the same build
 * again through the engine client and return the engine's own error message.
 */
async function buildError(
  client: ContainerRuntimeClient,
  context: string,
  original: unknown,
): Promise<string> {
  const fallback = original instanceof Error ? original.message : String(original);
  try {
    const dockerode = client.container.dockerode;
    const stream = await dockerode.buildImage({ context, src: CONTEXT_FILES }, { rm: true, forcerm: true });
    const events = await new Promise<{ error?: string }[]>((ok, fail) =>
      dockerode.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) =>
        err ? fail(err) : ok(out),
      ),
    );
    return events.find((e) => e.error)?.error ?? fallback;
  } catch (e) {
    return e instanceof Error ? e.message : fallback;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}
