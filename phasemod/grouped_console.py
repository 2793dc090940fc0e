"""Terminal presentation of grouped review: the cluster prompt.

Part of the command-line layer (it uses Click); it only shows and asks, the engine
(phasemod.grouped) decides what a key means for the hunks.
"""
from __future__ import annotations

import dataclasses

import click

from phasemod import editwords, hunks as hunklib
from phasemod.console import Reviewer, style
from phasemod.display import count, escape
from phasemod.grouped import ClusterChoice, ClusterEdit, ClusterPrompt
from phasemod.keys import shared as terminal_keys
from phasemod.model import Hunk
from phasemod.review import Prompt

HELP = """y - accept every hunk of this cluster
n - reject every hunk of this cluster
A - accept this cluster and every remaining one
s - split: step through this cluster's hunks one by one (y n a d A q e ?)
e - edit the example hunk in $EDITOR; the same edit is made to every hunk of the cluster
    where it applies cleanly, the others are left undecided (listed) for a later run -i
v - show N more examples with their context (asks N; Enter: 3)
l - list the files (and lines) of this cluster through a pager ($PAGER)
k - go back to the previous cluster (its decision can be changed)
u - undo the last cluster decision and ask it again
g - go to cluster N (asks for the number)
q - stop here; decisions so far are kept and recorded (a later run -i resumes)
? - this help"""
KEYS = {"y": ClusterChoice.ACCEPT, "n": ClusterChoice.REJECT, "s": ClusterChoice.SPLIT, "q": ClusterChoice.QUIT,
        "A": ClusterChoice.ACCEPT_ALL, "k": ClusterChoice.BACK, "u": ClusterChoice.UNDO}
KEY_LIST = "y,n,A,s,e,v,l,k,u,g,q,?"
PATHS_SHOWN = 3
EXAMPLES_SHOWN = 3


def render_example(hunk: Hunk, color: bool) -> list[str]:
    lines = [style(f"{escape(hunk.path)}:{hunk.start}", color, bold=True)]
    for line in map(escape, hunklib.unified(hunk)):
        fg = "cyan" if line.startswith("@@") else "red" if line.startswith("-") else \
            "green" if line.startswith("+") else None
        lines.append(style(line, color, fg=fg) if fg else line)
    return lines


def token_lines(hunk: Hunk, color: bool) -> list[str]:
    """The example's changed lines as a word diff: removed tokens red (`[-...-]` without
    colour), inserted ones green (`{+...+}`), their common indentation removed."""
    lines = [line for line in hunk.before + hunk.after if line.strip()]
    indent = min((len(line) - len(line.lstrip(" ")) for line in lines), default=0)
    hunk = dataclasses.replace(hunk, before=tuple(line[indent:] if line.strip() else line for line in hunk.before),
                               after=tuple(line[indent:] if line.strip() else line for line in hunk.after))
    if color:
        return editwords.token_diff(hunk, lambda t: style(escape(t), True, fg="red", reverse=True),
                                    lambda t: style(escape(t), True, fg="green", reverse=True))
    return [escape(line) for line in editwords.token_diff(hunk)]


def render_cluster(prompt: ClusterPrompt, color: bool, example: int = 0) -> str:
    c, left = prompt.cluster, prompt.hunks
    files = sorted({h.path for h in left})
    mark = style("  UNUSUAL", color, fg="yellow", bold=True) if c.unusual else ""
    earlier = f" ({c.size - len(left)} decided earlier)" if len(left) < c.size else ""
    head = (f"cluster {prompt.number}/{prompt.total} [{c.id}]: {count(len(left), 'hunk')} in "
            f"{count(len(files), 'file')}{earlier}, phase {prompt.phase.number} {prompt.phase.name}, "
            f"{count(prompt.hunks_left, 'hunk')} left")
    decided = f"  decided: {prompt.decided}" if prompt.decided else ""
    lines = [style(head, color, bold=True) + mark + decided, "  edit: " + escape(prompt.words)]
    if prompt.note:
        lines.insert(0, style(f"({escape(prompt.note)})", color, fg="yellow"))
    if prompt.kinds:
        lines.append("  kinds: " + ", ".join(prompt.kinds))
    tokens = token_lines(left[0], color)
    lines.append("  tokens: " + tokens[0])
    lines += ["          " + line for line in tokens[1:]]
    lines.append("  signature: " + escape(c.signature))
    shown = ", ".join(map(escape, files[:PATHS_SHOWN])) + (f" and {len(files) - PATHS_SHOWN} more" if len(files) > PATHS_SHOWN else "")
    lines.append(f"  files: {shown}")
    lines.append(f"example {example % len(left) + 1}/{len(left)}:")
    lines += render_example(left[example % len(left)], color)
    return "\n".join(lines)


def file_list(hunks: tuple[Hunk, ...]) -> str:
    """`path: lines 3, 9` per file, for the pager."""
    lines: dict[str, list[int]] = {}
    for h in hunks:
        lines.setdefault(h.path, []).append(h.start)
    return "\n".join(f"{escape(path)}: {'line' if len(starts) == 1 else 'lines'} {', '.join(map(str, starts))}"
                     for path, starts in sorted(lines.items()))


class ClusterReviewer(Reviewer):
    """The interactive `decide_cluster` callback: one keypress per cluster; `v`, `l` and
    `?` are answered here without deciding anything."""

    def __call__(self, prompt: ClusterPrompt) -> ClusterChoice | tuple[ClusterChoice, str]:  # type: ignore[override]
        example = 0
        click.echo(render_cluster(prompt, self.color, example))
        if prompt.error:
            click.echo(style(f"! {escape(prompt.error)}", self.color, fg="yellow"))
        # The example as a one-by-one prompt: `e` edits it with the one-by-one editor.
        editing = Prompt(prompt.phase, prompt.edited or prompt.hunks[0], 1, len(prompt.hunks), 1, 1,
                         error=prompt.error, cluster=prompt.cluster.id)
        while True:
            click.echo(f"Apply this cluster ({count(len(prompt.hunks), 'hunk')}) [{KEY_LIST}]? ", nl=False)
            key = self._key()
            click.echo(key if key else "")
            if key in ("", None):
                return ClusterChoice.QUIT
            if key == "?":
                click.echo(HELP)
            elif key == "v":
                answer = terminal_keys().line(f"How many examples [{EXAMPLES_SHOWN}]: ",
                                              lambda text: click.echo(text, nl=False))
                if answer is None:
                    continue
                wanted = int(answer) if answer.strip().isdigit() else EXAMPLES_SHOWN
                for _ in range(min(max(wanted, 1), len(prompt.hunks))):
                    example += 1
                    click.echo(f"example {example % len(prompt.hunks) + 1}/{len(prompt.hunks)}:")
                    click.echo("\n".join(render_example(prompt.hunks[example % len(prompt.hunks)], self.color)))
            elif key == "l":
                with terminal_keys().suspended():
                    click.echo_via_pager(file_list(prompt.hunks))
            elif key == "e":
                with terminal_keys().suspended():
                    edited = self._edit(editing)
                if edited is not None:
                    return ClusterChoice.EDIT, edited
            elif key == "g":
                answer = terminal_keys().line(f"go to cluster (1-{prompt.total}): ",
                                              lambda text: click.echo(text, nl=False))
                if answer:
                    return ClusterChoice.GOTO, answer
            elif key in KEYS:
                return KEYS[key]
            else:
                click.echo(f"unknown key {key!r}; ? shows the keys")

    def edited(self, result: ClusterEdit) -> None:
        """What `e` did to the cluster's hunks."""
        click.echo(f"edited {count(len(result.applied), 'hunk')} of cluster {result.cluster.id}")
        if result.left:
            click.echo(style(f"{count(len(result.left), 'hunk')} left undecided (a later run -i asks them):",
                             self.color, fg="yellow"))
            for hunk, why in result.left:
                click.echo(f"  {escape(hunk.path)}:{hunk.start}: {escape(why)}")

