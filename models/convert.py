#!/usr/bin/env python3
"""Convert MediaPipe Pose's TFLite models to ONNX and write models/manifest.json.

Called by models/convert.sh, which prepares a pinned virtualenv and unpacks the
npm package @mediapipe/pose into a temporary directory.  Everything here is
deterministic: running it twice on the same package gives byte-identical
.onnx files and manifest.

Steps, per model:

1. Locate the source .tflite in the unpacked npm package and check its sha256
   against the value pinned below (so a changed upstream file is an error,
   never a silent change of weights).  The person detector is not shipped as a
   .tflite file: it is the Emscripten asset bundle
   pose_solution_packed_assets.data, whose loader script says where inside the
   bundle the file /third_party/mediapipe/modules/pose_detection/pose_detection.tflite
   lies.  We cut it out with those offsets and check the TFLite flatbuffer
   identifier.
2. Detector only: its fp16 weights are stored *sparse* (CSR) behind DENSIFY
   ops.  tf2onnx has no handler for DENSIFY or for sparse constant tensors, so
   we densify first: run the model once with TFLite's reference kernels, read
   every DENSIFY output (the dense fp16 weight), and rewrite the flatbuffer so
   those tensors are plain constant buffers; the DENSIFY ops and the sparse
   tensors (and their buffers) are removed.  The dense weights are
   cross-checked against an independent numpy decode of the CSR data, and the
   rewritten model must give bit-identical outputs to the original.
3. tf2onnx converts the (dense) .tflite to ONNX, opset 17, keeping the NHWC
   float32 input layout and the TFLite tensor names.
4. tf2onnx folds the fp16->fp32 DEQUANTIZE ops into fp32 initializers, which
   doubles the file size.  We store every fp32 initializer that is *exactly*
   representable in fp16 as fp16 plus a Cast node.  The cast is lossless (the
   values were fp16 in the source model), ONNX Runtime folds it at session
   creation, and the files stay about the size of the TFLite originals.
5. Verify with ONNX Runtime (CPU) against the original .tflite on seeded
   random inputs in the model's input range plus one real photograph, and
   record the maximum absolute difference per output in the manifest.
6. Cut the outputs nobody reads (the landmark models' segmentation head):
   remove them and every node and initializer only they used, keep the rest
   byte-identical, and check that the kept outputs are bit-identical to the
   uncut graph's.  `--cut-only` runs this step alone on existing files.
"""

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import re
import sys
import tempfile

# tf2onnx's graph rewrites iterate over Python sets of strings, so the names
# it generates (and thus the bytes of the .onnx files) depend on string-hash
# randomisation.  Pin the hash seed so the outputs are byte-reproducible.
if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

# Quieten TensorFlow's C++ start-up chatter before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")

import numpy as np  # noqa: E402

NPM_PACKAGE = "@mediapipe/pose"
NPM_VERSION = "0.5.1675469404"
LICENCE = "Apache-2.0"
OPSET = 17

DETECTOR_BUNDLE = "pose_solution_packed_assets.data"
DETECTOR_LOADER = "pose_solution_packed_assets_loader.js"
DETECTOR_PATH_IN_BUNDLE = "/third_party/mediapipe/modules/pose_detection/pose_detection.tflite"

# Pinned sha256 of each source .tflite (for the detector: of the bytes cut out
# of the bundle).  The detector here differs from the pose_detection.tflite in
# the MediaPipe 0.10.14 Python wheel (sha256 9ba9dd3d...866c) only in that the
# wheel's copy carries an extra TFLITE_METADATA buffer; tensors, operators and
# weight buffers are identical.
SOURCE_SHA256 = {
    "pose_detection": "a63c614bef30d35947f13be361820b1e4e3bec9cfeebf4d11216a18373108e85",
    "pose_landmark_lite": "f17bfbecadb61c3be1baa8b8d851cc6619c870a87167b32848ad20db306b9d61",
    "pose_landmark_full": "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    "pose_landmark_heavy": "59e42d71bcd44cbdbabc419f0ff76686595fd265419566bd4009ef703ea8e1fe",
}

# The heavy landmark model is only kept if its ONNX file stays below this.
MAX_BYTES = 30 * 1024 * 1024

DETECTOR_OUTPUTS = [
    ("regressors", "Box and keypoint regression per anchor (2254 SSD anchors, "
     "strides 8/16/32/32/32 on 224x224). 12 values: box centre x, y, width, height, then 4 "
     "keypoints (x, y): hip centre, point giving full-body size and rotation, shoulder centre, "
     "point giving upper-body size and rotation; all in input pixels relative to the anchor "
     "(decode with scale 224)."),
    ("scores", "Raw classification logit per anchor; apply sigmoid for person score."),
]
LANDMARK_OUTPUTS = [
    ("landmarks", "39 points x 5 values (x, y, z, visibility, presence). Points 0-32 are the body "
     "landmarks; 33-38 are auxiliary (MediaPipe uses 33 and 34 to place the next frame's region of "
     "interest). x, y in 256x256 input pixels, z on roughly the same scale relative to the hips; "
     "visibility and presence are logits (apply sigmoid)."),
    ("pose_flag", "Pose presence score in [0,1] (sigmoid already applied in the model)."),
    ("segmentation", "Person segmentation logits, 256x256 (apply sigmoid)."),
    ("heatmap", "64x64 heatmaps for the 39 points; MediaPipe uses them for optional landmark "
     "refinement."),
    ("world_landmarks", "39 points x 3 values (x, y, z) in metres, origin between the hips; points "
     "0-32 are the body landmarks."),
]


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    with open(path, "rb") as f:
        return sha256_bytes(f.read())


def log(*args):
    print("[convert.py]", *args, flush=True)


# --------------------------------------------------------------------------
# 1. Sources


def check_tflite(data, what):
    # A TFLite flatbuffer: 4-byte root offset, then the file identifier "TFL3".
    if data[4:8] != b"TFL3":
        raise SystemExit(f"{what}: not a TFLite flatbuffer (no TFL3 identifier)")


def extract_detector(pkg_dir):
    """Cut pose_detection.tflite out of the Emscripten asset bundle.

    The loader script ends with loadPackage({"files": [{"filename": ...,
    "start": S, "end": E}], "remote_package_size": N}); that JSON is the
    authoritative table of contents of the .data file.
    """
    with open(os.path.join(pkg_dir, DETECTOR_LOADER), encoding="utf-8") as f:
        loader = f.read()
    m = re.search(r"loadPackage\((\{\"files\".*?\})\);", loader, re.S)
    if not m:
        raise SystemExit(f"{DETECTOR_LOADER}: no loadPackage({{...}}) table found")
    toc = json.loads(m.group(1))
    with open(os.path.join(pkg_dir, DETECTOR_BUNDLE), "rb") as f:
        bundle = f.read()
    if len(bundle) != toc["remote_package_size"]:
        raise SystemExit(f"{DETECTOR_BUNDLE}: size {len(bundle)} != loader's {toc['remote_package_size']}")
    entries = [e for e in toc["files"] if e["filename"] == DETECTOR_PATH_IN_BUNDLE]
    if len(entries) != 1:
        raise SystemExit(f"{DETECTOR_LOADER}: expected one entry for {DETECTOR_PATH_IN_BUNDLE}, got {toc['files']}")
    start, end = entries[0]["start"], entries[0]["end"]
    data = bundle[start:end]
    check_tflite(data, DETECTOR_PATH_IN_BUNDLE)
    note = (f"bytes [{start}, {end}) of {DETECTOR_BUNDLE} (the bundle's whole content)"
            if (start, end) == (0, len(bundle)) else f"bytes [{start}, {end}) of {DETECTOR_BUNDLE}")
    return data, f"{DETECTOR_BUNDLE} -> {DETECTOR_PATH_IN_BUNDLE}", note


def load_sources(pkg_dir):
    sources = {}
    data, source_file, note = extract_detector(pkg_dir)
    sources["pose_detection"] = (data, source_file, note)
    for name in ("pose_landmark_lite", "pose_landmark_full", "pose_landmark_heavy"):
        with open(os.path.join(pkg_dir, name + ".tflite"), "rb") as f:
            data = f.read()
        check_tflite(data, name)
        sources[name] = (data, name + ".tflite", None)
    for name, (data, source_file, _) in sources.items():
        got = sha256_bytes(data)
        if got != SOURCE_SHA256[name]:
            raise SystemExit(f"{source_file}: sha256 {got}, expected {SOURCE_SHA256[name]}")
        log(f"source {source_file}: {len(data)} bytes, sha256 {got} (matches pin)")
    return sources


# --------------------------------------------------------------------------
# 2. Densify


def make_interpreter(model_bytes, reference_kernels):
    import tensorflow as tf

    kw = {}
    if reference_kernels:
        # Reference kernels implement DENSIFY and never hand the graph to a
        # delegate (XNNPACK), so every intermediate tensor is materialised
        # and, with preserve_all_tensors, still readable after invoke().
        kw = dict(
            experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_REF,
            experimental_preserve_all_tensors=True,
        )
    interp = tf.lite.Interpreter(model_content=bytes(model_bytes), num_threads=1, **kw)
    interp.allocate_tensors()
    return interp


def run_tflite(interp, x):
    inp = interp.get_input_details()[0]
    interp.set_tensor(inp["index"], x)
    interp.invoke()
    return [interp.get_tensor(o["index"]).copy() for o in interp.get_output_details()]


def decode_csr_numpy(tensor):
    """Independent decode of a sparse constant, for cross-checking DENSIFY.

    Handles the layout this model uses: traversal order = identity, no block
    map, every dimension DENSE except the last, which is SPARSE_CSR.
    Returns None for any other layout (then only the interpreter is used).
    """
    from tensorflow.lite.python import schema_py_generated as s

    sp = tensor.sparsity
    dims = list(tensor.shape)
    meta = sp.dimMetadata
    if (sp.blockMap is not None and len(sp.blockMap)) or list(sp.traversalOrder) != list(range(len(dims))):
        return None
    if any(d.format != s.DimensionType.DENSE for d in meta[:-1]) or meta[-1].format != s.DimensionType.SPARSE_CSR:
        return None
    return meta


def densify(model_bytes):
    """Return (dense_model_bytes, report) with DENSIFY ops folded into constants."""
    from tensorflow.lite.python import schema_py_generated as s
    from tensorflow.lite.tools import flatbuffer_utils as fu

    model = fu.convert_bytearray_to_object(bytearray(model_bytes))
    if len(model.subgraphs) != 1:
        raise SystemExit("densify: expected a single subgraph")
    sg = model.subgraphs[0]
    codes = model.operatorCodes

    def opcode(op):
        return codes[op.opcodeIndex].builtinCode

    dens_ops = [op for op in sg.operators if opcode(op) == s.BuiltinOperator.DENSIFY]
    if not dens_ops:
        return model_bytes, {"densified_tensors": 0}

    # Run once with the reference kernels; the DENSIFY outputs only depend on
    # the constant sparse inputs, so any input works.
    interp = make_interpreter(model_bytes, reference_kernels=True)
    inp = interp.get_input_details()[0]
    run_tflite(interp, np.zeros(inp["shape"], inp["dtype"]))
    details = {d["index"]: d for d in interp.get_tensor_details()}

    # Every tensor index -> how many operators read it.
    readers = {}
    for op in sg.operators:
        for i in op.inputs:
            if i >= 0:
                readers[i] = readers.get(i, 0) + 1
    buffer_users = {}
    for t in sg.tensors:
        buffer_users[t.buffer] = buffer_users.get(t.buffer, 0) + 1

    # The interpreter's tensor indices are the flatbuffer's for subgraph 0.
    # Check by name so a mismatch cannot go unnoticed (TFLite renames the
    # DENSIFY outputs to "Densify_output", so those are checked by shape).
    dens_outs = {op.outputs[0] for op in dens_ops}
    for i, t in enumerate(sg.tensors):
        if i not in dens_outs and details[i]["name"] != t.name.decode():
            raise SystemExit(f"densify: interpreter tensor {i} is {details[i]['name']!r}, flatbuffer has {t.name!r}")

    np_type = {s.TensorType.FLOAT16: np.float16, s.TensorType.FLOAT32: np.float32, s.TensorType.INT8: np.int8}
    removed_tensors = set()
    cross_checked = 0
    dense_bytes = 0
    for op in dens_ops:
        (i_in,), (i_out,) = list(op.inputs), list(op.outputs)
        t_in, t_out = sg.tensors[i_in], sg.tensors[i_out]
        dense = interp.get_tensor(i_out)
        want = np_type[t_out.type]
        if dense.dtype != want or list(dense.shape) != list(t_out.shape):
            raise SystemExit(f"densify: {t_out.name}: got {dense.dtype}{dense.shape}, want {want}{list(t_out.shape)}")
        if t_in.sparsity is None or readers.get(i_in) != 1 or i_in in sg.inputs or i_in in sg.outputs:
            raise SystemExit(f"densify: {t_in.name} is not a private sparse constant")
        # Cross-check against our own CSR decode of the sparse constant.
        meta = decode_csr_numpy(t_in)
        if meta is not None:
            values = np.frombuffer(bytes(model.buffers[t_in.buffer].data), dtype=want)
            rows = int(np.prod([d.denseSize for d in meta[:-1]]))
            segs = np.asarray(meta[-1].arraySegments.values, dtype=np.int64)
            idx = np.asarray(meta[-1].arrayIndices.values, dtype=np.int64)
            ref = np.zeros((rows, int(t_out.shape[-1])), dtype=want)
            for r in range(rows):
                ref[r, idx[segs[r]:segs[r + 1]]] = values[segs[r]:segs[r + 1]]
            if not np.array_equal(ref.reshape(dense.shape).view(np.uint16 if want == np.float16 else want),
                                  dense.view(np.uint16 if want == np.float16 else want)):
                raise SystemExit(f"densify: {t_out.name}: interpreter and numpy CSR decode disagree")
            cross_checked += 1
        # Give the DENSIFY output its dense data.  Its buffer is an empty
        # placeholder owned by that tensor alone.
        b = t_out.buffer
        if b == 0 or buffer_users[b] != 1 or (model.buffers[b].data is not None and len(model.buffers[b].data)):
            raise SystemExit(f"densify: {t_out.name}: output buffer {b} not a private empty buffer")
        model.buffers[b].data = np.frombuffer(dense.tobytes(), dtype=np.uint8)
        dense_bytes += dense.nbytes
        removed_tensors.add(i_in)

    sg.operators = [op for op in sg.operators if opcode(op) != s.BuiltinOperator.DENSIFY]

    # Drop the sparse tensors and renumber the rest everywhere they are named.
    keep = [i for i in range(len(sg.tensors)) if i not in removed_tensors]
    tmap = {old: new for new, old in enumerate(keep)}
    tmap[-1] = -1  # optional-input marker
    dropped_buffers = {sg.tensors[i].buffer for i in removed_tensors}
    sg.tensors = [sg.tensors[i] for i in keep]
    for op in sg.operators:
        op.inputs = np.array([tmap[i] for i in op.inputs], dtype=np.int32)
        op.outputs = np.array([tmap[i] for i in op.outputs], dtype=np.int32)
        if op.intermediates is not None and len(op.intermediates):
            op.intermediates = np.array([tmap[i] for i in op.intermediates], dtype=np.int32)
    sg.inputs = np.array([tmap[i] for i in sg.inputs], dtype=np.int32)
    sg.outputs = np.array([tmap[i] for i in sg.outputs], dtype=np.int32)
    for sd in model.signatureDefs or []:
        for tm in list(sd.inputs or []) + list(sd.outputs or []):
            tm.tensorIndex = tmap[tm.tensorIndex]

    # Drop the sparse tensors' buffers (now unreferenced) and renumber buffers.
    still_used = {t.buffer for t in sg.tensors} | {m.buffer for m in model.metadata or []}
    dropped_buffers -= still_used
    bkeep = [i for i in range(len(model.buffers)) if i not in dropped_buffers]
    bmap = {old: new for new, old in enumerate(bkeep)}
    model.buffers = [model.buffers[i] for i in bkeep]
    for t in sg.tensors:
        t.buffer = bmap[t.buffer]
    for m in model.metadata or []:
        m.buffer = bmap[m.buffer]

    # Drop the DENSIFY operator code and renumber opcode indices.
    used_codes = sorted({op.opcodeIndex for op in sg.operators})
    cmap = {old: new for new, old in enumerate(used_codes)}
    model.operatorCodes = [codes[i] for i in used_codes]
    for op in sg.operators:
        op.opcodeIndex = cmap[op.opcodeIndex]

    out = fu.convert_object_to_bytearray(model)
    check = fu.convert_bytearray_to_object(bytearray(out))
    if any(t.sparsity is not None for t in check.subgraphs[0].tensors):
        raise SystemExit("densify: sparse tensors remain")
    report = {
        "densified_tensors": len(dens_ops),
        "cross_checked_with_numpy_csr_decode": cross_checked,
        "dense_weight_bytes": dense_bytes,
    }
    return out, report


# --------------------------------------------------------------------------
# 3./4. Convert


def canonicalise(model):
    """Make the graph's bytes independent of tf2onnx's run-to-run choices.

    tf2onnx's optimisers iterate over sets of node objects, so node order and
    the counters in generated names (e.g. "Relu6__28_max__223") vary between
    runs although the graph is the same.  We sort the nodes into the order of
    a depth-first walk from the graph outputs (inputs visited in order), which
    depends on structure only, and rename every generated name (those with a
    "__<number>" counter) by position in that order.  Names taken from the
    TFLite model, and the graph inputs/outputs, are kept.
    """
    g = model.graph
    generated = re.compile(r"__\d+")
    producer = {o: n for n in g.node for o in n.output}
    order, done = [], set()
    for out in g.output:
        stack = [(producer[out.name], False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in done:
                continue
            if expanded:
                done.add(id(node))
                order.append(node)
                continue
            stack.append((node, True))
            for i in reversed(node.input):
                if i in producer and id(producer[i]) not in done:
                    stack.append((producer[i], False))
    if len(order) != len(g.node):
        raise SystemExit("canonicalise: graph has nodes that feed no output")

    fixed = {v.name for v in g.input} | {v.name for v in g.output}
    inits = {t.name: t for t in g.initializer}
    rename = {}
    n_const = 0
    for k, node in enumerate(order):
        for i in node.input:
            if i in inits and i not in rename and i not in fixed:
                rename[i] = f"const{n_const}" if generated.search(i) else i
                n_const += 1
        for j, o in enumerate(node.output):
            if o not in fixed and o not in rename:
                rename[o] = f"node{k}_out{j}" if generated.search(o) else o
        if generated.search(node.name):
            node.name = f"node{k}_{node.op_type}"
    if len(set(rename.values())) != len(rename):
        raise SystemExit("canonicalise: name collision")

    def r(x):
        return rename.get(x, x)

    for node in order:
        node.input[:] = [r(i) for i in node.input]
        node.output[:] = [r(o) for o in node.output]
    for t in g.initializer:
        t.name = r(t.name)
    for v in g.value_info:
        v.name = r(v.name)
    first_use = {name: k for k, name in enumerate(dict.fromkeys(
        i for node in order for i in node.input if i in {t.name for t in g.initializer}))}
    new_inits = sorted(g.initializer, key=lambda t: first_use.get(t.name, len(first_use)))
    new_vi = sorted(g.value_info, key=lambda v: v.name)
    nodes = list(order)
    del g.node[:]
    g.node.extend(nodes)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    del g.value_info[:]
    g.value_info.extend(new_vi)


def store_exact_fp16(model):
    """Store fp32 initializers that are exactly fp16-representable as fp16 + Cast.

    Lossless by construction (checked element-wise); returns the number of
    initializers rewritten.
    """
    import onnx
    from onnx import helper, numpy_helper

    g = model.graph
    new_inits, casts, n = [], [], 0
    for init in g.initializer:
        if init.data_type == onnx.TensorProto.FLOAT:
            arr = numpy_helper.to_array(init)
            if arr.size >= 16:
                half = arr.astype(np.float16)
                if np.array_equal(half.astype(np.float32), arr) and np.array_equal(np.signbit(half), np.signbit(arr)):
                    name16 = init.name + "__fp16"
                    new_inits.append(numpy_helper.from_array(half, name16))
                    casts.append(helper.make_node("Cast", [name16], [init.name], name=init.name + "__cast",
                                                  to=onnx.TensorProto.FLOAT))
                    n += 1
                    continue
        new_inits.append(init)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    return n


def convert(tflite_bytes, name, work_dir):
    import onnx
    import tf2onnx

    # Restart tf2onnx's counter for generated names, so each model's bytes do
    # not depend on which models were converted before it in this process.
    tf2onnx.utils.INTERNAL_NAME = 1
    path = os.path.join(work_dir, name + ".tflite")
    with open(path, "wb") as f:
        f.write(tflite_bytes)
    # tf2onnx prints progress via logging; keep its output but not TF's.
    model, _ = tf2onnx.convert.from_tflite(path, opset=OPSET)
    # from_tflite continues past unsupported ops (continue_on_error), leaving
    # nodes in a non-standard domain; refuse such a model.
    odd = sorted({(n.domain, n.op_type) for n in model.graph.node if n.domain not in ("", "ai.onnx")})
    if odd:
        raise SystemExit(f"{name}: tf2onnx left unconverted ops: {odd}")
    canonicalise(model)
    n16 = store_exact_fp16(model)
    model.doc_string = (f"{name} from the npm package {NPM_PACKAGE}@{NPM_VERSION} ({LICENCE}), "
                        "converted by models/convert.sh")
    del model.metadata_props[:]
    for k, v in (("source_package", f"npm package {NPM_PACKAGE}"), ("source_version", NPM_VERSION),
                 ("licence", LICENCE), ("converted_by", "models/convert.sh")):
        model.metadata_props.add(key=k, value=v)
    onnx.checker.check_model(model, full_check=True)
    return model, n16


# --------------------------------------------------------------------------
# 5. Verify


@contextlib.contextmanager
def capture_fd2():
    """Capture C++-level stderr (ONNX Runtime logs there, not via Python)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        buf = io.StringIO()
        try:
            yield buf
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            buf.write(tmp.read().decode("utf-8", "replace"))


def ort_session(path, threads=1):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 1  # info and above, so warnings show up too
    with capture_fd2() as logbuf:
        sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    problems = [l for l in logbuf.getvalue().splitlines() if "[W:" in l or "[E:" in l]
    return sess, problems


def real_image(size, lo, hi):
    """A real photograph shipped by the PyPI package matplotlib (Grace Hopper
    portrait, public domain), centre-cropped to a square and resized."""
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        img = Image.open(f).convert("RGB")
    w, h = img.size
    s = min(w, h)
    img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
    img = img.resize((size, size), Image.BILINEAR)
    x = np.asarray(img, dtype=np.float32) / 255.0
    return (lo + x * (hi - lo))[None].astype(np.float32)


def test_inputs(shape, lo, hi, seed):
    rng = np.random.default_rng(seed)
    xs = [("random_%d" % k, rng.uniform(lo, hi, size=shape).astype(np.float32)) for k in range(3)]
    xs.append(("grace_hopper", real_image(shape[1], lo, hi)))
    return xs


def verify(name, onnx_path, tflite_bytes, in_range, out_names):
    """Max |ONNX - TFLite| per output over the test inputs.

    The reference is the *original* TFLite model (for the detector: with its
    sparse weights and DENSIFY ops), run by tf.lite.Interpreter with the
    default kernels.
    """
    sess, problems = ort_session(onnx_path)
    if any("[E:" in p for p in problems):
        raise SystemExit(f"{name}: ONNX Runtime reported errors:\n" + "\n".join(problems))
    interp = make_interpreter(tflite_bytes, reference_kernels=False)
    # TFLite's own reference kernels, to show how much two correct float32
    # implementations of the same model disagree (context for the figures).
    interp_ref = make_interpreter(tflite_bytes, reference_kernels=True)
    inp = interp.get_input_details()[0]
    tfl_out_names = [o["name"] for o in interp.get_output_details()]
    ort_in = sess.get_inputs()[0].name
    ort_outs = [o.name for o in sess.get_outputs()]
    if ort_outs != tfl_out_names:
        raise SystemExit(f"{name}: output order differs: onnx {ort_outs} vs tflite {tfl_out_names}")
    diffs = {n: 0.0 for n in ort_outs}
    magnitude = {n: 0.0 for n in ort_outs}
    baseline = {n: 0.0 for n in ort_outs}
    sample = {}

    def maxabs(a, b):
        return float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64))))

    for label, x in test_inputs(list(inp["shape"]), in_range[0], in_range[1], seed=20240501):
        ref = run_tflite(interp, x)
        ref2 = run_tflite(interp_ref, x)
        got = sess.run(None, {ort_in: x})
        for n, r, r2, g in zip(ort_outs, ref, ref2, got):
            if r.shape != g.shape:
                raise SystemExit(f"{name}:{n}: shape {g.shape} vs tflite {r.shape}")
            diffs[n] = max(diffs[n], maxabs(r, g))
            baseline[n] = max(baseline[n], maxabs(r, r2))
            magnitude[n] = max(magnitude[n], float(np.max(np.abs(r))))
        if label == "grace_hopper":
            sample = summarise_real(name, dict(zip(out_names, got)))
    for (n, d), role in zip(diffs.items(), out_names):
        log(f"  {name}: {n} ({role}): max abs diff vs tflite {d:.3g} (tflite default vs reference "
            f"kernels: {baseline[n]:.3g}; max |value| {magnitude[n]:.3g})")
    for p in problems:
        log(f"  {name}: onnxruntime said: {p}")
    log(f"  {name}: real image check: {sample}")
    return diffs, baseline, magnitude, problems, sample


def summarise_real(name, out):
    """Plausibility on the real photograph (a person is in view)."""
    if name == "pose_detection":
        score = 1.0 / (1.0 + np.exp(-out["scores"].astype(np.float64)))
        return {"max_person_score": round(float(score.max()), 4)}
    return {"pose_flag": round(float(out["pose_flag"].ravel()[0]), 4)}


# --------------------------------------------------------------------------
# 6. Cut the outputs nobody reads

# Output roles the Rust pipeline never reads.  crates/vision/src/pose/landmark.rs
# picks the landmark model's outputs by role through the manifest and reads
# landmarks, pose_flag, heatmap and world_landmarks only; the segmentation head
# (a decoder up to 256x256) cost about 45 % of the full model's time (issue 9).
UNREAD_ROLES = ("segmentation",)

# A real frame for the cut check: the bundled sample clip, decoded by ffmpeg.
SAMPLE_CLIP = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "samples", "01_clean_side.mp4")
SAMPLE_FRAMES = (0, 134)  # the first frame and the middle one (the clip has 268)


def prune_outputs(model, drop):
    """Remove the graph outputs named in `drop` and everything only they use.

    Nodes, initializers and value_info entries that still feed a kept output
    are left untouched and in their order, so the kept part of the graph is
    byte-for-byte what it was.  Returns (nodes removed, initializers removed).
    """
    g = model.graph
    names = [o.name for o in g.output]
    if not set(drop) <= set(names):
        raise SystemExit(f"cut: outputs {sorted(set(drop) - set(names))} not in the graph ({names})")
    if any(a.type in (a.GRAPH, a.GRAPHS) for n in g.node for a in n.attribute):
        raise SystemExit("cut: graphs with subgraphs (If/Loop/Scan) are not handled")
    keep_out = [n for n in names if n not in drop]
    producer = {o: k for k, n in enumerate(g.node) for o in n.output}
    live, stack = set(), [producer[o] for o in keep_out if o in producer]
    while stack:
        k = stack.pop()
        if k in live:
            continue
        live.add(k)
        stack.extend(producer[i] for i in g.node[k].input if i in producer)
    nodes = [n for k, n in enumerate(g.node) if k in live]
    used = {i for n in nodes for i in n.input} | set(keep_out)
    for v in g.input:
        if v.name not in used:
            raise SystemExit(f"cut: graph input {v.name} would feed nothing")
    inits = [t for t in g.initializer if t.name in used]
    known = used | {o for n in nodes for o in n.output}
    vinfo = [v for v in g.value_info if v.name in known]
    outs = [o for o in g.output if o.name not in drop]
    removed = (len(g.node) - len(nodes), len(g.initializer) - len(inits))
    for field, items in ((g.node, nodes), (g.initializer, inits), (g.value_info, vinfo), (g.output, outs)):
        kept = list(items)
        del field[:]
        field.extend(kept)
    return removed


def sample_frames(size, frames=SAMPLE_FRAMES, path=SAMPLE_CLIP):
    """Frames of the sample clip, resized (not cropped) to size x size RGB in [0, 1]."""
    import subprocess

    out = []
    for k in frames:
        raw = subprocess.run(
            ["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-vf",
             f"select=eq(n\\,{k}),scale={size}:{size}:flags=bilinear", "-frames:v", "1",
             "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
            check=True, capture_output=True).stdout
        if len(raw) != size * size * 3:
            raise SystemExit(f"{path}: frame {k}: got {len(raw)} bytes from ffmpeg")
        x = np.frombuffer(raw, dtype=np.uint8).reshape(1, size, size, 3).astype(np.float32) / 255.0
        out.append((f"01_clean_side.mp4 frame {k}", x))
    return out


def cut_inputs(shape, in_range):
    """What the cut check runs: convert.py's test inputs plus real frames of the sample clip."""
    return test_inputs(shape, in_range[0], in_range[1], seed=20240501) + sample_frames(shape[1])


def verify_cut(name, full_path, cut_path, inputs, threads=(1, 2)):
    """The cut model's outputs must equal the full model's, bit for bit."""
    kept = None
    for t in threads:
        full, _ = ort_session(full_path, threads=t)
        cut, problems = ort_session(cut_path, threads=t)
        if problems:
            raise SystemExit(f"{name}: ONNX Runtime said about the cut model:\n" + "\n".join(problems))
        kept = [o.name for o in cut.get_outputs()]
        in_name = cut.get_inputs()[0].name
        for label, x in inputs:
            a = full.run(kept, {in_name: x})
            b = cut.run(kept, {in_name: x})
            for n, ra, rb in zip(kept, a, b):
                if ra.shape != rb.shape or ra.dtype != rb.dtype or ra.tobytes() != rb.tobytes():
                    raise SystemExit(f"{name}:{n}: cut model differs from the full one on {label} ({t} threads)")
    log(f"  {name}: cut model's {kept} bit-identical to the full model's on {len(inputs)} inputs "
        f"at {', '.join(map(str, threads))} threads")
    return kept


def cut_stage(name, full_path, cut_path, roles, in_range):
    """Stage 6: write `full_path` without its unread outputs to `cut_path` and check it.

    `roles` maps output name -> role.  Returns ({removed output: role}, nodes
    removed); ({}, 0) when there is nothing to cut, and then nothing is written.
    """
    import onnx

    drop = {n: r for n, r in roles.items() if r in UNREAD_ROLES}
    if not drop:
        return {}, 0
    model = onnx.load(full_path)
    n_nodes, n_inits = prune_outputs(model, list(drop))
    what = ", ".join(f"{n} ({r})" for n, r in drop.items())
    model.doc_string += f"; output {what} and the {n_nodes} nodes only it used removed by models/convert.py"
    model.metadata_props.add(key="removed_outputs", value=what)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, cut_path)
    log(f"  {name}: cut {what}: {n_nodes} nodes and {n_inits} initializers removed, "
        f"{os.path.getsize(full_path)} -> {os.path.getsize(cut_path)} bytes")
    shape = [int(d.dim_value) for d in model.graph.input[0].type.tensor_type.shape.dim]
    verify_cut(name, full_path, cut_path, cut_inputs(shape, in_range))
    return drop, n_nodes


def apply_cut_to_entry(entry, drop, n_nodes, path):
    """Update a manifest entry for a file that `cut_stage` wrote."""
    entry["sha256"] = sha256_file(path)
    entry["bytes"] = os.path.getsize(path)
    entry["outputs"] = [o for o in entry["outputs"] if o["name"] not in drop]
    for k in ("max_abs_diff_vs_tflite", "max_abs_diff_tflite_default_vs_reference_kernels", "max_abs_output_value"):
        entry[k] = {n: v for n, v in entry[k].items() if n not in drop}
    roles = ", ".join(f"{n} ({r})" for n, r in drop.items())
    entry["conversion_notes"].append(
        f"output {roles} removed with the {n_nodes} nodes only it used (no consumer reads it); the other "
        "outputs are bit-identical to the uncut graph's (see verification.cut); the vs-TFLite figures "
        "above were measured on the uncut graph")


def cut_verification(runtime):
    """The manifest's note on how the cut was checked."""
    return (f"each cut landmark model and its uncut graph were run by {runtime} at 1 and 2 intra-op "
            "threads on the 3 seeded random tensors and grace_hopper.jpg above plus frames "
            f"{' and '.join(map(str, SAMPLE_FRAMES))} of samples/01_clean_side.mp4 (sha256 "
            f"{sha256_file(SAMPLE_CLIP)}; decoded by ffmpeg, resized to 256x256 without cropping); every kept "
            "output was bit-identical (compared as bytes)")


# --------------------------------------------------------------------------


def tool_versions():
    import flatbuffers
    import onnx
    import onnxruntime
    import tensorflow as tf
    import tf2onnx
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "tensorflow-cpu": tf.__version__,
        "tf2onnx": tf2onnx.__version__,
        "onnx": onnx.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": np.__version__,
        "flatbuffers": version("flatbuffers"),
        "protobuf": version("protobuf"),
        "matplotlib (test image only)": version("matplotlib"),
        "pillow (test image only)": version("pillow"),
    }


def io_desc(sess, tflite_bytes, in_range, in_note, out_meanings):
    interp = make_interpreter(tflite_bytes, reference_kernels=False)
    i = sess.get_inputs()[0]
    inputs = [{"name": i.name, "shape": list(i.shape), "dtype": "float32", "layout": "NHWC",
               "range": list(in_range),
               "meaning": "RGB image, %dx%d, values scaled linearly to [%g, %g]; %s"
               % (i.shape[1], i.shape[2], in_range[0], in_range[1], in_note)}]
    outputs = []
    for o, (role, meaning), t in zip(sess.get_outputs(), out_meanings, interp.get_output_details()):
        if list(o.shape) != [int(v) for v in t["shape"]]:
            raise SystemExit(f"{o.name}: onnx shape {o.shape} vs tflite {t['shape']}")
        outputs.append({"name": o.name, "role": role, "shape": list(o.shape), "dtype": "float32",
                        "meaning": meaning})
    return inputs, outputs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--package-dir", help="unpacked npm package (the 'package' folder)")
    ap.add_argument("--out-dir", required=True, help="where the .onnx files and manifest.json go")
    ap.add_argument("--npm-integrity", default=None, help="integrity string npm pack reported for the tarball")
    ap.add_argument("--cut-only", action="store_true",
                    help="run only stage 6 (cut unread outputs) on the models already in --out-dir, as "
                    "manifest.json describes them, and update the manifest; needs onnx, onnxruntime, numpy, "
                    "matplotlib, pillow and ffmpeg, not TensorFlow")
    args = ap.parse_args()
    if args.cut_only:
        return cut_only(args.out_dir)
    if not args.package_dir:
        ap.error("--package-dir is required (unless --cut-only)")

    with open(os.path.join(args.package_dir, "package.json"), encoding="utf-8") as f:
        pj = json.load(f)
    if (pj["name"], pj["version"], pj["license"]) != (NPM_PACKAGE, NPM_VERSION, LICENCE):
        raise SystemExit(f"unexpected package.json: {pj['name']} {pj['version']} {pj['license']}")

    sources = load_sources(args.package_dir)
    versions = tool_versions()
    log("tool versions:", json.dumps(versions))

    det_in = "MediaPipe letterboxes the whole frame to this size, keeping its aspect ratio"
    lm_in = "a crop of the person's region of interest (from the detector), rotated upright"
    plan = [
        ("pose_detection", (-1.0, 1.0), det_in, DETECTOR_OUTPUTS),
        ("pose_landmark_lite", (0.0, 1.0), lm_in, LANDMARK_OUTPUTS),
        ("pose_landmark_full", (0.0, 1.0), lm_in, LANDMARK_OUTPUTS),
        ("pose_landmark_heavy", (0.0, 1.0), lm_in, LANDMARK_OUTPUTS),
    ]
    entries, skipped, any_cut = [], [], False
    os.makedirs(args.out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="formcheck-convert-") as work:
        for name, in_range, in_note, out_meanings in plan:
            src, source_file, note = sources[name]
            log(f"{name}: converting {source_file}")
            dense, dreport = densify(src)
            if dreport["densified_tensors"]:
                log(f"  {name}: densified {dreport}")
                # The rewritten model must compute exactly what the original does.
                a = make_interpreter(src, reference_kernels=True)
                b = make_interpreter(dense, reference_kernels=True)
                shape = list(a.get_input_details()[0]["shape"])
                for label, x in test_inputs(shape, *in_range, seed=7):
                    for ra, rb in zip(run_tflite(a, x), run_tflite(b, x)):
                        if not np.array_equal(ra, rb):
                            raise SystemExit(f"{name}: densified model differs from original on {label}")
                log(f"  {name}: densified .tflite is bit-identical to the original on 4 inputs")
            model, n16 = convert(dense, name, work)
            import onnx

            tmp_path = os.path.join(work, name + ".onnx")
            onnx.save(model, tmp_path)
            size = os.path.getsize(tmp_path)
            log(f"  {name}: {size} bytes, {n16} initializers stored as exact fp16")
            out_path = os.path.join(args.out_dir, name + ".onnx")
            if size > MAX_BYTES:
                log(f"  {name}: larger than {MAX_BYTES} bytes, not kept")
                skipped.append({"name": name, "bytes": size, "reason": f"over {MAX_BYTES} bytes"})
                if os.path.exists(out_path):
                    os.remove(out_path)
                continue
            diffs, baseline, magnitude, problems, real = verify(name, tmp_path, src, in_range, [r for r, _ in out_meanings])
            sess, _ = ort_session(tmp_path)
            inputs, outputs = io_desc(sess, src, in_range, in_note, out_meanings)
            cut_path = os.path.join(work, name + ".cut.onnx")
            dropped, n_cut = cut_stage(name, tmp_path, cut_path, {o["name"]: o["role"] for o in outputs}, in_range)
            os.replace(cut_path if dropped else tmp_path, out_path)
            entry = {
                "name": name,
                "file": name + ".onnx",
                "source_file": source_file,
                "source_sha256": sha256_bytes(src),
                "source_bytes": len(src),
                "sha256": sha256_file(out_path),
                "bytes": os.path.getsize(out_path),
                "opset": OPSET,
                "inputs": inputs,
                "outputs": outputs,
                "max_abs_diff_vs_tflite": {k: float("%.3g" % v) for k, v in diffs.items()},
                "max_abs_diff_tflite_default_vs_reference_kernels": {
                    k: float("%.3g" % v) for k, v in baseline.items()},
                "max_abs_output_value": {k: float("%.3g" % v) for k, v in magnitude.items()},
                "real_image_check": real,
                "onnxruntime_load_warnings": problems,
                "conversion_notes": [],
            }
            if note:
                entry["conversion_notes"].append("source extracted as " + note)
            if dreport["densified_tensors"]:
                entry["conversion_notes"].append(
                    f"{dreport['densified_tensors']} sparse fp16 weight tensors densified (DENSIFY ops folded) "
                    "before conversion; densified model bit-identical to the original")
            entry["conversion_notes"].append(
                f"{n16} weight initializers stored as fp16 + Cast (exact: values were fp16 in the source)")
            if dropped:
                apply_cut_to_entry(entry, dropped, n_cut, out_path)
                any_cut = True
            entries.append(entry)

    manifest = {
        "source": {
            "package": f"npm package {NPM_PACKAGE}",
            "version": NPM_VERSION,
            "licence": LICENCE,
        },
        "tool_versions": versions,
        "command": "bash models/convert.sh",
        "verification": {
            "reference": "original .tflite run by tf.lite.Interpreter (default CPU kernels)",
            "runtime": f"onnxruntime {versions['onnxruntime']} CPUExecutionProvider",
            "inputs": "3 seeded uniform-random tensors over the input range + 1 real photograph "
                      "(matplotlib's grace_hopper.jpg, centre-cropped and resized)",
            "max_abs_diff": "maximum over all inputs and elements of |onnx - tflite|",
            "baseline": "max_abs_diff_tflite_default_vs_reference_kernels: the same figure between two "
                        "TFLite kernel sets (default/XNNPACK vs reference), i.e. ordinary float32 "
                        "rounding; the ONNX figures are of the same order",
        },
        "models": entries,
    }
    if any_cut:
        manifest["verification"]["cut"] = cut_verification(manifest["verification"]["runtime"])
    if args.npm_integrity:
        manifest["source"]["npm_integrity"] = args.npm_integrity
    if skipped:
        manifest["not_included"] = skipped
    write_manifest(args.out_dir, manifest)


def write_manifest(out_dir, manifest):
    path = os.path.join(out_dir, "manifest.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    log("wrote", path)


def cut_only(out_dir):
    """--cut-only: stage 6 alone, on the models in out_dir that still have unread outputs.

    Each file must match its manifest entry's sha256, and onnx, onnxruntime and
    numpy must be the versions the manifest records (they decide the bytes
    written and the check).  Files already cut are left alone, so a second run
    changes nothing.
    """
    import onnx
    import onnxruntime

    with open(os.path.join(out_dir, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    pinned = manifest["tool_versions"]
    for k, v in (("onnx", onnx.__version__), ("onnxruntime", onnxruntime.__version__), ("numpy", np.__version__)):
        if pinned[k] != v:
            raise SystemExit(f"--cut-only: {k} is {v}, the manifest's models were made with {pinned[k]}")
    any_cut = False
    for entry in manifest["models"]:
        name, path = entry["name"], os.path.join(out_dir, entry["file"])
        if sha256_file(path) != entry["sha256"]:
            raise SystemExit(f"{path}: sha256 differs from manifest.json")
        roles = {o["name"]: o["role"] for o in entry["outputs"]}
        cut_path = path + ".cut.tmp"
        dropped, n_cut = cut_stage(name, path, cut_path, roles, tuple(entry["inputs"][0]["range"]))
        if not dropped:
            log(f"{name}: no unread outputs, left as is")
            continue
        os.replace(cut_path, path)
        apply_cut_to_entry(entry, dropped, n_cut, path)
        any_cut = True
    if any_cut:
        manifest["verification"]["cut"] = cut_verification(manifest["verification"]["runtime"])
        write_manifest(out_dir, manifest)


if __name__ == "__main__":
    main()
