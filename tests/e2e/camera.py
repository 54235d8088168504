"""A fake camera for Chromium: a still image (a QR label) as a Y4M video file."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

WIDTH, HEIGHT, FRAMES = 640, 480, 20


def label_video(label_png: bytes, path: Path) -> Path:
    """Centre the label on a white 640×480 frame and write it as YUV 4:2:0 Y4M."""
    label = Image.open(io.BytesIO(label_png)).convert("RGB")
    label.thumbnail((HEIGHT - 40, HEIGHT - 40))
    frame = Image.new("RGB", (WIDTH, HEIGHT), "white")
    frame.paste(label, ((WIDTH - label.width) // 2, (HEIGHT - label.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = luma.tobytes() + blue.resize(half).tobytes() + red.resize(half).tobytes()
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            video.write(b"FRAME\n" + planes)
    return path
