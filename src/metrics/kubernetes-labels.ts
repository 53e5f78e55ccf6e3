// Where a container's log is on a Kubernetes node says whose it is: kubelet's layout, as log
// agents read it (`--kubernetes-labels`).

/** The labels a log file's path gives, in the order they are documented. */
export const KUBERNETES_LABELS = ['namespace', 'pod', 'container'] as const;

export type KubernetesLabel = (typeof KUBERNETES_LABELS)[number];

export type KubernetesSource = Record<KubernetesLabel, string>;

// Names in Kubernetes (DNS labels and subdomains) hold no underscore: it separates the parts.
// /var/log/pods/<namespace>_<pod>_<uid>/<container>/<restarts>.log (and its rotated names)
const POD_DIRECTORY = /^([^_]+)_([^_]+)_([^_]+)$/;
// /var/log/containers/<pod>_<namespace>_<container>-<container id>.log
const CONTAINER_LINK = /^([^_]+)_([^_]+)_(.+)-[0-9a-f]{64}\.log$/;

/** Whose log the file at `path` is, read from kubelet's layout; undefined for a path outside it. */
export function kubernetesSource(path: string): KubernetesSource | undefined {
  const segments = path.split('/');
  const link = CONTAINER_LINK.exec(segments.at(-1)!);
  if (link) return { pod: link[1]!, namespace: link[2]!, container: link[3]! };
  const pod = segments.length >= 3 ? POD_DIRECTORY.exec(segments.at(-3)!) : null;
  const container = segments.at(-2);
  if (pod && container) return { namespace: pod[1]!, pod: pod[2]!, container };
  return undefined;
}

/** The values of `labels` for the lines of the file at `path` (or stdin: ''), in the labels' order. */
export function kubernetesLabelValues(labels: readonly KubernetesLabel[], path: string | undefined): string[] {
  const source = path === undefined ? undefined : kubernetesSource(path);
  return labels.map((label) => source?.[label] ?? '');
}
