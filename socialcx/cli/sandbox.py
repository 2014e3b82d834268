"""The sandbox and the demo that runs the daemon on it: `sandbox`, `demo`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from socialcx.cli.app import _Context, console
from socialcx.errors import UsageError

if TYPE_CHECKING:
    from socialcx.config import Settings


def sandbox_command(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port on 127.0.0.1.")] = 8765,
    scenario: Annotated[
        str, typer.Option(help="default, quiet, bench, or a .jsonl file of mentions to replay.")
    ] = "default",
    speed: Annotated[float, typer.Option(min=0.001, help="How much faster than real time the scenario runs.")] = 60.0,
    seed: Annotated[int, typer.Option(help="Seed of the generated scenario.")] = 0,
    shop: Annotated[
        Path | None, typer.Option(help="A shop state (JSON, docs/commerce-api.md) to serve at /shop/v1 as the stand-in shop.")
    ] = None,
) -> None:
    """Serve local stand-ins of the channels' APIs, fed by a scenario, until Ctrl-C."""
    from socialcx.sandbox import ShopStateError, parse_shop, serve

    try:
        state = parse_shop(shop.read_bytes()) if shop is not None else None
    except OSError as exc:
        raise UsageError(f"--shop: cannot read {shop} ({exc.strerror or exc})") from None
    except ShopStateError as exc:
        raise UsageError(f"--shop {shop}: {exc}") from None

    def ready(base_url: str) -> None:
        console.print(f"Sandbox on {base_url} (scenario {scenario}, {speed:g}x real time). Ctrl-C stops it.")

    try:
        asyncio.run(serve(port=port, scenario=scenario, speed=speed, seed=seed, on_ready=ready, shop=state))
    except KeyboardInterrupt:
        console.print("Sandbox stopped.")
    except ValueError as exc:
        raise UsageError(f"--scenario: {exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})") from None


def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Folder for the demo's config, playbook, database, emails and charts.")] = Path("demo-out"),
    scenario: Annotated[str, typer.Option(hidden=True, help="The sandbox scenario to run (tests use `quiet`).")] = "default",
    seconds: Annotated[float, typer.Option(hidden=True, min=1.0, help="Wall seconds the scenario's days take.")] = 130.0,
) -> None:
    """Run the daemon end to end on the sandbox's channels and an accelerated clock, with a mail
    catcher: poll, triage, spot spikes, auto-reply, mail alerts; then summarise. Each run starts
    afresh."""
    from socialcx.service.demo import live_view, prepare_demo, print_report, run_demo
    from socialcx.store import redact

    settings = prepare_demo(out)
    console.print(f"[bold]socialcx demo[/] in {out}/ (database {redact(settings.database)})\n")
    with console.status("Loading the triage model (trained from the seed set on first use)…"):
        from socialcx.triage import default_model

        model = default_model()
    with live_view(console) as on_tick:
        report = run_demo(settings, scenario=scenario, seconds=seconds, triage=model, on_tick=on_tick)
    print_report(console, report, out / "socialcx.toml")
    _demo_user(ctx.obj, settings, out / "socialcx.toml")


def _demo_user(state: _Context, settings: Settings, config: Path) -> None:
    """A user of the web workspace on the demo's database, with a fresh password, and how to open it."""
    import secrets

    from socialcx.store import connect
    from socialcx.web.users import add_user

    password = secrets.token_urlsafe(12)
    engine = connect(settings.database)
    with engine.begin() as connection:
        add_user(connection, "demo", role="admin", password=password, now=state.clock.now(), amount_limit=500.0)
    engine.dispose()
    console.print(
        f"\nOpen the workspace on it: socialcx --config {config} web   then http://127.0.0.1:{settings.web.port}/ "
        f"and sign in as demo, password {password}"
    )
