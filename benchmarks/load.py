"""Load benchmark: 10,000 trials of a trivial objective in one experiment, and 200 experiment files.

Measures the peak resident memory of the whole ``tunekit`` process (flat means: 10,000 trials cost about
what 1,000 do) and the per-trial overhead early and late in the run (no slowdown as the journal grows).
Run from the repository root: ``python -m benchmarks.load``; writes ``benchmarks/load_results.json`` and
``benchmarks/RESULTS-load.md``.
"""

from __future__ import annotations

import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPERIMENT = """
import time
from tunekit import tunable, Real

@tunable(space={{"x": Real(0, 1)}}, strategy="random", trials={trials})
def tune_trivial(x):
    return {{"score": x, "t": time.perf_counter()}}
"""


def _run(project: Path, *args: str) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of one ``tunekit`` run in a fresh child process."""
    start = time.perf_counter()
    code = (
        "import resource, subprocess, sys; "
        f"rc = subprocess.run([sys.executable, '-m', 'tunekit', '-q', *{list(args)!r}]).returncode; "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"tunekit failed in {project}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - start, int(done.stdout.strip().splitlines()[-1])


def _project(root: Path, files: int, trials: int) -> Path:
    (root / "experiments").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.tunekit]\n")
    for i in range(files):
        (root / "experiments" / f"exp_{i:03d}.py").write_text(EXPERIMENT.format(trials=trials))
    return root


def _gaps_ms(results: Path, first: slice) -> float:
    trials = json.loads(results.read_text())["experiments"][0]["trials"]
    stamps = [t["metrics"]["t"] for t in trials]
    gaps = [b - a for a, b in itertools.pairwise(stamps)][first]
    return 1000 * statistics.median(gaps)


def main() -> None:
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for trials in (1_000, 10_000):
            project = _project(Path(tmp) / f"one-{trials}", 1, trials)
            wall, rss = _run(project)
            results = project / ".tunekit" / "results.json"
            figures[f"trials_{trials}"] = {
                "wall_s": round(wall, 2), "peak_rss_mib": round(rss / 1024, 1),
                "per_trial_ms_first_1000": round(_gaps_ms(results, slice(0, 1000)), 3),
                "per_trial_ms_last_1000": round(_gaps_ms(results, slice(-1000, None)), 3),
                "results_file_mib": round(results.stat().st_size / 2**20, 2),
            }
            print(trials, figures[f"trials_{trials}"], flush=True)
        project = _project(Path(tmp) / "files-200", 200, 5)
        wall, rss = _run(project)
        figures["files_200"] = {"wall_s": round(wall, 2), "peak_rss_mib": round(rss / 1024, 1)}
        print(200, figures["files_200"], flush=True)
    figures["python"] = sys.version.split()[0]
    (HERE / "load_results.json").write_text(json.dumps(figures, indent=2) + "\n")
    small, large = figures["trials_1000"], figures["trials_10000"]
    lines = [
        "## Load: 10,000 trials and 200 experiment files",
        "",
        "`python -m benchmarks.load` (trivial objective, random search, serial, journal fsynced per trial).",
        "",
        "| run | wall time | peak RSS | per-trial overhead, first 1000 | last 1000 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, row in (("1,000 trials", small), ("10,000 trials", large)):
        lines.append(f"| {name} | {row['wall_s']} s | {row['peak_rss_mib']} MiB | "  # type: ignore[index]
                     f"{row['per_trial_ms_first_1000']} ms | {row['per_trial_ms_last_1000']} ms |")  # type: ignore[index]
    files = figures["files_200"]
    lines.append(f"| 200 files x 5 trials | {files['wall_s']} s | {files['peak_rss_mib']} MiB | | |")  # type: ignore[index]
    (HERE / "RESULTS-load.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
