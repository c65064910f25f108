#!/usr/bin/env python3
"""Reads the hyperfine results scripts/bench wrote and prints them as Markdown, with the bars
of the README's Performance section checked. Usage: report.py RESULTS_DIR"""
import json
import pathlib
import sys

results = pathlib.Path(sys.argv[1])


def mean_ms(name):
    data = json.loads((results / f"{name}.json").read_text())
    return data["results"][0]["mean"] * 1000


sizes = [10, 1000, 10000]
commands = ["cloudformation", "terraform", "haproxy", "impala-config", "aws-cli", "generate", "cat-cloudformation"]
print("| command | " + " | ".join(f"{n} daemons" for n in sizes) + " |")
print("| --- | " + " | ".join("---:" for _ in sizes) + " |")
for c in commands:
    cells = [f"{mean_ms(f'{c}-{n}'):.1f} ms" for n in sizes]
    print(f"| `{c}` | " + " | ".join(cells) + " |")
tropo = mean_ms("troposphere-1000")
print(f"| troposphere (Python), CloudFormation | — | {tropo:.1f} ms | — |")
print()

cfn, cat = mean_ms("cloudformation-1000"), mean_ms("cat-cloudformation-1000")
gen1k, gen10k = mean_ms("generate-1000"), mean_ms("generate-10000")
bars = [
    ("CloudFormation, 1,000 daemons, faster than troposphere", tropo / cfn, "at least 10x", tropo / cfn >= 10),
    ("CloudFormation, 1,000 daemons, against `cat` of the same bytes", cfn / cat, "at most 12x", cfn / cat <= 12),
    ("`generate`, 10,000 daemons against 1,000", gen10k / gen1k, "at most 10x", gen10k / gen1k <= 10),
]
fleet, per_spec, fleet_cat = mean_ms("fleet-check"), mean_ms("fleet-per-spec"), mean_ms("fleet-cat")
print("| `check` of a fleet of 500 specs of 20 daemons | time | against one process |")
print("| --- | ---: | ---: |")
print(f"| one process, the whole fleet | {fleet:.0f} ms | 1.0x |")
print(f"| one process per spec (500 runs) | {per_spec:.0f} ms | {per_spec / fleet:.1f}x |")
print(f"| `cat` of every file it compares | {fleet_cat:.0f} ms | {fleet_cat / fleet:.2f}x |")
print()
bars.append(("fleet `check` in one process, against one process per spec", fleet / per_spec,
             "at most 0.33x", fleet / per_spec <= 1 / 3))

print("| bar | measured | needed | |")
print("| --- | ---: | ---: | --- |")
failed = False
for name, value, need, ok in bars:
    print(f"| {name} | {value:.2f}x | {need} | {'met' if ok else 'NOT met'} |")
    failed |= not ok
sys.exit(1 if failed else 0)
