import { describe, expect, it } from 'vitest';
import { kubeletRotation } from '../../src/follow/kubelet-rotations.js';

const LOG = '/var/log/pods/ns_pod_uid/app/0.log';

describe('kubeletRotation', () => {
  it("reads when kubelet rotated a container log from the rotated file's name, compressed or not", () => {
    expect(kubeletRotation(LOG, `${LOG}.20261201-100000`)).toBe('20261201-100000');
    expect(kubeletRotation(LOG, `${LOG}.20261201-100000.gz`)).toBe('20261201-100000');
  });

  it('orders rotations by their names: a later one compares greater', () => {
    expect(kubeletRotation(LOG, `${LOG}.20261201-235959`)! < kubeletRotation(LOG, `${LOG}.20261202-000000`)!).toBe(true);
  });

  it("takes no other name for one of the log's rotations", () => {
    expect(kubeletRotation(LOG, LOG)).toBeUndefined();
    expect(kubeletRotation(LOG, `${LOG}.1`)).toBeUndefined();
    expect(kubeletRotation(LOG, `${LOG}.20261201-100000.tmp`)).toBeUndefined();
    expect(kubeletRotation(LOG, `${LOG}.2026120-100000`)).toBeUndefined();
    // Another container's log, and the same name in another directory.
    expect(kubeletRotation(LOG, '/var/log/pods/ns_pod_uid/app/10.log.20261201-100000')).toBeUndefined();
    expect(kubeletRotation(LOG, '/var/log/pods/ns_pod_uid/other/0.log.20261201-100000')).toBeUndefined();
  });
});
