// The contract of the addon (the C++ side of husk): what it takes and what it
// gives back. Types only, so that every layer can name them; lib/native loads
// the real binding, and unit tests put a recording fake in its place.
import type { DeviceCgroupRule, Spec } from './oci-spec.js';

/** How the root filesystem is assembled inside the container's mount namespace. */
export interface RootfsPlan {
  /** overlay: kernel overlayfs (mounted inside the user namespace, option userxattr);
   *  fuse-overlayfs: the fuse-overlayfs binary, started in the container's user
   *  namespace but outside its pid namespace, its mount handed to the init;
   *  vfs: `target` is already a complete copy and is bind-mounted. */
  driver: 'overlay' | 'fuse-overlayfs' | 'vfs';
  /**
   * Lower layer directories, topmost first (absolute paths). For overlay, the
   * container's short links to them (`lowerLinks()`): a long list is mounted
   * relative to their common parent, which must then keep it within a page.
   */
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  /** Where the root filesystem is mounted; equals spec.root.path. */
  target: string;
  /** overlay only: skip syncing the upper layer (for containers removed when they exit). */
  volatile?: boolean;
  /** Path of the fuse-overlayfs binary (driver fuse-overlayfs). */
  fuseOverlayfs?: string;
}

export interface CreateOptions {
  spec: Spec; // parsed config.json; spec.root.path is absolute
  bundle: string;
  rootfs: RootfsPlan;
  /** Use newuidmap/newgidmap to write spec.linux.uidMappings (else direct write). */
  usernsHelpers: boolean;
  /** A FIFO (created by TS) the init blocks on until `start`. */
  execFifo: string;
  /** argv of the monitor; the addon appends its fd/pid arguments (see addon/monitor/README.md). */
  monitorArgv: string[];
  /** Return a client already connected to the monitor's attach stream (attachFd). */
  attach?: boolean;
  /** fds 3 .. 2+N of ours that the process gets as they are (--preserve-fds, LISTEN_FDS); each must be open. */
  preserveFds?: number;
  /** Keep the container's stdin open as a pipe (-i). Ignored with a terminal. */
  openStdin: boolean;
  /** A file to keep the compiled seccomp filter in, named after the profile's content. */
  seccompCache?: string;
  /**
   * cgroup.procs of the container's cgroup: the init is moved there before it
   * runs anything of the image, and its cgroup namespace is made after that.
   */
  cgroupProcs?: string | string[];
  /** Milliseconds to wait for the init to report "ready". */
  timeoutMs: number;
}

export interface ExecProcessOptions {
  process: Spec['process'];
  seccomp?: unknown;
  seccompCache?: string;
  /** cgroup.procs of the container's cgroup, joined before the process is forked. */
  cgroupProcs?: string | string[];
  /** The container's namespaces to join, the user namespace first. */
  namespaces: Array<{ type: string; path: string }>;
  /** A pipe for the process's stdin (-i); else it reads /dev/null. */
  stdin: boolean;
  /** /dev/null for all of its stdio, no pipes; not waited for. */
  detach: boolean;
  /** fds 3 .. 2+N of ours that the process gets as they are (exec --preserve-fds). */
  preserveFds?: number;
}

/**
 * A process execProcess started. Its stdio are pipes the addon made (never
 * fds of husk's own: see ExecStdio in spawn.cc), whose other ends come back
 * here for husk to relay: `stdin` (with the option stdin), `stdout` and
 * `stderr`; with a terminal, its `master` instead; nothing when detached.
 */
export interface ExecStarted {
  /** The intermediate process, for reap(). */
  pid: number;
  /** Host pid of the process itself. */
  execPid: number;
  /** Carries an error record if its execve fails, then its exit (see execResult). */
  syncFd: number;
  master?: number;
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

export interface CreateResult {
  /** Host pid of the container's init (pid 1 inside). */
  pid: number;
  /** Host pid of the monitor. */
  monitorPid: number;
  /** With `attach`: our end of a socket the monitor treats as an attach client. */
  attachFd?: number;
}

export interface Native {
  setErrorClass(cls: new (message: string) => Error): void;
  flock(fd: number, exclusive: boolean, wait?: boolean): boolean;
  funlock(fd: number): void;
  mkfifo(path: string, mode: number): void;
  geteuid(): number;
  /**
   * One sd_notify datagram ("READY=1", "MAINPID=N\nREADY=1") to the socket
   * $NOTIFY_SOCKET names (a path, or "@name" abstract); throws a NativeError
   * with step "sd_notify".
   */
  sdNotify(socket: string, message: string): void;
  /** Sets up a container up to the point where only execve is left. */
  createContainer(opts: CreateOptions): CreateResult;
  /**
   * Releases the init blocked on the exec FIFO. Returns once execve succeeded;
   * throws a NativeError (step "exec", path = the program, errno ENOENT/EACCES/...)
   * when it failed, or when the init died or did not answer within timeoutMs.
   */
  startContainer(execFifo: string, pid: number, timeoutMs: number): void;
  /** A process in a running container's namespaces (exec); see spawn.cc. */
  execProcess(opts: ExecProcessOptions): ExecStarted;
  /** The exit code an exec's sync pipe reported (read to EOF); throws a failed execve's error. */
  execResult(records: Buffer): number;
  reap(pid: number): number;
  setWinsize(fd: number, rows: number, cols: number): void;
  /**
   * cgroup v2: builds an eBPF device program from `rules` (the last rule that
   * matches decides; none: refused) and attaches it to the cgroup directory.
   */
  attachDeviceFilter(cgroupDir: string, rules: DeviceCgroupRule[]): void;
  /**
   * Starts a native helper that outlives husk (husk-net), detached as the
   * monitor is: fd 3 of the helper is a socket whose other end is `fd`;
   * its stderr goes to `stderrPath` (else /dev/null), nothing else of ours.
   */
  spawnHelper(argv: string[], opts?: { stderrPath?: string }): { pid: number; fd: number };
  /** One line from `fd` (without its newline; "" at EOF), or ETIMEDOUT after timeoutMs. */
  readLine(fd: number, timeoutMs: number): string;
  /** Sends one line to a unix socket and returns the first line of the answer. */
  unixRequest(socketPath: string, line: string, timeoutMs: number): string;
}
