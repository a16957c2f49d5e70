// podman's (buildah's) build flags beyond docker's: the RUN steps' containers
// (capabilities, limits, DNS, /etc/hosts), the image's environment and labels,
// the files written after the build, and, each with its reason, the flags of
// buildah features husk does not have or has no use for.
import fs from 'node:fs';
import type { Options } from 'yargs';
import type { ImageRecord } from '../engine/images.js';
import type { RunContainerOptions } from '../engine/build-state.js';
import { parseBytes, parseResources } from '../engine/limits.js';
import { many, lastWins } from './common.js';
import { ignoredFlag, refusedFlag } from './compat.js';

const one = (describe: string, type: 'string' | 'number' = 'string'): Options => ({ type, coerce: lastWins, describe });
const refusedMany = (flag: string, reason: string) => refusedFlag(flag, 'string', reason, { array: true, nargs: 1 });

const NAMESPACES = 'husk runs each RUN step in a container with namespaces of its own';
const SBOM = 'husk makes no SBOMs';

export const BUILD_PODMAN_OPTIONS = {
  // The RUN steps' containers.
  'cap-add': { ...many('Add Linux capabilities to the RUN steps') },
  'cap-drop': { ...many('Drop Linux capabilities from the RUN steps') },
  memory: { alias: 'm', ...one('Memory limit of the RUN steps: 512m, 1g, ...') },
  'memory-swap': one('Memory plus swap limit of the RUN steps (-1: unlimited swap)'),
  'cpu-shares': { alias: 'c', ...one("CPU shares of the RUN steps (1024 is one CPU's)", 'number') },
  'cpu-period': one('CPU CFS period of the RUN steps, in microseconds', 'number'),
  'cpu-quota': one('CPU CFS quota of the RUN steps, in microseconds per period', 'number'),
  'cpuset-cpus': one('CPUs the RUN steps may use: 0-3, 0,1'),
  'cpuset-mems': one('Memory nodes the RUN steps may use: 0-3, 0,1'),
  'shm-size': one('Size of the RUN steps\' /dev/shm (default 64m)'),
  dns: { ...many("DNS servers of the RUN steps' /etc/resolv.conf") },
  'dns-search': { ...many('DNS search domains of the RUN steps') },
  'dns-option': { ...many('DNS options of the RUN steps (e.g. ndots:2)') },
  hosts: { type: 'boolean', default: true, describe: 'Write /etc/hosts in the RUN steps (--no-hosts: leave the image\'s)' },
  // The image made.
  env: { ...many('Set an environment variable in the image: NAME=VALUE (NAME: from here)') },
  unsetenv: { ...many('Remove an environment variable from the image') },
  unsetlabel: { ...many('Remove a label (the base image\'s too) from the image') },
  'source-date-epoch': one('Seconds since the epoch for every date in the image, and the SOURCE_DATE_EPOCH build ARG', 'number'),
  os: one("The image's OS: linux only"),
  arch: one("The image's architecture: this machine's only"),
  variant: ignoredFlag('variant', 'string', "husk builds for this machine's platform, whose variant it is"),
  // Files written besides the image.
  'iidfile-raw': one('Write the image ID, without sha256:, to this file'),
  'metadata-file': one('Write the image ID, manifest digest and names as JSON to this file'),
  logfile: one("Write the build's output to this file instead of stdout"),
  logsplit: ignoredFlag('logsplit', 'boolean', 'husk builds one platform, so there is one log'),
  // Nothing a user would see change.
  compress: ignoredFlag('compress', 'boolean', 'husk stores layers uncompressed and compresses them when pushing'),
  'disable-compression': ignoredFlag('disable-compression', 'boolean', 'husk stores layers uncompressed and compresses them when pushing', { alias: 'D' }),
  'disable-content-trust': ignoredFlag('disable-content-trust', 'boolean', "docker's content trust, a no-op in podman too"),
  jobs: ignoredFlag('jobs', 'number', 'husk builds the stages one after another'),
  retry: ignoredFlag('retry', 'number', 'husk tries a pull once'),
  'retry-delay': ignoredFlag('retry-delay', 'string', 'husk tries a pull once'),
  'identity-label': ignoredFlag('identity-label', 'boolean', 'husk adds no io.buildah.version label'),
  'created-annotation': ignoredFlag('created-annotation', 'boolean', 'husk adds no created annotation'),
  'inherit-annotations': ignoredFlag('inherit-annotations', 'boolean', "husk's images take no annotations from their base"),
  'layer-label': ignoredFlag('layer-label', 'string', 'husk labels no intermediate images', { array: true, nargs: 1 }),
  'skip-unused-stages': ignoredFlag('skip-unused-stages', 'boolean', 'husk builds only the stages the target needs'),
  'http-proxy': ignoredFlag('http-proxy', 'boolean', 'husk passes no proxy variables to the RUN steps: give --build-arg http_proxy=...'),
  isolation: ignoredFlag('isolation', 'string', 'husk runs RUN steps in its own containers (isolation oci)'),
  'os-feature': ignoredFlag('os-feature', 'string', 'OS features describe Windows images', { array: true, nargs: 1 }),
  'os-version': ignoredFlag('os-version', 'string', 'OS versions describe Windows images'),
  'cache-ttl': ignoredFlag('cache-ttl', 'string', 'husk uses every cached step, whatever its age (--no-cache builds all)'),
  // Features husk does not have.
  'all-platforms': refusedFlag('all-platforms', 'boolean', "husk builds for this machine's platform only"),
  manifest: refusedFlag('manifest', 'string', 'husk has no manifest lists'),
  'build-context': refusedMany('build-context', 'husk has one build context (COPY --from takes stages and images)'),
  from: refusedFlag('from', 'string', 'change the FROM line, or give it an ARG'),
  'cpp-flag': refusedMany('cpp-flag', 'husk does not run Containerfile.in through cpp'),
  cw: refusedFlag('cw', 'string', 'husk makes no confidential-workload images'),
  'decryption-key': refusedMany('decryption-key', 'husk has no encrypted images'),
  'sign-by': refusedFlag('sign-by', 'string', 'husk signs no images'),
  'source-policy-file': refusedFlag('source-policy-file', 'string', 'husk has no source policies'),
  'inherit-labels': refusedFlag('inherit-labels', 'boolean', "husk's images keep their base's labels: remove them with --unsetlabel"),
  'omit-history': refusedFlag('omit-history', 'boolean', "husk's images keep their history"),
  'rewrite-timestamp': refusedFlag('rewrite-timestamp', 'boolean', "--timestamp dates the image and its new layers' files; husk rewrites no others"),
  output: refusedFlag('output', 'string', "husk builds into its image store: take the image out with husk save or the files with husk create and husk export", { alias: 'o' }),
  'save-stages': refusedFlag('save-stages', 'boolean', 'husk keeps no images of the stages besides its build cache'),
  'stage-labels': refusedFlag('stage-labels', 'boolean', 'husk keeps no images of the stages besides its build cache'),
  ignorefile: refusedFlag('ignorefile', 'string', 'husk reads .dockerignore (or .containerignore) of the context, or the Containerfile\'s own'),
  'compat-volumes': refusedFlag('compat-volumes', 'boolean', 'husk keeps what RUN steps write in VOLUME directories, as buildah does by default'),
  stdin: refusedFlag('stdin', 'boolean', 'RUN steps have no stdin in husk'),
  mount: refusedMany('mount', 'give RUN --mount=... in the Containerfile'),
  volume: refusedFlag('volume', 'string', 'give RUN --mount=type=bind,... in the Containerfile', { alias: 'v', array: true, nargs: 1 }),
  device: refusedMany('device', 'RUN steps get no host devices in husk'),
  'security-opt': refusedMany('security-opt', 'RUN steps run with husk\'s default security options (RUN --security=insecure for all)'),
  'group-add': refusedMany('group-add', 'RUN steps run as the image\'s USER only'),
  'cgroup-parent': refusedFlag('cgroup-parent', 'string', 'husk places the RUN steps\' cgroups itself'),
  cgroupns: refusedFlag('cgroupns', 'string', NAMESPACES),
  ipc: refusedFlag('ipc', 'string', NAMESPACES),
  pid: refusedFlag('pid', 'string', NAMESPACES),
  uts: refusedFlag('uts', 'string', NAMESPACES),
  userns: refusedFlag('userns', 'string', NAMESPACES),
  'userns-uid-map': refusedMany('userns-uid-map', NAMESPACES),
  'userns-gid-map': refusedMany('userns-gid-map', NAMESPACES),
  'userns-uid-map-user': refusedFlag('userns-uid-map-user', 'string', NAMESPACES),
  'userns-gid-map-group': refusedFlag('userns-gid-map-group', 'string', NAMESPACES),
  'no-hostname': refusedFlag('no-hostname', 'boolean', 'husk always writes /etc/hostname in the RUN steps'),
  unsetannotation: refusedMany('unsetannotation', "husk's images take no annotations from their base: there are none to remove"),
  sbom: refusedFlag('sbom', 'string', SBOM),
  'sbom-image-output': refusedFlag('sbom-image-output', 'string', SBOM),
  'sbom-image-purl-output': refusedFlag('sbom-image-purl-output', 'string', SBOM),
  'sbom-merge-strategy': refusedFlag('sbom-merge-strategy', 'string', SBOM),
  'sbom-output': refusedFlag('sbom-output', 'string', SBOM),
  'sbom-purl-output': refusedFlag('sbom-purl-output', 'string', SBOM),
  'sbom-scanner-command': refusedFlag('sbom-scanner-command', 'string', SBOM),
  'sbom-scanner-image': refusedFlag('sbom-scanner-image', 'string', SBOM),
} as const;

export interface BuildPodmanArgs {
  capAdd: string[];
  capDrop: string[];
  memory?: string;
  memorySwap?: string;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  shmSize?: string;
  dns: string[];
  dnsSearch: string[];
  dnsOption: string[];
  hosts: boolean;
  env: string[];
  unsetenv: string[];
  unsetlabel: string[];
  sourceDateEpoch?: number;
  os?: string;
  arch?: string;
  iidfileRaw?: string;
  metadataFile?: string;
  logfile?: string;
}

export function runContainerOptions(a: BuildPodmanArgs): RunContainerOptions {
  const { resources, warnings } = parseResources({ memory: a.memory, memorySwap: a.memorySwap, cpuShares: a.cpuShares, cpuPeriod: a.cpuPeriod, cpuQuota: a.cpuQuota, cpusetCpus: a.cpusetCpus, cpusetMems: a.cpusetMems });
  for (const w of warnings) process.stderr.write(`WARN: ${w}\n`);
  return {
    capAdd: a.capAdd,
    capDrop: a.capDrop,
    resources,
    shmSize: a.shmSize === undefined ? undefined : parseBytes(a.shmSize, '--shm-size'),
    dns: a.dns,
    dnsSearch: a.dnsSearch,
    dnsOptions: a.dnsOption,
    noHosts: !a.hosts,
  };
}

/** --env (NAME alone takes this environment's value, left out when unset), --unsetenv, --unsetlabel. */
export function imageChanges(a: BuildPodmanArgs): { imageEnv: string[]; unsetEnv: string[]; unsetLabels: string[] } {
  const imageEnv = a.env.flatMap((e) => (e.includes('=') ? [e] : process.env[e] === undefined ? [] : [`${e}=${process.env[e]}`]));
  return { imageEnv, unsetEnv: a.unsetenv, unsetLabels: a.unsetlabel };
}

/** --iidfile-raw and --metadata-file, once the image is made. */
export function outputFiles(a: BuildPodmanArgs, image: ImageRecord): void {
  if (a.iidfileRaw) fs.writeFileSync(a.iidfileRaw, image.id);
  if (a.metadataFile) {
    const meta = { 'containerimage.config.digest': `sha256:${image.id}`, 'containerimage.digest': image.digest, 'image.name': image.names.join(',') };
    fs.writeFileSync(a.metadataFile, `${JSON.stringify(meta, null, 2)}\n`);
  }
}
