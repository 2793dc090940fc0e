"""One count of the decisions: the run summary, `run --json`, `log`, `log --json` and the
report's clusters agree for any sequence of review answers, also when the safety net
re-decides hunks (t, d) and the review stops half-way (q)."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from cli_repo import make_repo, run_cli
from phasemod import htmlreport

# Review keys, the grouped review's `s` (split a cluster) and the safety net's answers;
# anything else is "unknown key", asked again.
ANSWERS = st.lists(st.sampled_from(list("ynadAqstTD") + ["x"]), min_size=0, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=ANSWERS, grouped=st.booleans())
def test_summary_log_and_report_count_the_same(tmp_path_factory, answers: list[str], grouped: bool) -> None:
    base = tmp_path_factory.mktemp("counts")
    repo = make_repo(base / "repo", files=3, uses=2)
    try:
        mode = ["--grouped"] if grouped else []
        result = run_cli(repo, "--no-color", "run", "1", "-i", "--no-validate", *mode,
                         input="".join(a + "\n" for a in answers))
        assert result.exit_code in (0, 1), result.output
        log = json.loads(run_cli(repo, "log", "--json").stdout)
        run = log["runs"][0]
        counts = run["decisions"]
        # log --json: the counts are those of its hunk list, each hunk once
        assert len({h["key"] for h in run["hunks"]}) == len(run["hunks"])
        assert counts == {d: sum(h["decision"] == d for h in run["hunks"]) for d in ("accepted", "edited", "rejected")}
        # the run summary
        summary = re.search(r"(\d+) hunks? accepted(?:, (\d+) edited)?, (\d+) rejected", result.stdout)
        assert summary, result.stdout
        assert (int(summary[1]), int(summary[2] or 0), int(summary[3])) == \
            (counts["accepted"], counts["edited"], counts["rejected"])
        # log (text)
        text = run_cli(repo, "--no-color", "log").stdout
        assert (f"{counts['accepted']} accepted, {counts['edited']} edited, {counts['rejected']} rejected"
                in text), text
        # the report's clusters
        by_cluster = htmlreport.clusters_by_phase(log["runs"])
        reported = {d: sum(c["decisions"].get(d, 0) for c in by_cluster.get(1, [])) for d in counts}
        assert reported == counts
    finally:
        shutil.rmtree(base)


def test_run_json_counts_match_log_after_the_safety_net_drops(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", files=1, uses=2)
    # y on the import, n on both calls: `Old` would stay used without its import; d drops
    # the import change too, so the journal's last word on it is "rejected".
    result = run_cli(repo, "run", "1", "-i", "--no-validate", "--json", input="y\nn\nn\nd\n")
    assert result.exit_code in (0, 1), result.output
    # the review's prompts come first on stdout, the JSON summary last
    data = json.loads(result.stdout[result.stdout.rindex('{\n "phases"'):])["phases"][0]
    log = json.loads(run_cli(repo, "log", "--json").stdout)["runs"][0]
    assert (data["hunks_accepted"], data["hunks_edited"], data["hunks_rejected"]) == (0, 0, 3)
    assert log["decisions"] == {"accepted": 0, "edited": 0, "rejected": 3}
    assert len(log["hunks"]) == 3
