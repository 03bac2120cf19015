"""Every `example` line of the LLM / training-library families runs (`lrviz show` prints them)."""

from __future__ import annotations

import pytest
from framework_sources.checks import run_example

from lrviz.schedules import family, lookup

PREFIXES = ("nanogpt", "torchtitan", "fairseq", "deepspeed", "megatron", "fastai", "ultralytics", "composer")


@pytest.mark.parametrize("name", [s.full_name for prefix in PREFIXES for s in family(prefix).schedules])
def test_example_runs(cli, name):
    run_example(cli, lookup(name).example)
