#!/bin/sh
# Installs the tools Fluid builds and tests with, on Debian 12, if any is missing: what
# `make setup` runs (and `make run`, `make test`, .ci/run through it); safe to run by hand.
# Without root it prints the exact apt-get command to run instead and fails, so the build
# never limps on without a tool.
#   setup.sh --check   installs nothing: names what is missing and fails (every build step
#                      waits for this check)
#   setup.sh bench     also the allocators `make bench-heap` compares against
set -eu

check=""
bench=""
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        bench) bench=1 ;;
        *) echo "usage: setup.sh [--check] [bench]" >&2; exit 2 ;;
    esac
done

# command -> Debian package that provides it
TOOLS="nasm:nasm clang:clang ld.lld:lld llvm-objcopy:llvm llvm-profdata:llvm
qemu-system-i386:qemu-system-x86 qemu-system-x86_64:qemu-system-x86 mformat:mtools
mcopy:mtools mkfs.fat:dosfstools python3:python3 cc:gcc make:make git:git
valgrind:valgrind bochs:bochs"
# file -> package: the 32-bit host runner's headers, the sanitizer/fuzzer runtimes, and the
# BIOS images of Bochs, the second emulator of the boot tests (docs/bochs.md). The tests use
# Bochs's own headless rfb display; its package still depends on one GUI plugin, and the
# ncurses one (bochs-term) meets that without the wxWidgets build of its default.
HEADERS="/usr/include/x86_64-linux-gnu/gnu/stubs-32.h:gcc-multilib
/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a:libclang-rt-14-dev
/usr/share/bochs/BIOS-bochs-latest:bochsbios /usr/share/vgabios/vgabios.bin:vgabios
/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so:bochs-term"
if [ -n "$bench" ]; then
    HEADERS="$HEADERS
/usr/include/mimalloc.h:libmimalloc-dev
/usr/include/jemalloc/jemalloc.h:libjemalloc-dev
/usr/include/gperftools/tcmalloc.h:libgoogle-perftools-dev"
fi

missing=""
for pair in $TOOLS; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
for pair in $HEADERS; do
    [ -e "${pair%%:*}" ] || missing="$missing ${pair#*:}"
done
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
[ -z "${missing% }" ] && exit 0

if [ -n "$check" ]; then
    echo "setup: missing packages: $missing" >&2
    echo "setup: run 'make setup' (it installs them with apt-get, as root)" >&2
    exit 1
fi

cmd="apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing packages: $missing" >&2
    echo "setup: run: sudo apt-get update && sudo $cmd" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: no apt-get here; install the equivalents of:$missing" >&2
    exit 1
fi
echo "setup: installing: $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
