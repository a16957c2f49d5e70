// The part of Kubernetes' Pod API husk reads and writes, in the API's own
// shapes (kube generate prints these; kube play reads them from YAML).

export interface KubeEnvVar {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string; optional?: boolean }; secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

export interface KubeProbe {
  exec?: { command: string[] };
  httpGet?: { path?: string; port: number | string; host?: string };
  tcpSocket?: { port: number | string; host?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface KubeContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: KubeEnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string; optional?: boolean }; secretRef?: { name: string; optional?: boolean }; prefix?: string }>;
  workingDir?: string;
  ports?: Array<{ containerPort: number; hostPort?: number; hostIP?: string; protocol?: 'TCP' | 'UDP'; name?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean; subPath?: string }>;
  securityContext?: {
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsUser?: number;
    runAsGroup?: number;
    capabilities?: { add?: string[]; drop?: string[] };
    seLinuxOptions?: Record<string, string>;
  };
  resources?: { limits?: { memory?: string; cpu?: string }; requests?: { memory?: string; cpu?: string } };
  livenessProbe?: KubeProbe;
  readinessProbe?: KubeProbe;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  stdin?: boolean;
  tty?: boolean;
}

export interface KubeVolume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  hostPath?: { path: string; type?: string };
  emptyDir?: Record<string, unknown>;
  configMap?: { name: string; items?: Array<{ key: string; path: string }>; optional?: boolean; defaultMode?: number };
  secret?: { secretName: string; items?: Array<{ key: string; path: string }>; optional?: boolean; defaultMode?: number };
}

export interface KubePodSpec {
  containers: KubeContainer[];
  initContainers?: KubeContainer[];
  volumes?: KubeVolume[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  hostname?: string;
  hostNetwork?: boolean;
}

export interface KubeMeta {
  name: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A pod to make (kube play) or that was made (kube generate). */
export interface KubePod {
  metadata: KubeMeta;
  spec: KubePodSpec;
}

export type KubeKind = 'pod' | 'deployment' | 'daemonset' | 'job';
