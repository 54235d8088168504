"""QR labels: the public tracking URL as a QR code, with the number printed under it.

No QR decoder is installed, so the codes are checked module by module against the matrix
that `qrcode` builds for the expected URL.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
import qrcode
from PIL import Image

from server.items.labels import PNG_MODULE_PX, SVG_MODULE_UNITS, label_png, label_svg
from tests.api.checks import assert_error, signed_in
from tests.api.scenario import register_result

SVG = "{http://www.w3.org/2000/svg}"


def _expected_matrix(content: str) -> list[list[bool]]:
    """The QR modules a label of `content` must show (error correction M, quiet zone 4)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(content)
    code.make(fit=True)
    return code.get_matrix()


def _png_matrix(body: bytes) -> tuple[list[list[bool]], Image.Image]:
    """Read the QR modules back from the PNG by sampling each module's centre."""
    image = Image.open(io.BytesIO(body))
    image.load()
    grey = image.convert("L")
    modules = grey.width // PNG_MODULE_PX
    return [[grey.getpixel((c * PNG_MODULE_PX + PNG_MODULE_PX // 2,
                            r * PNG_MODULE_PX + PNG_MODULE_PX // 2)) < 128
             for c in range(modules)] for r in range(modules)], image


def _svg_matrix(root: ET.Element) -> list[list[bool]]:
    """Read the QR modules back from the SVG path (one square per dark module)."""
    size = int(float(root.get("width"))) // SVG_MODULE_UNITS  # type: ignore[arg-type]
    matrix = [[False] * size for _ in range(size)]
    for x, y in re.findall(r"M(\d+),(\d+)h", root.find(f"{SVG}path").get("d")):  # type: ignore[union-attr]
        matrix[int(y) // SVG_MODULE_UNITS][int(x) // SVG_MODULE_UNITS] = True
    return matrix


@pytest.fixture
def labelled(world, new_api):  # type: ignore[no-untyped-def]
    """A clerk and two registered results."""
    clerk = signed_in(new_api(), "clerk")
    return clerk, [register_result(clerk)["tracking_number"] for _ in range(2)]


def test_png_label_is_a_png_of_the_tracking_url(app, labelled):
    clerk, [number, _] = labelled
    response = clerk.get(f"/api/v1/items/{number}/label.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    matrix, image = _png_matrix(response.data)
    assert image.format == "PNG" and image.height > image.width  # room for the caption
    assert matrix == _expected_matrix(f"http://tantay.test/t/{number}")


def test_svg_label_is_an_svg_of_the_tracking_url_with_the_number_printed(app, labelled):
    clerk, [number, _] = labelled
    response = clerk.get(f"/api/v1/items/{number}/label.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}text").text == number  # type: ignore[union-attr]
    assert _svg_matrix(root) == _expected_matrix(f"http://tantay.test/t/{number}")


def test_labels_differ_per_number(app, labelled):
    clerk, [first, second] = labelled
    for kind in ("png", "svg"):
        one = clerk.get(f"/api/v1/items/{first}/label.{kind}").data
        other = clerk.get(f"/api/v1/items/{second}/label.{kind}").data
        assert one != other


def test_label_drawing_depends_on_the_content_and_prints_the_caption():
    first, second = "KQ000000014VN", "KQ000000028VN"
    svg_one = label_svg(f"http://tantay.test/t/{first}", first)
    svg_two = label_svg(f"http://tantay.test/t/{second}", second)
    assert svg_one != svg_two and f">{first}</text>" in svg_one and f">{second}</text>" in svg_two
    assert label_png(f"http://tantay.test/t/{first}", first) != label_png(
        f"http://tantay.test/t/{second}", second)


def test_an_agency_prints_labels_of_its_results(app, labelled, new_api):
    _, [number, _] = labelled
    agency = signed_in(new_api(), "agency")
    assert agency.get(f"/api/v1/items/{number}/label.svg").status_code == 200


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_postman_cannot_print_labels(app, labelled, new_api, kind):
    _, [number, _] = labelled
    postman = signed_in(new_api(), "postman")
    assert_error(postman.get(f"/api/v1/items/{number}/label.{kind}"), 403, "forbidden")


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_clerk_of_another_office_cannot_print_labels(app, labelled, new_api, kind):
    _, [number, _] = labelled
    clerk_nd = signed_in(new_api(), "clerk_nd")
    assert_error(clerk_nd.get(f"/api/v1/items/{number}/label.{kind}"), 404, "unknown_item")
