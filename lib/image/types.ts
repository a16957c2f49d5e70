// OCI image config and husk's records of images and layers.

export interface ImageRuntimeConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  /** HEALTHCHECK; durations in nanoseconds, as docker writes them. */
  Healthcheck?: Healthcheck;
  /** ONBUILD triggers, as written: run by a build FROM this image. */
  OnBuild?: string[] | null;
  /** SHELL: the shell form's program (docker keeps it in the config). */
  Shell?: string[];
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  variant?: string;
  os: string;
  config: ImageRuntimeConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

export interface ImageRecord {
  /** sha256 hex of the config blob, the image ID. */
  id: string;
  /** Fully qualified names: localhost/busybox:latest. */
  names: string[];
  /** Digest of the manifest ("sha256:..."). */
  digest: string;
  created: string;
  /** Chain ids, bottom layer first. */
  layers: string[];
  /** Sum of the uncompressed layer sizes. */
  size: number;
  /**
   * A build step's result, kept as the build cache (podman's intermediate
   * images): `images` shows it only with -a, until it gets a name.
   */
  intermediate?: boolean;
  /** The build cache key of the step that made it (lib/build/cache.ts). */
  buildKey?: string;
}

export interface LayerRecord {
  chainId: string; // hex
  diffId: string; // sha256:hex of the uncompressed tar
  parent?: string;
  size: number; // bytes of regular files
  created: string;
  /**
   * The blob kept for push and save: the layer's bytes as they came (a
   * registry's gzip or zstd blob, an archive's tar). Absent in layers of
   * older stores, which kept the uncompressed tar under the diff id.
   */
  digest?: string;
  compression?: Compression;
  /** Bytes of the uncompressed tar. */
  tarSize?: number;
}

export type Compression = 'gzip' | 'zstd' | 'none';

export const MEDIA_TYPE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_TYPE_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const MEDIA_TYPE_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const MEDIA_TYPE_LAYER: Record<Compression, string> = {
  none: MEDIA_TYPE_LAYER_TAR,
  gzip: `${MEDIA_TYPE_LAYER_TAR}+gzip`,
  zstd: `${MEDIA_TYPE_LAYER_TAR}+zstd`,
};

export interface Healthcheck {
  /** ["NONE"], ["CMD", args...] or ["CMD-SHELL", command] */
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}
