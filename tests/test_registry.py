"""The catalog comes from torch's own signatures and docstrings, without importing torch."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest
import torch.optim.lr_scheduler as torch_schedulers

from lrviz.errors import SpecError
from lrviz.schedules import pytorch as registry


def test_source_parse_agrees_with_imported_signatures():
    parsed = registry.catalog()
    imported = registry._catalog_from_inspect()
    assert list(parsed) == list(imported)
    for name in parsed:
        assert parsed[name].params == imported[name].params, name


@pytest.mark.parametrize("info", list(registry.catalog().values()), ids=lambda i: i.name)
def test_every_torch_parameter_is_a_flag_with_torchs_default(info):
    signature = inspect.signature(getattr(torch_schedulers, info.name).__init__)
    expected = [n for n in signature.parameters if n not in ("self", "optimizer", "last_epoch", "verbose")]
    assert [p.name for p in info.params] == expected
    for param in info.params:
        default = signature.parameters[param.name].default
        if default is inspect.Parameter.empty:
            assert param.required
        else:
            assert param.default == default
        assert param.flag == "--" + param.name.lower().replace("_", "-")


def test_flag_names_follow_design():
    cosine = registry.resolve("cosine")
    assert [p.flag for p in cosine.params] == ["--t-max", "--eta-min"]
    assert registry.resolve("sgdr").param("T_0").flag == "--t-0"
    assert registry.resolve("step").param("step_size").flag == "--step-size"
    assert cosine.param("T_max").help == "Maximum number of iterations"


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("cosine", "CosineAnnealingLR"),
        ("step", "StepLR"),
        ("multistep", "MultiStepLR"),
        ("exponential", "ExponentialLR"),
        ("exp", "ExponentialLR"),
        ("linear", "LinearLR"),
        ("constant", "ConstantLR"),
        ("poly", "PolynomialLR"),
        ("polynomial", "PolynomialLR"),
        ("onecycle", "OneCycleLR"),
        ("cyclic", "CyclicLR"),
        ("cosine-restarts", "CosineAnnealingWarmRestarts"),
        ("sgdr", "CosineAnnealingWarmRestarts"),
        ("plateau", "ReduceLROnPlateau"),
        ("lambda", "LambdaLR"),
        ("multiplicative", "MultiplicativeLR"),
        ("COSINEANNEALINGLR", "CosineAnnealingLR"),
        ("OneCycle", "OneCycleLR"),
    ],
)
def test_aliases_case_insensitive(alias, name):
    assert registry.resolve(alias).name == name


def test_unknown_name_suggests():
    with pytest.raises(SpecError, match="did you mean 'onecycle'"):
        registry.resolve("onecylce")


def test_help_list_and_show_never_import_torch_or_matplotlib():
    code = (
        "import sys\n"
        "from lrviz.cli.app import main\n"
        "for args in (['--help'], ['list'], ['show', 'onecycle'], ['plot', 'cosine', '--help'], ['search', '--help']):\n"
        "    assert main(args) == 0\n"
        "heavy = [m for m in ('torch', 'matplotlib', 'numpy', 'optuna', 'sklearn', 'scipy') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("name", list(registry.EXAMPLES), ids=str)
def test_show_examples_run(name, cli, tmp_path):
    import shlex
    import shutil
    from pathlib import Path

    assert set(registry.EXAMPLES) == set(registry.catalog())
    shutil.copytree(Path(__file__).resolve().parents[1] / "configs", tmp_path / "configs")
    args = shlex.split(registry.EXAMPLES[name])
    assert args[:2] == ["lrviz", "plot"]
    result = cli(*args[1:], "-o", "example.png")
    assert result.code == 0, result.err
    assert (tmp_path / "example.png").stat().st_size > 0
