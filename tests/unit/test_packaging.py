"""The package declares what it imports, and the runtime pins hold no development tool.

``pyproject.toml`` states every third-party distribution ``plugins/connectors``
imports (ranges); ``requirements.txt`` pins the runtime set a production image
installs; ``requirements-dev.txt`` adds the test tools and the emulators.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "plugins" / "connectors"
DEV_ONLY = {"pytest", "pytest-timeout", "hypothesis", "ruff", "fastapi", "uvicorn"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules() -> dict[str, set[str]]:
    """Absolute imports of the package (module-level and inside functions) → the files that import them."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def third_party(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    return {name: files for name, files in modules.items()
            if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] not in {"connectors", "__future__"}}


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {normalize(Requirement(line).name) for line in project["dependencies"]}


def pins(path: Path) -> dict[str, str]:
    result: dict[str, str] = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        specs = list(requirement.specifier)
        assert len(specs) == 1 and specs[0].operator == "==", f"{path.name}: {line!r} is not an exact pin"
        result[normalize(requirement.name)] = specs[0].version
    return result


def covering(declared_names: set[str]) -> set[str]:
    """Declared distributions, plus what a declared meta-distribution (no code of its own, like
    ``apache-airflow``) pulls in directly: those ship the modules under the declared name."""
    with_code = {normalize(d) for dists in metadata.packages_distributions().values() for d in dists}
    result = set(declared_names)
    pending = [name for name in declared_names if name not in with_code]
    while pending:
        name = pending.pop()
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is not None and "extra" in str(requirement.marker):
                continue
            dep = normalize(requirement.name)
            if dep not in result:
                result.add(dep)
                if dep not in with_code:
                    pending.append(dep)
    return result


def test_the_import_scan_sees_lazy_imports():
    modules = third_party(imported_modules())
    assert "great_expectations" in modules  # imported inside a function in validation.py
    assert "sqlalchemy" in modules


def test_every_third_party_import_is_a_declared_dependency():
    names = declared()
    covered = covering(names)
    providers = metadata.packages_distributions()
    missing = []
    for module, files in sorted(third_party(imported_modules()).items()):
        top = module.split(".")[0]
        parts = module.split(".")
        if parts[:2] == ["airflow", "providers"] and len(parts) > 2:
            # An Airflow provider is its own distribution; say so explicitly.
            wanted = normalize(f"apache-airflow-providers-{parts[2]}")
            if wanted not in names:
                missing.append(f"{module} ({wanted}) in {sorted(files)}")
            continue
        dists = {normalize(d) for d in providers.get(top, [])}
        assert dists, f"{top} is imported by {sorted(files)} but not installed"
        if not dists & covered:
            missing.append(f"{module} ({', '.join(sorted(dists))}) in {sorted(files)}")
    assert not missing, "imported but not in [project] dependencies: " + "; ".join(missing)


def test_declared_dependencies_are_ranges_not_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for line in project["dependencies"]:
        assert "==" not in line, f"pyproject.toml pins {line!r}; exact pins belong in requirements.txt"


def test_requirements_txt_holds_runtime_pins_only():
    runtime = pins(ROOT / "requirements.txt")
    assert not DEV_ONLY & set(runtime), f"development tools in requirements.txt: {sorted(DEV_ONLY & set(runtime))}"
    assert declared() <= set(runtime), f"not pinned in requirements.txt: {sorted(declared() - set(runtime))}"


def test_requirements_dev_adds_the_tools_to_the_runtime_set():
    text = (ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in text.splitlines()
    dev = pins(ROOT / "requirements-dev.txt")
    assert {"pytest", "pytest-timeout", "hypothesis", "ruff"} <= set(dev)
    assert not set(dev) & set(pins(ROOT / "requirements.txt")), "requirements-dev.txt repeats a runtime pin"


def test_pins_agree_with_the_constraints():
    constraints = pins(ROOT / "constraints.txt")
    for path in ("requirements.txt", "requirements-dev.txt"):
        for name, version in pins(ROOT / path).items():
            assert constraints.get(name) == version, f"{path}: {name}=={version}, constraints.txt {constraints.get(name)}"
