#!/usr/bin/env bash
# From a fresh Debian machine to a running container, offline: installs what
# husk needs, builds it, makes a busybox image out of the host's
# busybox-static, and runs it as root and (under sudo) as the calling user.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run me as root (sudo $0)" >&2; exit 1; }

bash scripts/install-deps.sh
npm ci

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,etc,tmp,root}
chmod 1777 "$stage/tmp"
cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list); do
  [ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$stage/etc/group"
tarball=/tmp/husk-busybox.tar
tar -C "$stage" --numeric-owner --owner=0 --group=0 -cf "$tarball" .
chmod 0644 "$tarball"

./bin/husk import --change 'CMD ["sh"]' "$tarball" busybox
./bin/husk run --rm busybox sh -c 'echo "hello from a rootful husk container: pid $$, $(hostname)"'

user=${SUDO_USER:-}
if [ -n "$user" ] && [ "$user" != root ]; then
  runuser -u "$user" -- ./bin/husk import --change 'CMD ["sh"]' "$tarball" busybox
  runuser -u "$user" -- ./bin/husk run --rm busybox sh -c 'echo "hello from a rootless husk container: uid map $(cat /proc/self/uid_map | tr -s " " | head -1)"'
fi
