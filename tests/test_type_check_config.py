"""The type check's file list (pyproject.toml, [tool.mypy]) names its modules one by one inside the packages
of services; a module added there must be added to the list, or named in the comment as left out."""

import glob
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_services_and_selectors_module_is_checked_or_named_as_left_out():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    patterns = tomllib.loads(text)["tool"]["mypy"]["files"]
    checked = {Path(p) for pattern in patterns for p in glob.glob(pattern, root_dir=ROOT)}
    modules = {
        Path(p)
        for pattern in (
            "grassroots/*/services.py",
            "grassroots/*/services/*.py",
            "grassroots/*/services/*/*.py",
            "grassroots/*/selectors*.py",
        )
        for p in glob.glob(pattern, root_dir=ROOT)
    }
    assert modules, "no services or selectors found"
    unnamed = [str(m) for m in sorted(modules - checked) if str(m.relative_to("grassroots")) not in text]
    assert not unnamed, f"add these to [tool.mypy] files in pyproject.toml: {unnamed}"
