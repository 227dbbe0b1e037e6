"""environment.yml pins exactly what constraints.txt pins; constraints.txt pins every dependency."""

import importlib.util
import re
import tomllib

from uniontrends.config import PROJ_ROOT


def _writer():
    spec = importlib.util.spec_from_file_location(
        "write_environment", PROJ_ROOT / "tools" / "write_environment.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_environment_yml_is_what_make_lock_writes():
    text = _writer().render(
        (PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"),
        (PROJ_ROOT / "constraints.txt").read_text(encoding="utf-8"),
    )
    assert (PROJ_ROOT / "environment.yml").read_text(encoding="utf-8") == text, (
        "environment.yml drifted from pyproject.toml/constraints.txt: run `make lock`"
    )


def test_constraints_pin_every_direct_dependency():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    direct = {re.match(r"[A-Za-z0-9_.-]+", s)[0].lower().replace("_", "-") for s in specs}
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (PROJ_ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    assert direct <= pinned, f"not pinned in constraints.txt: {sorted(direct - pinned)}"


def test_the_conda_environment_pins_the_same_python_as_pyproject():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    text = (PROJ_ROOT / "environment.yml").read_text(encoding="utf-8")
    assert f"  - python={project['requires-python'].removeprefix('>=')}\n" in text
