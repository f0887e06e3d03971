import type { IsolationProbe } from '../history/history.js';
import { cappedEvidence } from './capped-evidence.js';
import { readCheckSpec, type CheckSpecShape, type ReadCheckSpec } from './check-spec-reader.js';
import { cannotJudge, type Checker } from './checker.js';
import { formatCount, formatLimitPercent, formatPercent, formatT, plural } from './format-figures.js';
import { isConnectProbe } from './network-isolation-check.js';
import { mergeOutcomes, type Evidence, type VerdictOutcome } from './verdict.js';
import { selectLoadSeconds, sent } from './select-load-seconds.js';
import { inSpan } from './window-span.js';

const shape = {
  description:
    "Did tenants stay inside their namespaces? Every cross-tenant attempt of the isolation battery through the API (reads, writes, deletes, selectors, quotas, with each tenant's own token) and from inside its pods (reads of the node's files, calls to the control plane's endpoints and to the API with the pod's own token) must be refused or scoped to the tenant's own objects. Connections to other tenants' pods and Services are network-isolation's.",
  thresholds: {
    minOtherTenantSuccessRatio: {
      kind: 'ratio',
      required: false,
      description:
        'the least success ratio of the load aimed at select.otherNamespace: a fault in one tenant must not degrade another',
    },
  },
  select: {
    tenant: "only this tenant's attempts (default: every tenant's)",
    otherNamespace: "the namespace whose load is the other tenant's (needed by minOtherTenantSuccessRatio)",
  },
  windows: 'any (default whole-run)',
  measures: 'the cross-tenant attempts that leaked (were neither refused nor scoped)',
  crossCheck: ({ thresholds, select }) =>
    thresholds.minOtherTenantSuccessRatio !== undefined && select.otherNamespace === undefined
      ? [
          {
            path: ['thresholds', 'minOtherTenantSuccessRatio'],
            message:
              'threshold "minOtherTenantSuccessRatio" needs select "otherNamespace" (whose load to measure)',
          },
        ]
      : [],
} as const satisfies CheckSpecShape;

type NamespaceIsolationOptions = ReadCheckSpec<typeof shape>;

/**
 * namespace-isolation: did tenants stay inside their namespaces?
 *
 * Every isolation probe in the window (the battery of cross-tenant attempts: reads, writes,
 * deletes, selectors, quotas; and the in-pod probes' reads of files, endpoints and the API) must
 * have held: denied with 403, or answered with only the tenant's own objects. The in-pod probes'
 * connections to other tenants' pods and Services (`connect`) are left to network-isolation. And, when asked, a fault in one tenant must not degrade another: the
 * load aimed at `select.otherNamespace` must keep its success ratio (ok / sent) in the window.
 *
 * Thresholds and select: `shape`.
 *
 * Measured: probes that did not hold. Unknown when the window holds no probe and no other-tenant
 * ratio is asked for, or when the ratio is asked for and that namespace had no load in the window.
 */
export const namespaceIsolationCheck: Checker<NamespaceIsolationOptions> = {
  type: 'namespace-isolation',
  shape,
  unit: 'leaked',
  options: (spec) => readCheckSpec(spec, shape),
  threshold: ({ thresholds, select }) =>
    [
      'every cross-tenant attempt denied or scoped',
      ...(thresholds.minOtherTenantSuccessRatio !== undefined
        ? [
            `${select.otherNamespace} success ratio ≥ ${formatLimitPercent(thresholds.minOtherTenantSuccessRatio)}`,
          ]
        : []),
    ].join(', '),
  check({ history, span, windowPhrase }, { thresholds, select }) {
    const confinement = history.metadata.podConfinement;
    const unconfined = confinement && !confinement.confined ? confinement.reason : undefined;
    const probes = history.isolation
      .filter(
        (p) =>
          !isConnectProbe(p) &&
          inSpan(p.t, span) &&
          (select.tenant === undefined || p.tenant === select.tenant),
      )
      .sort((a, b) => a.t - b.t);
    const minRatio = thresholds.minOtherTenantSuccessRatio;
    if (probes.length === 0 && minRatio === undefined) {
      return cannotJudge(
        `Namespace isolation could not be judged ${windowPhrase}: no cross-tenant attempt was made.`,
        `No isolation probes${select.tenant ? ` by tenant ${select.tenant}` : ''} between ${formatT(span[0])} and ${formatT(span[1])}.`,
      );
    }
    const broken = probes.filter((p) => !p.held);
    const fromPods = probes.filter((p) => p.from === 'pod').length;
    // Without probes (and a ratio asked for, or we would have returned) only the load is judged.
    const outcomes: VerdictOutcome[] = probes.length === 0 ? [] : [broken.length > 0 ? 'fail' : 'pass'];
    const sentences: string[] = [
      probes.length === 0
        ? `No cross-tenant attempt was made ${windowPhrase}`
        : `${formatCount(broken.length)} of ${plural(probes.length, 'cross-tenant attempt')}${fromPods ? ` (${formatCount(fromPods)} from inside pods)` : ''} leaked ${windowPhrase}`,
    ];
    // Pods that run as their node's own user can read what the node holds: isolation from inside
    // pods cannot hold there, whatever the API answered. A known limit of the machine, not a pass.
    if (unconfined !== undefined && broken.length === 0) {
      outcomes.push('unknown');
      sentences.push(
        `isolation from inside pods was not tried: pods are not isolated from the control plane on this machine (${unconfined})`,
      );
    }
    const evidence: Evidence[] = cappedEvidence(
      broken.map(probeEvidence),
      20,
      'more probes that did not hold',
    );
    if (probes.length === 0) evidence.push({ message: 'No isolation probes in the window.' });

    if (minRatio !== undefined) {
      const other = select.otherNamespace!;
      const seconds = selectLoadSeconds(history, span, { namespace: other });
      const requests = seconds.reduce((n, s) => n + sent(s), 0);
      if (requests === 0) {
        outcomes.push('unknown');
        sentences.push(`${other}'s load could not be measured`);
        evidence.push({
          message: `No load to namespace ${other} between ${formatT(span[0])} and ${formatT(span[1])}.`,
        });
      } else {
        const ratio = seconds.reduce((n, s) => n + s.ok, 0) / requests;
        const held = ratio >= minRatio;
        outcomes.push(held ? 'pass' : 'fail');
        const shown = formatPercent(ratio, [minRatio]);
        sentences.push(
          `${other}'s load ${held ? 'kept' : 'fell to'} ${shown} success${held ? '' : ` (below ${formatLimitPercent(minRatio)})`}`,
        );
        evidence.push({
          message: `${formatCount(seconds.reduce((n, s) => n + s.ok, 0))} of ${plural(requests, 'request')} to namespace ${other} succeeded (${shown}; at least ${formatLimitPercent(minRatio)} required).`,
        });
      }
    }
    return {
      outcome: mergeOutcomes(outcomes),
      measured: broken.length,
      summary: `${sentences.join(', and ')}.`,
      evidence,
    };
  },
};

function probeEvidence(p: IsolationProbe): Evidence {
  if (p.from === 'pod')
    return {
      t: p.t,
      message: `A pod of tenant ${p.tenant} (namespace ${p.namespace}) could ${p.verb} ${p.resource}, which must be refused to pods${p.detail ? ` (${p.detail})` : ''}.`,
    };
  const expected = p.expect === 'denied' ? 'expected 403 Forbidden' : 'expected only its own objects';
  return {
    t: p.t,
    message: `Tenant ${p.tenant}: ${p.verb} ${p.resource} in namespace ${p.namespace} got ${p.status}, ${expected}${p.detail ? ` (${p.detail})` : ''}.`,
  };
}
