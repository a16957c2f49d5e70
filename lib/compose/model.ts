// The typed model of a loaded compose project: what loadProject() returns
// after discovery, interpolation, validation, merging, extends, include and
// profiles. Field names are the Compose Specification's (snake_case), so
// that renderConfig() can print them back as `docker compose config` does.
// Durations are milliseconds, sizes bytes; paths on the host are absolute.

export interface Project {
  name: string;
  /** The project directory: relative paths in the files are resolved against it. */
  workingDir: string;
  /** The compose files read, absolute (`-` for stdin), in merge order. */
  files: string[];
  /** Active services only (profiles applied). */
  services: Record<string, Service>;
  /** Services left out because none of their profiles is active. */
  disabled: string[];
  networks: Record<string, Network>;
  volumes: Record<string, Volume>;
  secrets: Record<string, SecretOrConfig>;
  configs: Record<string, SecretOrConfig>;
  /** The top-level `x-` extensions. */
  extensions: Record<string, unknown>;
  /** What husk does not do with the files: unsupported keys, unset variables, several default files. */
  warnings: string[];
}

export interface Service {
  name: string;
  image?: string;
  build?: Build;
  /** Shell words; undefined means the image's; [] means explicitly empty. */
  command?: string[];
  entrypoint?: string[];
  /** env_file contents, then `environment` over them; null: a name without a value found nowhere. */
  environment: Record<string, string | null>;
  env_file: EnvFile[];
  ports: Port[];
  expose: string[];
  volumes: ServiceVolume[];
  /** Absent when network_mode is set; otherwise at least `default`. */
  networks: Record<string, ServiceNetwork>;
  network_mode?: string;
  depends_on: Record<string, Dependency>;
  healthcheck?: Healthcheck;
  restart?: string;
  deploy?: Deploy;
  scale?: number;
  user?: string;
  working_dir?: string;
  hostname?: string;
  domainname?: string;
  container_name?: string;
  labels: Record<string, string>;
  cap_add: string[];
  cap_drop: string[];
  privileged?: boolean;
  read_only?: boolean;
  security_opt: string[];
  stop_signal?: string;
  stop_grace_period?: number;
  init?: boolean;
  tty?: boolean;
  stdin_open?: boolean;
  ulimits: Record<string, Ulimit>;
  sysctls: Record<string, string>;
  /** "host=ip" */
  extra_hosts: string[];
  dns: string[];
  dns_search: string[];
  dns_opt: string[];
  tmpfs: string[];
  devices: string[];
  secrets: FileReference[];
  configs: FileReference[];
  pull_policy?: string;
  platform?: string;
  logging?: Logging;
  profiles: string[];
  /** Keys valid in the specification that husk does not act on, as written (a warning names each). */
  ignored: Record<string, unknown>;
  /** The service's `x-` extensions. */
  extensions: Record<string, unknown>;
}

export interface Build {
  /** Absolute path, or a URL (git, http) as written. */
  context: string;
  /** Relative to the context as written (default "Dockerfile"), unless dockerfile_inline is given. */
  dockerfile?: string;
  dockerfile_inline?: string;
  args: Record<string, string | null>;
  target?: string;
  labels: Record<string, string>;
  secrets: FileReference[];
  cache_from: string[];
  cache_to: string[];
  network?: string;
  pull?: boolean;
  no_cache?: boolean;
  tags: string[];
  platforms: string[];
  shm_size?: number;
  extra_hosts: string[];
  additional_contexts: Record<string, string>;
}

export interface EnvFile {
  path: string;
  required: boolean;
}

export interface Port {
  name?: string;
  mode: string;
  host_ip?: string;
  target: number;
  /** A port or a range ("8000-8010"); undefined: chosen at start. */
  published?: string;
  protocol: string;
  app_protocol?: string;
}

export interface ServiceVolume {
  type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'image' | 'cluster';
  /** The volume's key (type volume), the absolute host path (bind); absent for an anonymous volume or tmpfs. */
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: 'z' | 'Z'; recursive?: string };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number; mode?: number };
  image?: { subpath?: string };
}

export interface ServiceNetwork {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  link_local_ips?: string[];
  mac_address?: string;
  priority?: number;
  gw_priority?: number;
  interface_name?: string;
  driver_opts?: Record<string, string>;
}

export interface Dependency {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  restart?: boolean;
  required: boolean;
}

export interface Healthcheck {
  /** ["NONE"], ["CMD", ...] or ["CMD-SHELL", text]. */
  test?: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  start_period?: number;
  start_interval?: number;
  disable?: boolean;
}

export interface Deploy {
  mode?: string;
  replicas?: number;
  resources?: {
    limits?: Resources;
    reservations?: Resources;
  };
  restart_policy?: { condition?: string; delay?: number; max_attempts?: number; window?: number };
  labels?: Record<string, string>;
}

export interface Resources {
  cpus?: number;
  /** Bytes. */
  memory?: number;
  pids?: number;
}

export type Ulimit = { single: number } | { soft: number; hard: number };

export interface FileReference {
  source: string;
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface Logging {
  driver?: string;
  options: Record<string, string>;
}

export interface Network {
  /** The engine's name: `<project>_<key>` unless `name:` is given, or the key itself when external without a name. */
  name: string;
  external: boolean;
  driver?: string;
  driver_opts: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv6?: boolean;
  ipam?: { driver?: string; config: Array<{ subnet?: string; ip_range?: string; gateway?: string; aux_addresses?: Record<string, string> }>; options?: Record<string, string> };
  labels: Record<string, string>;
}

export interface Volume {
  name: string;
  external: boolean;
  driver?: string;
  driver_opts: Record<string, string>;
  labels: Record<string, string>;
}

export interface SecretOrConfig {
  name: string;
  external: boolean;
  /** Absolute path. */
  file?: string;
  environment?: string;
  content?: string;
  labels: Record<string, string>;
}
