import type { IsolationProbe } from '../history/history.js';
import { cappedEvidence } from './capped-evidence.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { formatCount, formatT, plural } from './format-figures.js';
import type { Evidence } from './verdict.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    "Were tenants apart on the network? A probe pod in each tenant's first namespace connects to every other tenant's running pods (each declared port) and NodePort and LoadBalancer Services (each node port), at most 20 of each tenant, and sends an HTTP GET: a peer that answered any byte was reached and fails the check; one that refused, reset, closed without a byte or did not answer within 2 s held. Namespaces alone do not isolate at the network level: without NetworkPolicies that deny it, this check fails.",
  thresholds: {},
  select: {
    tenant: "only this tenant's probe pod's connections (default: every tenant's)",
  },
  windows: 'any (default whole-run)',
  measures: "the connections to another tenant's pods and Services that got an answer",
} as const satisfies CheckSpecShape;

type NetworkIsolationOptions = ReadCheckSpec<typeof shape>;

/** A probe pod's attempt to talk to another tenant's pod or Service: network-isolation's, not namespace-isolation's. */
export function isConnectProbe(probe: IsolationProbe): boolean {
  return probe.from === 'pod' && probe.verb === 'connect';
}

/**
 * network-isolation: were tenants apart on the network?
 *
 * Judges the `connect` probes of the in-pod probes (InPodProbes): from each tenant's probe pod, a
 * connection to each of the other tenants' pods' ports and node-port Services, with an HTTP GET
 * sent on it. A connection that got any byte back reached its peer and did not hold; one refused,
 * reset, closed without a byte or unanswered within the probe's deadline held. An accepted
 * connection alone is not a reach: a node port's proxy accepts before it applies a policy.
 *
 * Passes when every connection in the window held; fails naming those that got an answer. Unknown
 * when the window holds no connection: no cross-tenant pod or Service was found to try, or no
 * probe pod ran (a single tenant, or pods not confined on this machine).
 */
export const networkIsolationCheck: Checker<NetworkIsolationOptions> = {
  type: 'network-isolation',
  shape,
  unit: 'connections answered',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: () => "no answer from another tenant's pods and Services",
  check({ history, span, windowPhrase }, { select }) {
    const probes = history.isolation
      .filter(
        (p) =>
          isConnectProbe(p) &&
          inSpan(p.t, span) &&
          (select.tenant === undefined || p.tenant === select.tenant),
      )
      .sort((a, b) => a.t - b.t);
    if (probes.length === 0) {
      const confinement = history.metadata.podConfinement;
      const why =
        confinement && !confinement.confined
          ? `no probe pod ran: pods are not isolated from the control plane on this machine (${confinement.reason})`
          : 'no cross-tenant pod or Service was found to try';
      return cannotJudge(
        `Network isolation could not be judged ${windowPhrase}: ${why}.`,
        `No connections from probe pods${select.tenant ? ` of tenant ${select.tenant}` : ''} to other tenants' pods or Services between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    }
    const reached = probes.filter((p) => !p.held);
    const evidence: Evidence[] = cappedEvidence(
      reached.map(reachEvidence),
      20,
      'more connections that got an answer',
    );
    const denied = probes.filter((p) => p.held);
    if (denied.length > 0)
      evidence.push({
        message: `How ${reached.length > 0 ? 'the others' : 'they'} were denied: ${howDenied(denied)}.`,
      });
    return {
      outcome: reached.length > 0 ? 'fail' : 'pass',
      measured: reached.length,
      summary: `${formatCount(reached.length)} of ${plural(probes.length, 'connection')} from tenants' pods to other tenants' pods and Services got an answer ${windowPhrase}.`,
      evidence,
    };
  },
};

/**
 * The denials counted by why ("4 reset after connecting (ECONNRESET), 2 refused (ECONNREFUSED)"):
 * a port refused because nothing listens there holds as well as one a policy refused, so a reader
 * can tell a policy's resets from a proxy that is not up.
 */
function howDenied(probes: readonly IsolationProbe[]): string {
  const counts = new Map<string, number>();
  for (const p of probes) counts.set(p.detail ?? 'not said', (counts.get(p.detail ?? 'not said') ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([why, n]) => `${formatCount(n)} ${why}`)
    .join(', ');
}

function reachEvidence(p: IsolationProbe): Evidence {
  return {
    t: p.t,
    message: `A pod of tenant ${p.tenant} (namespace ${p.namespace}) reached ${p.resource}, which must not answer another tenant${p.detail ? ` (${p.detail})` : ''}.`,
  };
}
