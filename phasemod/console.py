"""Terminal presentation for the CLI: tables, coloured diffs, the review prompt, progress.

Part of the command-line layer (it uses Click); the engine never imports it.
"""
from __future__ import annotations

import contextlib
import time
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import click

from phasemod import hunks as hunklib
from phasemod.display import count, escape
from phasemod.keys import shared as terminal_keys
from phasemod.model import FileOutcome, Kind, Status

if TYPE_CHECKING:  # the review machinery is imported only by the commands that review
    from phasemod.applier import PhaseReport
    from phasemod.review import Decision, Prompt

KINDS = [k.value for k in Kind]
HELP = """y - accept this hunk
n - reject this hunk
a - accept this hunk and the rest of this file
d - reject this hunk and the rest of this file
A - accept this hunk and everything left in the phase
q - stop here; decisions so far are kept and recorded (a later run -i resumes)
e - edit the whole hunk in $EDITOR (context, - and + lines, # instructions); the result must
    still parse and keep every name bound, else it is refused and e edits it again
k - go back to the previous hunk (its decision can be changed)
K - go back to the previous undecided hunk
j - leave this hunk undecided, go to the next undecided hunk
J - leave this hunk undecided, go to the next hunk
u - undo the last decision and ask it again (a file already written is restored first)
g - go to hunk N (asks for the number)
/ - go to the next hunk whose diff matches a regular expression (asks for it)
? - this help"""
KEYS = "ynadAqe"   # each is the value of a review.Decision
NAVIGATION_KEYS = "kKjJug/"   # review.Decision values that move (one-by-one review)


def style(text: str, color: bool, **kw: Any) -> str:
    return click.style(text, **kw) if color else text


def render_hunk(prompt: Prompt, color: bool) -> str:
    h = prompt.hunk
    phase = prompt.phase
    more = "+" if prompt.counting else ""   # totals found so far; the engine is still reading
    header = (f"{escape(h.path)} (hunk {prompt.hunk_number}/{prompt.hunk_total}{more}, file {prompt.file_number}/"
              f"{prompt.file_total}{more}, phase {phase.number} {phase.name})")
    if prompt.cluster:   # a split cluster: the numbers count within it
        header = (f"{escape(h.path)} (cluster {prompt.cluster}: hunk {prompt.hunk_number}/{prompt.hunk_total}, "
                  f"file {prompt.file_number}/{prompt.file_total}, phase {phase.number} {phase.name})")
    about = []
    if prompt.kinds:
        about.append(f"kinds: {', '.join(prompt.kinds)}")
    if prompt.cluster_id:
        about.append(f"cluster {prompt.cluster_id}")
    if prompt.decided:
        about.append(f"decided: {prompt.decided}")
    lines = [style(header, color, bold=True) + ("  " + "  ".join(about) if about else "")]
    if prompt.note:
        lines.insert(0, style(f"({escape(prompt.note)})", color, fg="yellow"))
    for line in map(escape, hunklib.unified(h)):
        if line.startswith("@@"):
            lines.append(style(line, color, fg="cyan"))
        elif line.startswith("-"):
            lines.append(style(line, color, fg="red"))
        elif line.startswith("+"):
            lines.append(style(line, color, fg="green"))
        else:
            lines.append(line)
    return "\n".join(lines)


class Reviewer:
    """The interactive `decide` callback: one keypress per hunk on a terminal, one line otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self._refused: tuple[Any, str] | None = None   # (prompt, buffer) of an edit refused as unreadable

    def __call__(self, prompt: Prompt) -> tuple[Decision, str | None]:
        from phasemod.review import Decision

        click.echo(render_hunk(prompt, self.color))
        if prompt.error:
            click.echo(style(f"! {escape(prompt.error)}", self.color, fg="yellow"))
        keys = KEYS + (NAVIGATION_KEYS if prompt.navigation else "")
        choices = ",".join([*KEYS] + ([*NAVIGATION_KEYS] if prompt.navigation else []))
        while True:
            click.echo(f"Apply this hunk [{choices},?]? ", nl=False)
            key = self._key()
            click.echo(key if key else "")
            if key in ("", None):
                return Decision.QUIT, None
            if key == "?":
                click.echo(HELP if prompt.navigation else
                           "\n".join(line for line in HELP.splitlines() if line[:1] not in NAVIGATION_KEYS))
                continue
            decision = Decision(key) if key and key in keys else None
            if decision is None:
                click.echo(f"unknown key {key!r}; ? shows the keys")
                continue
            if decision is Decision.EDIT:
                with terminal_keys().suspended():
                    edited = self._edit(prompt)
                if edited is None:
                    continue
                return decision, edited
            if decision in (Decision.GOTO, Decision.SEARCH):
                question = f"go to hunk (1-{prompt.hunk_total}{'+' if prompt.counting else ''}): " \
                    if decision is Decision.GOTO else "search hunks for (regular expression): "
                answer = terminal_keys().line(question, lambda text: click.echo(text, nl=False))
                if not answer:
                    continue
                return decision, answer
            return decision, None

    def resolve(self, question: Any) -> tuple[str, str | None]:
        """The safety net's question: the decisions for a file would break it."""
        click.echo(style(f"{question.path}: these decisions would break the file:", self.color, fg="yellow",
                          bold=True))
        for p in question.problems:
            click.echo(style(f"  {p.render(question.path)}", self.color, fg="yellow"))
        keys = []
        if question.take is not None:
            click.echo(f"  t - take {_hunks(question.take)} too (what the accepted hunks depend on)")
            keys.append("t")
        click.echo(f"  d - drop {_hunks(question.drop)} too (the accepted hunks that need the rejected ones)")
        click.echo("  e - edit the whole file in $EDITOR")
        click.echo("  q - leave this file unchanged and stop the review")
        click.echo("  T, D - take (or drop) for this file and every later file these decisions would break")
        keys += ["d", "e", "q", "T", "D"]
        while True:
            click.echo(f"Keep the file whole [{','.join(keys)},?]? ", nl=False)
            key = self._key()
            click.echo(key if key else "")
            if key in ("", None, "q"):
                return "quit", None
            if key == "t" and "t" in keys:
                return "take", None
            if key == "d":
                return "drop", None
            if key in ("T", "D"):
                return ("take-all" if key == "T" else "drop-all"), None
            if key == "e":
                try:
                    with terminal_keys().suspended():
                        edited = click.edit(question.text, extension=".py", require_save=False)
                except click.ClickException as exc:
                    click.echo(style(f"! the editor failed: {exc.format_message()}", self.color, fg="yellow"))
                    continue
                if edited is None or not edited.strip():
                    click.echo(style("! the edit was empty or cancelled", self.color, fg="yellow"))
                    continue
                return "edit", edited
            click.echo("t/d accept or reject the listed hunks as well, T/D also for every later file, e edits "
                       "the file, q leaves it unchanged; a file is never written with a name or import it breaks")

    def _key(self) -> str:
        """One key, in the order typed (phasemod/keys.py): Ctrl-C raises KeyboardInterrupt
        (the run stops, 130), Ctrl-D or the end of input is "" (as `q`)."""
        return terminal_keys().key()

    def _edit(self, prompt: Prompt) -> str | None:
        """`e`: the whole hunk in $EDITOR as `git add -p` shows it (context, `-` and `+`
        lines, `#` instructions); the new lines as edited, or None (cancelled, failed or
        refused: the key is asked again, and `e` starts from the refused buffer)."""
        from phasemod import hunkedit

        refused = self._refused
        self._refused = None
        if refused is not None and refused[0] is prompt:
            start = refused[1]
        else:
            start = hunkedit.buffer(prompt.hunk, prompt.error)
        try:
            edited = click.edit(start, extension=".diff", require_save=False)
        except click.ClickException as exc:
            click.echo(style(f"! the editor failed: {exc.format_message()}", self.color, fg="yellow"))
            return None
        if edited is None:
            return None
        try:
            after = hunkedit.parse(prompt.hunk, edited)
        except hunkedit.EditError as exc:
            # Offered again from what was written, the reason on top.
            kept = "".join(line for line in edited.splitlines(True) if not line.startswith("# refused: "))
            self._refused = (prompt, "".join(f"# refused: {line}\n" for line in str(exc).splitlines()) + kept)
            click.echo(style(f"! the edit was refused: {escape(str(exc))}; e edits it again, the other keys decide "
                             "about the proposed hunk", self.color, fg="yellow"))
            return None
        if after is None:
            # As in `git add -p`, an emptied buffer cancels the edit: an editor that
            # crashed and truncated its file must not turn code into blank lines.
            click.echo(style("! the edited hunk was empty; the edit is cancelled", self.color, fg="yellow"))
            return None
        return after


def _hunks(numbers: Sequence[int]) -> str:
    return ("hunk " if len(numbers) == 1 else "hunks ") + ", ".join(str(n) for n in numbers)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside: SIGTERM (and SIGINT) raise KeyboardInterrupt in this process, so a
    run stops cleanly: decisions recorded, the run marked interrupted, no half-written
    file. Worker processes forked meanwhile inherit the handler: there SIGINT is ignored
    (the parent decides) and SIGTERM keeps its default meaning (the pool is closing)."""
    import os
    import signal

    main_pid = os.getpid()

    def handler(signum: int, frame: Any) -> None:
        if os.getpid() == main_pid:
            from phasemod.apply import defer_stop

            if defer_stop():   # a file change in hand finishes first, then the run stops
                return
            raise KeyboardInterrupt
        if signum == signal.SIGTERM:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)

    saved = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)


class Progress:
    """One stderr line per phase: a bar, files done/total, rate and ETA; silent when not
    enabled (no TTY, --json). Redrawn at most ten times a second so it costs nothing."""

    WIDTH = 24

    def __init__(self, enabled: bool, stream: Any = None, clock: Any = time.monotonic) -> None:
        self.enabled = enabled
        self.stream = stream
        self.clock = clock
        self.label = ""
        self.total = 0
        self.done = 0
        self.started = clock()
        self.last = float("-inf")
        self.shown = 0

    def start(self, phase: Any, total: int) -> None:
        """A new phase begins with ``total`` files selected."""
        self.label = f"phase {phase.number}"
        self.total, self.done = total, 0
        self.started, self.last = self.clock(), float("-inf")

    def update(self, outcome: FileOutcome | None = None) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = self.clock()
        if now - self.last < 0.1 and self.done < self.total:
            return
        self.last = now
        self._draw(self.line(now))

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        if self.total:
            filled = min(self.WIDTH, self.WIDTH * self.done // self.total)
            left = max(self.total - self.done, 0)
            eta = _clock_time(left / rate) if rate > 0 else "?"
            return (f"{self.label} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} files  "
                    f"{rate:.0f} files/s  ETA {eta}")
        return f"{self.label} {count(self.done, 'file')}  {rate:.0f} files/s"

    def _draw(self, text: str) -> None:
        pad = " " * max(self.shown - len(text), 0)
        self.shown = len(text)
        click.echo("\r" + text + pad, nl=False, err=self.stream is None, file=self.stream)

    def close(self) -> None:
        if self.enabled and self.shown:
            self._draw("")
            click.echo("\r", nl=False, err=self.stream is None, file=self.stream)


def _clock_time(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


# ---------------------------------------------------------------------------- plan / status

def _kind_table(rows: Sequence[tuple[str, dict[str, int], int]], color: bool) -> list[str]:
    widths = [max(5, max((len(r[0]) for r in rows), default=5))] + [max(len(k), 5) for k in KINDS]
    head = "phase".ljust(widths[0]) + "  " + "  ".join(k.rjust(w) for k, w in zip(KINDS, widths[1:])) + "  total"
    out = [style(head, color, bold=True)]
    for label, counts, total in rows:
        out.append(label.ljust(widths[0]) + "  " + "  ".join(str(counts[k]).rjust(w) for k, w in
                                                            zip(KINDS, widths[1:])) + f"  {total:5d}")
    return out


def print_plan(report: Sequence[Any], color: bool, only: Any = None) -> None:
    rows = [(f"{s.phase.number} {s.phase.name}", s.by_kind, s.remaining) for s in report]
    if only:
        click.echo(f"filter: {escape(only.describe())} (only the references it lets through are counted)")
    for s in report:
        click.echo(f"phase {s.phase.number} {s.phase.name}: {count(s.files, 'file')} selected, "
                   f"{len({r.path for r in s.references})} with references, {count(s.remaining, 'reference')}")
        for path in s.never_selected:
            click.echo(f"  excluded: {path} (phasemod never selects its own manifests)")
    click.echo("\n".join(_kind_table(rows, color)))
    _print_problems(report, color)


def print_status(report: Sequence[Any], color: bool, safety: Sequence[Any] = ()) -> None:
    rows = [(f"{s.phase.number} {s.phase.name}", s.by_kind, s.remaining) for s in report]
    click.echo("\n".join(_kind_table(rows, color)))
    for s in report:
        pct = "unknown (no baseline recorded)" if s.percent is None else f"{s.percent:.1f}%"
        click.echo(f"phase {s.phase.number} {s.phase.name}: {s.state}, {s.remaining} remaining, migrated {pct}")
        for reason in s.problems:
            click.echo(style(f"  partial: {reason}", color, fg="yellow"))
    _print_problems(report, color)
    for finding in safety:
        click.echo(style(f"{finding.path}:{finding.line}: breaks imports: {finding.message}", color, fg="red"))
    from phasemod.status import overall

    baseline, total, percent = overall(report)
    of = "" if percent is None else f", migrated {percent:.1f}% of {baseline}"
    click.echo(style(f"{total} references remain{of}", color, fg="green" if not total else "yellow"))


def _print_problems(report: Sequence[Any], color: bool) -> None:
    for s in report:
        for path, line, error in s.unparseable:
            click.echo(style(f"{escape(path)}:{line}: unparseable: {escape(error)}", color, fg="yellow"))
        for r in s.needs_review:
            click.echo(style(f"{escape(r.path)}:{r.line}: needs review: {escape(r.text)}", color, fg="yellow"))
        for path in s.imports_both:
            click.echo(f"{escape(path)}: imports both the old and the new symbol")


# ---------------------------------------------------------------------------- run

def print_run(report: PhaseReport, color: bool, dry_run: bool = False) -> None:
    p = report.phase
    if report.refused:
        click.echo(style(f"phase {p.number} {p.name}: refused: {escape(report.refused)}", color, fg="red"))
        return
    if dry_run:
        for diff in report.diff:
            # Lines end at "\n" only (a lone "\r" inside a line is escaped, never a break).
            for line in (escape(raw.removesuffix("\r")) for raw in diff.removesuffix("\n").split("\n")):
                fg = "red" if line.startswith("-") and not line.startswith("---") else \
                    "green" if line.startswith("+") and not line.startswith("+++") else None
                click.echo(style(line, color, fg=fg) if fg else line)
    from phasemod.applier import decision_counts

    counts = {s: sum(1 for o in report.outcomes if o.status is s) for s in Status}
    verb = "would change" if dry_run else "changed"
    changed = counts[Status.CHANGED] if dry_run else len(report.applied) - len(report.deleted)
    hunks = f"{count(report.accepted_hunks, 'hunk')} proposed" if dry_run else decision_counts(report)
    click.echo(style(f"phase {p.number} {p.name}: {count(report.selected, 'file')} selected, {changed} {verb}, "
                      f"{len(report.deleted)} {'to delete' if dry_run else 'deleted'}, {hunks}, "
                      f"{counts[Status.FAILED]} failed", color, bold=True))
    left_out, undecided = getattr(report, "left_out", 0), getattr(report, "undecided", 0)
    if left_out:
        click.echo(style(f"  {count(left_out, 'hunk')} left out by the filter: undecided, a later `phasemod run "
                          f"{p.number} -i` asks them", color, fg="yellow"))
    if undecided:
        click.echo(style(f"  {count(undecided, 'hunk')} left undecided by a cluster edit (listed above): a later "
                          f"`phasemod run {p.number} -i` asks them", color, fg="yellow"))
    for finding in report.findings:
        click.echo(style(escape(finding.render()), color, fg="yellow"))
    for note in report.notes:
        click.echo(f"safety net: {escape(note)}")
    for finding in report.after:
        click.echo(style(f"after the phase: {escape(finding.render())}", color, fg="red"))
    for ref in report.blocked_by:
        click.echo(f"  {escape(ref.path)}:{ref.line}: {ref.kind.value}: {escape(ref.text)}")
    for v in report.validations:
        state = "ok" if v.ok else ("timed out" if v.timed_out else f"exit {v.exit_code}")
        click.echo(f"  validate [{v.severity}] {escape(v.command)}: {state} ({v.duration:.1f}s)")
        _print_tail(v)
    if report.partial and not report.quit:
        click.echo(style(f"phase {p.number} {p.name}: partial (not every file, deletion or hunk went through, as "
                          "listed above); later phases wait until a run of this phase goes through",
                          color, fg="yellow"))
    if report.validation_failed:
        if report.rolled_back:
            click.echo(style(f"phase {p.number}: critical validation failed; the phase was rolled back", color,
                              fg="red"))
        elif p.on_failure == "rollback":
            click.echo(style(f"phase {p.number}: critical validation failed and the rollback met conflicts; "
                              f"see `phasemod rollback {p.number}`", color, fg="red"))
        else:
            click.echo(style(f"phase {p.number}: critical validation failed; the phase stays applied "
                              f"(on_failure: stop): fix and `phasemod validate {p.number}`, or "
                              f"`phasemod rollback {p.number}`", color, fg="red"))
    if report.validation_skipped:
        click.echo(f"  validation skipped: {report.validation_skipped}")
    if report.quit:
        what = "interrupted" if report.interrupted else "stopped"
        click.echo(f"{what}; every decision is recorded; `phasemod run {p.number} -i` resumes where you left off")


TAIL_LINES = 20


def _print_tail(v: Any) -> None:
    """A failed validation shows the end of its output (the journal keeps the whole tail)."""
    if not v.ok and v.output_tail:
        lines = v.output_tail.rstrip("\n").splitlines()[-TAIL_LINES:]
        click.echo(f"    last {len(lines)} lines of output:")
        click.echo("\n".join("    | " + escape(line) for line in lines))


def report_json(report: PhaseReport) -> dict:
    return {
        "phase": report.phase.number, "name": report.phase.name, "run_id": report.run_id,
        "selected": report.selected, "applied": report.applied, "deleted": report.deleted,
        "hunks_accepted": report.accepted_hunks, "hunks_edited": report.edited_hunks,
        "hunks_rejected": report.rejected_hunks,
        "outcomes": {s.value: sum(1 for o in report.outcomes if o.status is s) for s in Status},
        "findings": [{"kind": f.kind.value, "path": f.path, "line": f.line, "message": f.message}
                     for f in report.findings],
        "blocked_by": [{"path": r.path, "line": r.line, "kind": r.kind.value} for r in report.blocked_by],
        "validations": [{"command": v.command, "severity": v.severity, "exit_code": v.exit_code,
                         "timed_out": v.timed_out, "duration": round(v.duration, 3), "ok": v.ok}
                        for v in report.validations],
        "rolled_back": report.rolled_back, "quit": report.quit, "interrupted": report.interrupted,
        "refused": report.refused or None, "validation_skipped": report.validation_skipped or None,
        "partial": report.partial,
        "after": [{"path": f.path, "line": f.line, "message": f.message} for f in report.after],
    }


def print_validations(results: Sequence[Any], color: bool) -> None:
    for v in results:
        state = "ok" if v.ok else ("timed out" if v.timed_out else f"exit {v.exit_code}")
        click.echo(style(f"[{v.severity}] {escape(v.command)}: {state} ({v.duration:.1f}s)", color,
                          fg="green" if v.ok else "red"))
        _print_tail(v)
    if not results:
        click.echo("no validation commands in this phase")


def os_error(exc: OSError) -> str:
    """One line for an operating-system refusal that reached the command."""
    import errno

    where = f"{escape(str(exc.filename))}: " if exc.filename else ""
    text = f"{where}{exc.strerror or exc}"
    if exc.errno in (errno.EMFILE, errno.ENFILE):
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return (f"{text} (this process may open {soft}); raise the limit (`ulimit -n 1024`) or pass --jobs 1; "
                "every file written so far is whole and journaled")
    return f"{text}; nothing was left half-written (rerun with --debug for details)"


def print_rollback_plan(plan: Any, color: bool, force: bool = False) -> None:
    """What a rollback restores; with unforced conflicts nothing is written, so the other
    files are listed as what it *would* restore."""
    blocked = bool(plan.conflicts) and not force
    for item in plan.changes:
        if not item.conflict:
            click.echo(f"{'would ' + item.action if blocked else item.action:8s} {escape(item.path)}")
    for temp in plan.stray_temps:
        click.echo(f"remove   {escape(temp)} (temporary file left by a killed write)")
    for item in plan.conflicts:
        click.echo(style(f"conflict {escape(item.conflict)}", color, fg="yellow"))
    if not plan.changes and not plan.stray_temps:
        click.echo("nothing to roll back" if not plan.items else "nothing to restore: every file is as it was")


def print_rollback_result(result: Any, color: bool) -> None:
    if not result.ok:
        click.echo(style(f"{count(len(result.conflicts), 'conflict')}: nothing was rolled back or overwritten; "
                          "use --force to overwrite them", color, fg="red"))
        return
    forced = f" ({count(len(result.conflicts), 'conflicting file')} overwritten)" if result.forced else ""
    click.echo(f"rolled back {count(len(result.done), 'file')}{forced}")
    for kept in getattr(result, "kept", ()):
        click.echo(f"kept     {escape(kept)} (your bytes before the forced rollback)")


def print_recipes(recipes: list[dict]) -> None:
    """`phasemod recipes`: one block per recipe, its options aligned below it."""
    for i, recipe in enumerate(recipes):
        if i:
            click.echo("")
        click.echo(f"{recipe['id']}  ({recipe['reads']})  {recipe['description']}")
        width = max((len(o["name"]) for o in recipe["options"]), default=0)
        for o in recipe["options"]:
            default = "required" if o["required"] else f"default {o['default']}"
            click.echo(f"  {o['name']:<{width}}  {default:<16} {o['doc']}".rstrip())


def print_log(data: dict, color: bool) -> None:
    """The journal, newest last: each run with its files, decisions and validations."""
    for run in data.get("runs", []):
        hunks = run.get("hunks", [])
        outcome_fg = {"applied": "green", "interrupted": "yellow", "rolled-back": "cyan"}.get(run["outcome"], "red")
        state = run.get("state", run["outcome"])
        outcome_fg = "yellow" if state == "partial" else outcome_fg
        click.echo(style(f"run {run['id']}  phase {run['phase']} {run['phase_name']}  ", color, bold=True)
                   + style(state, color, fg=outcome_fg, bold=True)
                   + f"  {run['started']} .. {run.get('ended') or '-'}  pid {run['pid']}")
        click.echo(f"  command: {escape(run['command'])}")
        counts = run["decisions"]
        pending = sum(1 for h in hunks if h["decision"] == "pending")
        click.echo(f"  hunks: {len(hunks) - pending} decided: {counts['accepted']} accepted, {counts['edited']} edited, "
                   f"{counts['rejected']} rejected" + (f", {pending} undone (asked again on resume)" if pending else ""))
        for reason in run.get("problems", []):
            click.echo(f"  partial: {reason}")
        for f in run.get("files", []):
            click.echo(f"  {f['action']:6s} {f['state']:8s} {escape(f['path'])}")
        for v in run.get("validations", []):
            state = "timed out" if v["timed_out"] else f"exit {v['exit_code']}"
            click.echo(f"  validate [{v['severity']}] {escape(v['command'])}: {state} ({v['duration']:.1f}s)")
    for rb in data.get("rollbacks", []):
        conflicts = f", conflicts: {', '.join(rb['conflicts'])}" if rb["conflicts"] else ""
        click.echo(f"rollback {rb['id']} of runs {', '.join(map(str, rb['run_ids']))}: {rb['outcome']}, "
                   f"{count(rb['restored'] or 0, 'file')} restored{conflicts}  {rb['started']}")
    if not data.get("runs"):
        click.echo("the journal is empty")


def clusters_for(repo: Any, phases: Sequence[Any], shard: Any, only: Any = None) -> list[dict]:
    """`plan --clusters`: per phase, its hunks clustered (schema in docs/grouped-review.md).
    The engine's parse also gives `plan`'s counts of the same phases (phasemod.phases.learner)."""
    from phasemod import grouped
    from phasemod.phases import learner

    return [grouped.phase_clusters(repo, phase, shard, only=only or None,
                                   learn=learner(repo, phases, phase)).as_json() for phase in phases]


def print_clusters(data: list[dict], color: bool) -> None:
    for phase in data:
        left_out = f" ({count(phase['left_out'], 'hunk')} left out by the filter)" if phase.get("left_out") else ""
        click.echo(style(f"phase {phase['phase']} {phase['name']}: {count(phase['hunks'], 'hunk')} in "
                          f"{count(phase['decisions'], 'cluster')}{left_out}", color, bold=True))
        for c in phase["clusters"]:
            mark = " (unusual)" if c["unusual"] else ""
            click.echo(f"  {c['id']}  {count(c['size'], 'hunk')} in {count(c['files'], 'file')}{mark}, e.g. "
                       f"{escape(c['paths'][0])}")
            click.echo(f"      {escape(c['edit'])}")
