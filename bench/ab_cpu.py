"""CPU of one command under two checkouts, run alternately: a before/after on a noisy machine.

    python bench/ab_cpu.py N BEFORE AFTER -- COMMAND...

Runs COMMAND N times with PYTHONPATH=BEFORE and N times with PYTHONPATH=AFTER, alternating
(ABBA...), from /tmp (so the current folder does not shadow PYTHONPATH), and prints each
side's median, 25th percentile and minimum user+sys CPU (os.wait4). Make BEFORE with
`git worktree add --detach /tmp/before REV`; run `python -m compileall -q` on both first
when PYTHONDONTWRITEBYTECODE is set. Paths in COMMAND must be absolute. Example, the rules
start-up of issue 16 (/tmp/one.txt: a copy of the seed article):

    python bench/ab_cpu.py 30 /tmp/before . -- python -c "from llmextract.cli import run; \\
        import sys; sys.argv[1:] = ['summarize', '/tmp/one.txt', '--engine', 'rules', \\
        '-o', '/dev/null']; run()"
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile


def main(argv: list[str]) -> int:
    if len(argv) < 5 or argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    n = int(argv[0])
    sides = [os.path.abspath(argv[1]), os.path.abspath(argv[2])]
    command = argv[4:]
    cpu: dict[str, list[float]] = {side: [] for side in sides}
    for i in range(n):
        for side in sides if i % 2 == 0 else sides[::-1]:
            env = dict(os.environ, PYTHONPATH=side)
            child = subprocess.Popen(command, env=env, cwd=tempfile.gettempdir(),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(child.pid, 0)
            cpu[side].append((usage.ru_utime + usage.ru_stime) * 1000)
    for side, values in cpu.items():
        values.sort()
        print(f"{side}: median {statistics.median(values):.0f} ms, "
              f"p25 {values[len(values) // 4]:.0f}, min {values[0]:.0f} (n={n})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
