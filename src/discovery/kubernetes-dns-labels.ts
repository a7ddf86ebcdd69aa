// Labels a Kubernetes DNS name gives a dns_sd target (`pod`, `service`, `namespace`), for the recording rules and an HPA.
//
// Kubernetes names a Service `<service>.<namespace>.svc.<cluster domain>` and, in a headless Service's SRV answers, each
// pod `<hostname>.<service>.<namespace>.svc.<cluster domain>`: the hostname is the pod's name for StatefulSet pods (or
// pods with `hostname` + `subdomain`, or with CoreDNS's `endpoint_pod_names`); other pods get their IP with dashes
// (`10-1-0-7`), which is not a pod name and gives no `pod` label. prometheus-adapter maps `namespace` + `pod` to a
// Pods metric and `namespace` + `service` to an Object metric describing the Service.

/** An IPv4 (`10-1-0-7`) or IPv6 (`fd00--7`) address written with dashes, as CoreDNS names pods without a hostname. */
const DASHED_IP = /^(\d{1,3}(-\d{1,3}){3}|[0-9a-f]*(-[0-9a-f]*){2,7})$/i;

/**
 * `srs-edge-0.srs-edge.live.svc.cluster.local` → { namespace: live, service: srs-edge, pod: srs-edge-0 };
 * `srs-edge.live.svc.cluster.local` and `_http._tcp.srs-edge.live.svc.cluster.local` → { namespace, service };
 * any other name → {}.
 */
export function kubernetesDnsLabels(name: string): Record<string, string> {
  const parts = name.toLowerCase().replace(/\.$/, '').split('.');
  while (parts[0]?.startsWith('_')) parts.shift();
  const svc = parts.indexOf('svc');
  if (svc !== 2 && svc !== 3) return {};
  const [namespace, service] = [parts[svc - 1] as string, parts[svc - 2] as string];
  const labels: Record<string, string> = { namespace, service };
  const pod = svc === 3 ? (parts[0] as string) : undefined;
  if (pod !== undefined && !DASHED_IP.test(pod)) labels['pod'] = pod;
  return labels;
}
