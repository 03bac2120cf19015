"""The frameworks' own code for cross-checks, where the framework cannot be installed with its dependencies.

Frameworks that need torchvision, a GPU toolchain or a different torch (ultralytics, fairseq,
torchtitan, fastai, composer) are not installed; their own source is read instead from the
framework's release on the package registry, at a pinned version, downloaded once with pip
(``pip download --no-deps``, no build) into a cache directory and never copied into this
repository. :func:`load_module` executes one of its files as a module; the imports that file makes
of the framework's unrelated machinery (logging, config dataclasses, distributed checkpoint
interfaces) are satisfied by the small modules a caller passes, so the scheduling code itself runs
exactly as released.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import types
import zipfile
from collections.abc import Mapping
from pathlib import Path

CACHE = Path(os.environ.get("LRVIZ_FRAMEWORK_SOURCES", Path(tempfile.gettempdir()) / "lrviz-framework-sources"))


def _download(distribution: str, version: str) -> Path:
    """The release archive of `distribution`==`version` (a wheel where one exists, else the sdist)."""
    folder = CACHE / f"{distribution}-{version}"
    archives = sorted(folder.glob("*")) if folder.is_dir() else []
    if archives:
        return archives[0]
    partial = Path(tempfile.mkdtemp(prefix=f"{distribution}-", dir=CACHE.parent if CACHE.parent.is_dir() else None))
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation", "-q", "-d", str(partial)]
    subprocess.run([*command, f"{distribution}=={version}"], check=True, capture_output=True, timeout=600)
    CACHE.mkdir(parents=True, exist_ok=True)
    try:
        partial.rename(folder)  # atomic: another process may have finished first
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
    return sorted(folder.glob("*"))[0]


def release_file(distribution: str, version: str, path: str) -> str:
    """The text of `path` (inside the package, e.g. ``fairseq/optim/lr_scheduler/tri_stage_lr_scheduler.py``)
    in the registry release `distribution`==`version`."""
    archive = _download(distribution, version)
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(path).decode("utf-8")
    with tarfile.open(archive) as sdist:
        member = next(m for m in sdist.getmembers() if m.name.split("/", 1)[-1] == path)
        return sdist.extractfile(member).read().decode("utf-8")


def load_module(
    distribution: str, version: str, path: str, name: str, support: Mapping[str, types.ModuleType] = {}
) -> types.ModuleType:
    """Execute the release's file `path` as module `name`; `support` maps the module names it imports
    (its framework's unrelated machinery) to modules providing those names while it loads."""
    source = release_file(distribution, version, path)
    module = types.ModuleType(name)
    module.__file__ = f"{distribution}-{version}/{path}"
    module.__package__ = name.rpartition(".")[0]  # its relative imports resolve among `support`
    saved = {key: sys.modules.get(key) for key in (*support, name)}
    sys.modules.update(support)
    sys.modules[name] = module
    try:
        exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - the framework's code
    finally:
        for key, previous in saved.items():
            if previous is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = previous
    return module


def support_module(name: str, **names: object) -> types.ModuleType:
    """A module `name` holding `names` (a package, so relative imports below it resolve)."""
    module = types.ModuleType(name)
    module.__path__ = []  # type: ignore[attr-defined]
    module.__dict__.update(names)
    return module


def definition(source: str, qualname: str) -> str:
    """The source of the function or class `qualname` (``Class.method``) in module text `source`, dedented."""
    import ast
    import textwrap

    nodes: list[ast.AST] = ast.parse(source).body
    node = None
    for part in qualname.split("."):
        node = next(n for n in nodes if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part)
        nodes = node.body
    return textwrap.dedent(ast.get_source_segment(source, node, padded=True))


def block(source: str, qualname: str, test: str) -> str:
    """The source of the ``if`` statement whose condition reads `test` (or of the assignment to the name
    `test`), inside function `qualname`, dedented."""
    import ast
    import textwrap

    function_source = definition(source, qualname)
    node = next(
        n
        for n in ast.walk(ast.parse(function_source))
        if (isinstance(n, ast.If) and ast.unparse(n.test) == test)
        or (isinstance(n, ast.Assign) and [ast.unparse(t) for t in n.targets] == [test])
    )
    return textwrap.dedent(ast.get_source_segment(function_source, node, padded=True))
