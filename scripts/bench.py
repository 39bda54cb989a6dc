"""make bench: time the plugin's algorithms against the chain of native QGIS steps they replace.

Every case is a module in scripts/bench_cases/ with:
  NAME: str              the case name (for --only)
  DESCRIPTION: str       one line: what is measured
  BASELINE: str          one line: the plain-QGIS chain the baseline runs, or why there is none
  prepare(workdir) -> dict               inputs shared by every run (JSON-serialisable), made once
  ours(workdir, prepared) -> None        the plugin's way
  baseline(workdir, prepared) -> None    what a QGIS user would otherwise do; or `baseline = None`
  unavailable() -> str | None            optional: a reason to skip the case (e.g. code not there yet)
Each measured function runs --repeat times, each time in a fresh Python process that starts QGIS,
Processing and the plugin's provider (staged as it is installed), then times the call alone; its
peak memory is that process's own (ru_maxrss). `workdir` is a new empty folder for every call.
The report (command, machine, versions, one table per case) is written to --out.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import pkgutil
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any, NoReturn, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = os.path.join(ROOT, "scripts")
sys.path.insert(0, SCRIPTS)


# --- the child process: start QGIS, run one function, report -----------------------------------

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child(task: dict) -> dict:
    """Run in a fresh process: start QGIS, then run `task['function']` of `task['case']` and time it."""
    sys.path.insert(0, task["plugin_parent"])
    sys.path.append("/usr/share/qgis/python/plugins")
    started = time.perf_counter()
    from qgis.core import Qgis, QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    from linzhang_qgis.provider import LinzhangProvider

    provider = LinzhangProvider()  # keep a reference: an unreferenced provider is garbage-collected
    QgsApplication.processingRegistry().addProvider(provider)
    report: dict[str, Any] = {"startup_s": time.perf_counter() - started, "startup_mb": _peak_mb()}
    if task["function"] == "versions":
        import numpy
        from osgeo import gdal

        report["versions"] = {"QGIS": Qgis.QGIS_VERSION, "GDAL": gdal.VersionInfo("RELEASE_NAME"),
                              "Python": platform.python_version(), "numpy": numpy.__version__}
        return report
    case = importlib.import_module(f"bench_cases.{task['case']}")
    if task["function"] == "prepare":
        check = getattr(case, "unavailable", None)
        reason = check() if check else None
        report["skip"] = reason
        report["prepared"] = None if reason else case.prepare(task["workdir"])
        return report
    function = getattr(case, task["function"])
    started = time.perf_counter()
    function(task["workdir"], task["prepared"])
    report["seconds"] = time.perf_counter() - started
    report["peak_mb"] = _peak_mb()
    return report


def run_child(task: dict, scratch: str) -> dict:
    """Run `child(task)` in a new interpreter; raise with its output when it fails."""
    result_path = os.path.join(scratch, "result.json")
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               QGIS_CUSTOM_CONFIG_PATH=os.path.join(scratch, "qgis-config"))
    with open(os.path.join(scratch, "task.json"), "w", encoding="utf-8") as handle:
        json.dump(task, handle)
    process = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", scratch],
                             env=env, capture_output=True, text=True)
    if process.returncode != 0 or not os.path.exists(result_path):
        tail = "\n".join((process.stdout + process.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{task['case']}.{task['function']} failed (exit {process.returncode}):\n{tail}")
    with open(result_path, encoding="utf-8") as handle:
        return json.load(handle)


def child_main(scratch: str) -> NoReturn:
    with open(os.path.join(scratch, "task.json"), encoding="utf-8") as handle:
        task = json.load(handle)
    report = child(task)
    with open(os.path.join(scratch, "result.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle)
    os._exit(0)  # skip QGIS's slow and occasionally crashing teardown; the result is written


# --- the parent: cases, runs, report -----------------------------------------------------------

@dataclass
class Measure:
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max_mb(self) -> float:
        return max(self.peak_mb)


@dataclass
class CaseResult:
    name: str
    description: str
    baseline_text: str
    ours: Optional[Measure] = None
    baseline: Optional[Measure] = None
    skipped: Optional[str] = None
    error: Optional[str] = None


def discover() -> list[Any]:
    import bench_cases

    names = sorted(info.name for info in pkgutil.iter_modules(bench_cases.__path__))
    return [importlib.import_module(f"bench_cases.{name}") for name in names if not name.startswith("_")]


class Runner:
    def __init__(self, temp: str, plugin_parent: str, repeat: int) -> None:
        self.temp, self.plugin_parent, self.repeat = temp, plugin_parent, repeat
        self.count = 0

    def run(self, case: str, function: str, workdir: str = "", prepared: Optional[dict] = None) -> dict:
        self.count += 1
        scratch = os.path.join(self.temp, f"run{self.count:03d}")
        os.makedirs(scratch)
        task = {"case": case, "function": function, "workdir": workdir or os.path.join(scratch, "work"),
                "prepared": prepared, "plugin_parent": self.plugin_parent}
        os.makedirs(task["workdir"], exist_ok=True)
        return run_child(task, scratch)

    def measure(self, module: Any, function: str, prepared: dict) -> Measure:
        measure = Measure()
        for attempt in range(self.repeat):
            report = self.run(module.__name__.rsplit(".", 1)[-1], function, prepared=prepared)
            measure.seconds.append(report["seconds"])
            measure.peak_mb.append(report["peak_mb"])
            print(f"    {function} run {attempt + 1}: {report['seconds']:.3f} s, {report['peak_mb']:.0f} MB")
        return measure

    def case(self, module: Any) -> CaseResult:
        result = CaseResult(module.NAME, module.DESCRIPTION, module.BASELINE)
        print(f"{module.NAME}: {module.DESCRIPTION}")
        try:
            data_dir = os.path.join(self.temp, f"data-{module.NAME}")
            os.makedirs(data_dir)
            report = self.run(module.__name__.rsplit(".", 1)[-1], "prepare", workdir=data_dir)
            if report["skip"]:
                result.skipped = report["skip"]
                print(f"  skipped: {result.skipped}")
                return result
            result.ours = self.measure(module, "ours", report["prepared"])
            if module.baseline is not None:
                result.baseline = self.measure(module, "baseline", report["prepared"])
        except RuntimeError as error:
            result.error = str(error)
            print(f"  FAILED: {error}")
        return result


def machine() -> dict[str, str]:
    def first(path: str, key: str) -> str:
        try:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    memory_kb = first("/proc/meminfo", "MemTotal").split()[0]
    try:
        with open("/etc/debian_version", encoding="utf-8") as handle:
            debian = f"Debian {handle.read().strip()}"
    except OSError:
        debian = platform.platform()
    memory = f"{int(memory_kb) / 1024 ** 2:.1f} GiB" if memory_kb.isdigit() else "unknown"
    return {"cpu": first("/proc/cpuinfo", "model name"), "cores": str(os.cpu_count()), "memory": memory,
            "os": f"{debian}, Linux {platform.release()}"}


def _cell(measure: Optional[Measure]) -> tuple[str, str]:
    return (f"{measure.median_s:.3f}", f"{measure.max_mb:.0f}") if measure else ("–", "–")


def render(results: list[CaseResult], command: str, startup: dict, repeat: int, temp_root: str) -> str:
    info = machine()
    versions = ", ".join(f"{name} {version}" for name, version in startup["versions"].items())
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by scripts/bench.py (`make bench`): the whole file is rewritten on every run; "
        "do not edit it by hand. -->",
        "",
        f"- Command: `{command}` (from the repository root; `make bench` runs the same)",
        f"- Date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} memory, {info['os']}",
        f"- Software: {versions}",
        f"- QGIS start-up (QgsApplication, Processing, the plugin's provider): {startup['startup_s']:.2f} s, "
        f"{startup['startup_mb']:.0f} MB; not included in any time below",
        "",
        f"Each function ran {repeat} times, each in a fresh Python process that first started QGIS; **time** is "
        "the median wall time of the call alone, **memory** the largest peak resident set size of those "
        "processes (ru_maxrss, so it includes QGIS itself). **Ratio** = baseline time / our time: above 1 "
        "means the plugin is faster than doing the same in plain QGIS. Both sides run in the same `make bench`, "
        f"on the same machine, writing under `{temp_root}`.",
        "",
        "## Summary",
        "",
        "| case | ours (s) | ours (MB) | baseline (s) | baseline (MB) | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        if result.skipped or result.error:
            status = "skipped (see below)" if result.skipped else "**failed** (see below)"
            lines.append(f"| `{result.name}` | {status} | | | | |")
            continue
        ours, base = _cell(result.ours), _cell(result.baseline)
        ratio = (f"{result.baseline.median_s / result.ours.median_s:.1f}×"
                 if result.baseline and result.ours else "no baseline")
        lines.append(f"| `{result.name}` | {ours[0]} | {ours[1]} | {base[0]} | {base[1]} | {ratio} |")
    for result in results:
        lines += ["", f"## `{result.name}`", "", result.description, ""]
        if result.skipped:
            lines.append(f"Skipped: {result.skipped}.")
            continue
        if result.error:
            lines += ["Failed:", "", "```", result.error, "```"]
            continue
        lines += ["| | time (s), median | memory (MB), peak | runs (s) |", "|---|---:|---:|---|"]
        for label, measure in (("ours", result.ours), ("baseline", result.baseline)):
            if measure:
                runs = ", ".join(f"{seconds:.3f}" for seconds in measure.seconds)
                lines.append(f"| {label} | {measure.median_s:.3f} | {measure.max_mb:.0f} | {runs} |")
        if result.baseline and result.ours:
            lines.append(f"| ratio baseline / ours | {result.baseline.median_s / result.ours.median_s:.1f}× | | |")
        lines += ["", f"Baseline: {result.baseline_text}"]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per measured function (default 3)")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this case (repeatable)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder with every output")
    parser.add_argument("--child", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_main(args.child)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    modules = discover()
    known = [module.NAME for module in modules]
    if args.only:
        unknown = sorted(set(args.only) - set(known))
        if unknown:
            parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(known)}")
        modules = [module for module in modules if module.NAME in args.only]

    import stage

    temp = tempfile.mkdtemp(prefix="linzhang-bench-")
    try:
        plugin_parent = os.path.join(temp, "plugins")
        stage.stage(plugin_parent)  # a snapshot of the plugin, staged as it is installed
        runner = Runner(temp, plugin_parent, args.repeat)
        startup = runner.run("", "versions")
        print(f"QGIS start-up: {startup['startup_s']:.2f} s ({', '.join(map(' '.join, startup['versions'].items()))})")
        results = [runner.case(module) for module in modules]
    finally:
        if args.keep:
            print(f"Outputs kept in {temp}")
        else:
            shutil.rmtree(temp, ignore_errors=True)
    python = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(ROOT) else sys.executable
    out = os.path.abspath(args.out)
    out_shown = os.path.relpath(out, ROOT) if out.startswith(ROOT + os.sep) else out
    shown = [out_shown if arg == args.out else arg for arg in sys.argv[1:]]
    command = shlex.join([python, "scripts/bench.py", *shown])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(render(results, command, startup, args.repeat, os.path.dirname(temp)))
    print(f"Wrote {out}")
    return 1 if any(result.error for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
