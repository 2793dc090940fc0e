"""Measure phasemod against its floors and baselines on the reference tree, in one run.

    python benchmarks/bench.py [--tree DIR] [--skip-bowler] [--scale 10] [--out FILE]

Generates the reference tree (benchmarks/reference_tree.py) unless --tree names one,
then times each tool in its own process on a fresh copy: wall time, user+sys CPU (its
worker processes included) and peak RSS (the largest single process). Prints a table of
figures and ratios against the issue's targets and writes them as JSON. Never edits the
tree it is given; copies live in a temporary directory that is removed afterwards.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GENERATOR = HERE / "reference_tree.py"
SCORER = HERE / "score_tree.py"
BOWLER = HERE / "bowler_baseline.py"
NEEDLES = (b"ExecutionEngine", b"execution_engine")
SCALED = {"files": 40000, "affected": 10240, "refs": 84080}   # --scale 10 of the defaults
DEFAULTS = {"files": 4000, "affected": 1024, "refs": 8408}


@dataclass
class Measure:
    """One timed command: wall and CPU seconds, the largest process's RSS, its output."""

    name: str
    command: list[str]
    wall: float = 0.0
    cpu: float = 0.0
    rss_mb: float = 0.0
    exit_code: int = 0
    note: str = ""
    stdout: str = field(default="", repr=False)


def measure(name: str, command: list[str], cwd: Path | None = None, env: dict | None = None) -> Measure:
    """Run ``command`` and take its resource usage from wait4: that covers the process
    and every child it waited for (phasemod's pool workers), max RSS of the largest one."""
    out = tempfile.TemporaryFile()
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    return Measure(name, command, round(wall, 2), round(usage.ru_utime + usage.ru_stime, 2),
                   round(usage.ru_maxrss / 1024, 1), proc.returncode, stdout=text)


# ---------------------------------------------------------------------------- trees

def generate(out: Path, scale: int) -> Path:
    sizes = SCALED if scale == 10 else {k: v * scale for k, v in DEFAULTS.items()}
    subprocess.run([sys.executable, str(GENERATOR), str(out),
                    *[f"--{k}={v}" for k, v in sizes.items()]], check=True, stdout=subprocess.DEVNULL)
    return out


def fresh_copy(tree: Path, work: Path, name: str) -> Path:
    """A copy without the answer key, whose manifests carry no validation commands: the
    corpus's own tests are not what is measured, and phase gating then needs only
    "applied" (see docs/performance.md)."""
    dest = work / name
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(tree, dest, symlinks=True, ignore=shutil.ignore_patterns("EXPECTED.json", ".phasemod"))
    for manifest in (dest / "phase_manifests").glob("*.y*ml"):
        text = manifest.read_text(encoding="utf-8")
        manifest.write_text(re.sub(r"(?m)^validate:\n(?:[ \t-].*\n)*", "", text), encoding="utf-8")
    return dest


def affected_files(tree: Path) -> list[str]:
    """.py files whose bytes contain an old name: the superset of affected files that the
    baselines call "filtered"."""
    out = []
    for dirpath, dirnames, names in os.walk(tree):
        dirnames[:] = sorted(d for d in dirnames if d not in (".git", ".phasemod"))
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                with open(path, "rb") as fh:
                    if any(n in fh.read() for n in NEEDLES):
                        out.append(path)
    return out


def tree_digest(tree: Path) -> str:
    """The tree's bytes, phasemod's state and the migration record left out (the record's
    lines carry the time they were written, so two runs never write the same ones)."""
    import hashlib

    h = hashlib.sha256()
    for dirpath, dirnames, names in os.walk(tree):
        dirnames[:] = sorted(d for d in dirnames if d != ".phasemod" and not (
            d == "record" and os.path.basename(dirpath) == "phase_manifests"))
        for name in sorted(names):
            path = os.path.join(dirpath, name)
            h.update(os.path.relpath(path, tree).encode() + b"\0")
            with open(path, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


# ---------------------------------------------------------------------------- floors (own processes)

def floor_parse(list_file: str) -> None:
    """Parse each listed file once with unmodified fissix: a driver built from fissix's own
    Grammar.txt, in a process that never imports phasemod (whose grammar extends fissix)."""
    import fissix
    from fissix import pytree
    from fissix.pgen2 import driver, pgen

    grammar = pgen.generate_grammar(os.path.join(os.path.dirname(fissix.__file__), "Grammar.txt"))
    del grammar.keywords["print"]            # as fissix's python_grammar_no_print_statement
    parser = driver.Driver(grammar, convert=pytree.convert)
    failed = 0
    paths = Path(list_file).read_text(encoding="utf-8").splitlines()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        try:
            parser.parse_string(text, True)
        except Exception:   # fissix's ParseError, TokenError, IndentationError: modern syntax
            failed += 1
    print(json.dumps({"parsed": len(paths), "failed": failed}))


def floor_byte_scan(root: str) -> None:
    """Read every file of the tree and test it for the old names."""
    total = hits = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as fh:
                data = fh.read()
            total += 1
            hits += any(n in data for n in NEEDLES)
    print(json.dumps({"files": total, "matching": hits}))


# ---------------------------------------------------------------------------- phasemod

def phasemod_cmd(repo: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "phasemod.runner", "--repo", str(repo), *args]


def scorer_python() -> str:
    """An interpreter that compiles the tree's 3.12 syntax: PHASEMOD_SCORER_PYTHON, this one,
    python3.13/python3.12 on PATH or under pyenv; else this one (modern files then count as
    unchecked and their references as not migrated)."""
    if os.environ.get("PHASEMOD_SCORER_PYTHON"):
        return os.environ["PHASEMOD_SCORER_PYTHON"]
    if sys.version_info >= (3, 12):
        return sys.executable
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [*map(str, sorted(pyenv.glob("3.1[2-9]*/bin/python3"), reverse=True)),
                  *filter(None, (shutil.which(n) for n in ("python3.13", "python3.12")))]
    for candidate in candidates:
        check = subprocess.run([candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"],
                               capture_output=True)
        if check.returncode == 0:
            return candidate
    return sys.executable


def score(original: Path, migrated: Path) -> dict:
    out = subprocess.run([scorer_python(), str(SCORER), str(original), str(migrated), "--json"],
                         capture_output=True, text=True)
    try:
        data = json.loads(out.stdout)
    except ValueError:
        return {"error": (out.stderr or out.stdout).strip()[-300:]}
    keep = ("true_refs", "migrated", "migrated_pct", "review_refs", "decoys", "decoys_damaged", "broken_files",
            "affected_untouched", "corruption_tokens_added", "expected_deletions_done", "migrated_by_kind", "python")
    return {k: data.get(k) for k in keep}


def first_hunk_seconds(repo: Path) -> float | None:
    """Seconds from start until the first hunk of `run 1 -i` is on a real terminal."""
    return _seconds_to_prompt(repo, ["1", "-i"], r"\[y,n", timeout=120)


def first_cluster_seconds(repo: Path, phase: str) -> float | None:
    """Seconds from start until grouped review (`run PHASE -i`) shows its first cluster,
    after `plan PHASE --clusters` ran on the same unchanged tree."""
    return _seconds_to_prompt(repo, [phase, "-i", "--grouped"], r"Apply this cluster", timeout=600)


def _seconds_to_prompt(repo: Path, run_args: list[str], prompt: str, timeout: int) -> float | None:
    """Seconds from start until `phasemod run RUN_ARGS` shows ``prompt`` on a real terminal
    (then `q`); None without pexpect or when the prompt never came."""
    try:
        import pexpect
    except ImportError:
        return None
    started = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-m", "phasemod.runner", "--repo", str(repo), "--no-color", "run",
                                           *run_args], encoding="utf-8", timeout=timeout, dimensions=(50, 200))
    try:
        child.expect(prompt)
        seconds = time.perf_counter() - started
        child.send("q")
        child.expect(pexpect.EOF)
        return round(seconds, 2)
    except (pexpect.TIMEOUT, pexpect.EOF):
        return None
    finally:
        child.close(force=True)


def cluster_review(tree_args: list[str], work: Path, phase: str = "3") -> dict:
    """On a generated 1,000-file tree: `plan --clusters` against `run --dry-run` of the same
    phase (CPU), then the grouped review's first cluster after that plan."""
    tree = work / "clusters-1000"
    if not tree.exists():
        subprocess.run([sys.executable, str(GENERATOR), str(tree), *tree_args], check=True, stdout=subprocess.DEVNULL)
    out = {}
    repo = fresh_copy(tree, work, "clusters-dry")
    for earlier in range(1, int(phase)):       # the phase's gate: earlier phases applied
        subprocess.run(phasemod_cmd(repo, "run", str(earlier), "--yes", "--no-validate"), capture_output=True)
    dry = measure(f"run {phase} --dry-run", phasemod_cmd(repo, "run", phase, "--dry-run"))
    (repo / ".phasemod").exists() or (repo / ".phasemod").mkdir(mode=0o700)
    plan = measure(f"plan {phase} --clusters", phasemod_cmd(repo, "plan", phase, "--clusters", "--json"))
    again = measure(f"plan {phase} --clusters (again)", phasemod_cmd(repo, "plan", phase, "--clusters", "--json"))
    out["tree"] = " ".join(tree_args)
    out["dry_run_cpu"], out["plan_clusters_cpu"], out["plan_clusters_again_cpu"] = dry.cpu, plan.cpu, again.cpu
    out["first_cluster_s"] = first_cluster_seconds(repo, phase)
    return out


def cluster_decisions(repo: Path) -> dict | str:
    out = subprocess.run(phasemod_cmd(repo, "plan", "--clusters", "--json"), capture_output=True, text=True)
    try:
        data = json.loads(out.stdout)
        return {str(c["phase"]): f"{c['decisions']} decisions / {c['hunks']} hunks" for c in data["clusters"]}
    except (ValueError, KeyError, TypeError):
        return "n/a"


# ---------------------------------------------------------------------------- one size

def bench_tree(tree: Path, work: Path, skip_bowler: bool, jobs: int, with_clusters: bool = True,
               growth_only: bool = False) -> dict:
    """Every measure on ``tree``; ``growth_only`` (the scaled tree): the byte scan, the
    parse floor and `run --jobs 1`, which the growth table compares."""
    results: dict[str, Measure] = {}
    facts: dict = {}
    affected = affected_files(tree)
    list_file = work / "affected.txt"
    list_file.write_text("\n".join(affected), encoding="utf-8")
    facts["affected_py_files"] = len(affected)
    me = str(Path(__file__).resolve())

    # Warm the page cache so no tool pays for the first read.
    floor_scan = measure("byte scan (floor)", [sys.executable, me, "--floor-byte-scan", str(tree)])
    results["byte_scan"] = measure("byte scan (floor)", [sys.executable, me, "--floor-byte-scan", str(tree)])
    results["fissix_floor"] = measure("fissix parse, affected (floor)",
                                      [sys.executable, me, "--floor-parse", str(list_file)])
    del floor_scan

    digests = {}
    for j in ([1] if growth_only else sorted({1, jobs})):
        repo = fresh_copy(tree, work, f"run-j{j}")
        m = measure(f"phasemod run --all --yes --jobs {j}",
                    phasemod_cmd(repo, "run", "--all", "--yes", "--no-validate", f"--jobs={j}"))
        results[f"run_j{j}"] = m
        digests[j] = tree_digest(repo)
        if j == jobs and not growth_only:
            facts["score"] = score(tree, repo)
            facts["run_summary"] = [line for line in m.stdout.splitlines() if line.startswith("phase ")]
            status_repo = repo
    if growth_only:
        shutil.rmtree(work / "run-j1", ignore_errors=True)
        return {"measures": {k: asdict(v) | {"stdout": v.stdout[-400:]} for k, v in results.items()}, "facts": facts,
                "ratios": {"run j1 CPU / fissix floor CPU": round(results["run_j1"].cpu / results["fissix_floor"].cpu, 2),
                           "peak RSS MB (<= 300)": results["run_j1"].rss_mb}}
    facts["jobs_outputs_identical"] = len(set(digests.values())) == 1

    # status before migration: cold (no cache), then warm on the unchanged tree.
    repo = fresh_copy(tree, work, "status")
    (repo / ".phasemod").mkdir(mode=0o700)     # status keeps its caches only where phasemod state exists
    results["status_cold"] = measure("phasemod status (cold)", phasemod_cmd(repo, "status", "--json"))
    results["status_warm"] = measure("phasemod status (warm)", phasemod_cmd(repo, "status", "--json"))
    results["status_cold_migrated"] = measure("phasemod status (migrated, cold)",
                                              phasemod_cmd(status_repo, "status", "--json"))
    results["status_warm_migrated"] = measure("phasemod status (migrated, warm)",
                                              phasemod_cmd(status_repo, "status", "--json"))
    facts["first_hunk_s"] = first_hunk_seconds(fresh_copy(tree, work, "interactive"))
    facts["cluster_decisions"] = cluster_decisions(fresh_copy(tree, work, "clusters"))
    if with_clusters:
        facts["cluster_review"] = cluster_review(["--files", "1000", "--affected", "300", "--refs", "2400"], work)

    if not skip_bowler:
        repo = fresh_copy(tree, work, "bowler")
        results["bowler"] = measure("bowler rename (baseline)",
                                    [sys.executable, str(BOWLER), str(repo)])
        facts["bowler_score"] = score(tree, repo)
    return {"measures": {k: asdict(v) | {"stdout": v.stdout[-400:]} for k, v in results.items()}, "facts": facts,
            "ratios": ratios(results, jobs)}


def ratios(r: dict[str, Measure], jobs: int) -> dict:
    def div(a: float, b: float) -> float | None:
        return round(a / b, 2) if b else None

    run = r.get(f"run_j{jobs}")
    out = {
        "run j1 CPU / fissix floor CPU (<= 0.9)": div(r["run_j1"].cpu, r["fissix_floor"].cpu),
        f"run j{jobs} CPU / fissix floor CPU": div(run.cpu, r["fissix_floor"].cpu),
        f"run wall j{jobs} / j1 (<= 0.6)": div(run.wall, r["run_j1"].wall),
        "status warm CPU / byte scan CPU (<= 1.5)": div(r["status_warm"].cpu, r["byte_scan"].cpu),
        "status warm wall / byte scan wall (<= 1.5)": div(r["status_warm"].wall, r["byte_scan"].wall),
        "peak RSS MB (<= 300)": max(m.rss_mb for k, m in r.items() if k.startswith(("run_", "status"))),
    }
    if "bowler" in r:
        out["bowler CPU / run j1 CPU"] = div(r["bowler"].cpu, r["run_j1"].cpu)
    return out


# ---------------------------------------------------------------------------- output

def table(result: dict, title: str) -> str:
    lines = [f"### {title}", "", "| measure | wall s | user+sys CPU s | peak RSS MB | exit |", "|---|---|---|---|---|"]
    for m in result["measures"].values():
        lines.append(f"| {m['name']} | {m['wall']:.2f} | {m['cpu']:.2f} | {m['rss_mb']:.0f} | {m['exit_code']} |")
    lines += ["", "| ratio (target) | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in result["ratios"].items()]
    f = result["facts"]
    lines += ["", "| fact | value |", "|---|---|"]
    for key in ("affected_py_files", "jobs_outputs_identical", "first_hunk_s", "cluster_decisions", "cluster_review"):
        lines.append(f"| {key} | {f.get(key)} |")
    for key in ("score", "bowler_score"):
        s = f.get(key)
        if isinstance(s, dict) and "true_refs" in s:
            lines.append(f"| {key} | {s['migrated']}/{s['true_refs']} true refs migrated, "
                         f"{s['decoys_damaged']} decoys changed, {s['broken_files']} broken files, "
                         f"review {s['review_refs']}, deletions {s['expected_deletions_done']} |")
        elif s is not None:
            lines.append(f"| {key} | {s} |")
    return "\n".join(lines)


def machine() -> dict:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   "")
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "cpu": cpu,
            "date": time.strftime("%Y-%m-%d %H:%M")}


def growth(small: dict, large: dict, factor: int) -> dict:
    out = {}
    for key in ("run_j1", f"run_j{max(int(k[5:]) for k in small['measures'] if k.startswith('run_j'))}",
                "status_cold", "status_warm", "fissix_floor", "byte_scan"):
        a, b = small["measures"].get(key), large["measures"].get(key)
        if a and b and a["cpu"]:
            out[f"{key} CPU x{factor} files -> x"] = round(b["cpu"] / a["cpu"], 2)
    out[f"peak RSS MB at x{factor}"] = large["ratios"].get("peak RSS MB (<= 300)")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tree", type=Path, help="reuse this reference tree instead of generating one")
    ap.add_argument("--scale", type=int, default=1, help="also repeat at SCALE x the files (10: 40,000 files)")
    ap.add_argument("--skip-bowler", action="store_true", help="leave out Bowler's rename (100-160 s)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the parallel run's --jobs")
    ap.add_argument("--out", type=Path, default=Path("bench-results.json"))
    ap.add_argument("--work", type=Path, help="directory for the copies (default: a temporary one)")
    ap.add_argument("--floor-parse", help=argparse.SUPPRESS)
    ap.add_argument("--floor-byte-scan", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.floor_parse:
        return floor_parse(args.floor_parse)
    if args.floor_byte_scan:
        return floor_byte_scan(args.floor_byte_scan)

    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="phasemod-bench-", dir=args.work))
    try:
        tree = args.tree or generate(work / "reference", 1)
        report = {"machine": machine(), "command": " ".join(["python", "benchmarks/bench.py", *sys.argv[1:]]),
                  "runs": {}}
        report["runs"]["base"] = bench_tree(tree.resolve(), work, args.skip_bowler, args.jobs)
        print(table(report["runs"]["base"], f"{len(list(tree.rglob('*')))} paths: {tree}"), flush=True)
        if args.scale > 1:
            big = generate(work / f"reference-x{args.scale}", args.scale)
            report["runs"][f"x{args.scale}"] = bench_tree(big, work, True, args.jobs, with_clusters=False,
                                                          growth_only=True)
            report["growth"] = growth(report["runs"]["base"], report["runs"][f"x{args.scale}"], args.scale)
            print(table(report["runs"][f"x{args.scale}"], f"x{args.scale}: {big}"))
            print("\n| growth (linear within 15 %: x{0} files -> x{0} +-15 %) | value |\n|---|---|".format(args.scale))
            for k, v in report["growth"].items():
                print(f"| {k} | {v} |")
        m = report["machine"]
        print(f"\nmachine: {m['nproc']} cores, Python {m['python']}, {m['cpu']}; JSON: {args.out}")
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
