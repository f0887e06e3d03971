import { join } from 'node:path';
import { Command } from 'commander';
import { EventRecorder, InformerFactory } from '../api/client/index.js';
import { systemClock } from '../api/clock.js';
import { parseDuration } from '../api/duration.js';
import { CloudControllerManager, DockerCloud, ProcessCloud, type CloudProvider } from '../cloud/index.js';
import {
  componentRuntime,
  runLeaderElected,
  withComponentFlags,
  type ComponentFlags,
} from './component-options.js';
import { runUntilSignal } from './run-until-signal.js';

interface CloudControllerManagerFlags extends ComponentFlags {
  cloudProvider: string;
  clusterName?: string;
  runId?: string;
  dockerNetwork?: string;
  dockerSocket: string;
  loadBalancerImage?: string;
  loadBalancerAddresses: string;
  stateFile?: string;
  loadBalancerDir?: string;
  nodeMonitorPeriod: string;
}

/** `orchestrator cloud-controller-manager`: load balancers and node existence from the cluster's provider. */
export function cloudControllerManagerCommand(): Command {
  return withComponentFlags(new Command('cloud-controller-manager'))
    .description(
      'provision load balancers for Services of type LoadBalancer; delete Nodes whose machine is gone',
    )
    .requiredOption('--cloud-provider <name>', 'docker or process')
    .option(
      '--cluster-name <name>',
      'docker: the cluster whose containers are the machines (label crucible.dev/cluster)',
    )
    .option('--run-id <id>', 'docker: the run id balancers are labelled with')
    .option('--docker-network <name>', 'docker: the network balancers join')
    .option('--docker-socket <path>', "docker: the engine's socket", '/var/run/docker.sock')
    .option('--load-balancer-image <image>', "docker: the balancers' image (default: this container's)")
    .option(
      '--load-balancer-addresses <range>',
      'host addresses for balancers, one each: a.b.c.first-a.b.c.last',
      '127.0.0.200-127.0.0.253',
    )
    .option('--state-file <file>', "process: the cluster's state file, with each kubelet's pid")
    .option(
      '--load-balancer-dir <dir>',
      'process: where balancers are recorded (default: beside the state file)',
    )
    .option(
      '--node-monitor-period <duration>',
      "how often the cloud is asked whether each node's machine exists",
      '500ms',
    )
    .action(async (flags: CloudControllerManagerFlags) => {
      const rt = await componentRuntime('cloud-controller-manager', flags);
      const cloud = cloudProvider(flags);
      const nodeMonitorPeriodMs = parseDuration(flags.nodeMonitorPeriod);
      rt.log.info({ cloudProvider: cloud.name, nodeMonitorPeriodMs }, 'cloud provider');
      const stop = runLeaderElected(
        rt,
        'cloud-controller-manager',
        flags.leaderElect === 'true',
        async (signal) => {
          const ctx = {
            client: rt.client,
            informers: new InformerFactory(rt.client, { resyncMs: rt.timing.resyncMs }),
            recorder: new EventRecorder(
              rt.client,
              { component: 'cloud-controller-manager', host: rt.identity },
              systemClock,
            ),
            log: rt.log,
            cloud,
            nodeMonitorPeriodMs,
          };
          await new CloudControllerManager(ctx).run(signal);
        },
      );
      runUntilSignal(
        async () => {
          await stop();
          await cloud.close();
          await rt.client.close();
        },
        (m) => rt.log.info(m),
      );
    });
}

function cloudProvider(flags: CloudControllerManagerFlags): CloudProvider {
  // A balancer runs this same program: node and the orchestrator's main.
  const program = [process.execPath, process.argv[1]!];
  switch (flags.cloudProvider) {
    case 'docker':
      if (!flags.clusterName || !flags.dockerNetwork)
        throw new Error('--cloud-provider=docker needs --cluster-name and --docker-network');
      return new DockerCloud({
        cluster: flags.clusterName,
        runId: flags.runId,
        network: flags.dockerNetwork,
        image: flags.loadBalancerImage,
        addressRange: flags.loadBalancerAddresses,
        socketPath: flags.dockerSocket,
        program,
      });
    case 'process':
      if (!flags.stateFile) throw new Error('--cloud-provider=process needs --state-file');
      return new ProcessCloud({
        stateFile: flags.stateFile,
        loadBalancerDir: flags.loadBalancerDir ?? join(flags.stateFile, '..', 'load-balancers'),
        addressRange: flags.loadBalancerAddresses,
        program,
      });
    default:
      throw new Error(`--cloud-provider: "${flags.cloudProvider}" is not docker or process`);
  }
}
