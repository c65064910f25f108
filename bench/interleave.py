#!/usr/bin/env python3
"""Times commands in alternation: one run of each in turn, the order reversed every other round,
so that the drifts of a noisy machine's load fall on all of them alike. hyperfine runs one
command's runs before the next command's, and on this project's virtual machines the same
binary's mean moves by 20 to 30 percent between such windows, which is the size of the effect
a ratio between two commands is meant to show.

Usage: interleave.py OUT.json RUNS LABEL=COMMAND...
Each command is split on spaces (no shell) and run with standard input and output on /dev/null.
OUT.json gets, per label, the median, quartiles and mean in milliseconds and the run count."""
import json
import os
import shutil
import statistics
import sys
import time

out, runs, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
commands = []
for spec in specs:
    label, command = spec.split("=", 1)
    argv = command.split()
    argv[0] = shutil.which(argv[0]) or argv[0]
    commands.append((label, argv))

null = os.open(os.devnull, os.O_RDWR)
actions = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, null, 1)]
times = {label: [] for label, _ in commands}
warmup = 3
for round_ in range(warmup + runs):
    for label, argv in commands if round_ % 2 == 0 else commands[::-1]:
        start = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter_ns() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"interleave.py: {' '.join(argv)} failed")
        if round_ >= warmup:
            times[label].append(elapsed / 1e6)

result = {}
for label, ts in times.items():
    q1, median, q3 = statistics.quantiles(ts, n=4)
    result[label] = {"median": median, "p25": q1, "p75": q3, "mean": statistics.mean(ts), "runs": len(ts)}
with open(out, "w") as f:
    json.dump(result, f, indent=2)
