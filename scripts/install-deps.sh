#!/usr/bin/env bash
# System packages husk, its tests and its benchmarks need on Debian (as root).
# uidmap: newuidmap/newgidmap for rootless; fuse-overlayfs: rootfs fallback;
# busybox-static: images made offline; docker-registry + skopeo: registry
# tests; libseccomp-dev, libarchive-dev, libzstd-dev, zlib1g-dev, nettle-dev:
# the native parts; podman + runc + hyperfine: side-by-side benchmarks; util-linux/bsdutils/passwd: test setup
# (runuser, script, useradd); gcc/libc6-dev: the static probe; make/python3:
# node-gyp; apache2-utils (htpasswd, ab), openssl, curl: the test registry and benchmarks;
# passt (pasta), slirp4netns, nftables, iproute2, util-linux (nsenter): container networking;
# git, xz-utils, bzip2, zstd: build contexts from git, ADD of compressed archives;
# qemu-system-x86, cpio: the cgroup-v2-only guest of 221-resources-cgroup2;
# systemd: systemd-analyze verify of generated units and Quadlet services (250-systemd; it need not run as init).
# zsh, fish: the shell completion husk completion writes is run by each shell in its test.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  uidmap fuse-overlayfs busybox-static docker-registry skopeo \
  libseccomp-dev libarchive-dev libzstd-dev zlib1g-dev nettle-dev podman runc hyperfine \
  util-linux bsdutils passwd gcc g++ make libc6-dev python3 tar ca-certificates iproute2 procps \
  apache2-utils openssl curl file passt slirp4netns nftables git xz-utils bzip2 zstd qemu-system-x86 cpio systemd zsh fish
# Distributions ship these 0666; some machines start with 0600.
for dev in /dev/fuse /dev/net/tun; do
  if [ -e "$dev" ]; then chmod 0666 "$dev"; ls -l "$dev"; fi
done
