// kube generate: pods as Kubernetes YAML a real API server accepts. The
// engine describes each pod (lib/engine/kube.ts); this wraps it in the kind
// asked for (Pod, Deployment, DaemonSet, Job), adds a Service for its host
// ports when asked, and prints the documents.
import { stringify } from 'yaml';
import type { KubeKind, KubePod } from './model.js';

export interface GenerateOptions {
  kind: KubeKind;
  /** --service: a NodePort Service for the pods' host ports. */
  service: boolean;
  /** --replicas of a Deployment (default 1). */
  replicas?: number;
  /** Named in the header comment. */
  version: string;
}

export function kubeDocuments(pods: KubePod[], opts: GenerateOptions): object[] {
  const docs: object[] = [];
  for (const pod of pods) {
    docs.push(wrap(pod, opts.kind, opts.replicas ?? 1));
    if (opts.service) {
      const service = serviceFor(pod);
      if (service) docs.push(service);
    }
  }
  return docs;
}

export function kubeYaml(docs: object[], version: string): string {
  const header = `# Save the output of this file and use kubectl create -f to import it into Kubernetes.\n#\n# Created with husk-${version}\n`;
  return header + docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}

function wrap(pod: KubePod, kind: KubeKind, replicas: number): object {
  const labels = { app: pod.metadata.name, ...pod.metadata.labels };
  const template = { metadata: { labels, ...(pod.metadata.annotations ? { annotations: pod.metadata.annotations } : {}) }, spec: pod.spec };
  const meta = { name: pod.metadata.name, labels };
  switch (kind) {
    case 'pod':
      return { apiVersion: 'v1', kind: 'Pod', metadata: { ...meta, ...(pod.metadata.annotations ? { annotations: pod.metadata.annotations } : {}) }, spec: pod.spec };
    case 'deployment':
      return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `${pod.metadata.name}-deployment`, labels }, spec: { replicas, selector: { matchLabels: { app: pod.metadata.name } }, template } };
    case 'daemonset':
      return { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: `${pod.metadata.name}-daemonset`, labels }, spec: { selector: { matchLabels: { app: pod.metadata.name } }, template } };
    case 'job':
      // A Job's pods may not restart Always.
      return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `${pod.metadata.name}-job`, labels }, spec: { template: { ...template, spec: { ...pod.spec, restartPolicy: pod.spec.restartPolicy === 'OnFailure' ? 'OnFailure' : 'Never' } } } };
  }
}

function serviceFor(pod: KubePod): object | undefined {
  const ports = pod.spec.containers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort));
  if (!ports.length) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: pod.metadata.name, labels: { app: pod.metadata.name } },
    spec: {
      type: 'NodePort',
      selector: { app: pod.metadata.name },
      ports: ports.map((p) => ({ name: `${p.containerPort}-${(p.protocol ?? 'TCP').toLowerCase()}`, port: p.containerPort, targetPort: p.containerPort, nodePort: p.hostPort, protocol: p.protocol ?? 'TCP' })),
    },
  };
}
