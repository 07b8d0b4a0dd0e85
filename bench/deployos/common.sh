# Shared by the Deploy-OS benchmarks (boot.sh, netboot.sh): figures, the image's size rows, and the RESULTS.md entry.
# Needs IMAGE (the built image folder), REPO and COMMAND set by the caller.

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
runs() { printf '%s / ' "$@" | sed 's: / $::'; }
prop() { sed -n "s/^$1=//p" "$IMAGE/deployos.properties"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

# The table's head and the kernel and initrd rows, from deployos.properties.
image_rows() {
  cat <<MD
| item | value |
| --- | --- |
| kernel ($(prop kernel.package) $(prop kernel.package.version)) | $(prop vmlinuz.size) bytes ($(mb "$(prop vmlinuz.size)")) |
| initrd.img (zstd -19; $(prop modules) modules, busybox, jlinked $(prop java.modules), agent) | $(prop initrd.size) bytes ($(mb "$(prop initrd.size)")), $(mb "$(prop initrd.unpacked.size)") unpacked |
MD
}

# Appends an entry to bench/RESULTS.md's Deploy-OS section: $1 a note after the command (may be empty), $2 more
# machine details (may be empty), $3 the table.
append_results() {
  local results="$REPO/bench/RESULTS.md"
  grep -q '^## Deploy-OS' "$results" 2>/dev/null || printf '\n## Deploy-OS\n' >> "$results"
  {
    echo
    echo "### $(date -u '+%Y-%m-%d %H:%M UTC') — \`$COMMAND\`${1:+ $1}"
    echo
    echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(qemu-system-x86_64 --version | head -1); TCG (no KVM)${2:+; $2}."
    echo
    echo "$3"
  } >> "$results"
}
