import { workerPodUids } from '../../orchestrator/api/pod-confinement.js';
import { formatTaint } from '../../orchestrator/api/taints.js';
import { formatImageFlag } from '../../orchestrator/api/loaded-image.js';
import type { ClusterSpec, LoadedImageSpec } from './cluster-spec.js';
import { workerNames } from './cluster-spec.js';
import { timingProfile } from '../../orchestrator/api/timing-profile.js';
import { etcdArgs } from './etcd-command.js';
import { CREDENTIAL_FILES, type NodeCredentials, type TokenOwner, tokenFile } from './node-credentials.js';

export type MemberRole =
  | 'etcd'
  | 'apiserver'
  | 'scheduler'
  | 'controller-manager'
  | 'cloud-controller-manager'
  | 'kubelet'
  | 'kube-proxy'
  | 'simulated-nodes'
  | 'toxiproxy';

/** The program a member runs; each provider knows where it lives (host or node image). */
export type MemberProgram = 'etcd' | 'orchestrator' | 'crucible' | 'toxiproxy-server';

/** One process of the cluster: a control-plane component, a worker's kubelet or kube-proxy, Toxiproxy. */
export interface ClusterMember {
  role: MemberRole;
  /** Unique in the cluster: etcd-0, apiserver-1, worker-2-kubelet, toxiproxy. */
  name: string;
  /** The unit that fails together (a container of the docker provider): etcd-0, worker-2, toxiproxy. */
  node: string;
  program: MemberProgram;
  args: string[];
}

/** A control-plane connection that runs through a Toxiproxy proxy, so a fault can cut or slow it alone. */
export interface ClusterLink {
  /** e.g. worker-1-to-apiserver-0, apiserver-0-to-etcd-2 */
  name: string;
  from: string;
  to: string;
  /** Where the proxy listens (inside Toxiproxy's network view) and where it forwards. */
  listen: string;
  upstream: string;
}

/**
 * Where things are, which is all that differs between providers. The process provider puts the
 * whole control plane on one loopback address (so ports differ per member); the docker provider
 * gives each control-plane node its own container and name (so ports are the well-known ones).
 */
export interface ClusterLayout {
  /** How others reach a control-plane node (an address or a network alias). */
  reach(node: string): string;
  /** The address a control-plane node listens on. */
  bind(node: string): string;
  /** Whether the control plane shares one address (then each member gets ports of its own). */
  sharedAddress: boolean;
  /** Worker n's own address (1-based): its pods, node ports and kubelet listen there. */
  workerIp(n: number): string;
  /** Where a node's own credentials folder is, as its members see it (see NodeCredentials). */
  credentialsDir(node: string): string;
  /** A node's own address, when it has one (a container's): certificates name it beside reach(node). */
  address?(node: string): string;
  /** Further names the apiservers are reached by from outside (the host's view): their certificates name them. */
  apiserverHosts?: string[];
  /** Where a member keeps its data (etcd's data dir, the kubelet's root dir). */
  dataDir(member: string): string;
  /** Run the real Toxiproxy (toxiproxy-server) instead of the bundled one. */
  realToxiproxy?: boolean;
  /**
   * Confine each worker's pods (a user id of their own from POD_UID_RANGE, their own directory
   * under `podsDir(worker)`, their ServiceAccount's token): where the kubelets run as root.
   * Absent: pods run as their kubelet's user. Each worker's kube-proxy then also enforces
   * NetworkPolicies for its pods, in iptables chains named after `networkPolicyOwner`.
   */
  podConfinement?: {
    podsDir(worker: string): string;
    networkPolicyOwner: string;
    /** Which block of user ids the cluster's workers take theirs from (its loopback slot). */
    uidBlock: number;
  };
  /**
   * Where a worker finds a loaded image's folder (the spec's `images`); default: where it is on
   * this machine (`hostDir`), as the process provider's workers do.
   */
  loadedImageDir?(image: LoadedImageSpec): string;
  /**
   * The cloud-controller-manager's provider flags (--cloud-provider and what it needs to find the
   * cluster's machines and place load balancers); only used when the spec asks for one.
   */
  cloudProviderArgs?: string[];
}

export interface ClusterPlan {
  members: ClusterMember[];
  links: ClusterLink[];
  /** Ports the members listen on, by member name (as `reach(node)` sees them). */
  apiserverPorts: number[];
  /** Toxiproxy's API port; it listens on bind('toxiproxy'). */
  toxiproxyPort: number;
  workers: { name: string; ip: string; kubeletPort: number; proxyHealthPort: number }[];
  /** What each node's credentials folder holds, one entry per node (Toxiproxy's empty). */
  credentials: NodeCredentials[];
}

export const TOXIPROXY_API_PORT = 8474;
/** The apiserver's port (the first one's, where they share an address). */
export const APISERVER_PORT = 6443;
/** Toxiproxy's proxies listen from here up, one port per link. */
export const FIRST_LINK_PORT = 20000;
export const KUBELET_PORT = 10250;
export const PROXY_HEALTH_PORT = 10256;
/** The node (container, or process) that runs every simulated node of a cluster. */
export const SIMULATED_NODES_NODE = 'simulated-nodes';
/**
 * The issuer of the cluster's service account tokens; every apiserver signs with the same key
 * (`sa.key`) and verifies with its public half (`sa.pub`), so each accepts the others' tokens.
 */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/**
 * Every member of the cluster with its command line, every link through Toxiproxy (each worker
 * and the simulated nodes' agent → each apiserver, each apiserver → each etcd member, each
 * scheduler and controller-manager → each apiserver), and what each node's credentials folder
 * holds: each member's flags name files of its own node's folder only. etcd speaks mutual TLS to
 * its clients and peers. A pure function of the spec and the layout.
 */
export function planCluster(spec: ClusterSpec, layout: ClusterLayout): ClusterPlan {
  const shared = layout.sharedAddress;
  const etcdPorts = range(spec.etcd.members).map((i) => ({
    client: shared ? 2379 + 2 * i : 2379,
    peer: shared ? 2380 + 2 * i : 2380,
  }));
  const apiserverPorts = range(spec.controlPlane.apiservers).map((i) =>
    shared ? APISERVER_PORT + i : APISERVER_PORT,
  );
  const links: ClusterLink[] = [];
  const toxiproxy = layout.reach('toxiproxy');
  /** Adds a link and returns where its client connects. */
  const link = (from: string, to: string, upstream: string): string => {
    const port = FIRST_LINK_PORT + links.length;
    links.push({
      name: `${from}-to-${to}`,
      from,
      to,
      listen: `${layout.bind('toxiproxy')}:${port}`,
      upstream,
    });
    return `${toxiproxy}:${port}`;
  };
  const etcdNames = range(spec.etcd.members).map((i) => `etcd-${i}`);
  const apiserverNames = range(spec.controlPlane.apiservers).map((i) => `apiserver-${i}`);
  const apiserverVia = (from: string) =>
    apiserverNames
      .map((a, i) => `https://${link(from, a, `${layout.reach(a)}:${apiserverPorts[i]}`)}`)
      .join(',');

  const toxiproxyBind = layout.bind('toxiproxy');
  const credentials = new Map<string, NodeCredentials>();
  /** What the node's folder holds, so far. */
  const holds = (node: string) => {
    const entry = credentials.get(node) ?? { node, clusterCa: false, tokens: [] };
    credentials.set(node, entry);
    return entry;
  };
  /** A file of the node's folder, as its members see it. */
  const file = (node: string, name: string) => `${layout.credentialsDir(node)}/${name}`;
  /** Names a certificate of the node carries: how others reach it, its own address, loopback. */
  const namesOf = (node: string) => [
    layout.reach(node),
    ...(layout.address ? [layout.address(node)] : []),
    'localhost',
    '127.0.0.1',
  ];
  const f = CREDENTIAL_FILES;
  const members: ClusterMember[] = [
    layout.realToxiproxy
      ? {
          role: 'toxiproxy',
          name: 'toxiproxy',
          node: 'toxiproxy',
          program: 'toxiproxy-server',
          args: ['-host', toxiproxyBind, '-port', String(TOXIPROXY_API_PORT)],
        }
      : {
          role: 'toxiproxy',
          name: 'toxiproxy',
          node: 'toxiproxy',
          program: 'crucible',
          args: ['toxiproxy', `--host=${toxiproxyBind}`, `--port=${TOXIPROXY_API_PORT}`],
        },
  ];
  holds('toxiproxy');
  const initialCluster = etcdNames
    .map((e, i) => `${e}=https://${layout.reach(e)}:${etcdPorts[i]!.peer}`)
    .join(',');
  for (const [i, e] of etcdNames.entries()) {
    // Clients reach a member only through Toxiproxy: its serving certificate names Toxiproxy too.
    holds(e).etcd = { hosts: [...namesOf(e), layout.reach('toxiproxy')], peerHosts: namesOf(e) };
    members.push({
      role: 'etcd',
      name: e,
      node: e,
      program: 'etcd',
      args: etcdArgs({
        name: e,
        dataDir: layout.dataDir(e),
        clientPort: etcdPorts[i]!.client,
        peerPort: etcdPorts[i]!.peer,
        listenHost: layout.bind(e),
        advertiseHost: layout.reach(e),
        initialCluster,
        raft: timingProfile(spec.timing).etcd,
        tls: {
          trustedCaFile: file(e, f.etcdCa),
          certFile: file(e, f.etcdServerCert),
          keyFile: file(e, f.etcdServerKey),
          peerCertFile: file(e, f.etcdPeerCert),
          peerKeyFile: file(e, f.etcdPeerKey),
        },
      }),
    });
  }
  const fast = spec.timing === 'fast';
  for (const [i, a] of apiserverNames.entries()) {
    const etcdServers = etcdNames.map(
      (e, j) => `https://${link(a, e, `${layout.reach(e)}:${etcdPorts[j]!.client}`)}`,
    );
    const own = holds(a);
    own.clusterCa = true;
    own.apiserver = { hosts: [...namesOf(a), layout.reach('toxiproxy'), ...(layout.apiserverHosts ?? [])] };
    members.push({
      role: 'apiserver',
      name: a,
      node: a,
      program: 'orchestrator',
      args: [
        'apiserver',
        `--etcd-servers=${etcdServers.join(',')}`,
        `--etcd-cafile=${file(a, f.etcdCa)}`,
        `--etcd-certfile=${file(a, f.etcdClientCert)}`,
        `--etcd-keyfile=${file(a, f.etcdClientKey)}`,
        `--bind-address=${layout.bind(a)}`,
        `--secure-port=${apiserverPorts[i]}`,
        `--tls-cert-file=${file(a, f.apiserverCert)}`,
        `--tls-private-key-file=${file(a, f.apiserverKey)}`,
        `--token-auth-file=${file(a, f.tokenAuthFile)}`,
        // As kubeadm runs kube-apiserver: kubelets confined to their own node and its pods.
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
        `--service-account-key-file=${file(a, f.serviceAccountPublicKey)}`,
        `--service-account-signing-key-file=${file(a, f.serviceAccountKey)}`,
        `--service-node-port-range=${spec.nodePortRange}`,
        ...(fast
          ? ['--default-not-ready-toleration-seconds=1', '--default-unreachable-toleration-seconds=1']
          : []),
      ],
    });
  }
  /** A client of the apiservers on `node`, through its links, with the token of `owner` from its node's folder. */
  const client = (node: string, owner: TokenOwner) => {
    const own = holds(node);
    own.clusterCa = true;
    own.tokens.push(owner);
    return [
      `--server=${apiserverVia(node)}`,
      `--token-file=${file(node, tokenFile(owner))}`,
      `--certificate-authority=${file(node, f.clusterCa)}`,
      `--profile=${spec.timing}`,
    ];
  };
  for (const i of range(spec.controlPlane.schedulers)) {
    const s = `scheduler-${i}`;
    members.push({
      role: 'scheduler',
      name: s,
      node: s,
      program: 'orchestrator',
      args: ['scheduler', ...client(s, { component: 'scheduler' }), `--identity=${s}`],
    });
  }
  for (const i of range(spec.controlPlane.controllerManagers)) {
    const c = `controller-manager-${i}`;
    members.push({
      role: 'controller-manager',
      name: c,
      node: c,
      program: 'orchestrator',
      args: ['controller-manager', ...client(c, { component: 'controller-manager' }), `--identity=${c}`],
    });
  }
  if (spec.controlPlane.cloudControllerManager) {
    // The controller-manager's identity: a cloud's controller holds the same rights over nodes
    // and services (and talks to the API through Toxiproxy like the other controllers).
    const c = 'cloud-controller-manager';
    members.push({
      role: 'cloud-controller-manager',
      name: c,
      node: c,
      program: 'orchestrator',
      args: [
        'cloud-controller-manager',
        ...client(c, { component: 'controller-manager' }),
        `--identity=${c}`,
        ...(layout.cloudProviderArgs ?? []),
      ],
    });
  }
  const imageDir = (image: LoadedImageSpec) => layout.loadedImageDir?.(image) ?? image.hostDir;
  const images = spec.images.map(
    (image) =>
      `--image=${formatImageFlag({ image: image.name, dir: imageDir(image), command: image.command })}`,
  );
  const groups = spec.workers.flatMap((g) => Array.from({ length: g.count }, () => g));
  const workers = workerNames(spec).map((name, i) => ({
    name,
    ip: layout.workerIp(i + 1),
    kubeletPort: KUBELET_PORT,
    proxyHealthPort: PROXY_HEALTH_PORT,
  }));
  for (const [i, w] of workers.entries()) {
    const group = groups[i]!;
    const server = client(w.name, { kubelet: w.name });
    const labels = Object.entries(group.labels).map(([k, v]) => `${k}=${v}`);
    const taints = group.taints.map(formatTaint);
    const { first, last } = workerPodUids(i, layout.podConfinement?.uidBlock);
    const podUids = `${first}-${last}`;
    members.push({
      role: 'kubelet',
      name: `${w.name}-kubelet`,
      node: w.name,
      program: 'orchestrator',
      args: [
        'kubelet',
        ...server,
        `--node-name=${w.name}`,
        `--node-ip=${w.ip}`,
        `--root-dir=${layout.dataDir(w.name)}`,
        `--port=${w.kubeletPort}`,
        `--kubernetes-service=${layout.reach(apiserverNames[0]!)}:${apiserverPorts[0]}`,
        ...(layout.podConfinement
          ? [
              `--pod-uid-range=${podUids}`,
              `--pods-dir=${layout.podConfinement.podsDir(w.name)}`,
              // kube-proxy enforces NetworkPolicies: it learns each pod's user before the pod starts.
              `--network-policy-agent=${w.ip}:${w.proxyHealthPort}`,
            ]
          : []),
        `--capacity=cpu=${group.capacity.cpu},memory=${group.capacity.memory},pods=${group.capacity.pods}`,
        ...(labels.length ? [`--node-labels=${labels.join(',')}`] : []),
        ...(taints.length ? [`--register-with-taints=${taints.join(',')}`] : []),
        ...images,
      ],
    });
    holds(w.name).tokens.push({ component: 'kube-proxy' });
    members.push({
      role: 'kube-proxy',
      name: `${w.name}-kube-proxy`,
      node: w.name,
      program: 'orchestrator',
      args: [
        'kube-proxy',
        // The kubelet's links: what cuts the node off the API cuts both.
        server[0]!,
        `--token-file=${file(w.name, tokenFile({ component: 'kube-proxy' }))}`,
        ...server.slice(2),
        `--node-name=${w.name}`,
        `--bind-address=${w.ip}`,
        `--healthz-port=${w.proxyHealthPort}`,
        ...(layout.podConfinement
          ? [
              `--enforce-network-policy=${layout.podConfinement.networkPolicyOwner}`,
              `--pod-uid-range=${podUids}`,
              `--node-ip=${w.ip}`,
            ]
          : []),
      ],
    });
  }
  const simulated = spec.simulatedNodes;
  if (simulated && simulated.count > 0) {
    // Through Toxiproxy like every kubelet: one link fault then cuts all the simulated nodes off
    // the API at once, as a zone losing its network would.
    const node = SIMULATED_NODES_NODE;
    const { cpu, memory, pods } = simulated.capacity;
    const labels = Object.entries(simulated.labels).map(([k, v]) => `${k}=${v}`);
    const taints = simulated.taints.map(formatTaint);
    members.push({
      role: 'simulated-nodes',
      name: node,
      node,
      program: 'orchestrator',
      args: [
        'kubelet',
        ...client(node, { simulatedNodes: true }),
        `--simulated-nodes=${simulated.count}`,
        `--node-name-prefix=${simulated.prefix}`,
        `--capacity=cpu=${cpu},memory=${memory},pods=${pods}`,
        ...(labels.length ? [`--node-labels=${labels.join(',')}`] : []),
        ...(taints.length ? [`--register-with-taints=${taints.join(',')}`] : []),
      ],
    });
  }
  const extra: Partial<Record<MemberRole, string[]>> = spec.extraArgs;
  const withExtra = members.map((m) =>
    extra[m.role]?.length ? { ...m, args: [...m.args, ...extra[m.role]!] } : m,
  );
  return {
    members: withExtra,
    links,
    apiserverPorts,
    toxiproxyPort: TOXIPROXY_API_PORT,
    workers,
    credentials: [...credentials.values()],
  };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
