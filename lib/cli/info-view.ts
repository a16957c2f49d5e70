// info and version as --format templates see them: the Go field names of
// podman's define.Info (.Host.Arch, .Store.GraphRoot, .Version.Version,
// .Host.Security.Rootless...), with docker's top-level names
// (.ServerVersion, .NCPU, .DockerRootDir...) too; {{json .X}} keeps the
// JSON names, as Go's encoder follows the json tags.
import type { hostInfo } from '../engine/info.js';
import type { versionInfo } from '../engine/version.js';
import type { Row } from './format.js';

/** JSON names whose Go field is not the name capitalized. */
const GO_NAMES: Record<string, string> = {
  cpus: 'CPUs',
  idMappings: 'IDMappings',
  uidmap: 'UIDMap',
  gidmap: 'GIDMap',
  container_id: 'ContainerID',
  host_id: 'HostID',
  ociRuntime: 'OCIRuntime',
  selinuxEnabled: 'SELinuxEnabled',
  apparmorEnabled: 'AppArmorEnabled',
  serviceIsRemote: 'ServiceIsRemote',
};

const goName = (key: string) => GO_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1);

/** The value under Go names at every level, JSON (toJSON) as it was. */
export function goView(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(goView);
  if (typeof value !== 'object' || value === null) return value;
  const go = Object.fromEntries(Object.entries(value).map(([k, v]) => [goName(k), goView(v)]));
  return Object.defineProperty(go, 'toJSON', { value: () => value, enumerable: false });
}

type Info = ReturnType<typeof hostInfo>;

/** docker info's names for the same facts. */
function dockerNames(info: Info): Row {
  const cs = info.store.containerStore;
  return {
    ServerVersion: info.version.Version,
    OperatingSystem: info.host.distribution.prettyName || info.host.distribution.distribution,
    OSType: info.host.os,
    Architecture: info.host.arch === 'amd64' ? 'x86_64' : info.host.arch,
    KernelVersion: info.host.kernel,
    NCPU: info.host.cpus,
    MemTotal: info.host.memTotal,
    Name: info.host.hostname,
    Driver: info.store.graphDriverName,
    DockerRootDir: info.store.graphRoot,
    Containers: cs.number,
    ContainersRunning: cs.running,
    ContainersPaused: cs.paused,
    ContainersStopped: cs.stopped,
    Images: info.store.imageStore.number,
    CgroupDriver: info.host.cgroupManager,
    CgroupVersion: info.host.cgroupVersion.slice(1),
    SecurityOptions: info.host.security.seccompEnabled ? ['name=seccomp,profile=default', ...(info.host.rootless ? ['name=rootless'] : [])] : [],
  };
}

/** What `husk info --format TEMPLATE` executes on. */
export function infoTemplateData(info: Info): Row {
  const go = goView(info) as Row;
  // The docker names are for templates only: {{json .}} stays podman's JSON.
  return Object.defineProperty({ ...dockerNames(info), ...go }, 'toJSON', { value: () => info, enumerable: false });
}

/** What `husk version --format TEMPLATE` executes on: .Client.Version, and .Version as podman also takes. */
export function versionTemplateData(client: ReturnType<typeof versionInfo>): Row {
  const json = { Client: client };
  return Object.defineProperty({ ...client, Client: goView(client) }, 'toJSON', { value: () => json, enumerable: false });
}
