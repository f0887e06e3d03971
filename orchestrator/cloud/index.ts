/** The cloud-controller-manager: load balancers and node existence from the cluster's provider. */
export { BackendPool, backendKey, parseBackends, type Backend } from './backend-pool.js';
export type { CloudContext } from './cloud-context.js';
export { CloudControllerManager } from './cloud-controller-manager.js';
export { CloudNodeLifecycleController } from './cloud-node-lifecycle-controller.js';
export {
  loadBalancerName,
  loadBalancerPorts,
  type CloudProvider,
  type InstanceState,
  type Instances,
  type LoadBalancerIngress,
  type LoadBalancerNode,
  type LoadBalancers,
} from './cloud-provider.js';
export { DockerCloud, type DockerCloudOptions } from './docker-cloud.js';
export { ProcessCloud, type ProcessCloudOptions } from './process-cloud.js';
export { ServiceController } from './service-controller.js';
export { TcpLoadBalancer, type TcpLoadBalancerOptions } from './tcp-load-balancer.js';
