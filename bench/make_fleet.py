#!/usr/bin/env python3
"""Writes a fleet for the benchmark: N specs of D daemons each (examples/cluster1.yaml's daemons
section made D long, its cluster c0001 ... cN) into DIR, with the AWS network settings every
spec shares in DIR/_defaults.yaml. Usage: make_fleet.py DIR N D"""
import pathlib
import subprocess
import sys

out, n, d = pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
out.mkdir(parents=True, exist_ok=True)
here = pathlib.Path(__file__).resolve().parent
spec = subprocess.run([sys.executable, here / "make_spec.py", str(d)], check=True,
                      capture_output=True, text=True).stdout
shared = ("  region: us-west-2\n", "  vpc_id: vpc-0d1e2f3a4b5c6d7e8\n",
          "  subnet_ids: [subnet-0a9b8c7d6e5f4a3b2]\n")
(out / "_defaults.yaml").write_text("aws:\n" + "".join(shared))
for line in shared:
    spec = spec.replace(line, "")
for i in range(1, n + 1):
    name = f"c{i:04}"
    text = spec.replace("cluster: cluster1", f"cluster: {name}")
    text = text.replace("bucket: cluster1-logs", f"bucket: {name}-logs")
    text = text.replace("env: cluster1", f"env: {name}")
    (out / f"{name}.yaml").write_text(text)
