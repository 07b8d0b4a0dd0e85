#!/usr/bin/env bash
# Builds the OpenDPM Deploy-OS: a kernel and an initrd that a managed machine network-boots into for disk check,
# backup and restore, running the OpenDPM agent in Deploy-OS mode.
#
#   deployos/build-deployos.sh [--install BOOT_ROOT]
#
# Needs a Debian-family machine (apt-get download, dpkg-deb, kmod's depmod and modprobe, cpio, zstd) and a JDK 17
# (jlink, jdeps); no root. Everything comes from the machine's apt sources, verified by apt against the signed
# index, and from its JDK and glibc:
#   - the kernel and its modules from Debian's generic linux-image-<ver>-amd64 (the drivers of real servers);
#   - busybox from busybox-static (downloaded and unpacked, never installed);
#   - a runtime jlinked from this machine's JDK, with the glibc libraries it needs copied from this machine;
#   - the agent's runnable jar (bundles/org.opendpm.agent: mvn -pl bundles/org.opendpm.agent -am package).
# Output: deployos/target/opendpm-deployos-amd64/{vmlinuz,initrd.img,deployos.properties}.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
id=opendpm-amd64

usage() {
  cat <<EOF
Usage: $0 [options]
  --install DIR         after building, copy the files into DIR/deployos/$id/ (DIR: the server's boot root,
                        by default <karaf data>/tftp, for ./opendpm run: run/data/tftp)
  --agent-jar FILE      the agent's runnable jar (default: bundles/org.opendpm.agent/target/opendpm-agent.jar)
  --output DIR          where the files go (default: deployos/target/opendpm-deployos-amd64)
  --cache DIR           downloaded packages, kept for the next build (default: \${XDG_CACHE_HOME:-~/.cache}/opendpm-deployos)
  --kernel-package PKG  the kernel package (default: what linux-image-amd64 depends on in the apt sources)
  --version VERSION     recorded in deployos.properties (default: the version in the root pom.xml)
  -h, --help            this text
Environment: JAVA_HOME selects the JDK whose jlink and jdeps are used (default: the ones on PATH).
EOF
}

install_dir=
agent_jar=$repo/bundles/org.opendpm.agent/target/opendpm-agent.jar
output=$here/target/opendpm-deployos-amd64
cache=${XDG_CACHE_HOME:-$HOME/.cache}/opendpm-deployos
kernel_pkg=
version=
while [ $# -gt 0 ]; do
  case "$1" in
    --install) install_dir=${2:?--install needs a folder}; shift 2 ;;
    --agent-jar) agent_jar=${2:?--agent-jar needs a file}; shift 2 ;;
    --output) output=${2:?--output needs a folder}; shift 2 ;;
    --cache) cache=${2:?--cache needs a folder}; shift 2 ;;
    --kernel-package) kernel_pkg=${2:?--kernel-package needs a package name}; shift 2 ;;
    --version) version=${2:?--version needs a value}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-deployos: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

die() { echo "build-deployos: $*" >&2; exit 1; }
step() { echo "build-deployos: $*"; }

# depmod and modprobe live in /usr/sbin, which not every user's PATH has.
PATH=$PATH:/usr/sbin:/sbin

jbin() { if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/$1" ]; then echo "$JAVA_HOME/bin/$1"; else command -v "$1"; fi; }
jlink=$(jbin jlink) || die "jlink not found: install a JDK 17 (openjdk-17-jdk-headless) or set JAVA_HOME"
jdeps=$(jbin jdeps) || die "jdeps not found: install a JDK 17 (openjdk-17-jdk-headless) or set JAVA_HOME"
jar=$(jbin jar) || die "jar not found: install a JDK 17 (openjdk-17-jdk-headless) or set JAVA_HOME"
for tool in apt-get apt-cache dpkg-deb cpio depmod modprobe zstd ldd sha256sum; do
  command -v "$tool" >/dev/null || die "$tool not found (Debian packages: apt, dpkg, cpio, kmod, zstd, libc-bin, coreutils)"
done
[ -f "$agent_jar" ] || die "agent jar $agent_jar not found: build it with mvn -pl bundles/org.opendpm.agent -am package"
[ -n "$version" ] || version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$repo/pom.xml" | head -1)

work=$here/target/deployos-work
root=$work/root
rm -rf "$work" && mkdir -p "$work" "$root" "$cache"
cache=$(cd "$cache" && pwd)

# --- Debian packages ---------------------------------------------------------------------------------------------
# apt-get download checks each file against the SHA256 of the signed index. A cached file is checked against the
# same index before it is reused, so a stale or damaged one is fetched again.
candidate_field() { apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -1; }
fetch() {
  local pkg=$1 ver sha file
  ver=$(candidate_field "$pkg" Version)
  [ -n "$ver" ] || die "package $pkg is not in the apt sources (run apt-get update; a Debian bookworm source is expected)"
  sha=$(candidate_field "$pkg" SHA256)
  # The name apt-get download gives the file (":" of an epoch written as %3a).
  file=$cache/${pkg}_${ver//:/%3a}_$(candidate_field "$pkg" Architecture).deb
  if [ -f "$file" ] && [ "$(sha256sum < "$file" | cut -d' ' -f1)" = "$sha" ]; then
    echo "$file"; return
  fi
  rm -f "$file"
  local sandbox=()
  # As root apt downloads as _apt, who may not be able to write the cache folder.
  [ "$(id -u)" = 0 ] && sandbox=(-o APT::Sandbox::User=root)
  (cd "$cache" && apt-get -q "${sandbox[@]}" download "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
  [ -f "$file" ] && [ "$(sha256sum < "$file" | cut -d' ' -f1)" = "$sha" ] || die "$file does not match the index"
  echo "$file"
}

if [ -z "$kernel_pkg" ]; then
  kernel_pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -1)
  [ -n "$kernel_pkg" ] || die "no linux-image-amd64 in the apt sources (run apt-get update, or pass --kernel-package)"
fi
step "kernel package $kernel_pkg $(candidate_field "$kernel_pkg" Version)"
kernel_deb=$(fetch "$kernel_pkg")
busybox_deb=$(fetch busybox-static)

kdir=$work/kernel
dpkg-deb -x "$kernel_deb" "$kdir"
# Packages of merged-/usr releases put the modules under usr/lib; depmod -b expects lib/modules.
[ -d "$kdir/lib/modules" ] || ln -s usr/lib "$kdir/lib"
kver=$(ls "$kdir/lib/modules" | head -1)
[ -n "$kver" ] && [ -f "$kdir/boot/vmlinuz-$kver" ] || die "$kernel_deb holds no boot/vmlinuz and lib/modules"
depmod -b "$kdir" "$kver"

# --- kernel modules ----------------------------------------------------------------------------------------------
# Each listed driver with its dependencies (and soft dependencies) in load order, as modprobe would load them.
# The modules stay exactly as Debian signed them (not stripped) so that they load under Secure Boot.
moddir=lib/modules/$kver
mkdir -p "$root/$moddir"
: > "$work/load-order"
drivers=$(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/drivers.list" | grep -v '^$')
for drv in $drivers; do
  deps=$(modprobe -d "$kdir" -S "$kver" --show-depends "$drv" 2>&1) || die "driver $drv: $deps"
  echo "$deps" | sed -n "s:^insmod $kdir/$moddir/\([^ ]*\).*:\1:p" >> "$work/load-order"
done
awk '!seen[$0]++' "$work/load-order" > "$root/$moddir/load-order"
while read -r rel; do
  mkdir -p "$root/$moddir/$(dirname "$rel")"
  case "$rel" in
    *.xz) xz -dc "$kdir/$moddir/$rel" > "$root/$moddir/${rel%.xz}" ;;
    *.zst) zstd -qdc "$kdir/$moddir/$rel" > "$root/$moddir/${rel%.zst}" ;;
    *) cp "$kdir/$moddir/$rel" "$root/$moddir/$rel" ;;
  esac
done < "$root/$moddir/load-order"
# The initrd holds the modules uncompressed (busybox insmod reads them as they are; the initrd is compressed whole).
sed -i -e 's/\.xz$//' -e 's/\.zst$//' "$root/$moddir/load-order"
cp "$kdir/$moddir"/modules.{order,builtin,builtin.modinfo} "$root/$moddir/"
depmod -b "$root" "$kver"
# busybox modprobe (used for the kernel's own module requests) reads the text files only.
rm -f "$root/$moddir"/*.bin
step "$(wc -l < "$root/$moddir/load-order") modules for $(echo "$drivers" | wc -l) drivers, $(du -sh "$root/lib/modules" | cut -f1)"

# --- busybox -----------------------------------------------------------------------------------------------------
dpkg-deb -x "$busybox_deb" "$work/busybox"
mkdir -p "$root/bin"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
  [ -e "$root/$applet" ] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -s /bin/busybox "$root/$applet"
done

# --- Java runtime and the agent ----------------------------------------------------------------------------------
# jdeps also names java.desktop and java.sql: only Jackson's optional handlers of java.beans and java.sql types refer
# to them, and the agent uses Jackson's tree model only. java.desktop would pull in X11 and font libraries.
# jdk.crypto.ec is loaded as a service (TLS key exchange and ECDSA certificates), which jdeps cannot see.
jdeps_modules=$("$jdeps" --print-module-deps --ignore-missing-deps "$agent_jar")
java_modules=$( (echo "$jdeps_modules" | tr ',' '\n'; echo java.logging; echo jdk.crypto.ec) \
  | grep -vx -e java.desktop -e java.sql | sort -u | paste -sd, -)
step "jlink $java_modules (jdeps: $jdeps_modules)"
jre=$root/opt/opendpm/java
mkdir -p "$(dirname "$jre")"
"$jlink" --add-modules "$java_modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$jre"
cp "$agent_jar" "$root/opt/opendpm/agent.jar"
# The runtime links against this machine's glibc, zlib and C++ libraries: copy exactly those, at the same paths. The
# agent's zstd (image chunks) unpacks its native library from the jar when first used, so what that one links (it
# names libpthread, which no JDK library does) is copied too.
natives=$(mktemp -d)
(cd "$natives" && "$jar" xf "$agent_jar" linux/amd64) || die "cannot unpack the agent's native libraries"
[ -n "$(find "$natives" -name '*.so')" ] || die "the agent jar has no linux/amd64 zstd-jni library"
libs=$(ldd "$jre/bin/java" $(find "$jre" "$natives" -name '*.so') 2>/dev/null \
  | sed -n -e 's:.*=> \(/[^ ]*\) (.*:\1:p' -e 's:^[[:space:]]*\(/[^ ]*\) (.*:\1:p' | grep -v -e "^$jre" -e "^$natives" \
  | sort -u)
rm -rf "$natives"
for lib in $libs; do
  mkdir -p "$root/$(dirname "$lib")"
  cp -L "$lib" "$root/$lib"
done
command -v strip >/dev/null && strip --strip-unneeded $(for lib in $libs; do echo "$root/$lib"; done) 2>/dev/null || true
"$jre/bin/java" -jar "$agent_jar" --version >/dev/null || die "the jlinked runtime cannot start the agent"
# Which of the options the init script may pass this agent knows (the init script reads this list).
"$jre/bin/java" -jar "$agent_jar" --help | grep -o -e '--[a-z][a-z-]*' | sort -u > "$root/opt/opendpm/agent-options"

# --- init and configuration --------------------------------------------------------------------------------------
cp -a "$here/src/main/initramfs/." "$root/"
mkdir -p "$root"/{dev,proc,sys,run,tmp,root,etc/opendpm,var/log}
chmod 1777 "$root/tmp"
cat > "$root/etc/os-release" <<EOF
NAME="OpenDPM Deploy-OS"
ID=opendpm-deployos
VERSION_ID=$version
PRETTY_NAME="OpenDPM Deploy-OS $version (Linux $kver)"
EOF
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
echo "127.0.0.1 localhost" > "$root/etc/hosts"
echo "$version" > "$root/etc/opendpm/version"

# --- pack --------------------------------------------------------------------------------------------------------
mkdir -p "$output"
cp "$kdir/boot/vmlinuz-$kver" "$output/vmlinuz"
rm -rf "$kdir"   # 400 MB of modules, no longer needed
# Sorted names, owner root and one timestamp: the same inputs give the same initrd.
epoch=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$kernel_deb")}
find "$root" -exec touch -h -d "@$epoch" {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) \
  | zstd -q -19 -T0 > "$output/initrd.img"

size() { stat -c %s "$1"; }
sha() { sha256sum < "$1" | cut -d' ' -f1; }
cat > "$output/deployos.properties" <<EOF
# OpenDPM Deploy-OS, built by deployos/build-deployos.sh
id=$id
version=$version
architecture=x86_64
kernel.package=$kernel_pkg
kernel.package.version=$(candidate_field "$kernel_pkg" Version)
kernel.version=$kver
busybox.package.version=$(candidate_field busybox-static Version)
java.version=$("$jre/bin/java" -version 2>&1 | head -1 | sed 's/.*"\(.*\)".*/\1/')
java.modules=$java_modules
modules=$(wc -l < "$root/$moddir/load-order")
vmlinuz.size=$(size "$output/vmlinuz")
vmlinuz.sha256=$(sha "$output/vmlinuz")
initrd.size=$(size "$output/initrd.img")
initrd.sha256=$(sha "$output/initrd.img")
initrd.unpacked.size=$(du -sb "$root" | cut -f1)
EOF
step "$output: vmlinuz $(size "$output/vmlinuz") bytes, initrd.img $(size "$output/initrd.img") bytes"

if [ -n "$install_dir" ]; then
  target=$install_dir/deployos/$id
  mkdir -p "$target"
  for f in vmlinuz initrd.img deployos.properties; do
    cp "$output/$f" "$target/$f.tmp" && mv "$target/$f.tmp" "$target/$f"
  done
  step "installed into $target"
fi
