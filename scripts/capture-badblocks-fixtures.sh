#!/bin/sh
# Captures real badblocks output for test/fixtures/badblocks/ (the parser's and squeezer's tests).
#
#   sudo sh scripts/capture-badblocks-fixtures.sh [OUTDIR]     (default: test/fixtures/badblocks)
#
# Needs root, badblocks (e2fsprogs), losetup, mkfs.ext4, nbdkit (sh plugin), nbdfuse + fuse3, perl.
# Every run is `LC_ALL=C badblocks -wsv ...` on a loop device, stdout (the bad-block list) and
# stderr kept apart as NAME.stdout / NAME.stderr, with NAME.json saying how it was made.
# Everything made here (loop devices, mounts, nbdfuse/nbdkit, holders) is removed on exit.
set -eu

OUT=${1:-test/fixtures/badblocks}
[ "$(id -u)" = 0 ] || { echo "run as root (loop devices, mounts)" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d /tmp/kiln-test-capture.XXXXXX)
LOOPS=""
HOLDER=""
FUSE_PID=""
SLOW_PID=""

# unfuse DIR PID: unmount an nbdfuse mount (retrying while udev still holds a detached loop
# device over it), then wait for nbdfuse to exit.
unfuse() {
  i=0; until fusermount3 -u "$1" 2>/dev/null || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
  mountpoint -q "$1" 2>/dev/null && fusermount3 -u -z "$1"
  i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

cleanup() {
  set +e
  [ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
  mountpoint -q "$WORK/mnt" 2>/dev/null && umount "$WORK/mnt"
  for l in $LOOPS; do losetup -d "$l" 2>/dev/null; done
  [ -n "$SLOW_PID" ] && unfuse "$WORK/slow" "$SLOW_PID"
  [ -n "$FUSE_PID" ] && unfuse "$WORK/fuse" "$FUSE_PID"
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# dio_loop FILE / plain_loop FILE: attach a loop device, set L to it, remember it for cleanup.
# (Not called as $(...): a subshell could not add to LOOPS.)
dio_loop() { L=$(losetup --direct-io=on -f --show "$1"); LOOPS="$LOOPS $L"; }
plain_loop() { L=$(losetup -f --show "$1"); LOOPS="$LOOPS $L"; }

# run NAME DEVICE_NOTE ARGS... : runs badblocks, records its exit code and command line.
run() {
  name=$1 note=$2; shift 2
  set +e
  LC_ALL=C badblocks "$@" >"$OUT/$name.stdout" 2>"$OUT/$name.stderr"
  rc=$?
  set -e
  meta "$name" "$note" "$rc" "$*"
}
EXTRA="" # extra JSON members for meta, e.g. the injected bad blocks
meta() { # NAME NOTE EXIT COMMAND
  printf '{\n  "command": "LC_ALL=C badblocks %s",\n  "exitCode": %s,\n  "disk": "%s"%s\n}\n' \
    "$4" "$3" "$2" "$EXTRA" >"$OUT/$1.json"
  echo "captured $1 (exit $3)"
}

# (a) good disks: 64 MiB on a plain loop device (finishes in ~1 s: only the 0.00% lines), and a
#     16 MiB slow disk (nbdkit memory plugin, 40 ms per request, served as a file by nbdfuse, then a
#     loop device) that takes ~22 s, so badblocks' once-a-second status lines appear.
truncate -s 64M "$WORK/good64.img"
dio_loop "$WORK/good64.img"
run good-4k "sparse file, loop --direct-io=on" -wsv -b 4096 -c 64 "$L"
mkdir "$WORK/slow"
nbdfuse "$WORK/slow/disk" --command nbdkit -s --exit-with-parent --filter=delay memory 16M rdelay=40ms wdelay=40ms 2>/dev/null &
SLOW_PID=$!
i=0; while [ ! -e "$WORK/slow/disk" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
dio_loop "$WORK/slow/disk"
SLOW_LOOP=$L
run good-slow "nbdkit memory 16M + delay filter 40 ms via nbdfuse, loop --direct-io=on" -wsv -b 4096 -c 64 "$L"

# (c) interrupted: the slow disk, SIGINT after 5 s (in the second phase).
set +e
LC_ALL=C badblocks -wsv -b 4096 -c 64 "$L" >"$OUT/interrupted.stdout" 2>"$OUT/interrupted.stderr" &
BB=$!
sleep 5
kill -INT "$BB"
wait "$BB"
rc=$?
set -e
meta interrupted "nbdkit memory 16M + delay filter 40 ms; SIGINT after 5 s" "$rc" "-wsv -b 4096 -c 64 $L"
losetup -d "$SLOW_LOOP"
kept=""; for l in $LOOPS; do [ "$l" = "$SLOW_LOOP" ] || kept="$kept $l"; done; LOOPS=$kept
unfuse "$WORK/slow" "$SLOW_PID"
SLOW_PID=""

# (b, e) a disk with unreadable sectors: nbdkit's sh plugin over a backing file answers EIO to any
#     read touching 4 KiB blocks 100-103 (writes succeed, like pending sectors), served to a file by
#     nbdfuse, then a loop device over that file.
BAD_FIRST=100 BAD_LAST=103 BS=4096 SIZE=4194304
truncate -s "$SIZE" "$WORK/backing.img"
cat >"$WORK/plugin.sh" <<EOF
#!/bin/sh
case "\$1" in
  get_size) echo $SIZE ;;
  can_write|can_flush|flush) exit 0 ;;
  pread)
    if [ \$((\$4 + \$3)) -gt $((BAD_FIRST * BS)) ] && [ "\$4" -lt $(((BAD_LAST + 1) * BS)) ]; then
      echo 'EIO injected unreadable sector' >&2; exit 1
    fi
    exec dd if="$WORK/backing.img" skip="\$4" count="\$3" iflag=skip_bytes,count_bytes status=none ;;
  pwrite) exec dd of="$WORK/backing.img" seek="\$4" oflag=seek_bytes conv=notrunc status=none ;;
  *) exit 2 ;;
esac
EOF
chmod +x "$WORK/plugin.sh"
mkdir "$WORK/fuse"
nbdfuse "$WORK/fuse/disk" --command nbdkit -s --exit-with-parent sh "$WORK/plugin.sh" 2>/dev/null &
FUSE_PID=$!
i=0; while [ ! -e "$WORK/fuse/disk" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
dio_loop "$WORK/fuse/disk"
EXTRA=",
  \"injected\": { \"blockSize\": $BS, \"firstBlock\": $BAD_FIRST, \"lastBlock\": $BAD_LAST, \"how\": \"nbdkit sh plugin: EIO on reads, writes succeed\" }"
NOTE="nbdkit sh plugin via nbdfuse, loop --direct-io=on"
run bad-4k "$NOTE" -wsv -b 4096 -c 64 "$L"
run random-bad "$NOTE" -wsv -b 4096 -c 64 -t random "$L"
run abort-e1 "$NOTE" -wsv -b 4096 -c 64 -e 1 "$L"
EXTRA=""

# (d) refusals.
truncate -s 32M "$WORK/fs.img"
dio_loop "$WORK/fs.img"
mkfs.ext4 -q "$L"
mkdir "$WORK/mnt"
mount "$L" "$WORK/mnt"
run refused-mounted "ext4 on loop, mounted" -wsv -b 4096 -c 64 "$L"
umount "$WORK/mnt"
perl -e 'use Fcntl; sysopen(my $f, $ARGV[0], O_RDONLY | O_EXCL) or die "open: $!"; sleep 60' "$L" &
HOLDER=$!
sleep 1
run refused-in-use "loop held open O_EXCL by another process" -wsv -b 4096 -c 64 "$L"
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null || true; HOLDER=""
truncate -s 17T /dev/shm/kiln-test-17t.img
plain_loop /dev/shm/kiln-test-17t.img
rm -f /dev/shm/kiln-test-17t.img
run refused-32bit "17 TiB sparse file on tmpfs, loop" -wsv -b 1024 -c 64 "$L"
run refused-missing "no such device" -wsv -b 4096 -c 64 /dev/kiln-no-such-disk
dio_loop "$WORK/good64.img"
set +e
su nobody -s /bin/sh -c "LC_ALL=C badblocks -wsv -b 4096 -c 64 $L" >"$OUT/refused-permission.stdout" 2>"$OUT/refused-permission.stderr"
rc=$?
set -e
meta refused-permission "loop device, run as user nobody" "$rc" "-wsv -b 4096 -c 64 $L"

echo "fixtures in $OUT:"; du -cb "$OUT"/* | tail -1
