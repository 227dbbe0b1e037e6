"""environment.yml (conda) must list exactly pyproject.toml's dependencies with the same bounds."""

import re
import tomllib

import yaml
from uniontrends.config import PROJ_ROOT


def _requirement_pairs(specs: list[str]) -> set[tuple[str, str]]:
    pairs = set()
    for spec in specs:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]+\])?\s*(.*)", spec.strip())
        assert match, f"cannot read requirement {spec!r}"
        name, _extras, bound = match.groups()
        pairs.add((name.lower().replace("_", "-"), bound.replace(" ", "")))
    return pairs


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    wanted = _requirement_pairs(project["dependencies"] + project["optional-dependencies"]["dev"])
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())
    conda_specs = [d for d in env["dependencies"] if isinstance(d, str)]
    python = [d for d in conda_specs if d.startswith("python=")]
    assert python == [f"python={project['requires-python'].removeprefix('>=')}"]
    listed = _requirement_pairs([d for d in conda_specs if not d.startswith(("python=", "pip"))])
    assert listed == wanted, (
        f"only in pyproject: {sorted(wanted - listed)}; only in environment.yml: "
        f"{sorted(listed - wanted)}"
    )


def test_constraints_pin_every_direct_dependency():
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    direct = {name for name, _ in _requirement_pairs(project["dependencies"])}
    pinned = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (PROJ_ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    assert direct <= pinned, f"not pinned in constraints.txt: {sorted(direct - pinned)}"
