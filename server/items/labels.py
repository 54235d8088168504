"""QR labels: the public tracking URL as a QR code with the number printed under it."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

import qrcode
from PIL import Image, ImageDraw, ImageFont

QUIET_ZONE = 4
PNG_MODULE_PX = 8
SVG_MODULE_UNITS = 10


def tracking_url(base_url: str, tracking_number: str) -> str:
    """What the QR holds: a citizen's camera opens tracking, the postman's scanner reads the number."""
    return f"{base_url}/t/{tracking_number}"


def _matrix(content: str) -> list[list[bool]]:
    """The QR modules of `content`, quiet zone included (error correction M)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    code.add_data(content)
    code.make(fit=True)
    return code.get_matrix()


def label_png(content: str, caption: str) -> bytes:
    """A PNG label: the QR code and the caption under it."""
    matrix = _matrix(content)
    size = len(matrix) * PNG_MODULE_PX
    text_height = 56
    image = Image.new("L", (size, size + text_height), 255)
    draw = ImageDraw.Draw(image)
    for row, cells in enumerate(matrix):
        for column, dark in enumerate(cells):
            if dark:
                x, y = column * PNG_MODULE_PX, row * PNG_MODULE_PX
                draw.rectangle([x, y, x + PNG_MODULE_PX - 1, y + PNG_MODULE_PX - 1], fill=0)
    font = ImageFont.load_default(size=30)
    width = draw.textlength(caption, font=font)
    draw.text(((size - width) / 2, size - 4), caption, fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def label_svg(content: str, caption: str) -> str:
    """An SVG label: one path for the dark modules, the caption as text."""
    matrix = _matrix(content)
    size = len(matrix) * SVG_MODULE_UNITS
    text_height = 70
    unit = SVG_MODULE_UNITS
    path = "".join(
        f"M{column * unit},{row * unit}h{unit}v{unit}h-{unit}z"
        for row, cells in enumerate(matrix) for column, dark in enumerate(cells) if dark
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size + text_height}" '
        f'width="{size}" height="{size + text_height}">'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/>'
        f'<text x="{size / 2}" y="{size + 36}" font-family="monospace" font-size="40" '
        f'text-anchor="middle" fill="#000">{escape(caption)}</text></svg>'
    )
