#!/usr/bin/env bash
# A throw-away systemd for tests that run deploy/'s units for real, on a machine whose own PID 1
# is not systemd (a CI runner, a container, a micro-VM).
#
#   systemd-sandbox.sh start SCRATCH [BIND…]   prints the host pid of the sandbox's PID 1 (systemd)
#   systemd-sandbox.sh stop PID                ends it (every process in it) and removes its cgroups
#   systemd-sandbox.sh run PID COMMAND…        runs a command inside (nsenter into all its namespaces)
#
# systemd runs as PID 1 of new PID, mount, UTS, IPC and cgroup namespaces. Its root is an overlay of
# the host's root whose writes go to a tmpfs, so nothing it does reaches the host's files (a plain
# `unshare --pid --mount systemd` shares the file system: its boot empties the host's /tmp). /proc/sys
# and /sys are read-only, /dev holds the harmless nodes only, and the units that touch the kernel or
# the clock (modules, sysctl, binfmt, udev, timesyncd) are masked. The network is the host's, so the
# units' services are reached on loopback. BIND folders are bind-mounted read-write at the same path.
# It boots e2e-sandbox.target: D-Bus and the journal, no timers, none of the image's own services.
# Needs root, unshare, nsenter and overlayfs; exits 1 with the reason when the machine refuses.
set -euo pipefail

action=${1:-}
shift || true

masked_units=(
  systemd-timesyncd.service systemd-pstore.service systemd-modules-load.service systemd-sysctl.service
  systemd-binfmt.service proc-sys-fs-binfmt_misc.automount proc-sys-fs-binfmt_misc.mount
  systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service systemd-hwdb-update.service
  kmod-static-nodes.service systemd-random-seed.service systemd-firstboot.service systemd-repart.service
  sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount
  dev-hugepages.mount dev-mqueue.mount tmp.mount systemd-remount-fs.service getty@tty1.service
  console-getty.service systemd-logind.service epmd.socket epmd.service ldconfig.service
)

inside() { # runs as PID 1 of the new namespaces, then becomes systemd
  local scratch=$1; shift
  mount -t tmpfs -o mode=755 e2e-sandbox "$scratch"
  mkdir -p "$scratch/upper" "$scratch/work" "$scratch/root"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$scratch/root"
  local root=$scratch/root
  mount -t proc proc "$root/proc"
  mount --bind "$root/proc/sys" "$root/proc/sys"
  mount -o remount,bind,ro "$root/proc/sys"
  mount -t sysfs -o ro sysfs "$root/sys"
  mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
  mount -t tmpfs -o mode=755 tmpfs "$root/dev"
  for node in null zero full random urandom tty; do
    touch "$root/dev/$node"
    mount --bind "/dev/$node" "$root/dev/$node"
  done
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
  mount -t tmpfs -o mode=755 tmpfs "$root/run"
  mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  for dir in "$@"; do
    mkdir -p "$root$dir"
    mount --bind "$dir" "$root$dir"
  done
  local units=$root/etc/systemd/system
  for unit in "${masked_units[@]}"; do ln -sf /dev/null "$units/$unit"; done
  printf '[Unit]\nDescription=e2e-endpoint test sandbox\nWants=dbus.service systemd-journald.service\nAfter=dbus.service\nAllowIsolate=yes\n' > "$units/e2e-sandbox.target"
  echo e2e-sandbox > "$root/etc/hostname"
  : > "$root/etc/machine-id"
  cd "$root"
  mkdir -p .oldroot
  pivot_root . .oldroot
  umount -l /.oldroot
  rmdir /.oldroot
  hostname e2e-sandbox
  exec env -i container=e2e-sandbox PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /lib/systemd/systemd --unit=e2e-sandbox.target --log-target=journal-or-kmsg
}

cgroup_of() { echo "/sys/fs/cgroup/unified/e2e-sandbox-$1"; }

case "$action" in
  start)
    scratch=${1:?scratch folder}; shift
    [ "$(id -u)" = 0 ] || { echo "systemd-sandbox.sh: needs root" >&2; exit 1; }
    [ -x /lib/systemd/systemd ] || { echo "systemd-sandbox.sh: no /lib/systemd/systemd" >&2; exit 1; }
    mkdir -p "$scratch"
    id=$$
    cgroup=$(cgroup_of "$id")
    if [ -d /sys/fs/cgroup/unified ] && mkdir "$cgroup" 2>/dev/null; then
      echo $$ > "$cgroup/cgroup.procs"
    elif [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
      cgroup=/sys/fs/cgroup/e2e-sandbox-$id
      mkdir "$cgroup"; echo $$ > "$cgroup/cgroup.procs"
    else
      echo "systemd-sandbox.sh: no cgroup2 hierarchy to give systemd" >&2; exit 1
    fi
    echo "$cgroup" > "$scratch.cgroup"
    setsid unshare --pid --fork --mount --uts --ipc --cgroup --propagation private \
      bash -c "$(declare -f inside); masked_units=(${masked_units[*]}); inside \"\$@\"" inside "$scratch" "$@" \
      > "$scratch.log" 2>&1 < /dev/null &
    launcher=$!
    for _ in $(seq 1 100); do
      pid1=$(pgrep -P "$launcher" || true)
      if [ -n "$pid1" ] && [ "$(cat "/proc/$pid1/comm" 2>/dev/null)" = systemd ]; then
        # Booted when D-Bus answers inside.
        for _ in $(seq 1 200); do
          if nsenter -t "$pid1" -a systemctl is-active --quiet dbus.service 2>/dev/null; then echo "$pid1"; exit 0; fi
          sleep 0.1
        done
        echo "systemd-sandbox.sh: systemd started but D-Bus did not come up; log: $scratch.log" >&2
        kill -KILL "$pid1"; exit 1
      fi
      kill -0 "$launcher" 2>/dev/null || break
      sleep 0.1
    done
    echo "systemd-sandbox.sh: systemd did not start as PID 1 here: $(tail -3 "$scratch.log" 2>/dev/null | tr '\n' ' ')" >&2
    exit 1
    ;;
  stop)
    pid1=${1:?pid}
    [ "$(cat "/proc/$pid1/comm" 2>/dev/null)" = systemd ] && kill -KILL "$pid1"
    for _ in $(seq 1 50); do kill -0 "$pid1" 2>/dev/null || break; sleep 0.1; done
    ;;
  cleanup)
    scratch=${1:?scratch folder}
    if [ -f "$scratch.cgroup" ]; then
      cgroup=$(cat "$scratch.cgroup")
      # Deepest first; only empty cgroups go (rmdir refuses others).
      find "$cgroup" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      rm -f "$scratch.cgroup"
    fi
    rm -rf "$scratch" "$scratch.log"
    ;;
  run)
    pid1=${1:?pid}; shift
    exec nsenter -t "$pid1" -a "$@"
    ;;
  *)
    sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
