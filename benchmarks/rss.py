"""Run a command and write its wall time and peak RSS: ``python -S rss.py OUT -- CMD...``.

A child's peak RSS as Linux reports it (ru_maxrss, from wait4) starts from what the
process that forked it held: exec keeps the larger of the two. The benchmark itself
holds hundreds of MB by its last runs, so it starts each measured program from this
small process instead, and the figure is the program's own.
"""

import os
import subprocess
import sys
import time


def main() -> None:
    out, dash, *cmd = sys.argv[1:]
    if dash != "--" or not cmd:
        sys.exit("usage: rss.py OUT -- CMD...")
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    with open(out, "w") as sink:
        # ru_maxrss is in KiB on Linux.
        sink.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    main()
