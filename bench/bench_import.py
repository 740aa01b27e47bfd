"""CSV import figures (issue 11): a 100,000-row Binance spot trade history export, previewed and
imported through journal.imports, on PostgreSQL when it is there. Run in a child process so
its peak resident memory is the import's own (Django included), not the other benchmarks'."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bench.environment import ROOT, setup

ROWS = 100_000
HEADER = '"Date(UTC)","Pair","Side","Price","Executed","Amount","Fee"\n'


def export_text(rows: int = ROWS, seed: int = 11) -> str:
    """A Binance "Trade History" export as the site writes it: quoted cells, amounts with their
    asset glued on, eight decimals."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    pairs = (("BTC", "USDT", 62000), ("ETH", "USDT", 3100), ("SOL", "USDT", 140))
    lines = [HEADER]
    for n in range(rows):
        base, quote, mid = pairs[n % 3]
        price = Decimal(mid) * (Decimal(1) + Decimal(rng.randint(-500, 500)) / 10_000)
        amount = Decimal(rng.randint(1, 500_000)) / 10**6
        cost = (price * amount).quantize(Decimal("0.00000001"))
        fee = (amount / 1000).quantize(Decimal("0.00000001"))
        at = start + timedelta(seconds=n * 97)
        side = "BUY" if n % 2 else "SELL"
        lines.append(
            f'"{at:%Y-%m-%d %H:%M:%S}","{base}{quote}","{side}","{price:.2f}",'
            f'"{amount:.8f}{base}","{cost:.8f}{quote}","{fee:.8f}{base}"\n'
        )
    return "".join(lines)


def child() -> None:
    import resource

    setup()
    from journal.imports import ImportOptions, import_confirm, import_prepare
    from journal.models import Trade
    from portfolio.services import portfolio_default_ensure
    from thrive.models import User, Workspace
    from thrive.services import workspace_create

    user = User.objects.create_user(email=f"import{time.time_ns()}@thrive.local")
    workspace = workspace_create(name="Import bench", owner=user, plan=Workspace.Plan.PRO)
    portfolio = portfolio_default_ensure(workspace=workspace)
    data = export_text().encode()
    file_mb = len(data) / 1_000_000
    options = ImportOptions(
        file_format=None,
        timezone="UTC",
        exchange="",
        connection_id=None,
        portfolio_id=portfolio.pk,
    )
    started = time.perf_counter()
    preview = import_prepare(
        workspace=workspace, actor=user, data=data, file_name="binance.csv", options=options
    )
    preview_seconds = time.perf_counter() - started
    # The confirmation is another request: nothing of the preview's survives into it.
    token, format_key, rows, rejected = (
        preview.token,
        preview.format_key,
        preview.rows_in_file,
        len(preview.rejected),
    )
    del preview, data
    started = time.perf_counter()
    batch = import_confirm(workspace=workspace, actor=user, token=token, skip_rejected=False)
    import_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "format": format_key,
                "rows": rows,
                "rejected": rejected,
                "imported": batch.trades_imported,
                "stored": Trade.objects.filter(import_batch=batch).count(),
                "preview_seconds": preview_seconds,
                "import_seconds": import_seconds,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "file_mb": file_mb,
            }
        )
    )


def run() -> dict[str, dict[str, object]]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "child"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["imported"] == figures["stored"] == ROWS, figures
    detail = {"rows": figures["rows"], "file_mb": round(figures["file_mb"], 1)}
    return {
        "import_100k_binance_preview_s": {
            "value": round(figures["preview_seconds"], 2),
            "unit": "s",
            "target": 10,
            **detail,
        },
        "import_100k_binance_import_s": {
            "value": round(figures["import_seconds"], 2),
            "unit": "s",
            "target": 10,
            **detail,
        },
        "import_100k_binance_peak_mb": {
            "value": round(figures["peak_mb"]),
            "unit": "MB",
            "target": 300,
            **detail,
        },
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        child()
    else:
        print(json.dumps(run(), indent=2))
