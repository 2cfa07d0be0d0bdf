"""``handoff serve`` and ``handoff users``: run the web app and manage who may use it.

    handoff serve [--host 127.0.0.1] [--port 8000] [--workers N]
    handoff users add EMAIL --role rep|csm|manager|admin [--team T] [--password P]
    handoff users assign EMAIL DEAL_ID
    handoff users list

``users add`` prints the new API token alone on the last line of stdout, so a script can take
it with ``tail -n 1``; everything else it says goes to stderr. The token is shown only once.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api import models  # noqa: F401  (declares the web tables before the store creates them)
from api.render import err, handled
from api.users import assign, create_user, list_users
from handoff.settings import get_settings
from index.store import Store

users_app = typer.Typer(help="Users of the web app and the API.", no_args_is_help=True)
console = Console()


def _store() -> Store:
    return Store.open(get_settings())


def serve(host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
          workers: Annotated[int, typer.Option(
              help="Web processes behind the port (more than 1: set HANDOFF_REDIS_URL so "
                   "they share sign-in throttling, and run `handoff worker` for the jobs)",
              min=1, max=64)] = 1) -> None:
    """Run the web app and the JSON API (uvicorn)."""
    import uvicorn

    from api.app import create_app, prepare

    with handled():
        settings = get_settings()
        jobs = "on `handoff worker`" if settings.redis_url else "in this process"
        err.print(f"serving http://{host}:{port}  (HANDOFF_HOME={settings.home}, "
                  f"backend {settings.backend}, {workers} process(es), jobs {jobs})")
        if workers > 1 and not settings.redis_url:
            err.print("[yellow]warning:[/] without HANDOFF_REDIS_URL each process counts "
                      "failed sign-ins on its own")
        if workers == 1:
            uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
        else:  # each process builds its app from the same environment
            prepare(settings)  # tables and key made once here, not raced by the processes
            uvicorn.run("api.app:create_app", factory=True, host=host, port=port,
                        workers=workers, log_level="info")


@users_app.command("add")
def add(email: Annotated[str, typer.Argument(help="The user's email (login name)")],
        role: Annotated[str, typer.Option("--role", help="rep, csm, manager or admin")],
        team: Annotated[str, typer.Option("--team", help="Team; managers see their team's "
                                                         "deals")] = "",
        password: Annotated[str | None, typer.Option(
            "--password", help="For the web login (8+ characters); API-only without")] = None,
        ) -> None:
    """Create a user; prints the new API token alone on the last line."""
    with handled():
        user, token = create_user(_store(), email, role, team=team, password=password)
        err.print(f"created {user.role.value} {user.email}"
                  + (f" (team {user.team})" if user.team else "")
                  + ("" if password else "; no password: API access only"))
        err.print("API token (shown once; send it as 'Authorization: Bearer <token>'):")
        typer.echo(token)


@users_app.command("assign")
def assign_command(email: Annotated[str, typer.Argument(help="The CSM's email")],
                   deal_id: Annotated[str, typer.Argument(help="The deal's id")]) -> None:
    """Assign a CSM to a deal, so they see it."""
    with handled():
        user = assign(_store(), email, deal_id)
        console.print(f"assigned {user.email} to {deal_id}")


@users_app.command("list")
def list_command() -> None:
    """List users with role and team."""
    with handled():
        table = Table("id", "email", "role", "team")
        for u in list_users(_store()):
            table.add_row(str(u.id), u.email, u.role.value, u.team or "—")
        console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``users`` to the ``handoff`` command."""
    app.command("serve")(serve)
    app.add_typer(users_app, name="users")
