#!/usr/bin/env bash
# Builds the C ABI in release mode and installs what a C or C++ user links under PREFIX
# (default build/c):
#
#   PREFIX/include/tern.h, tern.hpp        the header (the contract) and the C++ RAII wrapper
#   PREFIX/lib/libtern.so.1, libtern.so    the shared library (SONAME libtern.so.1; exports tern_* only)
#   PREFIX/lib/libtern.a                   the static archive (every Tern module in one)
#   PREFIX/lib/tern/swiftrt.o              the Swift image registrar a non-Swift linker must add
#                                          when it links libtern.a (without it, type metadata
#                                          lookups fail silently at run time)
#   PREFIX/lib/pkgconfig/tern.pc           -ltern (shared)
#   PREFIX/lib/pkgconfig/tern-static.pc    libtern.a plus the Swift runtime and system libraries
#
# libtern.so finds the Swift runtime through its RUNPATH (this toolchain's lib folder); to ship it
# elsewhere, copy the runtime libraries beside it. docs/c-api.md has the link lines.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${1:-build/c}
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)

swift build -c release --product tern_shared
swift build -c release --product tern_static
bin=$(swift build -c release --show-bin-path)
SWIFT_ROOT=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
swiftlib=$SWIFT_ROOT/lib/swift/linux
[ -d "$swiftlib" ] || swiftlib=$SWIFT_ROOT/usr/lib/swift/linux

mkdir -p "$PREFIX/include" "$PREFIX/lib/pkgconfig" "$PREFIX/lib/tern"
cp include/tern.h include/tern.hpp "$PREFIX/include/"
cp "$bin/libtern_shared.so" "$PREFIX/lib/libtern.so.1"
ln -sf libtern.so.1 "$PREFIX/lib/libtern.so"
cp "$bin/libtern_static.a" "$PREFIX/lib/libtern.a"
cp "$swiftlib/x86_64/swiftrt.o" "$PREFIX/lib/tern/swiftrt.o"

version=$(sed -n 's/^#define TERN_VERSION_MAJOR \([0-9]*\)/\1/p' include/tern.h).$(sed -n 's/^#define TERN_VERSION_MINOR \([0-9]*\)/\1/p' include/tern.h).$(sed -n 's/^#define TERN_VERSION_PATCH \([0-9]*\)/\1/p' include/tern.h)
# What libtern.a needs beside it: the Swift runtime libraries the modules use, and Debian's
# liburing, libnuma, libzstd and zlib.
static_libs="-lswiftCore -lswift_Concurrency -lswift_StringProcessing -lswift_RegexParser -lswiftSynchronization -lswiftGlibc -ldispatch -lBlocksRuntime -luring -lnuma -lzstd -lz -lstdc++ -lm -lpthread -ldl"
cat > "$PREFIX/lib/pkgconfig/tern.pc" <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: tern
Description: Tern, an embeddable low-latency trading engine (C ABI, shared library)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -ltern -Wl,-rpath,\${libdir}
PC
cat > "$PREFIX/lib/pkgconfig/tern-static.pc" <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include
swiftlibdir=$swiftlib

Name: tern-static
Description: Tern, an embeddable low-latency trading engine (C ABI, static archive)
Version: $version
Cflags: -I\${includedir}
Libs: \${libdir}/libtern.a \${libdir}/tern/swiftrt.o -L\${swiftlibdir} -Wl,-rpath,\${swiftlibdir} $static_libs
PC
echo "installed Tern $version under $PREFIX:"
(cd "$PREFIX" && find . -type f -o -type l | sort | sed 's/^\.\//  /')
