import { describe, expect, it } from 'vitest';
import { kubernetesLabelValues, kubernetesSource } from '../../src/metrics/kubernetes-labels.js';

const ID = 'a'.repeat(24) + '0123456789abcdef'.repeat(2) + 'deadbeef';

describe('kubernetesSource', () => {
  it('reads /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log, rotated names too', () => {
    const pod = { namespace: 'hid', pod: 'auth-7d9f-x2k4q', container: 'auth' };
    expect(kubernetesSource('/var/log/pods/hid_auth-7d9f-x2k4q_0b9c6a4e-8f1d-4c3a-9e55-2f6b1d7c8a90/auth/0.log')).toEqual(pod);
    expect(kubernetesSource('/var/log/pods/hid_auth-7d9f-x2k4q_0b9c6a4e-8f1d-4c3a-9e55-2f6b1d7c8a90/auth/3.log.20261201-100000')).toEqual(pod);
    // Wherever the host's /var/log is mounted in hidlog's container.
    expect(kubernetesSource('/host/var/log/pods/kube-system_coredns-5d78c9869d-abcde_uid/coredns/1.log')).toEqual({
      namespace: 'kube-system',
      pod: 'coredns-5d78c9869d-abcde',
      container: 'coredns',
    });
  });

  it('reads /var/log/containers/<pod>_<namespace>_<container>-<container id>.log', () => {
    expect(ID).toHaveLength(64);
    expect(kubernetesSource(`/var/log/containers/auth-7d9f-x2k4q_hid_auth-sidecar-${ID}.log`)).toEqual({
      namespace: 'hid',
      pod: 'auth-7d9f-x2k4q',
      container: 'auth-sidecar',
    });
  });

  it('finds nothing in a path outside that layout', () => {
    for (const path of [
      '/var/log/hid/auth.log',
      'auth.log',
      '/var/log/pods/not-a-pod-dir/auth/0.log',
      `/var/log/containers/auth_hid_auth-${ID.slice(1)}.log`,
      '/a_b/0.log',
    ]) {
      expect(kubernetesSource(path)).toBeUndefined();
    }
  });
});

describe('kubernetesLabelValues', () => {
  it('gives the asked labels in their order, and empty values where the path says nothing (or for stdin)', () => {
    const path = '/var/log/pods/hid_auth-0_uid/auth/0.log';
    expect(kubernetesLabelValues(['container', 'namespace'], path)).toEqual(['auth', 'hid']);
    expect(kubernetesLabelValues(['namespace', 'pod', 'container'], '/var/log/hid/auth.log')).toEqual(['', '', '']);
    expect(kubernetesLabelValues(['pod'], undefined)).toEqual(['']);
  });
});
