"""Adds another pose model's landmarks of the corpus's videos to corpus/ (beside the corpus's own,
BlazePose full), so the rules can be scored and calibrated on that model's readings of the same clips.

    python3 pose_model.py BIN CORPUS_DIR RENDERS_DIR MODEL [--split calibration|validation]

For every manifest entry whose video is at hand (a ../shared clip next to its truth file, or one of
our renders in RENDERS_DIR), runs `formcheck pose VIDEO --model MODEL --real-clock` (the clock
`analyze` uses), writes clips/NAME.MODEL.landmarks.jsonl.xz and records it in the entry's
`landmarks_by_model`. Clips done already are skipped; the manifest is rewritten atomically once at the
end. Videos not at hand are listed: their renders can be made again with `corpus.sh render SEED`.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest import rounded_line, write_landmarks  # noqa: E402


def main():
    bin_, corpus, renders, model = sys.argv[1:5]
    split = sys.argv[sys.argv.index("--split") + 1] if "--split" in sys.argv else None
    manifest = os.path.join(corpus, "manifest.jsonl")
    entries = [json.loads(l) for l in open(manifest) if l.strip()]
    missing, done = [], 0
    for e in entries:
        if split and e["split"] != split:
            continue
        rel = f"clips/{e['name']}.{model}.landmarks.jsonl.xz"
        if e.get("landmarks_by_model", {}).get(model) == rel and os.path.exists(os.path.join(corpus, rel)):
            continue
        if e.get("truth_ref"):
            video = os.path.normpath(os.path.join(corpus, "..", e["truth_ref"]))[: -len(".json")] + ".mp4"
        else:
            video = os.path.join(renders, e["name"] + ".mp4")
        if not os.path.exists(video):
            missing.append(e["name"])
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "l.jsonl")
            subprocess.run([bin_, "pose", video, "--jsonl", out, "--model", model, "--real-clock"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(out) as src:
                write_landmarks(os.path.join(corpus, rel), [rounded_line(line) for line in src if line.strip()])
        e.setdefault("landmarks_by_model", {})[model] = rel
        done += 1
        print(f"pose-model: {e['name']} ({model})", flush=True)
    with open(manifest + ".part", "w") as f:
        for e in entries:
            f.write(json.dumps(e, sort_keys=True) + "\n")
    os.replace(manifest + ".part", manifest)
    print(f"pose-model: {done} clips posed with {model}; {len(missing)} without their video at hand"
          + (f" ({', '.join(missing[:8])}{'...' if len(missing) > 8 else ''})" if missing else ""))


if __name__ == "__main__":
    main()
