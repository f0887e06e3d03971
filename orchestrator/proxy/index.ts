/**
 * kube-proxy: on every node, each Service node port forwarded to the Service's ready endpoints,
 * from an informer cache that outlives apiserver outages.
 */
export { KubeProxy, type KubeProxyOptions } from './kube-proxy.js';
export { ProxyMetrics } from './proxy-metrics.js';
export { nodePortRoutes, readyTargets, type EndpointTarget, type NodePortRoute } from './service-routes.js';
