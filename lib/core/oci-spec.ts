// The part of the OCI runtime spec (config.json) that husk writes and its
// native runtime reads. Field names are the spec's own.
// https://github.com/opencontainers/runtime-spec/blob/main/config.md

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface Rlimit {
  type: string; // "RLIMIT_NOFILE"
  soft: number;
  hard: number;
}

export interface Capabilities {
  bounding: string[]; // "CAP_CHOWN", ...
  effective: string[];
  permitted: string[];
  inheritable: string[];
  ambient: string[];
}

export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

export interface Process {
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  user: User;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: Capabilities;
  rlimits: Rlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
}

export interface Mount {
  destination: string;
  type: string; // "proc", "tmpfs", "bind", "devpts", "mqueue", "sysfs", ...
  source: string;
  options: string[]; // "nosuid", "ro", "rbind", "mode=755", "size=65536k", ...
}

export interface Namespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}

export interface Device {
  path: string; // "/dev/null"
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

/** linux.resources.devices: one rule of the device allowlist (a devices cgroup or eBPF program). */
export interface DeviceCgroupRule {
  allow: boolean;
  /** a (all, the default), c or b. */
  type?: 'a' | 'c' | 'b';
  /** Absent: any. */
  major?: number;
  minor?: number;
  /** Some of r, w, m; absent: rwm. */
  access?: string;
}

/** linux.resources.memory: bytes; -1 is no limit (swap: memory plus swap, as docker counts it). */
export interface MemoryResources {
  limit?: number;
  reservation?: number;
  swap?: number;
  kernel?: number;
  swappiness?: number;
  disableOOMKiller?: boolean;
}

/** linux.resources.cpu: shares (relative weight), quota/period in microseconds, cpusets as "0-3,5". */
export interface CpuResources {
  shares?: number;
  quota?: number;
  period?: number;
  cpus?: string;
  mems?: string;
}

export interface BlockIODevice {
  major: number;
  minor: number;
}

export interface BlockIOResources {
  weight?: number;
  weightDevice?: Array<BlockIODevice & { weight: number }>;
  throttleReadBpsDevice?: Array<BlockIODevice & { rate: number }>;
  throttleWriteBpsDevice?: Array<BlockIODevice & { rate: number }>;
  throttleReadIOPSDevice?: Array<BlockIODevice & { rate: number }>;
  throttleWriteIOPSDevice?: Array<BlockIODevice & { rate: number }>;
}

export interface Resources {
  /** In order; the last rule that matches a device decides. */
  devices?: DeviceCgroupRule[];
  memory?: MemoryResources;
  cpu?: CpuResources;
  /** limit: the most tasks; -1 or absent: no limit. */
  pids?: { limit: number };
  blockIO?: BlockIOResources;
}

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string; // SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ, ...
}

export interface SeccompSyscall {
  names: string[];
  action: string; // SCMP_ACT_ERRNO, SCMP_ACT_ALLOW, ...
  errnoRet?: number;
  args?: SeccompArg[];
}

export interface Seccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[]; // SCMP_ARCH_X86_64, ...
  syscalls: SeccompSyscall[];
}

export interface Linux {
  namespaces: Namespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  devices: Device[];
  maskedPaths: string[];
  readonlyPaths: string[];
  seccomp?: Seccomp;
  sysctl?: Record<string, string>;
  rootfsPropagation?: string;
  /** The container's cgroup, relative to the root of each hierarchy (husk: /husk/<id>, as root only). */
  cgroupsPath?: string;
  resources?: Resources;
}

export interface Spec {
  ociVersion: string;
  process: Process;
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: Mount[];
  linux: Linux;
  annotations?: Record<string, string>;
}
