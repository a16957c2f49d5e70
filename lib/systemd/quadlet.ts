// Quadlet: podman's declarative unit files (.container, .volume, .network,
// .pod, .kube, .image; podman-systemd.unit(5)) turned into the services that
// run them with husk, as podman's quadlet generator does
// (pkg/systemd/quadlet). Pure: sources in, service files out; the engine
// finds the sources and writes the results (husk-generator).
//
// Every key podman documents is known here. Those husk can act on become
// its flags; the others, and keys nobody documents, are named in a warning
// and left out. A file that cannot become a service (no Image=, a reference
// to a unit that does not exist) is an error of that file alone.
import path from 'node:path';
import { escapeArg, splitWords } from './command-line.js';
import { UnitFile, UnitFileError } from './unit-file.js';

export type QuadletKind = 'container' | 'volume' | 'network' | 'pod' | 'kube' | 'image';

/** The order sources are converted in: what others refer to first (a pod learns its containers before its own turn). */
export const QUADLET_KINDS: Record<string, { kind: QuadletKind; order: number }> = {
  '.image': { kind: 'image', order: 1 },
  '.volume': { kind: 'volume', order: 2 },
  '.network': { kind: 'network', order: 2 },
  '.container': { kind: 'container', order: 4 },
  '.kube': { kind: 'kube', order: 4 },
  '.pod': { kind: 'pod', order: 5 },
};

const GROUP: Record<QuadletKind, string> = { container: 'Container', volume: 'Volume', network: 'Network', pod: 'Pod', kube: 'Kube', image: 'Image' };

/** Keys husk turns into flags, per kind. */
const SUPPORTED: Record<QuadletKind, string[]> = {
  container: [
    'AddCapability', 'AddDevice', 'AddHost', 'AutoUpdate', 'CgroupsMode', 'ContainerName', 'DNS', 'DNSOption', 'DNSSearch', 'DropCapability',
    'Entrypoint', 'Environment', 'EnvironmentFile', 'Exec', 'ExposeHostPort', 'GlobalArgs', 'Group', 'HealthCmd', 'HealthInterval', 'HealthRetries',
    'HealthStartPeriod', 'HealthTimeout', 'HostName', 'IP', 'Image', 'Label', 'Memory', 'Mount', 'Network', 'NetworkAlias', 'NoNewPrivileges', 'Notify',
    'PidsLimit', 'Pod', 'PodmanArgs', 'PublishPort', 'ReadOnly', 'ReloadCmd', 'ReloadSignal', 'RunInit', 'SeccompProfile', 'ServiceName', 'ShmSize',
    'StartWithPod', 'StopSignal', 'StopTimeout', 'Tmpfs', 'Ulimit', 'User', 'UserNS', 'VolatileTmp', 'Volume', 'WorkingDir',
  ],
  volume: ['Device', 'Driver', 'GlobalArgs', 'Group', 'Label', 'Options', 'PodmanArgs', 'ServiceName', 'Type', 'User', 'VolumeName'],
  network: ['DisableDNS', 'Driver', 'Gateway', 'GlobalArgs', 'IPRange', 'Internal', 'Label', 'NetworkDeleteOnStop', 'NetworkName', 'Options', 'PodmanArgs', 'ServiceName', 'Subnet'],
  pod: ['AddHost', 'DNS', 'DNSOption', 'DNSSearch', 'ExitPolicy', 'GlobalArgs', 'HostName', 'IP', 'Label', 'Network', 'NetworkAlias', 'PodName', 'PodmanArgs', 'PublishPort', 'ServiceName', 'StopTimeout'],
  kube: ['ConfigMap', 'GlobalArgs', 'KubeDownForce', 'Network', 'PodmanArgs', 'PublishPort', 'ServiceName', 'SetWorkingDirectory', 'Yaml'],
  image: ['AllTags', 'Arch', 'AuthFile', 'CertDir', 'Creds', 'GlobalArgs', 'Image', 'ImageTag', 'OS', 'PodmanArgs', 'ServiceName', 'TLSVerify', 'Variant'],
};

/** Keys podman documents that husk has no flag for: a warning, not an unknown key. */
const PODMAN_ONLY: Record<QuadletKind, string[]> = {
  container: [
    'Annotation', 'AppArmor', 'ContainersConfModule', 'EnvironmentHost', 'GIDMap', 'GroupAdd', 'HealthLogDestination', 'HealthMaxLogCount', 'HealthMaxLogSize',
    'HealthOnFailure', 'HealthStartupCmd', 'HealthStartupInterval', 'HealthStartupRetries', 'HealthStartupSuccess', 'HealthStartupTimeout', 'HttpProxy', 'IP6',
    'LogDriver', 'LogOpt', 'Mask', 'Pull', 'ReadOnlyTmpfs', 'RemapGid', 'RemapUid', 'RemapUidSize', 'RemapUsers', 'Retry', 'RetryDelay', 'Rootfs', 'Secret',
    'SecurityLabelDisable', 'SecurityLabelFileType', 'SecurityLabelLevel', 'SecurityLabelNested', 'SecurityLabelType', 'SubGIDMap', 'SubUIDMap', 'Sysctl',
    'Timezone', 'UIDMap', 'Unmask',
  ],
  volume: ['ContainersConfModule', 'Copy', 'GID', 'Image', 'UID'],
  network: ['ContainersConfModule', 'DNS', 'IPAMDriver', 'IPv6', 'InterfaceName'],
  pod: ['ContainersConfModule', 'GIDMap', 'IP6', 'RemapGid', 'RemapUid', 'RemapUidSize', 'RemapUsers', 'ShmSize', 'SubGIDMap', 'SubUIDMap', 'UIDMap', 'UserNS', 'Volume'],
  kube: ['AutoUpdate', 'ContainersConfModule', 'ExitCodePropagation', 'LogDriver', 'LogOpt', 'RemapGid', 'RemapUid', 'RemapUidSize', 'RemapUsers', 'UserNS'],
  image: ['ContainersConfModule', 'DecryptionKey', 'Policy', 'Retry', 'RetryDelay'],
};

/** [Unit] keys whose values may name other Quadlet files (web.container), translated to their services. */
const DEPENDENCY_KEYS = ['After', 'Before', 'BindsTo', 'Conflicts', 'OnFailure', 'OnSuccess', 'PartOf', 'PropagatesReloadTo', 'PropagatesStopTo', 'ReloadPropagatedFrom', 'Requires', 'Requisite', 'StopPropagatedFrom', 'Upholds', 'Wants'];

export interface QuadletSource {
  /** "web.container" */
  filename: string;
  /** Where it was found (relative paths in it are relative to its directory). */
  path: string;
  text: string;
  /** Drop-ins (web.container.d/*.conf), in the order they apply. */
  dropins?: Array<{ path: string; text: string }>;
}

export interface QuadletOptions {
  /** A user's generator (systemd --user): no network-online.target, which the user manager lacks. */
  user: boolean;
  /** husk's command (escaped here). */
  executable: string[];
  /** Named in the generated files' first comment. */
  generator: string;
}

export interface QuadletService {
  /** "web.service" */
  filename: string;
  /** The Quadlet file it came from. */
  source: string;
  text: string;
  /** Links that enable it, relative to the output directory ("default.target.wants/web.service"). */
  links: string[];
}

export interface QuadletResult {
  services: QuadletService[];
  warnings: string[];
  /** One per file that made no service: "web.container: no Image= key". */
  errors: string[];
}

/** What other files need to know of one: its service and the name of what it makes. */
interface UnitInfo {
  serviceName: string;
  resourceName: string;
  /** .pod: the services of its containers, which it wants and starts before. */
  containersToStart: string[];
}

/** A file that cannot be converted. */
class QuadletError extends Error {}

export function kindOf(filename: string): QuadletKind | undefined {
  return QUADLET_KINDS[path.extname(filename)]?.kind;
}

/** All the sources of one generator run, converted. */
export function convertQuadlets(sources: QuadletSource[], opts: QuadletOptions): QuadletResult {
  const result: QuadletResult = { services: [], warnings: [], errors: [] };
  const units: UnitFile[] = [];
  for (const src of sources) {
    try {
      const unit = UnitFile.parse(src.text, src.filename, src.path);
      for (const d of src.dropins ?? []) unit.merge(UnitFile.parse(d.text, path.basename(d.path), d.path));
      units.push(unit);
    } catch (err) {
      if (!(err instanceof UnitFileError)) throw err;
      result.errors.push(`${src.filename}: ${err.message}`);
    }
  }
  units.sort((a, b) => order(a.filename) - order(b.filename));
  const infos = new Map(units.map((u) => [u.filename, unitInfo(u)]));
  for (const unit of units) {
    const warnings: string[] = [];
    try {
      const service = convert(unit, infos, opts, warnings);
      result.services.push({ filename: service.filename, source: unit.filename, text: header(opts, service), links: installLinks(service) });
    } catch (err) {
      if (!(err instanceof QuadletError || err instanceof UnitFileError)) throw err;
      result.errors.push(`${unit.filename}: ${err.message}`);
    } finally {
      result.warnings.push(...warnings.map((w) => `${unit.filename}: ${w}`));
    }
  }
  return result;
}

const order = (filename: string) => QUADLET_KINDS[path.extname(filename)]?.order ?? 9;

function header(opts: QuadletOptions, service: UnitFile): string {
  return `# Automatically generated by ${opts.generator}\n#\n${service.toString()}`;
}

function convert(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): UnitFile {
  switch (kindOf(unit.filename)) {
    case 'container':
      return convertContainer(unit, infos, opts, warnings);
    case 'volume':
      return convertVolume(unit, infos, opts, warnings);
    case 'network':
      return convertNetwork(unit, infos, opts, warnings);
    case 'pod':
      return convertPod(unit, infos, opts, warnings);
    case 'kube':
      return convertKube(unit, infos, opts, warnings);
    case 'image':
      return convertImage(unit, infos, opts, warnings);
    default:
      throw new QuadletError('not a Quadlet file (.container, .volume, .network, .pod, .kube, .image)');
  }
}

// ---------------------------------------------------------------- names

const base = (filename: string) => filename.slice(0, filename.length - path.extname(filename).length);

/** podman's service names: web.container -> web, web.volume -> web-volume, ...; ServiceName= wins. */
function serviceNameOf(unit: UnitFile): string {
  const kind = kindOf(unit.filename)!;
  const given = unit.lookup(GROUP[kind], 'ServiceName');
  if (given) return given;
  const suffix = kind === 'container' || kind === 'kube' ? '' : `-${kind}`;
  const b = base(unit.filename);
  return b.endsWith('@') ? `${b.slice(0, -1)}${suffix}@` : `${b}${suffix}`;
}

/** The name of what the file makes (container, volume, network, pod, image): its key, else systemd-<file name>. */
function resourceNameOf(unit: UnitFile): string {
  const kind = kindOf(unit.filename)!;
  const group = GROUP[kind];
  const key = { container: 'ContainerName', volume: 'VolumeName', network: 'NetworkName', pod: 'PodName', kube: '', image: 'ImageTag' }[kind];
  const given = key ? unit.lookup(group, key) : undefined;
  if (given) return given;
  if (kind === 'image') return unit.lookup(group, 'Image') ?? '';
  if (kind === 'container') return unit.filename.includes('@') ? 'systemd-%p_%i' : 'systemd-%N';
  const b = base(unit.filename);
  return `systemd-${b.endsWith('@') ? `${b.slice(0, -1)}-%i` : b}`;
}

function unitInfo(unit: UnitFile): UnitInfo {
  const serviceName = serviceNameOf(unit);
  // Another file naming this container (Network=web.container) needs its name with %N resolved.
  const resourceName = resourceNameOf(unit).replace(/%N/g, serviceName);
  return { serviceName, resourceName, containersToStart: [] };
}

/** Another Quadlet file this one names, which must exist among the sources. */
function referenced(infos: Map<string, UnitInfo>, name: string, what: string): UnitInfo {
  const info = infos.get(name);
  if (!info) throw new QuadletError(`${what} ${name} was not found among the Quadlet files`);
  return info;
}

/** The service depends on another file's: Requires= and After= its service. */
function dependOn(service: UnitFile, info: UnitInfo): void {
  service.add('Unit', 'Requires', `${info.serviceName}.service`);
  service.add('Unit', 'After', `${info.serviceName}.service`);
}

// ---------------------------------------------------------------- the command line

/** husk's command line as a service runs it: the executable escaped, the rest as Quadlet writes words (specifiers stay: systemd expands them). */
class Cmd {
  readonly words: string[] = [];
  constructor(
    private readonly exe: string[],
    unit: UnitFile,
    group: string,
  ) {
    this.words.push(...unit.lookupAllArgs(group, 'GlobalArgs'));
  }
  add(...w: string[]): this {
    this.words.push(...w);
    return this;
  }
  /** --flag=true|false, as podman's addBool. */
  addBool(flag: string, value: boolean): this {
    return this.add(value ? flag : `${flag}=false`);
  }
  line(prefix = ''): string {
    return [prefix + this.exe.map(escapeArg).join(' '), ...this.words.map(quadletWord)].join(' ');
  }
}

/** A word as podman's quadlet writes it: quoted with C escapes when it has blanks, quotes or backslashes; % and $ left for systemd. */
export function quadletWord(w: string): string {
  if (w !== '' && !/[\s"'\\\x00-\x1f\x7f]/.test(w)) return w;
  let out = '"';
  for (const ch of w) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === ' ') out += ' ';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function strings(unit: UnitFile, group: string, cmd: Cmd, keys: Record<string, string>): void {
  for (const [key, flag] of Object.entries(keys)) {
    const v = unit.lookup(group, key);
    if (v) cmd.add(flag, v);
  }
}

function allStrings(unit: UnitFile, group: string, cmd: Cmd, keys: Record<string, string>): void {
  for (const [key, flag] of Object.entries(keys)) for (const v of unit.lookupAllRaw(group, key)) cmd.add(flag, v);
}

function booleans(unit: UnitFile, group: string, cmd: Cmd, keys: Record<string, string>): void {
  for (const [key, flag] of Object.entries(keys)) {
    const v = unit.lookupBoolean(group, key);
    if (v !== undefined) cmd.addBool(flag, v);
  }
}

function keyVals(unit: UnitFile, group: string, cmd: Cmd, keys: Record<string, string>): void {
  for (const [key, flag] of Object.entries(keys)) {
    for (const [k, v] of unit.lookupAllKeyVal(group, key)) cmd.add(flag, v === undefined ? k : `${k}=${v}`);
  }
}

/** A path relative to the Quadlet file's directory (a specifier or an absolute path stays). */
function absolute(unit: UnitFile, p: string): string {
  if (p.startsWith('%') && !p.startsWith('%%')) return p;
  if (path.isAbsolute(p)) return p;
  return path.join(unit.path ? path.dirname(unit.path) : '/', p);
}

// ---------------------------------------------------------------- common to every kind

/** podman's initServiceUnitFile: the source copied, keys checked, dependencies translated, its group kept as X-<Group>. */
function initService(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): { service: UnitFile; info: UnitInfo; group: string } {
  const kind = kindOf(unit.filename)!;
  const group = GROUP[kind];
  checkKeys(unit, kind, warnings);
  const info = infos.get(unit.filename)!;
  const service = unit.copy(`${info.serviceName}.service`);
  translateDependencies(service, infos);
  if (unit.lookupBoolean('Quadlet', 'DefaultDependencies') ?? true) {
    // The user manager has no network-online.target (podman ships a service for it; husk does not).
    if (!opts.user) {
      service.prepend('Unit', 'After', 'network-online.target');
      service.prepend('Unit', 'Wants', 'network-online.target');
    }
  }
  if (unit.path) service.add('Unit', 'SourcePath', unit.path);
  service.add('Unit', 'RequiresMountsFor', '%t/husk');
  service.renameGroup(group, `X-${group}`);
  service.renameGroup('Quadlet', 'X-Quadlet');
  return { service, info, group };
}

function checkKeys(unit: UnitFile, kind: QuadletKind, warnings: string[]): void {
  const group = GROUP[kind];
  const unsupported = unit.keys(group).filter((k) => PODMAN_ONLY[kind].includes(k));
  const unknown = unit.keys(group).filter((k) => !SUPPORTED[kind].includes(k) && !PODMAN_ONLY[kind].includes(k));
  if (unsupported.length) warnings.push(`[${group}] ${unsupported.join(', ')}: not supported by husk, ignored`);
  if (unknown.length) warnings.push(`[${group}] ${unknown.join(', ')}: unknown key${unknown.length > 1 ? 's' : ''}, ignored`);
  const quadlet = unit.keys('Quadlet').filter((k) => k !== 'DefaultDependencies');
  if (quadlet.length) warnings.push(`[Quadlet] ${quadlet.join(', ')}: unknown key${quadlet.length > 1 ? 's' : ''}, ignored`);
  for (const k of ['User', 'Group', 'DynamicUser']) if (unit.hasKey('Service', k)) warnings.push(`[Service] ${k}= is not supported with Quadlet files: use it at your own risk`);
}

function translateDependencies(service: UnitFile, infos: Map<string, UnitInfo>): void {
  for (const key of DEPENDENCY_KEYS) {
    const deps = service.lookupAllRaw('Unit', key).flatMap((v) => splitWords(v));
    if (!deps.some((d) => kindOf(d))) continue;
    const translated = deps.map((d) => (kindOf(d) ? `${referenced(infos, d, 'dependency').serviceName}.service` : d));
    service.unset('Unit', key);
    service.add('Unit', key, translated.join(' '));
  }
}

/** A oneshot that stays "active" once done (volume, network, image). */
function oneshot(service: UnitFile, remainAfterExit: boolean): void {
  if (!service.hasKey('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');
  if (!service.hasKey('Service', 'Type')) service.set('Service', 'Type', 'oneshot');
  if (remainAfterExit && !service.hasKey('Service', 'RemainAfterExit')) service.set('Service', 'RemainAfterExit', 'yes');
}

/** Only mixed or control-group: the monitor must be able to finish its work after the main process. */
function killMode(service: UnitFile): void {
  const mode = service.lookup('Service', 'KillMode');
  if (mode === undefined) service.set('Service', 'KillMode', 'mixed');
  else if (mode !== 'mixed' && mode !== 'control-group') throw new QuadletError(`invalid KillMode "${mode}": use mixed or control-group`);
}

/** Type= notify (default) or oneshot. */
function serviceType(service: UnitFile): string | undefined {
  const type = service.lookup('Service', 'Type');
  if (type !== undefined && type !== 'notify' && type !== 'oneshot') throw new QuadletError(`invalid service Type "${type}": use notify or oneshot`);
  return type;
}

/** Network=: a name, a mode, or another Quadlet file's network (web.network) or container's (db.container). */
function networks(unit: UnitFile, group: string, service: UnitFile, infos: Map<string, UnitInfo>, cmd: Cmd): void {
  for (const network of unit.lookupAllRaw(group, 'Network')) {
    const colon = network.indexOf(':');
    const name = colon < 0 ? network : network.slice(0, colon);
    const options = colon < 0 ? undefined : network.slice(colon + 1);
    if (name.endsWith('.network') || name.endsWith('.container')) {
      const info = referenced(infos, name, 'network');
      dependOn(service, info);
      if (name.endsWith('.container')) {
        if (options !== undefined) throw new QuadletError(`Network=${network}: options cannot be given when joining another container's network`);
        cmd.add('--network', `container:${info.resourceName}`);
      } else cmd.add('--network', options === undefined ? info.resourceName : `${info.resourceName}:${options}`);
    } else cmd.add('--network', network);
  }
}

/** A volume's (or bind's, image's) source: another file's volume, a path (RequiresMountsFor=), or a name. */
function storageSource(unit: UnitFile, service: UnitFile, infos: Map<string, UnitInfo>, source: string): string {
  const s = source.startsWith('.') ? absolute(unit, source) : source;
  if (s.startsWith('/')) {
    service.add('Unit', 'RequiresMountsFor', quadletWord(s));
    return s;
  }
  if (s.endsWith('.volume') || s.endsWith('.image')) {
    const info = referenced(infos, s, 'source');
    dependOn(service, info);
    return info.resourceName;
  }
  return s;
}

function volumes(unit: UnitFile, group: string, service: UnitFile, infos: Map<string, UnitInfo>, cmd: Cmd): void {
  for (const volume of unit.lookupAllRaw(group, 'Volume')) {
    const parts = volume.split(':');
    if (parts.length < 2) {
      cmd.add('-v', volume);
      continue;
    }
    const [source, dest, ...opts] = parts;
    cmd.add('-v', [storageSource(unit, service, infos, source!), dest!, ...opts].join(':'));
  }
}

function publishPorts(unit: UnitFile, group: string, cmd: Cmd): void {
  for (const p of unit.lookupAllRaw(group, 'PublishPort')) cmd.add('--publish', p.trim());
}

/** Image=: a name, or another file's image (web.image) whose service pulls it first. */
function imageSource(image: string, service: UnitFile, infos: Map<string, UnitInfo>): string {
  if (!image.endsWith('.image')) return image;
  const info = referenced(infos, image, 'image');
  dependOn(service, info);
  return info.resourceName;
}

// ---------------------------------------------------------------- the kinds

function convertContainer(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): UnitFile {
  const { service, group } = initService(unit, infos, opts, warnings);
  const g = group;
  let image = unit.lookup(g, 'Image');
  if (!image) throw new QuadletError(`no Image= key in [${g}] (Rootfs= is not supported by husk)`);
  image = imageSource(image, service, infos);
  const name = resourceNameOf(unit);
  // auto-update restarts the unit the container is labelled with.
  service.add('Service', 'Environment', 'PODMAN_SYSTEMD_UNIT=%n');
  killMode(service);
  // The container may be left when the monitor was killed: -i takes a missing one as done.
  const stop = new Cmd(opts.executable, unit, g).add('rm', '-v', '-f', '-i', name);
  service.add('Service', 'ExecStop', stop.line());
  service.add('Service', 'ExecStopPost', stop.line('-'));
  reload(unit, g, service, opts, name);
  const cmd = new Cmd(opts.executable, unit, g).add('run', '--name', name, '--replace', '--rm');
  service.add('Service', 'Delegate', 'yes');
  cmd.add(...(unit.lookup(g, 'CgroupsMode') ? ['--cgroups', unit.lookup(g, 'CgroupsMode')!] : ['--cgroups=split']));
  const entrypoint = unit.lookup(g, 'Entrypoint');
  if (entrypoint !== undefined) cmd.add(`--entrypoint=${entrypoint}`);
  strings(unit, g, cmd, { PidsLimit: '--pids-limit', ShmSize: '--shm-size', WorkingDir: '--workdir', IP: '--ip', HostName: '--hostname', StopSignal: '--stop-signal', StopTimeout: '--stop-timeout', Memory: '--memory' });
  allStrings(unit, g, cmd, { NetworkAlias: '--network-alias', Ulimit: '--ulimit', DNS: '--dns', DNSOption: '--dns-option', DNSSearch: '--dns-search', AddHost: '--add-host', Tmpfs: '--tmpfs' });
  booleans(unit, g, cmd, { RunInit: '--init' });
  networks(unit, g, service, infos, cmd);
  if (serviceType(service) !== 'oneshot') {
    // Always some sd_notify: husk's own READY=1 (conmon), or the container's (Notify=yes), or its first healthy check.
    const notify = unit.lookup(g, 'Notify');
    cmd.add(notify?.toLowerCase() === 'healthy' ? '--sdnotify=healthy' : unit.lookupBoolean(g, 'Notify') ? '--sdnotify=container' : '--sdnotify=conmon');
    service.set('Service', 'Type', 'notify');
    service.set('Service', 'NotifyAccess', 'all');
    cmd.add('-d');
  }
  if (!service.hasKey('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');
  if (unit.lookupBoolean(g, 'NoNewPrivileges')) cmd.add('--security-opt=no-new-privileges');
  for (let device of unit.lookupAllArgs(g, 'AddDevice')) {
    // A leading '-': only if the device exists, which the generator cannot know about the host at run time; podman checks now.
    if (device.startsWith('-')) device = device.slice(1);
    cmd.add('--device', device);
  }
  const seccomp = unit.lookup(g, 'SeccompProfile');
  if (seccomp !== undefined) cmd.add('--security-opt', `seccomp=${seccomp}`);
  for (const c of unit.lookupAllArgs(g, 'DropCapability')) cmd.add('--cap-drop', c.toLowerCase());
  for (const c of unit.lookupAllArgs(g, 'AddCapability')) cmd.add('--cap-add', c.toLowerCase());
  const readOnly = unit.lookupBoolean(g, 'ReadOnly');
  if (readOnly !== undefined) cmd.addBool('--read-only', readOnly);
  if (unit.lookupBoolean(g, 'VolatileTmp') && !readOnly) cmd.add('--tmpfs', '/tmp:rw,size=512M,mode=1777');
  user(unit, g, cmd);
  const userns = unit.lookup(g, 'UserNS');
  if (userns) cmd.add('--userns', userns);
  volumes(unit, g, service, infos, cmd);
  const update = unit.lookup(g, 'AutoUpdate');
  if (update) cmd.add('--label', `io.containers.autoupdate=${update}`);
  for (const p of unit.lookupAllRaw(g, 'ExposeHostPort')) {
    if (!/^\d+(-\d+)?(\/udp|\/tcp)?$/.test(p.trim())) throw new QuadletError(`invalid port format "${p}" in ExposeHostPort=`);
    cmd.add('--expose', p.trim());
  }
  publishPorts(unit, g, cmd);
  keyVals(unit, g, cmd, { Environment: '--env', Label: '--label' });
  for (const f of unit.lookupAllArgs(g, 'EnvironmentFile')) cmd.add('--env-file', absolute(unit, f));
  for (const m of unit.lookupAllArgs(g, 'Mount')) cmd.add('--mount', mountSource(unit, service, infos, m));
  health(unit, g, cmd);
  pod(unit, g, service, infos, cmd);
  cmd.add(...unit.lookupAllArgs(g, 'PodmanArgs'));
  cmd.add(image);
  cmd.add(...(unit.lookupLastArgs(g, 'Exec') ?? []));
  service.add('Service', 'ExecStart', cmd.line());
  return service;
}

function reload(unit: UnitFile, g: string, service: UnitFile, opts: QuadletOptions, name: string): void {
  const signal = unit.lookup(g, 'ReloadSignal');
  const command = unit.lookupLastArgs(g, 'ReloadCmd');
  if (signal && command?.length) throw new QuadletError('ReloadCmd= and ReloadSignal= are mutually exclusive but both are set');
  if (command?.length) service.add('Service', 'ExecReload', new Cmd(opts.executable, unit, g).add('exec', name, ...command).line());
  else if (signal) service.add('Service', 'ExecReload', new Cmd(opts.executable, unit, g).add('kill', '--signal', signal, name).line());
}

function user(unit: UnitFile, g: string, cmd: Cmd): void {
  const u = unit.lookup(g, 'User');
  const grp = unit.lookup(g, 'Group');
  if (!u) {
    if (grp) throw new QuadletError('Group= set without User=');
    return;
  }
  cmd.add('--user', grp ? `${u}:${grp}` : u);
}

function health(unit: UnitFile, g: string, cmd: Cmd): void {
  const keys: Record<string, string> = { HealthCmd: 'cmd', HealthInterval: 'interval', HealthRetries: 'retries', HealthStartPeriod: 'start-period', HealthTimeout: 'timeout' };
  for (const [key, flag] of Object.entries(keys)) {
    const v = unit.lookup(g, key);
    if (v) cmd.add(`--health-${flag}`, v);
  }
}

function pod(unit: UnitFile, g: string, service: UnitFile, infos: Map<string, UnitInfo>, cmd: Cmd): void {
  const p = unit.lookup(g, 'Pod');
  if (!p) return;
  if (!p.endsWith('.pod')) throw new QuadletError(`Pod=${p}: only a .pod Quadlet file can be named`);
  const info = referenced(infos, p, 'pod');
  cmd.add('--pod', info.resourceName);
  service.add('Unit', 'BindsTo', `${info.serviceName}.service`);
  service.add('Unit', 'After', `${info.serviceName}.service`);
  if (!unit.filename.includes('@') && (unit.lookupBoolean(g, 'StartWithPod') ?? true)) info.containersToStart.push(service.filename);
}

/** Mount=type=volume,source=data.volume,... : the source resolved as Volume='s. */
function mountSource(unit: UnitFile, service: UnitFile, infos: Map<string, UnitInfo>, mount: string): string {
  const tokens = mount.split(',');
  const type = tokens.find((t) => t.startsWith('type='))?.slice(5) ?? 'volume';
  if (!['volume', 'bind', 'image'].includes(type)) return mount;
  return tokens.map((t) => (/^(source|src)=/.test(t) ? `source=${storageSource(unit, service, infos, t.slice(t.indexOf('=') + 1))}` : t)).join(',');
}

function convertVolume(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): UnitFile {
  const { service, info, group: g } = initService(unit, infos, opts, warnings);
  const cmd = new Cmd(opts.executable, unit, g).add('volume', 'create', '--ignore');
  const driver = unit.lookup(g, 'Driver');
  if (driver === 'image') throw new QuadletError('Driver=image: image volumes are not supported by husk');
  if (driver) cmd.add('--driver', driver);
  const o: string[] = [];
  const uid = unit.lookup(g, 'User');
  const gid = unit.lookup(g, 'Group');
  if (uid !== undefined) o.push(`uid=${numeric(uid, 'User')}`);
  if (gid !== undefined) o.push(`gid=${numeric(gid, 'Group')}`);
  const device = unit.lookup(g, 'Device');
  if (device) cmd.add('--opt', `device=${device}`);
  const type = unit.lookup(g, 'Type');
  if (type) {
    if (!device) throw new QuadletError('Type= cannot be used without Device=');
    cmd.add('--opt', `type=${type}`);
    if (type === 'bind') service.add('Unit', 'RequiresMountsFor', quadletWord(device));
  }
  const mountOpts = unit.lookup(g, 'Options');
  if (mountOpts) o.push(mountOpts);
  if (o.length) cmd.add('--opt', `o=${o.join(',')}`);
  keyVals(unit, g, cmd, { Label: '--label' });
  cmd.add(...unit.lookupAllArgs(g, 'PodmanArgs'), info.resourceName);
  service.add('Service', 'ExecStart', cmd.line());
  oneshot(service, true);
  return service;
}

function numeric(v: string, key: string): number {
  if (!/^\d+$/.test(v)) throw new QuadletError(`${key}=${v}: give a numeric id`);
  return Number(v);
}

function convertNetwork(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): UnitFile {
  const { service, info, group: g } = initService(unit, infos, opts, warnings);
  if (unit.lookupBoolean(g, 'NetworkDeleteOnStop')) service.add('Service', 'ExecStopPost', new Cmd(opts.executable, unit, g).add('network', 'rm', info.resourceName).line());
  const cmd = new Cmd(opts.executable, unit, g).add('network', 'create', '--ignore');
  booleans(unit, g, cmd, { DisableDNS: '--disable-dns', Internal: '--internal' });
  strings(unit, g, cmd, { Driver: '--driver' });
  const subnets = unit.lookupAllRaw(g, 'Subnet');
  const gateways = unit.lookupAllRaw(g, 'Gateway');
  const ranges = unit.lookupAllRaw(g, 'IPRange');
  if (gateways.length > subnets.length) throw new QuadletError('more Gateway= than Subnet= keys');
  if (ranges.length > subnets.length) throw new QuadletError('more IPRange= than Subnet= keys');
  subnets.forEach((s, i) => {
    cmd.add('--subnet', s);
    if (gateways[i]) cmd.add('--gateway', gateways[i]!);
    if (ranges[i]) cmd.add('--ip-range', ranges[i]!);
  });
  keyVals(unit, g, cmd, { Options: '--opt', Label: '--label' });
  cmd.add(...unit.lookupAllArgs(g, 'PodmanArgs'), info.resourceName);
  service.add('Service', 'ExecStart', cmd.line());
  oneshot(service, true);
  return service;
}

function convertPod(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): UnitFile {
  const { service, info, group: g } = initService(unit, infos, opts, warnings);
  const name = info.resourceName;
  for (const c of info.containersToStart) {
    service.add('Unit', 'Wants', c);
    service.add('Unit', 'Before', c);
  }
  if (!service.hasKey('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');
  service.add('Service', 'ExecStart', new Cmd(opts.executable, unit, g).add('pod', 'start', name).line());
  service.add('Service', 'ExecStop', new Cmd(opts.executable, unit, g).add('pod', 'stop', '--ignore', `--time=${unit.lookup(g, 'StopTimeout') ?? '10'}`, name).line());
  service.add('Service', 'ExecStopPost', new Cmd(opts.executable, unit, g).add('pod', 'rm', '--ignore', '--force', name).line());
  const create = new Cmd(opts.executable, unit, g).add('pod', 'create', '--infra-conmon-pidfile=%t/%N.pid', '--replace');
  create.add('--exit-policy', unit.lookup(g, 'ExitPolicy') ?? 'stop');
  publishPorts(unit, g, create);
  keyVals(unit, g, create, { Label: '--label' });
  networks(unit, g, service, infos, create);
  strings(unit, g, create, { IP: '--ip' });
  allStrings(unit, g, create, { NetworkAlias: '--network-alias', DNS: '--dns', DNSOption: '--dns-option', DNSSearch: '--dns-search', AddHost: '--add-host', HostName: '--hostname' });
  create.add('--infra-name', `${name}-infra`, '--name', name, ...unit.lookupAllArgs(g, 'PodmanArgs'));
  service.add('Service', 'ExecStartPre', create.line());
  service.add('Service', 'Environment', 'PODMAN_SYSTEMD_UNIT=%n');
  service.set('Service', 'Type', 'forking');
  service.set('Service', 'PIDFile', '%t/%N.pid');
  if (!service.hasKey('Service', 'Restart')) service.set('Service', 'Restart', 'on-failure');
  return service;
}

/**
 * .kube: `husk kube play --replace` of the YAML, `husk kube down` after the
 * stop. podman runs a "service container" that is the unit's main process
 * and says READY=1; husk's kube play has none, so the unit is a oneshot
 * that stays active while the pods run on their own (Type=notify, which
 * nothing would answer, is refused).
 */
function convertKube(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): UnitFile {
  const { service, group: g } = initService(unit, infos, opts, warnings);
  const yamls = unit.lookupAllArgs(g, 'Yaml').map((y) => absolute(unit, y));
  if (yamls.length === 0) throw new QuadletError(`no Yaml= key in [${g}]`);
  if (yamls.length > 1) throw new QuadletError(`${yamls.length} Yaml= files: husk kube play takes one per unit`);
  if (service.lookup('Service', 'Type') === 'notify') throw new QuadletError('Type=notify: husk kube play sends no sd_notify message (no service container); leave Type= unset');
  killMode(service);
  service.add('Service', 'Environment', 'PODMAN_SYSTEMD_UNIT=%n');
  const cmd = new Cmd(opts.executable, unit, g).add('kube', 'play', '--replace');
  networks(unit, g, service, infos, cmd);
  for (const c of unit.lookupAllArgs(g, 'ConfigMap')) cmd.add('--configmap', absolute(unit, c));
  publishPorts(unit, g, cmd);
  cmd.add(...unit.lookupAllArgs(g, 'PodmanArgs'), ...yamls);
  service.add('Service', 'ExecStart', cmd.line());
  const down = new Cmd(opts.executable, unit, g).add('kube', 'down');
  const force = unit.lookupBoolean(g, 'KubeDownForce');
  if (force !== undefined) down.addBool('--force', force);
  // After the stop, and after a failed start too: nothing of the YAML is left behind.
  service.add('Service', 'ExecStopPost', down.add(...yamls).line());
  workingDirectory(unit, g, service, yamls);
  oneshot(service, true);
  return service;
}

/** SetWorkingDirectory=yaml|unit: WorkingDirectory= is the YAML's or the Quadlet file's directory. */
function workingDirectory(unit: UnitFile, g: string, service: UnitFile, yamls: string[]): void {
  const set = unit.lookup(g, 'SetWorkingDirectory')?.toLowerCase();
  if (!set || unit.lookup('Service', 'WorkingDirectory')) return;
  if (set === 'yaml') {
    if (yamls.length !== 1) throw new QuadletError('SetWorkingDirectory=yaml needs exactly one Yaml= key');
    service.add('Service', 'WorkingDirectory', path.dirname(yamls[0]!));
  } else if (set === 'unit') {
    service.add('Service', 'WorkingDirectory', path.dirname(unit.path || '/'));
  } else throw new QuadletError(`SetWorkingDirectory=${set}: use yaml or unit`);
}

function convertImage(unit: UnitFile, infos: Map<string, UnitInfo>, opts: QuadletOptions, warnings: string[]): UnitFile {
  const { service, group: g } = initService(unit, infos, opts, warnings);
  const image = unit.lookup(g, 'Image');
  if (!image) throw new QuadletError(`no Image= key in [${g}]`);
  const cmd = new Cmd(opts.executable, unit, g).add('image', 'pull');
  strings(unit, g, cmd, { Arch: '--arch', AuthFile: '--authfile', CertDir: '--cert-dir', Creds: '--creds', OS: '--os', Variant: '--variant' });
  booleans(unit, g, cmd, { AllTags: '--all-tags', TLSVerify: '--tls-verify' });
  cmd.add(...unit.lookupAllArgs(g, 'PodmanArgs'), image);
  service.add('Service', 'ExecStart', cmd.line());
  oneshot(service, true);
  return service;
}

/** [Install] WantedBy=, RequiredBy=, Alias=: the links a generator makes (a generated unit cannot be `systemctl enable`d). */
function installLinks(service: UnitFile): string[] {
  const links = service.lookupAllRaw('Install', 'Alias').flatMap((v) => splitWords(v)).map((a) => path.normalize(a));
  if (service.filename.includes('@.')) return links; // a template needs an instance to be wanted
  for (const [key, dir] of [['WantedBy', 'wants'], ['RequiredBy', 'requires'], ['UpheldBy', 'upholds']] as const) {
    for (const target of service.lookupAllRaw('Install', key).flatMap((v) => splitWords(v))) {
      if (!target.includes('/')) links.push(`${target}.${dir}/${service.filename}`);
    }
  }
  return links;
}
