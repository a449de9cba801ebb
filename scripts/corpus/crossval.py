#!/usr/bin/env python3
"""Cross-validated figures of the calibration part: how the calibrated engine does on clips its
calibration never saw, without looking at the validation part.

    python3 crossval.py --bin BIN --corpus DIR --spec SPEC.toml [--folds K] [--set NAME=VALUE ...] [-v]

The calibration clips are dealt into K folds (in the order of their names' sha1, round robin: the
shared samples and seed8 renders of one design must not fall into one fold together by their names). For each fold the
calibration (scripts/corpus/calibrate.py) is refitted on the readings of the other folds, the engine
is run with that spec, and the fold's own reports are kept. The held-out reports of all folds are
then scored by the reference scorer (../shared/tools/score/score_rendered.py), so the last line
is directly comparable with the validation part's figures.

--set overrides a top-level key of the spec before fitting (e.g. --set min_separation_sd=0.5): how
decision settings are chosen on calibration data alone.
"""
import argparse
import csv
import hashlib
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def override(text, settings):
    """The spec's text with each NAME = VALUE line replaced (the first line of that name)."""
    for s in settings:
        name, value = s.split("=", 1)
        text, n = re.subn(rf"^{re.escape(name.strip())} = .*$", f"{name.strip()} = {value.strip()}", text,
                          count=1, flags=re.M)
        if n != 1:
            sys.exit(f"crossval: the spec has no line '{name.strip()} = ...'")
    return text


def truth_of(corpus, row):
    if row.get("truth"):
        with lzma.open(os.path.join(corpus, row["truth"])) as f:
            return json.load(f)
    with open(os.path.join(ROOT, row["truth_ref"])) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/formcheck"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "corpus"))
    ap.add_argument("--spec", default=os.path.join(ROOT, "exercises/cable-medius-kickback.toml"))
    ap.add_argument("--folds", type=int, default=8)
    ap.add_argument("--set", action="append", default=[], dest="settings")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(ROOT, "..", "shared", "tools", "score"))
    import score_rendered  # the reference scorer: the same rules the validation figures use

    with open(os.path.join(args.corpus, "manifest.jsonl")) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    clips = sorted((r["name"] for r in rows if r["split"] == "calibration"),
                   key=lambda n: hashlib.sha1(n.encode()).hexdigest())
    fold_of = {name: i % args.folds for i, name in enumerate(clips)}
    spec_text = override(open(args.spec).read(), args.settings)
    with tempfile.TemporaryDirectory() as tmp:
        readings = os.path.join(tmp, "readings.csv")
        run([args.bin, "eval", "--corpus", args.corpus, "--split", "calibration", "--readings", readings,
             "--exercise", write(os.path.join(tmp, "base.toml"), spec_text)])
        with open(readings) as f:
            lines = list(csv.DictReader(f))
        held = os.path.join(tmp, "held_out")
        os.makedirs(held)
        for k in range(args.folds):
            fold_readings = os.path.join(tmp, f"readings{k}.csv")
            with open(fold_readings, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(lines[0].keys()))
                w.writeheader()
                w.writerows(r for r in lines if fold_of.get(r["clip"]) != k)
            spec = write(os.path.join(tmp, f"spec{k}.toml"), spec_text)
            run([sys.executable, os.path.join(HERE, "calibrate.py"), fold_readings, spec])
            reports = os.path.join(tmp, f"reports{k}")
            run([args.bin, "eval", "--corpus", args.corpus, "--split", "calibration", "--exercise", spec,
                 "--reports", reports])
            for name in clips:
                if fold_of[name] == k and os.path.exists(os.path.join(reports, name + ".json")):
                    shutil.copy(os.path.join(reports, name + ".json"), held)
        suite = os.path.join(tmp, "suite")
        os.makedirs(suite)
        for r in rows:
            if r["split"] == "calibration":
                gt = truth_of(args.corpus, r)
                gt["name"] = r["name"]
                write(os.path.join(suite, r["name"] + ".json"), json.dumps(gt))
        print(f"crossval: {len(clips)} calibration clips, {args.folds} folds"
              + (f", {' '.join(args.settings)}" if args.settings else ""))
        # (The scorer's exit status says whether the goals are met: not this script's.)
        score_rendered.main(suite, held, args.verbose)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


if __name__ == "__main__":
    main()
