"""Small generated PNG images: signatures, written authorisations, doorstep photos.

Each depends only on its seed text, so every one has its own hash and the demo is the same
on every run.
"""
from __future__ import annotations

import itertools
import math
import random
import struct
import zlib


def _png(width: int, height: int, pixels: bytes, colour_type: int) -> bytes:
    """Encode 8-bit rows (grey: colour_type 0, RGB: 2) as a PNG."""
    stride = width * (3 if colour_type == 2 else 1)
    raw = b"".join(b"\x00" + pixels[row * stride:(row + 1) * stride] for row in range(height))

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def _stroke(canvas: bytearray, width: int, height: int, points: list[tuple[float, float]],
            ink: int = 20) -> None:
    """Draw a 2-pixel pen along the points."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        steps = max(1, int(2 * math.hypot(x1 - x0, y1 - y0)))
        for i in range(steps + 1):
            x, y = int(x0 + (x1 - x0) * i / steps), int(y0 + (y1 - y0) * i / steps)
            for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
                if 0 <= x + dx < width and 0 <= y + dy < height:
                    canvas[(y + dy) * width + x + dx] = ink


def _scribble(rng: random.Random, left: float, right: float, middle: float,
              amplitude: float) -> list[tuple[float, float]]:
    """A handwritten-looking line: two waves of different speed along a baseline."""
    loops, phase = rng.uniform(3, 7), rng.uniform(0, 6.3)
    count = 90
    return [(left + (right - left) * i / count,
             middle + amplitude * math.sin(phase + loops * 6.3 * i / count)
             + amplitude * 0.5 * math.sin(2.7 * phase + 17 * i / count))
            for i in range(count + 1)]


def signature_png(seed: str) -> bytes:
    """A signature-like grey PNG that depends on `seed` (so each one has its own hash)."""
    rng = random.Random(seed)
    width, height = 180, 60
    canvas = bytearray(b"\xff" * (width * height))
    _stroke(canvas, width, height, _scribble(rng, 12, width - 12, height / 2, rng.uniform(8, 16)))
    return _png(width, height, bytes(canvas), 0)


def document_png(seed: str) -> bytes:
    """A written authorisation: title, lines of text as grey bars, a signature at the foot."""
    rng = random.Random(seed)
    width, height = 120, 160
    canvas = bytearray(b"\xff" * (width * height))
    for top, left, right in [(10, 30, 90)] + [(30 + 9 * k, 10, rng.randint(60, 110))
                                               for k in range(11)]:
        for y in range(top, top + 3):
            canvas[y * width + left:y * width + right] = bytes([150]) * (right - left)
    _stroke(canvas, width, height, _scribble(rng, 60, 112, 145, 5))
    return _png(width, height, bytes(canvas), 0)


def photo_png(seed: str) -> bytes:
    """A doorstep photo stand-in: a wall, a door and the envelope, colours from `seed`."""
    rng = random.Random(seed)
    width, height = 96, 72
    wall = bytes(rng.randint(150, 230) for _ in range(3))
    door = bytes(rng.randint(40, 140) for _ in range(3))
    door_left = rng.randint(20, 60)
    rows = []
    for y in range(height):
        row = bytearray(wall * width)
        if y > 15:
            row[door_left * 3:(door_left + 24) * 3] = door * 24
        if 40 < y < 52:
            row[30 * 3:46 * 3] = b"\xf0\xe6\xc8" * 16
        rows.append(bytes(row))
    return _png(width, height, b"".join(rows), 2)
