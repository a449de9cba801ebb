#!/usr/bin/env python3
"""The reference peer (../shared/tools/peer/mp_pose.py) with MediaPipe's lite landmark model
(model_complexity=0) instead of the full one; same arguments, same JSONL.

MediaPipe's wheel ships only pose_landmark_full.tflite: `scripts/fidelity.sh --model lite` first
puts pose_landmark_lite.tflite (from the npm package the models are converted from, checked
against the sha256 pinned in models/convert.py) into the peer venv's modules/pose_landmark/.
Run with the peer's Python: PEER_SCRIPT=.../mp_pose.py /tmp/peer-venv/bin/python mp_pose_lite.py ARGS
"""
import os
import runpy
import sys

import mediapipe as mp

_init = mp.solutions.pose.Pose.__init__


def _lite(self, *args, **kwargs):
    kwargs["model_complexity"] = 0
    _init(self, *args, **kwargs)


mp.solutions.pose.Pose.__init__ = _lite
script = os.environ["PEER_SCRIPT"]
sys.argv[0] = script
runpy.run_path(script, run_name="__main__")
