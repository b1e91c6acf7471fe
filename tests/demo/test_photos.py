"""Deal photos: an illustration of the shop's kind, never text (no title, no price, no font needed)."""

from __future__ import annotations

import ast
import io
import itertools
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from o2o.demo import photos
from o2o.demo.kinds import KINDS

# Every way Pillow writes letters, and every way it loads a font to write them with.
TEXT_CALLS = {"text", "multiline_text", "textlength", "textbbox", "multiline_textbbox", "truetype",
              "load_default", "load", "load_path"}


def _render(kind: str, category: str, variant: str = "") -> Image.Image:
    img = Image.open(io.BytesIO(photos.deal_photo(kind=kind, category=category, variant=variant)))
    assert img.format == "JPEG"
    return img.convert("RGB")


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def test_the_photo_module_draws_no_text_and_loads_no_font() -> None:
    tree = ast.parse(Path(photos.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom | ast.Import)
                for alias in node.names}
    assert "ImageFont" not in imported
    called = {node.func.attr for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert not called & TEXT_CALLS, called & TEXT_CALLS
    assert "deal_card" not in dir(photos)  # the old card with the title and the price baked in is gone


def test_every_kind_has_its_own_picture_of_the_expected_size() -> None:
    assert set(photos.MOTIFS) == {k.key for k in KINDS}
    renders = {k.key: _render(k.key, k.category, k.deals[0].title) for k in KINDS}
    for key, img in renders.items():
        assert img.size == photos.SIZE, key
        assert len(img.getcolors(maxcolors=1 << 20) or ()) > 50, key  # an illustration, not a flat card
    for (ka, a), (kb, b) in itertools.combinations(renders.items(), 2):
        assert mean_difference(a, b) > 15, (ka, kb)


def test_two_deals_of_one_shop_differ_a_little_and_a_render_is_repeatable() -> None:
    kind = KINDS[0]
    a = _render(kind.key, kind.category, kind.deals[0].title)
    b = _render(kind.key, kind.category, kind.deals[1].title)
    assert 0.5 < mean_difference(a, b)
    assert mean_difference(a, _render(kind.key, kind.category, kind.deals[0].title)) == 0
