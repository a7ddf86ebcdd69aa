// kubernetesDnsLabels: the pod, Service and namespace a Kubernetes DNS name gives a dns_sd target, and nothing otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kubernetesDnsLabels } from '../../src/discovery/kubernetes-dns-labels.js';

test('a pod name in a headless Service (an SRV target) gives namespace, service and pod', () => {
  assert.deepEqual(kubernetesDnsLabels('srs-edge-0.srs-edge.live.svc.cluster.local'), {
    namespace: 'live',
    service: 'srs-edge',
    pod: 'srs-edge-0',
  });
  assert.deepEqual(kubernetesDnsLabels('SRS-Edge-1.srs-edge.live.svc.example.org.'), {
    namespace: 'live',
    service: 'srs-edge',
    pod: 'srs-edge-1',
  });
});

test('a Service name, with or without an SRV _port._proto prefix, gives namespace and service only', () => {
  const expected = { namespace: 'live', service: 'srs-edge' };
  assert.deepEqual(kubernetesDnsLabels('srs-edge.live.svc.cluster.local'), expected);
  assert.deepEqual(kubernetesDnsLabels('_http._tcp.srs-edge.live.svc.cluster.local'), expected);
  assert.deepEqual(kubernetesDnsLabels('srs-edge.live.svc'), expected);
});

test('a pod without a hostname (CoreDNS names it by its dashed IP) gives no pod label', () => {
  assert.deepEqual(kubernetesDnsLabels('10-1-0-7.srs-edge.live.svc.cluster.local'), {
    namespace: 'live',
    service: 'srs-edge',
  });
  assert.deepEqual(kubernetesDnsLabels('fd00--7.srs-edge.live.svc.cluster.local'), {
    namespace: 'live',
    service: 'srs-edge',
  });
});

test('names outside the Kubernetes layout give no labels', () => {
  for (const name of ['srs-1.example.com', 'localhost', 'a.b.c.d.svc.cluster.local', 'svc.cluster.local', '']) {
    assert.deepEqual(kubernetesDnsLabels(name), {}, name);
  }
});
