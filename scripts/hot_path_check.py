#!/usr/bin/env python3
"""Checks release machine code of Tern's hot paths for forbidden runtime calls.

Reads `objdump -dr` of the given object files, starts at every function whose mangled name
begins with one of the root prefixes, follows direct calls and tail jumps into any function
defined in the objects (transitively), and reports every call to a forbidden symbol along with
the chain of calls that reaches it.

Forbidden: ARC (swift_retain/release and bridge-object variants), exclusivity checks
(swift_beginAccess), heap allocation (swift_allocObject, swift_slowAlloc, malloc family), boxed
errors (swift_allocError), and existential or unspecialized-generic dispatch (opened existentials,
swift_getGenericMetadata, swift_dynamicCast; lazy witness-table accessors, which
cache after their first call, are allowed), and a `memcpy` of a constant 256 bytes or more: the
compiler copying a large value, such as a whole engine state passed to an out-of-line call (it
cost the risk check path a 968-byte copy per order). Exit status 1 on any finding or a missing
expected root.

Cold paths: with --cold TEXT, a callee whose demangled name contains TEXT is not followed, and the
report names it. Tern marks a function cold by naming it `cold…` (`RiskCore.coldKillRequests`):
code that runs only when something exceptional already happened (the kill switch changed, a
trigger fired), never on an ordinary check. Keep such functions few and their callers'
conditions obvious.

usage: hot_path_check.py --roots PREFIX [--name-contains TEXT] [--cold TEXT] [--expect NAME ...] OBJECT.o [...]
"""

import argparse
import re
import subprocess
import sys

FORBIDDEN = re.compile(
    r"^(swift_(retain|release|unknownObjectRetain|unknownObjectRelease|bridgeObjectRetain|bridgeObjectRelease"
    r"|nonatomic_retain|nonatomic_release|beginAccess|allocObject|slowAlloc|allocError|allocBox"
    r"|getGenericMetadata|dynamicCast|getExistentialTypeMetadata|projectBox)\w*"
    r"|__swift_project_boxed_opaque_existential\w*"
    r"|malloc|calloc|realloc|posix_memalign|aligned_alloc|_Znwm|_Znam)$"
)
FUNC = re.compile(r"^[0-9a-f]+ <(.+)>:$")
RELOC = re.compile(r"R_X86_64_(?:PLT32|PC32|GOTPCREL|GOTPCRELX|REX_GOTPCRELX)\s+(\S+?)(?:[-+]0x[0-9a-f]+)?$")
CALL = re.compile(r"\s(call|jmp)\s")
SIZE = re.compile(r"\smov\s+\$0x([0-9a-f]+),%[er]dx$")
LARGE_COPY = 256


def disassemble(path):
    """Maps each function in an object file to the symbols it calls or tail-jumps to."""
    out = subprocess.run(
        ["objdump", "-dr", "--no-show-raw-insn", path], check=True, capture_output=True, text=True
    ).stdout
    functions, current, last_was_call, size = {}, None, False, None
    for line in out.splitlines():
        m = FUNC.match(line)
        if m:
            current = m.group(1)
            functions.setdefault(current, set())
            last_was_call, size = False, None
            continue
        if current is None:
            continue
        r = RELOC.search(line)
        if r and last_was_call:
            callee = r.group(1)
            if callee == "memcpy" and size is not None and size >= LARGE_COPY:
                callee = f"memcpy of {size} bytes"
            functions[current].add(callee)
            last_was_call, size = False, None  # the call clobbers %rdx: the constant sized this call only
            continue
        s = SIZE.search(line)
        if s:
            size = int(s.group(1), 16)
        last_was_call = bool(CALL.search(line)) and "*" not in line.split("\t")[-1]
        if re.search(r"\scall\s+\*", line):
            functions[current].add("<indirect call>")  # a witness or closure call: reported, not fatal
    return functions


def demangle(names):
    out = subprocess.run(["swift", "demangle", "--compact"], input="\n".join(names), capture_output=True, text=True)
    lines = out.stdout.splitlines()
    return dict(zip(names, lines)) if len(lines) == len(names) else {n: n for n in names}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roots", required=True, help="mangled-name prefix of the probe functions")
    parser.add_argument("--expect", default="", help="space-separated probe names that must exist")
    parser.add_argument(
        "--name-contains", default="", help="keep only roots whose demangled name contains this (skips value witnesses)"
    )
    parser.add_argument("--cold", default="", help="do not follow callees whose demangled name contains this")
    parser.add_argument("objects", nargs="+")
    args = parser.parse_args()

    functions = {}
    for path in args.objects:
        functions.update(disassemble(path))
    roots = sorted(f for f in functions if f.startswith(args.roots))
    names = demangle(sorted(set(functions) | {c for cs in functions.values() for c in cs}))
    roots = [r for r in roots if args.name_contains in names.get(r, r)]

    failures = 0
    for expected in args.expect.split():
        if not any(expected in names.get(r, r) for r in roots):
            print(f"MISSING  probe {expected}: not found in the objects (renamed or deleted?)")
            failures += 1

    for root in roots:
        seen, stack, findings, indirect, visited_count, cold = {root}, [(root, [root])], [], [], 0, set()
        while stack:
            fn, path = stack.pop()
            visited_count += 1
            for callee in sorted(functions.get(fn, ())):
                if callee == "<indirect call>":
                    indirect.append(path)
                elif FORBIDDEN.match(callee) or callee.startswith("memcpy of "):
                    findings.append((callee, path))
                elif args.cold and args.cold in names.get(callee, callee):
                    cold.add(names.get(callee, callee).split("(")[0])
                elif callee in functions and callee not in seen:
                    seen.add(callee)
                    stack.append((callee, path + [callee]))
        label = names.get(root, root)
        if findings:
            failures += 1
            print(f"FAIL     {label}")
            for callee, path in findings:
                chain = " -> ".join(names.get(p, p) for p in path[1:])
                print(f"           calls {callee}" + (f" via {chain}" if chain else ""))
        else:
            note = f", {len(indirect)} indirect call(s) via {indirect[0][-1]}" if indirect else ""
            if cold:
                note += f"; cold, not followed: {', '.join(sorted(cold))}"
            print(f"ok       {label}  ({visited_count} function(s) checked{note})")
    if not roots:
        print(f"FAIL     no functions start with {args.roots}")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
