#!/usr/bin/env python3
"""Reads the hyperfine results scripts/bench wrote and prints them as Markdown, with the
three bars of the performance issue checked; the `cat` bar both from hyperfine's means and
from bench/interleave.py's medians. Usage: report.py RESULTS_DIR"""
import json
import pathlib
import sys

results = pathlib.Path(sys.argv[1])


def mean_ms(name):
    data = json.loads((results / f"{name}.json").read_text())
    r = data["results"][0]
    return r["mean"] * 1000, r["stddev"] * 1000


rows = []
sizes = [10, 1000, 10000]
commands = ["cloudformation", "terraform", "haproxy", "impala-config", "aws-cli", "generate", "cat-cloudformation"]
print("| command | " + " | ".join(f"{n} daemons" for n in sizes) + " |")
print("| --- | " + " | ".join("---:" for _ in sizes) + " |")
for c in commands:
    cells = []
    for n in sizes:
        f = results / f"{c}-{n}.json"
        cells.append(f"{mean_ms(f'{c}-{n}')[0]:.1f} ms" if f.exists() else "—")
    if any(cell != "—" for cell in cells):
        print(f"| `{c}` | " + " | ".join(cells) + " |")
if (results / "cloudformation-dynamic-1000.json").exists():
    dyn = mean_ms("cloudformation-dynamic-1000")[0]
    print(f"| `cloudformation`, dynamically linked (`cargo build --release`) | — | {dyn:.1f} ms | — |")
tropo = mean_ms("troposphere-1000")[0]
print(f"| troposphere (Python), CloudFormation | — | {tropo:.1f} ms | — |")
print()

cfn, cat = mean_ms("cloudformation-1000")[0], mean_ms("cat-cloudformation-1000")[0]
gen1k, gen10k = mean_ms("generate-1000")[0], mean_ms("generate-10000")[0]
bars = [
    ("CloudFormation, 1,000 daemons, at least 50x faster than troposphere", tropo / cfn, ">= 50", tropo / cfn >= 50),
    ("CloudFormation, 1,000 daemons, within 3x of `cat` of the same bytes (hyperfine means)", cfn / cat, "<= 3", cfn / cat <= 3),
]
interleaved_file = results / "interleaved-1000.json"
interleaved = json.loads(interleaved_file.read_text()) if interleaved_file.exists() else None
if interleaved:
    ratio = interleaved["cloudformation"]["median"] / interleaved["cat"]["median"]
    bars.append(("CloudFormation, 1,000 daemons, within 3x of `cat` of the same bytes (interleaved medians)", ratio, "<= 3", ratio <= 3))
bars.append(("generate, 10,000 daemons, at most 10x the cost of 1,000", gen10k / gen1k, "<= 10", gen10k / gen1k <= 10))
print("| bar | measured | needed | |")
print("| --- | ---: | ---: | --- |")
for name, value, need, ok in bars:
    print(f"| {name} | {value:.1f}x | {need} | {'met' if ok else 'NOT met'} |")
if (results / "cloudformation-dynamic-1000.json").exists():
    print()
    print(f"The dynamically linked build against `cat`: {dyn / cat:.1f}x.")
if interleaved:
    runs = interleaved["cat"]["runs"]
    print()
    print(f"Interleaved, {runs} runs of each in turn (median, quartiles):")
    for label, r in interleaved.items():
        print(f"- `{label}`: {r['median']:.2f} ms ({r['p25']:.2f} to {r['p75']:.2f} ms), "
              f"{r['median'] / interleaved['cat']['median']:.1f}x `cat`")
