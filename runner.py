"""The phasemod command line: argument parsing and presentation only.

Every command calls the engine (the ``phasemod`` package) and renders its records; no
SQL, no fissix and no YAML here.
"""
from __future__ import annotations

import functools
import json
import os
import shlex
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import click

from phasemod import __version__, console
from phasemod.keys import review as review_keys
from phasemod.errors import EngineError, ManifestError, UsageError

EXIT_PROBLEMS, EXIT_USAGE = 1, 2


@dataclass
class State:
    repo: Path
    manifests: Path
    color: bool
    debug: bool

    def phases(self):
        from phasemod.manifest import load_manifests

        if not self.manifests.is_dir():
            raise UsageError(f"{self.manifests}: no such manifests directory; pass --manifests DIR")
        return load_manifests(self.manifests)

    def chosen(self, wanted: tuple[str, ...], everything: bool = False):
        from phasemod.manifest import select_phases

        phases = self.phases()
        if everything or not wanted:
            return phases, phases
        return phases, select_phases(phases, wanted)


class PhasemodGroup(click.Group):
    """Turns engine errors into one-line messages and exit codes; tracebacks only with --debug."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EngineError as exc:
            if "--debug" in sys.argv:
                traceback.print_exc()
            # A manifest error is several problems, one per line; any other is one line,
            # whatever newlines a path inside it holds.
            for line in (exc.problems if isinstance(exc, ManifestError) else [str(exc)]) or ["error"]:
                click.echo(f"phasemod: {console.escape(line)}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:  # `phasemod check | head`: the reader is gone, stop quietly
            sys.stdout = open(os.devnull, "w")
            ctx.exit(EXIT_PROBLEMS)
        except KeyboardInterrupt:
            click.echo("phasemod: interrupted; decisions made so far are recorded", err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except OSError as exc:   # the system said no (open files, disk, permissions): say what and where
            if "--debug" in sys.argv:
                raise
            click.echo(f"phasemod: {console.os_error(exc)}", err=True)
            ctx.exit(EXIT_USAGE)
        except Exception as exc:  # a bug: say so briefly, with the way to see more
            if "--debug" in sys.argv:
                raise
            click.echo(f"phasemod: internal error: {type(exc).__name__}: {console.escape(exc)} "
                       "(rerun with --debug for details)", err=True)
            ctx.exit(EXIT_USAGE)


def remembered(f):
    """A read-only command whose answer is kept for an unchanged tree and replayed
    (phasemod/answers.py): one walk and one stat per file, nothing of the parser loaded."""
    @functools.wraps(f)
    def answered(state: State, **params):
        from phasemod import answers

        if params.get("from_"):       # `status --from FILES` reads files the fingerprint does not cover
            return f(state, **params)
        with answers.replayed(state.repo, state.manifests, f.__name__, params, state.color):
            return f(state, **params)
    return answered


def filter_options(f):
    f = click.option("--filter-path", "filter_paths", multiple=True, metavar="GLOB",
                     help="Only hunks (plan: references) in files matching GLOB (repeatable); the others stay "
                          "undecided.")(f)
    return click.option("--filter-kind", "filter_kinds", multiple=True, metavar="KIND",
                        help="Only hunks (plan: references) of this kind (repeatable): "
                             f"{', '.join(console.KINDS)}.")(f)


def _filter(kinds: tuple[str, ...], paths: tuple[str, ...]):
    from phasemod.hunkfilter import HunkFilter

    return HunkFilter.parse(kinds, paths)


def shard_option(f):
    return click.option("--shard", metavar="K/N", callback=_parse_shard,
                        help="Only the K-th of N deterministic parts of the selected files (stable path hash).")(f)


def _parse_shard(ctx, param, value):
    if value is None:
        return None
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise click.BadParameter("expected K/N, e.g. 2/8") from None
    if not 1 <= k <= n:
        raise click.BadParameter("K must be between 1 and N")
    return (k, n)


@click.group(cls=PhasemodGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phasemod")
@click.option("--repo", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="Root of the repository to migrate.")
@click.option("--manifests", type=click.Path(path_type=Path),
              help="Directory of phase manifests.  [default: REPO/phase_manifests]")
@click.option("--no-color", is_flag=True, help="No colours (also when NO_COLOR is set).")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--max-file-size", type=click.IntRange(1, 4096), default=16, show_default=True, metavar="MIB",
              help="Parse no file larger than this; a larger file naming an old symbol is a finding.")
@click.pass_context
def cli(ctx: click.Context, repo: Path, manifests: Path | None, no_color: bool, debug: bool,
        max_file_size: int) -> None:
    """Phased, reviewable, reversible symbol migrations for Python code bases."""
    from phasemod import select

    select.MAX_PARSE_BYTES = max_file_size << 20
    if ctx.invoked_subcommand == "demo":
        ctx.obj = State(repo, manifests or repo / "phase_manifests", not no_color, debug)
        return
    if not repo.is_dir():
        raise UsageError(f"{repo}: not a directory; pass --repo DIR (the root of the repository to migrate)")
    color = not no_color and "NO_COLOR" not in os.environ
    # Manifest paths stay as the user wrote them, so messages read `phase_manifests/01.yaml:4`.
    ctx.obj = State(repo.resolve(), (manifests or repo / "phase_manifests"), color, debug)


@cli.command()
@click.argument("phase", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--clusters", is_flag=True, help="Also list the clusters of hunks a reviewer will decide.")
@filter_options
@shard_option
@click.pass_obj
@remembered
def plan(state: State, phase: tuple[str, ...], as_json: bool, clusters: bool, filter_kinds: tuple[str, ...],
         filter_paths: tuple[str, ...], shard) -> None:
    """Show, per phase, the files selected and the references found by kind; writes nothing."""
    from phasemod import status as status_mod

    only = _filter(filter_kinds, filter_paths)
    _, chosen = state.chosen(phase)
    # Clusters first: the engine's parse of each file then also gives the counts.
    cluster_data = console.clusters_for(state.repo, chosen, shard, only) if clusters else None
    report = status_mod.phase_status(state.repo, chosen, shard)
    if only:
        status_mod.keep_only(report, only)
    if as_json:
        data = {"phases": [s.as_json() for s in report]}
        if cluster_data is not None:
            data["clusters"] = cluster_data
        click.echo(json.dumps(data, indent=1))
        return
    console.print_plan(report, state.color, only)
    if cluster_data is not None:
        console.print_clusters(cluster_data, state.color)


@cli.command()
@click.option("--old", required=True, help="The symbol that moves, as a dotted path: pkg.mod.Old.")
@click.option("--new", required=True, help="Where it moves to: pkg.newmod.New.")
@click.option("--phases", "count", default=4, show_default=True, type=click.IntRange(3, 20),
              help="How many phases: code phases, then tests, then docs and cleanup.")
@click.option("--keep-local-name/--rename", default=True, show_default=True,
              help="Import the new name under the old one, or rename every use.")
@click.option("--critical", multiple=True, metavar="GLOB", help="Files that must be in phase 1 (repeatable).")
@click.option("--source-root", "source_roots", multiple=True, metavar="DIR", help="A namespace-package root.")
@click.option("--force", is_flag=True, help="Replace manifests of the same names.")
@click.pass_obj
def init(state: State, old: str, new: str, count: int, keep_local_name: bool, critical: tuple[str, ...],
         source_roots: tuple[str, ...], force: bool) -> None:
    """Propose the phases of a symbol move from the code and write their manifests."""
    import shlex

    from phasemod import propose
    from phasemod import status as status_mod
    from phasemod.manifest import load_manifests

    request = propose.Request(old, new, count, keep_local_name, critical, source_roots)
    plans, moves = propose.propose(state.repo, request, state.manifests)
    words = ["phasemod", "init", "--old", old, "--new", new, "--phases", str(count),
             "--keep-local-name" if keep_local_name else "--rename"]
    words += [w for glob in critical for w in ("--critical", glob)]
    words += [w for root in source_roots for w in ("--source-root", root)]
    written = propose.write(state.manifests, plans, request, moves, shlex.join(words), force)
    for path in written:
        click.echo(f"wrote {path}")
    for old, new in moves.also:
        click.echo(f"also moves {old} -> {new} (the old module re-exports it)")
    for line in propose.summary(plans) + [f"warning: {w}" for w in propose.warnings(moves)]:
        click.echo(line)
    click.echo("")
    phases = load_manifests(state.manifests)
    console.print_plan(status_mod.phase_status(state.repo, phases), state.color)
    console.print_clusters(console.clusters_for(state.repo, phases, None), state.color)


@cli.command()
@click.argument("phase", nargs=-1)
@click.option("--all", "run_all", is_flag=True, help="Every phase, in order.")
@click.option("-i", "--interactive", is_flag=True, help="Review each hunk (y n a d A q e ?).")
@click.option("-y", "--yes", is_flag=True, help="Apply every proposed change.")
@click.option("--dry-run", is_flag=True, help="Print the unified diff; write nothing.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes.  [default: all cores]")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable summary.")
@click.option("--no-validate", is_flag=True, help="Skip the phase's validation commands.")
@click.option("--allow-dirty", is_flag=True, help="Touch files with uncommitted git changes.")
@click.option("--allow-unparseable", is_flag=True, help="Unparseable files do not fail the run.")
@click.option("--revisit", is_flag=True, help="Ask again about hunks decided in an earlier run.")
@click.option("--commit", is_flag=True, help="git commit each phase's changes.")
@click.option("--grouped/--one-by-one", default=None,
              help="-i: review clusters of equal edits, or each hunk.  [default: grouped above 50 hunks]")
@click.option("--unusual-first", is_flag=True, help="Grouped review: small (unusual) clusters first.")
@filter_options
@shard_option
@click.pass_obj
def run(state: State, phase: tuple[str, ...], run_all: bool, interactive: bool, yes: bool, dry_run: bool,
        jobs: int | None, as_json: bool, no_validate: bool, allow_dirty: bool, allow_unparseable: bool,
        revisit: bool, commit: bool, grouped: bool | None, unusual_first: bool, filter_kinds: tuple[str, ...],
        filter_paths: tuple[str, ...], shard) -> None:
    """Apply phases (numbers or names, or --all) with one of -i, --yes or --dry-run."""
    from phasemod import phases as engine_phases

    modes = [m for m, on in (("interactive", interactive), ("yes", yes), ("dry-run", dry_run)) if on]
    if len(modes) > 1:
        raise UsageError("choose one of --interactive, --yes and --dry-run")
    if not modes:
        if not sys.stdin.isatty():
            raise UsageError("no terminal to ask on: pass --yes to apply, --dry-run to preview, "
                             "or -i in a terminal to review each hunk")
        modes = ["interactive"]
    if not phase and not run_all:
        raise UsageError("name the phases to run (numbers or names), or pass --all")
    only = _filter(filter_kinds, filter_paths)
    if only and modes[0] != "interactive":
        raise UsageError("--filter-kind and --filter-path choose the hunks a review asks about: use them with -i "
                         "(or with plan)")
    phases, chosen = state.chosen(phase, run_all)
    options = engine_phases.RunOptions(mode=modes[0], jobs=jobs, validate=not no_validate, allow_dirty=allow_dirty,
                                 allow_unparseable=allow_unparseable, revisit=revisit, shard=shard,
                                 command=shlex.join(["phasemod", *sys.argv[1:]]), commit=commit,
                                 grouping={None: "auto", True: "grouped", False: "one-by-one"}[grouped],
                                 unusual_first=unusual_first, only=only or None)
    decide = decide_cluster = None
    if modes[0] == "interactive":
        from phasemod import grouped_console

        decide, decide_cluster = console.Reviewer(state.color), grouped_console.ClusterReviewer(state.color)
    progress = console.Progress(enabled=not as_json and modes[0] == "yes" and sys.stderr.isatty())
    options.on_selected = progress.start
    with console.stop_on_signals(), review_keys(enabled=decide is not None):
        reports = engine_phases.run_phases(state.repo, phases, chosen, options, decide, progress.update,
                                           on_warning=lambda text: click.echo(f"phasemod: {console.escape(text)}",
                                                                              err=True),
                                           decide_cluster=decide_cluster)
    progress.close()
    if as_json:
        click.echo(json.dumps({"phases": [console.report_json(r) for r in reports]}, indent=1))
    else:
        for report in reports:
            console.print_run(report, state.color, dry_run=modes[0] == "dry-run")
    code = engine_phases.exit_code(reports, allow_unparseable)
    if code == 130:
        click.echo("phasemod: interrupted; decisions made so far are recorded", err=True)
    sys.exit(code)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema in docs/status.md).")
@click.option("--fail-on-remaining", is_flag=True, help="Exit 1 while any reference remains.")
@click.option("--from", "from_", is_flag=True,
              help="Sum the FILES given (`status --json` outputs of CI shards) instead of reading the tree.")
@click.argument("from_files", nargs=-1, metavar="[FILES]...", type=click.Path(dir_okay=False, path_type=Path))
@shard_option
@click.pass_obj
@remembered
def status(state: State, as_json: bool, fail_on_remaining: bool, from_: bool, from_files: tuple[Path, ...],
           shard) -> None:
    """Remaining references per phase and kind, unparseable files, percent migrated,
    and each phase's state in the migration record. `--from FILES...` sums shards."""
    from phasemod import recording, status as status_mod

    if from_files and not from_:
        raise UsageError("status takes files only with --from (status --from shard-1.json shard-2.json ...)")
    if from_:
        if shard:
            raise UsageError("--from sums shard outputs; it takes no --shard")
        from phasemod import status_merge

        report = status_merge.load(from_files)
        records = None
        safety = []
    else:
        _warn_interrupted(state)
        phases = state.phases()
        report = status_mod.phase_status(state.repo, phases, shard)
        safety = status_mod.safety_findings(state.repo, phases)
        records = recording.status_json(state.repo, phases, recording.journal_states(state.repo, phases),
                                        None if shard else report)
    if as_json:
        data = status_mod.summary_json(report, safety)
        if records is not None:
            data["record"] = {str(n): r for n, r in records.items()}
        click.echo(json.dumps(data, indent=1))
    else:
        console.print_status(report, state.color, safety)
        for line in recording.status_lines(records or {}):
            click.echo(line)
    if fail_on_remaining and (safety or any(s.remaining or s.unparseable for s in report)):
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("paths", nargs=-1)
@click.pass_obj
@remembered
def check(state: State, paths: tuple[str, ...]) -> None:
    """CI gate: exit 1 and list every remaining reference to any old symbol of the manifests."""
    from phasemod import status as status_mod

    found = status_mod.check(state.repo, state.phases(), paths, state.manifests)
    safety = status_mod.safety_findings(state.repo, state.phases())
    for ref in found:
        # One reference per line whatever the names: control characters are escaped.
        click.echo(f"{console.escape(ref.path)}:{ref.line}: {ref.kind.value}: {ref.old}: {console.escape(ref.text)}")
    for finding in safety:
        click.echo(f"{console.escape(finding.path)}:{finding.line}: breaks imports: {console.escape(finding.message)}")
    if found or safety:
        click.echo(f"phasemod check: {len(found)} references remain, {len(safety)} broken names or imports", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo("phasemod check: no references remain")


@cli.command()
@click.argument("phase")
@click.option("--commit", is_flag=True, help="git commit the migration record with the result.")
@click.pass_obj
def validate(state: State, phase: str, commit: bool) -> None:
    """Run PHASE's validation commands and record the result (journal and migration record)."""
    from phasemod import phases as engine_phases

    phases, (chosen,) = state.chosen((phase,))
    _warn_interrupted(state)
    results = engine_phases.validate(state.repo, chosen, commit, phases)
    console.print_validations(results, state.color)
    if any(not r.ok and r.severity == "critical" for r in results):
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("phase", required=False)
@click.option("--run", "run_id", type=click.IntRange(1, 2**63 - 1), help="Roll back one run (see `phasemod log`).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Overwrite files changed since the run.")
@click.option("--commit", is_flag=True, help="git commit the restored files and the migration record.")
@click.pass_obj
def rollback(state: State, phase: str | None, run_id: int | None, yes: bool, force: bool, commit: bool) -> None:
    """Restore exactly what the journal recorded for PHASE (or one --run)."""
    from phasemod import phases as engine_phases

    if (phase is None) == (run_id is None):
        raise UsageError("name a PHASE or pass --run ID (not both)")
    try:
        phases = state.phases()
    except EngineError as exc:   # rollback needs only the journal
        phases = None
        click.echo(f"phasemod: manifests not usable ({console.escape(str(exc).splitlines()[0])}); rolling back "
                   "from the journal alone", err=True)
    number = engine_phases.phase_number(phases, phase, state.repo) if phase is not None else None
    _warn_interrupted(state)
    preview = engine_phases.rollback_plan(state.repo, phases, number, run_id)
    console.print_rollback_plan(preview, state.color, force)
    if not preview.items and not preview.stray_temps:
        return
    # Only no-ops (rows a killed run left pending) or temp files: settle them unasked.
    asking = bool(preview.changes) and (force or not preview.conflicts)   # unforced conflicts: nothing written
    if not yes and asking:
        if not sys.stdin.isatty():
            raise UsageError("no terminal to confirm on: pass --yes")
        click.confirm("Roll back these files?", abort=True)
    result = engine_phases.rollback(state.repo, phases, number, run_id, force, commit)
    console.print_rollback_result(result, state.color)
    if not result.ok:
        sys.exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("phase", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema in docs/journal.md).")
@click.pass_obj
def log(state: State, phase: str | None, as_json: bool) -> None:
    """The journal: runs, files, hunks and decisions, validations, rollbacks."""
    from phasemod import phases as engine_phases

    number = engine_phases.phase_number(state.phases(), phase) if phase else None
    _warn_interrupted(state)
    data = engine_phases.journal_log(state.repo, number)
    if as_json:
        click.echo(json.dumps(data, indent=1, default=str))
    else:
        console.print_log(data, state.color)


@cli.command()
@click.option("--html", "html_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Write the self-contained HTML dashboard here.")
@click.option("--from", "from_", is_flag=True,
              help="Build it from the FILES given (`status --json` outputs of CI shards), not the tree.")
@click.argument("from_files", nargs=-1, metavar="[FILES]...", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def report(state: State, html_file: Path, from_: bool, from_files: tuple[Path, ...]) -> None:
    """One self-contained HTML page: progress per phase and kind, what remains, history."""
    from phasemod import htmlreport

    if from_files and not from_:
        raise UsageError("report takes files only with --from (report --html out.html --from shard-*.json)")
    if from_:
        from datetime import datetime, timezone

        from phasemod import status_merge

        data = htmlreport.ReportData(state.repo.name, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                                     status_merge.load(from_files))
    else:
        data = htmlreport.collect(state.repo, state.phases())
    page = htmlreport.render(data)
    html_file.write_text(page, encoding="utf-8")
    click.echo(f"phasemod report: wrote {html_file} ({len(page) // 1024} KiB)")


@cli.command("recipes")
@click.argument("names", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema in docs/cli.md).")
def list_recipes(names: tuple[str, ...], as_json: bool) -> None:
    """The recipes a manifest can name: id, what they read, description, options."""
    from phasemod import catalog

    recipes = [catalog.get(name) for name in names] if names else list(catalog.builtin().values())
    found = [catalog.describe(r) for r in recipes]
    if as_json:
        click.echo(json.dumps(found, indent=1))
    else:
        console.print_recipes(found)


@cli.group()
def journal() -> None:
    """The local journal: merge other clones' journals (CI shards) into it."""


@journal.command("merge")
@click.argument("journals", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def journal_merge(state: State, journals: tuple[Path, ...]) -> None:
    """Add the runs, files, hunks and validations of JOURNALS to this clone's journal, so
    that `rollback PHASE` here undoes every shard's files."""
    from phasemod import journal_merge as merging

    result = merging.merge(state.repo, journals)
    for source, old, new in result.runs:
        click.echo(f"{source}: run {old} -> run {new}")
    counts = ", ".join(f"{n} {table}" for table, n in result.counts.items())
    click.echo(f"phasemod journal merge: added {counts} to {result.journal}")


@cli.command()
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path),
              help="Copy the sample here (must not exist) and keep it.")
@click.pass_obj
def demo(state: State, keep: Path | None) -> None:
    """Migrate the bundled sample repository in a temporary directory and show the result."""
    from phasemod import demo as demo_mod

    sys.exit(demo_mod.run(keep, color=state.color, echo=click.echo))


def _warn_interrupted(state: State) -> None:
    from phasemod import phases as engine_phases

    for text in engine_phases.notice_interrupted(state.repo):
        click.echo(f"phasemod: {console.escape(text)}", err=True)


def main() -> None:
    cli(prog_name="phasemod")


if __name__ == "__main__":
    main()
