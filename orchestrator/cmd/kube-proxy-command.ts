import { Command } from 'commander';
import { parseDuration } from '../api/duration.js';
import { parseUidRange } from '../api/pod-confinement.js';
import { isIPv4 } from 'node:net';
import { KubeProxy } from '../proxy/index.js';
import type { NetworkPolicyEnforcement } from '../proxy/network-policy-agent.js';
import { componentRuntime, withComponentFlags, type ComponentFlags } from './component-options.js';
import { runUntilSignal } from './run-until-signal.js';
import { sabotagesOf, warnSabotaged, withSabotageFlags } from './sabotage-flags.js';

interface KubeProxyFlags extends ComponentFlags {
  nodeName: string;
  bindAddress: string;
  healthzPort: string;
  healthzBindAddress?: string;
  endpointConnectTimeout: string;
  bindRetryPeriod: string;
  enforceNetworkPolicy?: string;
  podUidRange?: string;
  nodeIp?: string;
}

/**
 * `orchestrator kube-proxy`: forwards each Service node port to the Service's ready endpoints.
 * One runs on every node, so there is no leader election (the shared --leader-elect flags are
 * accepted and ignored).
 */
export function kubeProxyCommand(): Command {
  return withSabotageFlags(withComponentFlags(new Command('kube-proxy')), 'kube-proxy')
    .description(
      "forward every Service node port to the Service's ready endpoints (one per node: not leader-elected, --leader-elect* ignored)",
    )
    .requiredOption('--node-name <name>', 'the node this proxy runs on')
    .option(
      '--bind-address <ip>',
      'address node ports listen on; a specific address other than 127.0.0.1 also gets 127.0.0.1',
      '0.0.0.0',
    )
    .option('--healthz-port <port>', 'port of /healthz and /metrics; 0 picks a free one', '10256')
    .option('--healthz-bind-address <ip>', 'address of /healthz and /metrics (default: --bind-address)')
    .option('--endpoint-connect-timeout <duration>', 'time an endpoint gets before the next is tried', '1s')
    .option('--bind-retry-period <duration>', 'pause before binding a busy node port again', '1s')
    .option(
      '--enforce-network-policy <owner>',
      "enforce NetworkPolicies for this node's pods with iptables chains named after <owner> (the cluster); needs --pod-uid-range and root",
    )
    .option(
      '--pod-uid-range <first-last>',
      "with --enforce-network-policy: the user ids of this node's pods (the kubelet's)",
    )
    .option('--node-ip <ip>', "with --enforce-network-policy: the node's address (default: --bind-address)")
    .action(async (flags: KubeProxyFlags) => {
      const problems: string[] = [];
      const healthzPort = Number(flags.healthzPort);
      if (!Number.isInteger(healthzPort) || healthzPort < 0 || healthzPort > 65535)
        problems.push(`--healthz-port: "${flags.healthzPort}" is not a port number (0-65535)`);
      const duration = (flag: string, text: string) => {
        try {
          const ms = parseDuration(text);
          if (ms > 0) return ms;
          problems.push(`${flag}: "${text}" must be longer than 0`);
        } catch (e) {
          problems.push(`${flag}: ${(e as Error).message}`);
        }
        return 0;
      };
      const connectTimeoutMs = duration('--endpoint-connect-timeout', flags.endpointConnectTimeout);
      const bindRetryMs = duration('--bind-retry-period', flags.bindRetryPeriod);
      if (!flags.nodeName.trim()) problems.push('--node-name must not be empty');
      const networkPolicy = policyEnforcement(flags, problems);
      if (problems.length > 0) throw new Error(problems.join('; '));

      const rt = await componentRuntime('kube-proxy', flags);
      const sabotages = sabotagesOf(flags, 'kube-proxy');
      warnSabotaged(sabotages, rt.log);
      const proxy = new KubeProxy({
        client: rt.client,
        nodeName: flags.nodeName,
        bindAddress: flags.bindAddress,
        healthzPort,
        healthzBindAddress: flags.healthzBindAddress,
        log: rt.log,
        connectTimeoutMs,
        bindRetryMs,
        resyncMs: rt.timing.resyncMs,
        sabotages,
        ...(networkPolicy ? { networkPolicy } : {}),
      });
      runUntilSignal(
        async () => {
          await proxy.stop();
          await rt.client.close();
        },
        (m) => rt.log.info(m),
      );
      const { healthzPort: bound } = await proxy.start();
      rt.log.info(
        { healthzPort: bound, bindAddress: flags.bindAddress, nodeName: flags.nodeName },
        'serving /healthz and /metrics',
      );
    });
}

/** --enforce-network-policy with what it needs, or why not (added to `problems`). */
function policyEnforcement(flags: KubeProxyFlags, problems: string[]): NetworkPolicyEnforcement | undefined {
  if (flags.enforceNetworkPolicy === undefined) {
    if (flags.podUidRange !== undefined)
      problems.push('--pod-uid-range is only used with --enforce-network-policy');
    return undefined;
  }
  if (!flags.enforceNetworkPolicy.trim()) problems.push('--enforce-network-policy needs an owner name');
  if (process.getuid?.() !== 0)
    problems.push('--enforce-network-policy needs root (it changes iptables rules)');
  if (flags.podUidRange === undefined) {
    problems.push("--enforce-network-policy needs --pod-uid-range (how this node's pods are told apart)");
    return undefined;
  }
  let podUids;
  try {
    podUids = parseUidRange(flags.podUidRange);
  } catch (e) {
    problems.push(`--pod-uid-range: ${(e as Error).message}`);
    return undefined;
  }
  const nodeIp = flags.nodeIp ?? flags.bindAddress;
  if (!isIPv4(nodeIp) || nodeIp === '0.0.0.0')
    problems.push(
      `--node-ip: "${nodeIp}" is not the node's IPv4 address (give --node-ip when --bind-address is 0.0.0.0)`,
    );
  return { owner: flags.enforceNetworkPolicy.trim(), nodeIp, podUids };
}
