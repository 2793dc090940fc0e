"""Terminal presentation of grouped review: the cluster prompt.

Part of the command-line layer (it uses Click); it only shows and asks, the engine
(phasemod.grouped) decides what a key means for the hunks.
"""
from __future__ import annotations

import click

from phasemod import hunks as hunklib
from phasemod.clusters import Cluster
from phasemod.console import Reviewer, style
from phasemod.display import escape
from phasemod.keys import shared as terminal_keys
from phasemod.grouped import ClusterChoice, ClusterPrompt
from phasemod.model import Hunk

HELP = """y - accept every hunk of this cluster
n - reject every hunk of this cluster
s - split: step through this cluster's hunks one by one (y n a d A q e ?)
v - show another example of this cluster
l - list the files (and lines) of this cluster
k - go back to the previous cluster (its decision can be changed)
u - undo the last cluster decision and ask it again
g - go to cluster N (asks for the number)
q - stop here; decisions so far are kept and recorded (a later run -i resumes)
? - this help"""
KEYS = {"y": ClusterChoice.ACCEPT, "n": ClusterChoice.REJECT, "s": ClusterChoice.SPLIT, "q": ClusterChoice.QUIT,
        "k": ClusterChoice.BACK, "u": ClusterChoice.UNDO}
PATHS_SHOWN = 3


def render_example(hunk: Hunk, color: bool) -> list[str]:
    lines = [style(f"{escape(hunk.path)}:{hunk.start}", color, bold=True)]
    for line in map(escape, hunklib.unified(hunk)):
        fg = "cyan" if line.startswith("@@") else "red" if line.startswith("-") else \
            "green" if line.startswith("+") else None
        lines.append(style(line, color, fg=fg) if fg else line)
    return lines


def render_cluster(prompt: ClusterPrompt, color: bool, example: int = 0) -> str:
    c, left = prompt.cluster, prompt.hunks
    files = sorted({h.path for h in left})
    mark = style("  UNUSUAL", color, fg="yellow", bold=True) if c.unusual else ""
    earlier = f" ({c.size - len(left)} decided earlier)" if len(left) < c.size else ""
    head = (f"cluster {prompt.number}/{prompt.total} [{c.id}]: {len(left)} hunks in {len(files)} files{earlier}, "
            f"phase {prompt.phase.number} {prompt.phase.name}, {prompt.hunks_left} hunks left")
    decided = f"  decided: {prompt.decided}" if prompt.decided else ""
    lines = [style(head, color, bold=True) + mark + decided, "  edit: " + escape(c.signature)]
    if prompt.note:
        lines.insert(0, style(f"({escape(prompt.note)})", color, fg="yellow"))
    shown = ", ".join(map(escape, files[:PATHS_SHOWN])) + (f" and {len(files) - PATHS_SHOWN} more" if len(files) > PATHS_SHOWN else "")
    lines.append(f"  files: {shown}")
    lines.append(f"example {example % len(left) + 1}/{len(left)}:")
    lines += render_example(left[example % len(left)], color)
    return "\n".join(lines)


class ClusterReviewer(Reviewer):
    """The interactive `decide_cluster` callback: one keypress per cluster; `v`, `l` and
    `?` are answered here without deciding anything."""

    def __call__(self, prompt: ClusterPrompt) -> ClusterChoice | tuple[ClusterChoice, str]:  # type: ignore[override]
        example = 0
        click.echo(render_cluster(prompt, self.color, example))
        while True:
            click.echo(f"Apply this cluster ({len(prompt.hunks)} hunks) [y,n,s,v,l,k,u,g,q,?]? ", nl=False)
            key = self._key()
            click.echo(key if key else "")
            if key in ("", None):
                return ClusterChoice.QUIT
            if key == "?":
                click.echo(HELP)
            elif key == "v":
                example += 1
                click.echo(f"example {example % len(prompt.hunks) + 1}/{len(prompt.hunks)}:")
                click.echo("\n".join(render_example(prompt.hunks[example % len(prompt.hunks)], self.color)))
            elif key == "l":
                for h in prompt.hunks:
                    click.echo(f"  {escape(h.path)}:{h.start}")
            elif key == "g":
                answer = terminal_keys().line(f"go to cluster (1-{prompt.total}): ",
                                              lambda text: click.echo(text, nl=False))
                if answer:
                    return ClusterChoice.GOTO, answer
            elif key in KEYS:
                return KEYS[key]
            else:
                click.echo(f"unknown key {key!r}; ? shows the keys")
