#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those
# missing; with the argument "bench", what the benchmarks need as well (the
# Linux VM peer's kernel and busybox). Called by make; safe to run any time.
set -eu
pkgs=(gcc make binutils coreutils git libc6-dev linux-libc-dev musl-tools cpio liblwip0 liblwip-dev
	libnfs-dev libnfs-utils nfs-ganesha nfs-ganesha-vfs rpcbind util-linux
	iproute2 iputils-ping dnsmasq-base python3
	qemu-system-x86 clang-format)
[ "${1:-}" = bench ] && pkgs+=(linux-image-cloud-amd64 busybox-static kmod)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
