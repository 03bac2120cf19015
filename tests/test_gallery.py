"""The gallery: every config has its figure, and the checked-in figure is what lrviz makes today."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from lrviz.rendering.gallery import SEARCHES, build_gallery, gallery_path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
GALLERY = ROOT / "gallery"
REGENERATE = "lrviz gallery configs -o gallery"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    out = tmp_path_factory.mktemp("gallery")
    build_gallery(CONFIGS, out)
    return out


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


@pytest.mark.parametrize("config", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.stem)
def test_gallery_image_exists_and_is_fresh(config, fresh):
    checked_in = gallery_path(config, GALLERY)
    assert checked_in.exists(), f"{checked_in} is missing: run `{REGENERATE}`"
    regenerated = _pixels(gallery_path(config, fresh))
    current = _pixels(checked_in)
    assert current.shape == regenerated.shape and np.array_equal(current, regenerated), (
        f"{checked_in} is stale: run `{REGENERATE}`"
    )


@pytest.mark.parametrize("name", list(SEARCHES))
def test_search_gallery_image_exists_and_is_fresh(name, fresh):
    checked_in = GALLERY / f"{name}.png"
    assert checked_in.exists(), f"{checked_in} is missing: run `{REGENERATE}`"
    assert np.array_equal(_pixels(checked_in), _pixels(fresh / f"{name}.png")), (
        f"{checked_in} is stale: run `{REGENERATE}`"
    )


def test_no_orphan_gallery_images():
    stems = {p.stem for p in CONFIGS.glob("*.yaml")} | set(SEARCHES)
    assert {p.stem for p in GALLERY.glob("*.png")} <= stems


def test_readme_shows_the_gallery_and_how_to_regenerate_it():
    readme = (ROOT / "README.md").read_text()
    shown = set(re.findall(r"\(gallery/([\w-]+)\.png\)", readme))
    assert shown == {p.stem for p in CONFIGS.glob("*.yaml")} | set(SEARCHES)
    assert REGENERATE in readme
