"""Adds rendered clips to the corpus: landmarks from `formcheck pose`, trimmed ground truth, a manifest line.

    python3 ingest.py --bin FORMCHECK --renders DIR --corpus CORPUS [NAME ...]
    python3 ingest.py --bin FORMCHECK --corpus CORPUS --shared SHARED     (the shared samples and renders)

Per clip, corpus/clips/ gets NAME.landmarks.jsonl.xz (what `formcheck pose` wrote, rounded to what matters,
see `rounded_line`) and, for clips we rendered, NAME.truth.json.xz (the renderer's ground truth without its
per-frame joints: params, camera, reps with labels and measured values, frame times). Clips of ../shared keep
their ground truth there; the manifest points at it.

The manifest line also carries the pose error measured against the full per-frame ground truth, which is not
kept: per body joint the median 2D error in torso lengths, how often the legs came out left/right swapped,
and how often a joint or the whole person was missing.
"""
import argparse
import lzma
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from design import split  # noqa: E402

# How the corpus's files are compressed: xz at its strongest keeps them a third smaller than
# gzip -9 (the corpus must fit in 50 MB of git); the bytes depend on the content only.
XZ_PRESET = 9 | lzma.PRESET_EXTREME

BLAZE = ["nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
         "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
         "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
         "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
         "left_heel", "right_heel", "left_foot_index", "right_foot_index"]
BODY = ["shoulder", "hip", "knee", "ankle", "heel", "foot_index"]
LEG = ["hip", "knee", "ankle", "heel", "foot_index"]
MIN_VIS = 0.5


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def rounded_line(line):
    """One landmark line rounded to what the rules can use: 0.1 px, 1e-3 for depth and metres, 0.01 for
    visibility and presence. The pose model's own error is several pixels and centimetres, so finer
    digits only cost space (a third of the corpus at 0.01 px and 1e-4). Rounding twice changes nothing."""
    d = json.loads(line)
    if d.get("landmarks"):
        d["landmarks"] = [[round(x, 1), round(y, 1), round(z, 3), round(v, 2)] for x, y, z, v in d["landmarks"]]
    if d.get("world"):
        d["world"] = [[round(a, 3) for a in p] for p in d["world"]]
    if isinstance(d.get("presence"), list):
        d["presence"] = [round(v, 2) for v in d["presence"]]
    return json.dumps(d, separators=(",", ":"))


def write_landmarks(path, lines):
    """Writes rounded landmark lines to `path` as xz, whole or not at all (through PATH.part)."""
    with lzma.open(path + ".part", "wt", preset=XZ_PRESET) as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".part", path)


def pose(binary, video, out_jsonl):
    # the smoothing clock `analyze` uses (container timestamps), so cached landmarks give its verdicts
    subprocess.run([binary, "pose", video, "--jsonl", out_jsonl, "--real-clock"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def pose_error(frames_ours, gt):
    """Per-joint median 2D error (torso lengths), leg swap rate and dropout rates against the GT's image joints."""
    errs = {j: [] for j in BODY}
    swaps = leg_frames = missing_person = 0
    missing_joint = {j: 0 for j in BODY}
    n = min(len(frames_ours), len(gt["frames"]))
    for i in range(n):
        g = gt["frames"][i]["image"]
        torso = math.dist(mid(g["left_shoulder"], g["right_shoulder"]), mid(g["left_hip"], g["right_hip"]))
        lm = frames_ours[i].get("landmarks")
        if not lm:
            missing_person += 1
            continue
        ours = {name: lm[k] for k, name in enumerate(BLAZE)}
        for j in BODY:
            for s in ("left", "right"):
                p = ours[f"{s}_{j}"]
                if p[3] < MIN_VIS:
                    missing_joint[j] += 0.5
                errs[j].append(math.dist(p[:2], g[f"{s}_{j}"][:2]) / torso)
        # a leg swap: the model's left leg sits on the GT's right leg and vice versa
        same = sum(math.dist(ours[f"{s}_{j}"][:2], g[f"{s}_{j}"][:2]) for s in ("left", "right") for j in LEG)
        crossed = sum(math.dist(ours[f"{s}_{j}"][:2], g[f"{o}_{j}"][:2])
                      for s, o in (("left", "right"), ("right", "left")) for j in LEG)
        leg_frames += 1
        swaps += crossed < 0.7 * same
    med = {j: round(median(v), 4) if v else None for j, v in errs.items()}
    seen = max(1, n - missing_person)
    return {"median_err_torso": med, "leg_swap_rate": round(swaps / max(1, leg_frames), 4),
            "person_missing_rate": round(missing_person / max(1, n), 4),
            "joint_hidden_rate": {j: round(c / seen, 4) for j, c in missing_joint.items()}}


def mid(a, b):
    return ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)


def median(v):
    v = sorted(v)
    k = len(v) // 2
    return v[k] if len(v) % 2 else (v[k - 1] + v[k]) / 2


def trimmed_truth(gt):
    keep = {k: v for k, v in gt.items() if k not in ("frames", "halves")}
    keep["frame_t"] = [round(f["t"], 4) for f in gt["frames"]]
    if "halves" in gt:
        keep["halves"] = [{"params": h["params"], "frames": h["frames"]} for h in gt["halves"]]
    return keep


def summary(gt):
    reps = gt["reps"]
    legs = sorted({r.get("working_leg", gt["working_leg"]) for r in reps})
    views = [gt["params"]["camera"]["view"]]
    if "halves" in gt:
        views = [h["params"]["camera"]["view"] for h in gt["halves"]]
    faults = sorted({k for r in reps for k, v in r["labels"].items() if isinstance(v, dict) and v["present"]})
    return {"views": views, "legs": legs, "switch": "halves" in gt, "reps": len(reps),
            "clean_reps": sum(1 for r in reps if not r["labels"]["any_fault"]), "faults_present": faults,
            "machine_side": gt["params"].get("machine_side", "support"), "frames": gt["n_frames"],
            "camera_height_m": gt["params"]["camera"].get("height"), "orientation": gt["params"]["camera"].get("orientation")}


def version(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return out.split()[-1] if out else "unknown"


def ingest_clip(args, name, video, gt_path, split_name, source, extra):
    clips = os.path.join(args.corpus, "clips")
    os.makedirs(clips, exist_ok=True)
    lm_out = os.path.join(clips, name + ".landmarks.jsonl.xz")
    gt = json.load(open(gt_path))
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "pose.jsonl")
        pose(args.bin, video, raw)
        lines = [rounded_line(line) for line in open(raw) if line.strip()]
    frames = [json.loads(line) for line in lines]
    write_landmarks(lm_out, lines)
    row = {"name": name, "split": split_name, "source": source, **extra, **summary(gt),
           "video_sha256": sha256(video), "pose": {"model": "full", "clock": "timestamps", "formcheck": version(args.bin)},
           "pose_error": pose_error(frames, gt)}
    if source == "render":
        tr_out = os.path.join(clips, name + ".truth.json.xz")
        with lzma.open(tr_out + ".part", "wt", preset=XZ_PRESET) as f:
            json.dump(trimmed_truth(gt), f, separators=(",", ":"))
        os.replace(tr_out + ".part", tr_out)
        row["truth"] = f"clips/{name}.truth.json.xz"
    row["landmarks"] = f"clips/{name}.landmarks.jsonl.xz"
    return row


def load_manifest(path):
    rows = {}
    if os.path.exists(path):
        for line in open(path):
            if line.strip():
                r = json.loads(line)
                rows[r["name"]] = r
    return rows


def save_manifest(path, rows):
    with open(path + ".part", "w") as f:
        for name in sorted(rows):
            f.write(json.dumps(rows[name], sort_keys=True) + "\n")
    os.replace(path + ".part", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--renders")
    ap.add_argument("--shared")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    man_path = os.path.join(args.corpus, "manifest.jsonl")
    rows = load_manifest(man_path)
    render_tool = os.path.join(os.path.dirname(HERE), "..", "..", "shared", "tools", "render", "render_clip.py")
    todo = []
    if args.shared:
        for sub, tag in (("samples", "shared_samples"), ("renders/seed8", "shared_seed8")):
            d = os.path.join(args.shared, sub)
            for f in sorted(os.listdir(d)):
                if f.endswith(".mp4") and os.path.exists(os.path.join(d, f[:-4] + ".json")):
                    name = f"{tag}_{f[:-4]}"
                    # tuned on (samples) or a head start (seed8): both calibration, never validation
                    todo.append((name, os.path.join(d, f), os.path.join(d, f[:-4] + ".json"), "calibration", tag,
                                 {"truth_ref": f"../shared/{sub}/{f[:-4]}.json"}))
    if args.renders:
        for f in sorted(os.listdir(args.renders)):
            if not f.endswith(".mp4"):
                continue
            name = f[:-4]
            if args.names and name not in args.names:
                continue
            # one half of a side switch: only the joined clip is a corpus clip
            if re.search(r"_switch_[ab]$", name):
                continue
            gt_path = os.path.join(args.renders, name + ".json")
            if not os.path.exists(gt_path):
                continue
            seed = json.load(open(gt_path))["params"]["seed"] % 500000
            todo.append((name, os.path.join(args.renders, f), gt_path, split(seed), "render",
                         {"seed": seed, "design": "scripts/corpus/design.py",
                          "renderer_sha256": sha256(render_tool) if os.path.exists(render_tool) else None}))
    for name, video, gt_path, split_name, source, extra in todo:
        old = rows.get(name, {})
        if old.get("video_sha256") == sha256(video) and old.get("pose", {}).get("clock") == "timestamps":
            continue
        try:
            rows[name] = ingest_clip(args, name, video, gt_path, split_name, source, extra)
        except (subprocess.CalledProcessError, ValueError, KeyError) as e:
            print(f"ingest: {name}: {e}", file=sys.stderr)
            continue
        save_manifest(man_path, rows)
        pe = rows[name]["pose_error"]
        print(f"ingest: {name} ({split_name}) swap {pe['leg_swap_rate']:.3f} "
              f"hip err {pe['median_err_torso']['hip']} ankle err {pe['median_err_torso']['ankle']}")
    save_manifest(man_path, rows)


if __name__ == "__main__":
    main()
