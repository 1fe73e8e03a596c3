# shellcheck shell=bash
# The Linux VM peer of the benchmarks, sourced by bench scripts: Debian's
# cloud kernel (linux-image-cloud-amd64) with a busybox initramfs, booted
# by scripts/qemu.sh on the same microvm machine, accelerator and devices
# as the appliance. Its /init loads the virtio-mmio, virtio-net and NFS
# modules the kernel was built with, configures the network from the
# command line, optionally mounts an NFS export, runs one program, prints
# "linuxvm: exit status N" and powers off.
#
#   linuxvm_kernel                  path of the kernel image
#   linuxvm_initrd OUT PROGRAM...   an initramfs at OUT with the static
#                                   PROGRAMs in /bin
#   kernel command line: linuxvm.ip=ADDR/PREFIX linuxvm.nfs=SERVER:/EXPORT
#       linuxvm.nfsopts=OPTIONS -- then /init runs "$@" (program + args)

linuxvm_kernel() {
	local k
	k=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$k" ] || { echo "linuxvm: no /boot/vmlinuz-*-cloud-amd64 (linux-image-cloud-amd64)" >&2; return 1; }
	echo "$k"
}

linuxvm_initrd() {
	local out=$1 kernel ver dir m p
	shift
	kernel=$(linuxvm_kernel) || return 1
	ver=${kernel#/boot/vmlinuz-}
	dir=$(mktemp -d)
	mkdir -p "$dir/bin" "$dir/lib/modules" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/data"
	cp /bin/busybox "$dir/bin/busybox"
	for p in sh mount insmod ip poweroff sleep cat echo; do
		ln -s busybox "$dir/bin/$p"
	done
	for p in "$@"; do cp "$p" "$dir/bin/"; done
	# Modules in dependency order, as modprobe would load them.
	for m in virtio_mmio virtio_net nfsv3; do
		modprobe --show-depends -S "$ver" "$m" | awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r p; do
		cp "$p" "$dir/lib/modules/"
		echo "${p##*/}" >>"$dir/lib/modules/order"
	done
	cat >"$dir/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /lib/modules/order); do insmod /lib/modules/$m; done
ip=; nfs=; nfsopts=vers=3,nolock,tcp
for a in $(cat /proc/cmdline); do
	case $a in
	linuxvm.ip=*) ip=${a#linuxvm.ip=} ;;
	linuxvm.nfs=*) nfs=${a#linuxvm.nfs=} ;;
	linuxvm.nfsopts=*) nfsopts=${a#linuxvm.nfsopts=} ;;
	esac
done
ip link set lo up
if [ -n "$ip" ]; then
	for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /sys/class/net/eth0 ] && break; sleep 0.1; done
	ip addr add "$ip" dev eth0 && ip link set eth0 up
fi
status=0
if [ -n "$nfs" ] && ! mount -t nfs -o "$nfsopts" "$nfs" /data; then
	echo "linuxvm: cannot mount $nfs"
	status=5
fi
[ "$status" -eq 0 ] && { "$@"; status=$?; }
echo "linuxvm: exit status $status"
poweroff -f
EOF
	chmod +x "$dir/init"
	(cd "$dir" && find . | cpio -o -H newc --quiet) >"$out"
	rm -rf "$dir"
}
