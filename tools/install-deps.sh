#!/bin/bash
# install-deps.sh - install the Debian 12 packages mlvm needs to build and
# test, when any is missing (apt-get update first). Needs root for apt-get.
set -euo pipefail

PACKAGES=(
	build-essential autoconf automake pkg-config python3-dev
	zlib1g-dev uuid-dev libmagic-dev libncurses-dev libcmocka-dev libssl-dev
	lvm2 thin-provisioning-tools fdisk xz-utils python3 util-linux tmux time
	strace valgrind clang
	libfuse3-dev fuse3 e2fsprogs
	libewf-dev libqcow-dev libvhdi-dev qemu-utils ewf-tools
	libext2fs-dev libfsxfs-dev xfsprogs faketime sleuthkit liblz4-dev libzstd-dev libdeflate-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
