"""House rules checked on the code itself (STYLE.md): tenant scoping is never optional."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("thrive", "connections", "journal", "portfolio", "sync")
TENANT_MODELS = (
    "ExchangeConnection",
    "Credential",
    "AuditEvent",
    "Portfolio",
    "BalanceSnapshot",
    "Position",
    "Trade",
    "SyncRun",
    "SyncCursor",
    "Membership",
    "Invitation",
    "LedgerEntry",
    "ImportBatch",
)
ALLOWED = "Cross-tenant by design"


def modules(name: str) -> list[Path]:
    return [ROOT / app / name for app in APPS if (ROOT / app / name).exists()]


def test_views_and_tasks_never_query_a_tenant_model_unscoped():
    pattern = re.compile(rf"\b({'|'.join(TENANT_MODELS)})\.objects\.(?!for_workspace\()")
    offenders = []
    views = (
        "views.py",
        "workspace_views.py",
        "entry_views.py",
        "import_views.py",
        "manage_views.py",
        "analytics_views.py",
    )
    for path in [path for name in views for path in modules(name)] + modules("tasks.py"):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, 1):
            if pattern.search(line) and ALLOWED not in "\n".join(
                lines[max(0, number - 3) : number]
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_selectors_take_the_workspace():
    for path in modules("selectors.py"):
        source = path.read_text()
        for match in re.finditer(r"^def (\w+)\(\*, (\w+)", source, flags=re.MULTILINE):
            assert match.group(2) in {"workspace", "connection", "user"}, (path, match.group(1))


def test_nothing_outside_the_exchange_edge_imports_ccxt():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(("sync/exchanges/", "sync/simulator/", "sync/markets.py")):
                continue
            if re.search(r"^\s*(import ccxt|from ccxt)", path.read_text(), flags=re.MULTILINE):
                offenders.append(relative)
    assert offenders == []


def test_no_task_takes_anything_but_ids_and_names():
    source = (ROOT / "sync" / "tasks.py").read_text()
    for signature in re.findall(r"def \w+\(([^)]*)\)", source):
        for parameter in signature.replace("self,", "").split(","):
            parameter = parameter.strip()
            if parameter and parameter != "self":
                assert re.match(r"^\w+: (int|str|list\[int\])( = .+)?$", parameter), parameter
