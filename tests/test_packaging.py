"""An installed appealwatch carries every data file the source tree has (cues, templates, assets)."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.conftest import REPO


def test_package_data_covers_every_data_file():
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["watch"]
    package = REPO / "src" / "watch"
    data = [
        p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data, "the package has data files (cue files, templates)"
    missed = [
        f for f in data if not any(fnmatch.fnmatch(f, pat.replace("**/", "*")) for pat in patterns)
    ]
    assert missed == [], f"not in [tool.setuptools.package-data]: {missed}"
