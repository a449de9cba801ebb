"""Rewrites the corpus's landmark files at the precision `ingest.rounded_line` keeps now.

    python3 requantize.py CORPUS_DIR

Every clips/*.landmarks.jsonl.xz (BlazePose's and the other models') is read, each line rounded, and the
file replaced atomically only where that changed it, so a second run rewrites nothing. The manifest is
left alone: it names the files, not their bytes.
"""
import glob
import lzma
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest import rounded_line, write_landmarks  # noqa: E402


def main():
    corpus = sys.argv[1]
    paths = sorted(glob.glob(os.path.join(corpus, "clips", "*.landmarks.jsonl.xz")))
    before = after = rewritten = 0
    for path in paths:
        size = os.path.getsize(path)
        with lzma.open(path, "rt") as f:
            old = [line.rstrip("\n") for line in f if line.strip()]
        new = [rounded_line(line) for line in old]
        before += size
        if new != old:
            write_landmarks(path, new)
            rewritten += 1
        after += os.path.getsize(path)
    print(f"requantize: {rewritten} of {len(paths)} landmark files rewritten, {before / 1e6:.2f} MB -> {after / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
