"""requirements.in names every third-party package the application imports, and nothing it does not;
requirements.txt is its lock (every package pinned with hashes) and agrees with requirements-dev.txt."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: what the app uses without importing it: the server, the driver SQLAlchemy loads by URL, time zone data,
#: openpyxl's speed-up, the Swagger UI files, pybabel (compiles the catalogs)
USED_WITHOUT_IMPORT = {"gunicorn", "psycopg", "tzdata", "lxml", "swagger-ui-bundle", "babel"}
#: imported under a name of another package (the Swagger UI files are found through this one)
IMPORT_ALIASES = {"swagger_ui_bundle": "swagger-ui-bundle"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct_requirements(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?==", line)
        if match:
            names.add(normalise(match.group(1)))
    return names


def runtime_imports() -> set[str]:
    """Top-level modules imported anywhere in the application's code (the package, migrations, config, wsgi)."""
    sources = [*sorted((ROOT / "coordination").rglob("*.py")), *sorted((ROOT / "migrations").rglob("*.py"))]
    sources += [ROOT / "config.py", ROOT / "wsgi.py"]
    modules: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m not in {"coordination", "config"}}


def test_every_runtime_import_is_a_runtime_requirement() -> None:
    distributions = packages_distributions()
    required = direct_requirements(ROOT / "requirements.in")
    missing = {}
    for module in runtime_imports():
        names = {normalise(d) for d in distributions.get(module, [])} or {IMPORT_ALIASES.get(module, module)}
        if not names & required:
            missing[module] = sorted(names)
    assert missing == {}, f"imported by the app but not in requirements.in: {missing}"


def test_requirements_in_holds_nothing_the_app_does_not_use() -> None:
    distributions = packages_distributions()
    imported = {normalise(d) for module in runtime_imports() for d in distributions.get(module, [module])}
    imported |= {normalise(IMPORT_ALIASES.get(m, m)) for m in runtime_imports()}
    unused = direct_requirements(ROOT / "requirements.in") - imported - USED_WITHOUT_IMPORT
    assert unused == set(), f"in requirements.in but imported nowhere: {sorted(unused)}"


def test_requirements_txt_pins_the_whole_tree_with_hashes() -> None:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    entries = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)((?:\s*\\\n\s+--hash=sha256:[0-9a-f]{64})+)", text, re.M)
    pinned = {normalise(name) for name, _version, _hashes in entries}
    assert direct_requirements(ROOT / "requirements.in") <= pinned
    # transitive packages are pinned too: Flask brings Jinja2, SQLAlchemy greenlet-free typing_extensions, ...
    assert {"jinja2", "markupsafe", "itsdangerous", "typing-extensions", "apispec"} <= pinned
    requirement_lines = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert len(requirement_lines) == len(entries), "every requirement line carries its hashes"


def test_development_lock_pins_the_runtime_tree_alike() -> None:
    def pins(path: Path) -> dict[str, str]:
        return {normalise(n): v for n, v in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text("utf-8"), re.M)}

    runtime, development = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert {name: development.get(name) for name in runtime} == runtime
