// What the build context hands to COPY/ADD: the sources matched, their
// files, and what a layer tar of them needs. Types only, shared by
// context.ts (resolving), checksum.ts (the cache key) and layer-tar.ts.

export interface BuildContext {
  root: string;
  /** true when the relative posix path is excluded by the ignore file */
  ignored(rel: string): boolean;
}

export interface FileEntry {
  /** path relative to the source item, posix, '' for the item itself */
  rel: string;
  hostPath: string;
  type: 'file' | 'dir' | 'symlink';
  /** permission bits incl. setuid/setgid/sticky (mode & 0o7777) */
  mode: number;
  /** bytes of a file, the target's length for a symlink, 0 for a directory (its st_size says nothing about content) */
  size: number;
  mtimeMs: number;
  /** symlinks: readlink as is */
  linkTarget?: string;
  /** for hard links inside one source item: the rel of its first entry with the same dev:ino (written as a tar hard link) */
  hardlinkOf?: string;
}

export interface SourceItem {
  /** the source as matched, relative to the context root, posix ('.' for the root) */
  rel: string;
  type: 'file' | 'dir';
  /** parents before children, each directory's names in byte order (Go's filepath.Walk order) */
  entries: FileEntry[];
}

export interface TarFile {
  /** posix path in the layer, no leading '/', no '..' */
  name: string;
  entry: FileEntry;
}

export interface TarOptions {
  uid: number;
  gid: number;
  /** --chmod applied to files and dirs copied; undefined keeps the source's mode */
  chmod?: number;
  /** a fixed mtime (seconds since epoch) for every entry; undefined keeps each file's mtime */
  mtime?: number;
  /** directories to create first (parents of the destination that the image lacks): mode 0o755 unless given */
  dirs?: Array<{ name: string; mode?: number; uid?: number; gid?: number }>;
}
