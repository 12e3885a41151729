"""Baseline for the benchmark: parse an LDIF file with the generic `ldif` package, nothing else."""

from __future__ import annotations

import sys

from ldif import LDIFParser


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: parse_ldif.py FILE.ldif", file=sys.stderr)
        return 2
    count = 0
    with open(argv[0], "rb") as handle:
        for _dn, _entry in LDIFParser(handle).parse():
            count += 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
