"""The migration dashboard: one self-contained HTML page (inline CSS and SVG) built from
status, the journal's runs, validations and hunk decisions.

Never fetches or links anything outside the page, never changes the tree, never prints.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from phasemod import scan
from phasemod.select import read_regular
from phasemod.manifest import Phase
from phasemod.model import Hunk
from phasemod.status import KINDS, PhaseStatus, overall, percent_migrated, phase_status

MAX_ROWS = 400          # remaining references listed in the table; the rest are counted
KIND_COLOURS = {"import": "#4c6ef5", "instantiation": "#e8590c", "annotation": "#2f9e44", "reference": "#ae3ec9",
                "string": "#1098ad", "docs": "#868e96"}


@dataclass(frozen=True)
class Point:
    """Percent migrated after one run (or at the start)."""

    when: str
    label: str
    remaining: int
    percent: float


@dataclass
class ReportData:
    repo: str
    generated: str
    statuses: list[PhaseStatus]
    phase_states: dict[int, str] = field(default_factory=dict)
    history: list[Point] = field(default_factory=list)
    validations: list[dict] = field(default_factory=list)
    clusters: dict[int, list[dict]] = field(default_factory=dict)
    removed_by_phase: Counter[int] = field(default_factory=Counter)   # references the journaled runs removed
    safety: list = field(default_factory=list)     # the import safety net's findings (phasemod/aftercheck.py)

    # The same baseline and formula as `status` (phasemod/status.py): one figure everywhere.
    def phase_percent(self, s: PhaseStatus) -> float:
        return s.percent or 0.0

    @property
    def remaining(self) -> int:
        return sum(s.remaining for s in self.statuses)

    @property
    def baseline(self) -> int:
        return overall(self.statuses)[0] or 0

    @property
    def percent(self) -> float:
        return overall(self.statuses)[2] or 0.0


# ---------------------------------------------------------------------------- collecting

def collect(repo: Path, phases: Sequence[Phase]) -> ReportData:
    """Everything the page shows; reads the tree and the journal (if there is one)."""
    from phasemod import state
    from phasemod.journal import Journal

    from phasemod import recording

    from phasemod.aftercheck import findings as safety_findings

    statuses = phase_status(repo, phases)
    data = ReportData(repo.name, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), statuses)
    data.safety = safety_findings(repo, phases)
    # The committed migration record is the shared truth; the journal only where it is silent.
    shared = recording.status_json(repo, phases, recording.journal_states(repo, phases), statuses)
    data.phase_states = {n: "stale" if r["stale"] else "disagrees" if r["disagrees"] else r["state"]
                         for n, r in shared.items() if r["state"]}
    if state.journal_path(repo, create=False) is None:
        return data
    with Journal.open(repo, create=False) as journal:
        log = journal.log()
        data.history, data.removed_by_phase = history(repo, phases, journal, data.remaining,
                                                        overall(statuses)[0])
    names = {p.number: p.name for p in phases}
    for run in log["runs"]:
        for v in run["validations"]:
            data.validations.append(dict(v, run=run["id"], phase=run["phase"], phase_name=names.get(run["phase"], "")))
    data.clusters = clusters_by_phase(log["runs"])
    return data


def history(repo: Path, phases: Sequence[Phase], journal, remaining_now: int,
            baseline: int | None = None) -> tuple[list[Point], Counter[int]]:
    """Percent migrated after each run, oldest first. Each journaled file is scanned as it
    was before the run and as the next run (or the tree today) found it; what a run removed
    is the difference, and the start is today's count plus everything removed since."""
    runs = [r for r in journal.runs() if r.outcome != "dry-run"]
    if not runs:
        return [], Counter()
    records = journal.files([r.id for r in runs], with_content=True)
    targets = scan.targets_of(phases)
    roots = scan.source_roots_of(phases)

    memo = _CountCache.load(repo, targets, roots)

    def count(path: str, content: bytes | None) -> int:
        if not content:
            return 0
        chosen = scan.split_by_reader(path, targets)
        if not chosen:
            return 0
        key = (path, hashlib.blake2b(content, digest_size=16).hexdigest())
        if key not in memo.counts:
            memo.counts[key] = len(scan.scan_file(repo, path, chosen, roots, content).references)
            memo.dirty = True
        return memo.counts[key]

    removed: Counter[int] = Counter()    # run id -> references it removed
    by_path: dict[str, list] = {}
    for record in records:
        by_path.setdefault(record.path, []).append(record)
    for path, chain in by_path.items():
        for i, record in enumerate(chain):
            if record.state != "applied":
                continue  # pending, or restored by a rollback: it removed nothing that lasted
            if i + 1 < len(chain):
                after = chain[i + 1].content_before
            else:
                try:
                    after = read_regular(repo / path)
                except OSError:
                    after = None
            removed[record.run_id] += count(path, record.content_before) - count(path, after)
    memo.save()
    start = remaining_now + sum(removed.values())
    # Percents against the recorded baseline, as `status` prints them, so the last point
    # is the page's and status's figure.
    base = start if baseline is None else baseline
    points = [Point(runs[0].started, "start", start, percent_migrated(base, start) or 0.0)]
    left = start
    for run in runs:
        left -= removed[run.id]
        points.append(Point(run.ended or run.started, f"run {run.id} (phase {run.phase})", left,
                            percent_migrated(base, left) or 0.0))
    by_phase: Counter[int] = Counter()
    for run in runs:
        by_phase[run.phase] += removed[run.id]
    return points, by_phase


@dataclass
class _CountCache:
    """Reference counts of journaled file contents, keyed by path and content hash: a
    content never changes, so a count is computed once per set of targets. Kept as JSON
    in .phasemod and every entry checked on load (a bad file only costs a rescan)."""

    name: str | None
    repo: Path
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    dirty: bool = False

    @classmethod
    def load(cls, repo: Path, targets: Sequence[scan.Target], roots: tuple[str, ...]) -> "_CountCache":
        from phasemod import state

        key = hashlib.sha256(repr(([(t.recipe.id, repr(t.options)) for t in targets], roots)).encode()).hexdigest()[:16]
        cache = cls(state.cache_name("history", key), repo)
        data = state.read_file(repo, cache.name)
        if data:
            cache.counts = _valid_counts(data)
        return cache

    def save(self) -> None:
        from phasemod import state

        if self.dirty and self.name is not None:
            rows = [[path, digest, count] for (path, digest), count in self.counts.items()]
            state.write_file(self.repo, self.name, json.dumps({"schema": 1, "counts": rows}).encode())


def _valid_counts(data: bytes) -> dict[tuple[str, str], int]:
    try:
        loaded = json.loads(data)
    except ValueError:
        return {}
    if not isinstance(loaded, dict) or loaded.get("schema") != 1 or not isinstance(loaded.get("counts"), list):
        return {}
    out: dict[tuple[str, str], int] = {}
    for row in loaded["counts"]:
        if not (isinstance(row, list) and len(row) == 3 and isinstance(row[0], str) and isinstance(row[1], str)
                and re.fullmatch(r"[0-9a-f]{32}", row[1]) and type(row[2]) is int and row[2] >= 0):
            return {}
        out[(row[0], row[1])] = row[2]
    return out


def clusters_by_phase(runs: list[dict]) -> dict[int, list[dict]]:
    """Per phase, its journaled hunks grouped into clusters, with the decisions taken."""
    from phasemod import clusters

    out: dict[int, list[dict]] = {}
    for phase in sorted({r["phase"] for r in runs}):
        rows = [h for r in runs if r["phase"] == phase for h in r["hunks"]]
        hunks, decisions = [], {}
        for n, row in enumerate(rows):
            hunk = Hunk(row["path"], n, 0, tuple(row["before"].splitlines(True)), tuple(row["after"].splitlines(True)))
            hunks.append(hunk)
            decisions[id(hunk)] = row["decision"]
        out[phase] = [{"id": c.id, "signature": c.signature, "size": c.size, "unusual": c.unusual,
                       "decisions": dict(Counter(decisions[id(h)] for h in c.hunks))}
                      for c in clusters.cluster(hunks)]
    return out


# ---------------------------------------------------------------------------- rendering

def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--bg:#f5f7fa;--card:#fff;--ok:#2f9e44;--warn:#e67700;--bad:#c92a2a;
--accent:#3b5bdb}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--ink);background:var(--bg)}header{background:#1b2a4e;color:#fff;padding:22px 32px}
header h1{margin:0;font-size:22px;font-weight:600}header p{margin:4px 0 0;color:#c5d0e6}
main{max-width:1180px;margin:0 auto;padding:20px 32px 48px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 22px;margin:18px 0}
h2{font-size:16px;margin:0 0 12px}.cards{display:grid;grid-template-columns:repeat(5,1fr);gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card .v{font-size:28px;font-weight:700}.card .k{color:var(--muted);font-size:12px;text-transform:uppercase;
letter-spacing:.04em}.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);
vertical-align:top}th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.03em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",
Menlo,monospace;font-size:12.5px}.bar{height:14px;background:#e9ecef;border-radius:7px;overflow:hidden;min-width:160px}
.bar>span{display:block;height:100%;background:linear-gradient(90deg,#37b24d,#2f9e44)}
.pill{display:inline-block;padding:1px 8px;border-radius:9px;font-size:12px;background:#edf2ff;color:#364fc7}
.pill.validated,.pill.applied{background:#ebfbee;color:#2b8a3e}.pill.failed,.pill.interrupted{background:#fff5f5;
color:#c92a2a}.pill.not-run{background:#f1f3f5;color:#495057}.pill.partial{background:#fff9db;color:#e67700}.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}.muted{color:var(--muted)}
.scroll{max-height:420px;overflow:auto}td code{white-space:pre-wrap;word-break:break-all}
td.mono{word-break:break-all}.empty{color:var(--muted);font-style:italic}
"""


def render(data: ReportData) -> str:
    """The whole page as one string: no scripts, no external references."""
    review = [r for s in data.statuses for r in s.needs_review]
    unparseable = [u for s in data.statuses for u in s.unparseable]
    both = [p for s in data.statuses for p in s.imports_both]
    tone = "ok" if not data.remaining else "warn"
    cards = [("percent migrated", f"{data.percent:.1f}%", "overall-percent", tone),
             ("references remaining", data.remaining, "overall-remaining", tone),
             ("needs review", len(review), "overall-review", "warn" if review else "ok"),
             ("unparseable files", len(unparseable), "overall-unparseable", "bad" if unparseable else "ok"),
             ("import old and new", len(both), "overall-both", "warn" if both else "ok")]
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>phasemod report: {_e(data.repo)}</title><style>{CSS}</style></head><body>",
        f"<header><h1>Migration progress: {_e(data.repo)}</h1><p>Generated {_e(data.generated)} by phasemod · "
        f"{len(data.statuses)} phases · {data.baseline} references at the start</p></header><main>",
        "<div class='cards'>",
        *(f"<div class='card'><div class='v {t}' id='{i}'>{_e(v)}</div><div class='k'>{_e(k)}</div></div>"
          for k, v, i, t in cards),
        "</div>",
        _phases(data), "<div class='grid2'>", _kinds(data), _chart(data.history), "</div>",
        _references(data), _review(review, unparseable, both, data.safety), _validations(data.validations),
        _clusters(data), "</main></body></html>",
    ]
    return "\n".join(parts)


def _phases(data: ReportData) -> str:
    rows = []
    for s in data.statuses:
        pct = data.phase_percent(s)
        state = data.phase_states.get(s.phase.number, "not-run")
        rows.append(f"<tr data-phase='{s.phase.number}'><td>{s.phase.number}</td><td>{_e(s.phase.name)}</td>"
                    f"<td><span class='pill {_e(state)}'>{_e(state)}</span></td><td class='n'>{s.files}</td>"
                    f"<td class='n phase-remaining'>{s.remaining}</td><td><div class='bar' title='{pct:.1f}%'>"
                    f"<span style='width:{pct:.1f}%'></span></div></td><td class='n phase-percent'>{pct:.1f}%</td></tr>")
    return ("<section id='phases'><h2>Progress per phase</h2><table><tr><th>#</th><th>phase</th><th>state</th>"
            "<th class='n'>files</th><th class='n'>remaining</th><th>migrated</th><th class='n'>%</th></tr>"
            + "".join(rows) + "</table></section>")


def _kinds(data: ReportData) -> str:
    totals = dict.fromkeys(KINDS, 0)
    for s in data.statuses:
        for k, n in s.by_kind.items():
            totals[k] += n
    top = max(totals.values()) or 1
    rows = "".join(
        f"<tr data-kind='{k}'><td><span class='swatch' style='background:{KIND_COLOURS[k]}'></span>{k}</td>"
        f"<td class='n kind-count'>{n}</td><td style='width:55%'><svg width='100%' height='12' "
        f"viewBox='0 0 100 12' preserveAspectRatio='none' role='img' aria-label='{k}: {n}'>"
        f"<rect width='{100 * n / top:.2f}' height='12' rx='2' fill='{KIND_COLOURS[k]}'/></svg></td></tr>"
        for k, n in totals.items())
    per_phase = "".join(
        f"<tr><td>{s.phase.number}</td>" + "".join(f"<td class='n'>{s.by_kind[k]}</td>" for k in KINDS) + "</tr>"
        for s in data.statuses)
    return ("<section id='kinds'><h2>Remaining by kind</h2><table>" + rows + "</table>"
            "<table style='margin-top:12px'><tr><th>phase</th>" + "".join(f"<th class='n'>{k[:5]}</th>" for k in KINDS)
            + "</tr>" + per_phase + "</table></section>")


def _chart(points: list[Point]) -> str:
    head = "<section id='history'><h2>Percent migrated over time</h2>"
    if not points:
        return head + "<p class='empty'>No runs recorded in the journal yet.</p></section>"
    w, h, left, bottom, top, right = 520, 240, 44, 34, 12, 14
    n = len(points)
    xs = [left + (w - left - right) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [top + (h - top - bottom) * (1 - p.percent / 100) for p in points]
    grid = "".join(f"<line x1='{left}' x2='{w - right}' y1='{top + (h - top - bottom) * (1 - g / 100):.1f}' "
                   f"y2='{top + (h - top - bottom) * (1 - g / 100):.1f}' stroke='#e4e7eb'/>"
                   f"<text x='{left - 6}' y='{top + (h - top - bottom) * (1 - g / 100) + 4:.1f}' font-size='10' "
                   f"text-anchor='end' fill='#616e7c'>{g}%</text>" for g in (0, 25, 50, 75, 100))
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    area = f"{xs[0]:.1f},{h - bottom} " + line + f" {xs[-1]:.1f},{h - bottom}"
    dots = "".join(f"<circle class='point' cx='{x:.1f}' cy='{y:.1f}' r='4' fill='#3b5bdb' data-percent='{p.percent}'>"
                   f"<title>{_e(p.label)}: {p.percent}% ({p.remaining} left) at {_e(p.when)}</title></circle>"
                   for x, y, p in zip(xs, ys, points))
    labels = "".join(f"<text x='{x:.1f}' y='{h - bottom + 16}' font-size='10' text-anchor='middle' fill='#616e7c'>"
                     f"{_e('start' if i == 0 else p.label.split(' ')[1])}</text>"
                     for i, (x, p) in enumerate(zip(xs, points)))
    svg = (f"<svg id='history-chart' viewBox='0 0 {w} {h}' width='100%' role='img' "
           f"aria-label='percent migrated after each run'>{grid}"
           f"<polygon points='{area}' fill='#3b5bdb' fill-opacity='0.12'/>"
           f"<polyline points='{line}' fill='none' stroke='#3b5bdb' stroke-width='2.5'/>{dots}{labels}"
           f"<text x='{(w + left) / 2}' y='{h - 4}' font-size='10' text-anchor='middle' fill='#616e7c'>run</text></svg>")
    last = points[-1]
    return head + svg + f"<p class='muted'>{n - 1} runs; now {last.percent}% ({last.remaining} left).</p></section>"


def _references(data: ReportData) -> str:
    refs = [(s.phase.number, r) for s in data.statuses for r in s.references]
    head = f"<section id='references'><h2>Remaining references ({len(refs)})</h2>"
    if not refs:
        return head + "<p class='empty ok'>None: every reference is migrated.</p></section>"
    rows = "".join(f"<tr><td class='mono'>{_e(r.path)}:{r.line}</td><td>{_e(r.kind.value)}</td><td class='n'>{n}</td>"
                   f"<td><code>{_e(r.text[:140])}</code></td></tr>" for n, r in refs[:MAX_ROWS])
    more = f"<p class='muted'>{len(refs) - MAX_ROWS} more not listed; see <code>phasemod status --json</code>.</p>" \
        if len(refs) > MAX_ROWS else ""
    return (head + "<div class='scroll'><table><tr><th>file:line</th><th>kind</th><th class='n'>phase</th>"
            "<th>source</th></tr>" + rows + "</table></div>" + more + "</section>")


def _review(review: list, unparseable: list, both: list, safety: list = ()) -> str:
    items = [f"<tr class='safety'><td class='mono'>{_e(f.path)}:{f.line}</td><td class='bad'>breaks imports</td>"
             f"<td>{_e(f.message)}</td></tr>" for f in safety]
    items += [f"<tr><td class='mono'>{_e(r.path)}:{r.line}</td><td>needs review</td><td><code>{_e(r.text)}</code>"
             "</td></tr>" for r in review]
    items += [f"<tr><td class='mono'>{_e(p)}:{line}</td><td class='bad'>unparseable</td><td>{_e(err)}</td></tr>"
              for p, line, err in unparseable]
    items += [f"<tr><td class='mono'>{_e(p)}</td><td>imports old and new</td><td></td></tr>" for p in both]
    head = f"<section id='review'><h2>Needs a person ({len(items)})</h2>"
    if not items:
        return head + "<p class='empty'>Nothing to review.</p></section>"
    return head + "<table><tr><th>where</th><th>what</th><th>detail</th></tr>" + "".join(items) + "</table></section>"


def _validations(rows: list[dict]) -> str:
    head = f"<section id='validations'><h2>Validation history ({len(rows)})</h2>"
    if not rows:
        return head + "<p class='empty'>No validation recorded.</p></section>"
    body = "".join(
        f"<tr><td class='n'>{v['run']}</td><td>{v['phase']} {_e(v['phase_name'])}</td><td><code>{_e(v['command'])}"
        f"</code></td><td>{_e(v['severity'])}</td><td class='{'ok' if v['exit_code'] == 0 else 'bad'}'>"
        f"{'timed out' if v['timed_out'] else 'exit ' + str(v['exit_code'])}</td>"
        f"<td class='n'>{v['duration']:.1f}s</td><td class='muted'>{_e(str(v.get('recorded', ''))[:19])}</td></tr>"
        for v in rows)
    return (head + "<table><tr><th class='n'>run</th><th>phase</th><th>command</th><th>severity</th><th>result</th>"
            "<th class='n'>time</th><th>when</th></tr>" + body + "</table></section>")


def _clusters(data: ReportData) -> str:
    head = "<section id='clusters'><h2>Review clusters per phase</h2>"
    if not data.clusters:
        return head + "<p class='empty'>No hunks recorded in the journal yet.</p></section>"
    out = [head]
    for phase, groups in data.clusters.items():
        out.append(f"<h3 style='font-size:14px;margin:14px 0 6px'>phase {phase}: {sum(g['size'] for g in groups)} "
                   f"hunks in {len(groups)} clusters</h3><div class='scroll' style='max-height:260px'><table>"
                   "<tr><th>cluster</th><th class='n'>hunks</th><th>decisions</th><th>edit</th></tr>")
        for g in groups[:40]:
            decided = ", ".join(f"{n} {d}" for d, n in sorted(g["decisions"].items()))
            flag = " <span class='pill'>unusual</span>" if g["unusual"] else ""
            out.append(f"<tr class='cluster'><td class='mono'>{_e(g['id'])}{flag}</td><td class='n'>{g['size']}</td>"
                       f"<td>{_e(decided)}</td><td><code>{_e(g['signature'][:160])}</code></td></tr>")
        out.append("</table></div>")
    return "".join(out) + "</section>"
