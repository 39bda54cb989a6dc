"""make bench: time the plugin's algorithms against the chain of native QGIS steps they replace.

Every case is a module in scripts/bench_cases/ with:
  NAME: str              the case name (for --only)
  DESCRIPTION: str       one line: what is measured
  BASELINE: str          one line: the plain-QGIS chain the baseline runs, or why there is none
  prepare(workdir) -> dict               inputs shared by every run (JSON-serialisable), made once
  ours(workdir, prepared) -> None        the plugin's way (may return the seconds of the part it measures,
                                         or a dict {"seconds": ..., "figures": {label: text}} whose figures
                                         (e.g. the balance a partition reached) are reported with the times)
  baseline(workdir, prepared) -> None    what a QGIS user would otherwise do; or `baseline = None`
  unavailable() -> str | None            optional: a reason to skip the case (e.g. code not there yet)
  NEEDS_GUI: bool                        optional: start QGIS with widgets (offscreen), for docks
  COMPARISONS: dict[str, str]            optional: every function measured besides `ours`, in order, each
                                         with one line on what it does (e.g. {"read_floor": "only reading
                                         the inputs", "baseline": BASELINE}); without it, `baseline` alone
Each measured function runs --repeat times, each time in a fresh Python process that starts QGIS,
Processing and the plugin's provider (staged as it is installed), then times the call alone; its
peak memory is that process's own (ru_maxrss; not that of subprocesses it starts, such as GDAL's
scripts that gdal:* algorithms run). `workdir` is a new empty folder for every call. The report
(command, machine, versions, one table per case) is written to --out;
with --only, the other cases' rows and sections of the existing --out are kept as they were, and the
header says which cases were re-measured when.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import pkgutil
import platform
import re
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
    gui = bool(task["case"]) and bool(getattr(importlib.import_module(f"bench_cases.{task['case']}"), "NEEDS_GUI", False))
    app = QgsApplication([], gui)  # widgets (a dock) need the GUI flavour; offscreen, without a screen
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
    measured = function(task["workdir"], task["prepared"])
    elapsed = time.perf_counter() - started
    # a function that must set things up first (open a dock before filtering it) returns the seconds of the
    # part it measures; otherwise the whole call is timed. A dict may also carry figures to report.
    if isinstance(measured, dict):
        report["figures"] = {str(label): str(text) for label, text in measured.get("figures", {}).items()}
        measured = measured.get("seconds")
    report["seconds"] = float(measured) if isinstance(measured, (int, float)) else elapsed
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
    figures: dict = field(default_factory=dict)  # what the last run reported besides its time

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
    comparison_texts: dict[str, str] = field(default_factory=dict)  # function -> what it does, in order
    ours: Optional[Measure] = None
    others: dict[str, Measure] = field(default_factory=dict)  # function -> its runs, the comparisons
    skipped: Optional[str] = None
    error: Optional[str] = None

    @property
    def baseline(self) -> Optional[Measure]:
        return self.others.get("baseline")


def discover() -> list[Any]:
    import bench_cases

    names = sorted(info.name for info in pkgutil.iter_modules(bench_cases.__path__))
    return [importlib.import_module(f"bench_cases.{name}") for name in names if not name.startswith("_")]


def comparisons(module: Any) -> dict[str, str]:
    """The functions a case measures besides `ours`, each with its one line: COMPARISONS, else the baseline."""
    declared = getattr(module, "COMPARISONS", None)
    if declared is not None:
        return dict(declared)
    return {"baseline": module.BASELINE} if module.baseline is not None else {}


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
            measure.figures = report.get("figures", measure.figures)
            print(f"    {function} run {attempt + 1}: {report['seconds']:.3f} s, {report['peak_mb']:.0f} MB")
        return measure

    def case(self, module: Any) -> CaseResult:
        result = CaseResult(module.NAME, module.DESCRIPTION, module.BASELINE, comparisons(module))
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
            for function in result.comparison_texts:
                result.others[function] = self.measure(module, function, report["prepared"])
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


# --- the report: a header, a summary row and a section per case ---------------------------------

SUMMARY_COLUMNS = ("| case | ours (s) | ours (MB) | baseline (s) | baseline (MB) | ratio | other comparisons |",
                   "|---|---:|---:|---:|---:|---:|---|")
KEPT_ON = "The kept cases were measured on"
REMEASURED = re.compile(r"^- Re-measured on (\S+): (.*) \(`(.*)`\)$")


@dataclass
class Previous:
    """What --only keeps of the report it rewrites: the header's lines, and per case its summary row and section."""
    header: dict[str, str]  # "Command", "Date", "Machine", "Software" -> the whole "- Key: ..." line
    remeasured: list[str]  # the "- Re-measured on ..." lines
    rows: dict[str, str]  # case -> its summary row
    sections: dict[str, str]  # case -> its section, from its "## `case`" heading to the next heading


def read_previous(path: str) -> Optional[Previous]:
    """The report at ``path`` as --only keeps it; None when there is none or it is not one of ours."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    if "## Summary" not in lines:
        return None
    previous = Previous({}, [], {}, {})
    current: Optional[str] = None
    for line in lines:
        heading = re.match(r"^## `([^`]+)`$", line)
        if heading or line.startswith("## "):
            current = heading.group(1) if heading else None
            if current:
                previous.sections[current] = line
            continue
        if current:
            previous.sections[current] += "\n" + line
        elif REMEASURED.match(line):
            previous.remeasured.append(line)
        elif line.startswith("- ") and ":" in line:
            previous.header.setdefault(line[2:].split(":", 1)[0], line)
        elif (row := re.match(r"^\| `([^`]+)` \|", line)):
            previous.rows[row.group(1)] = _padded(line, SUMMARY_COLUMNS[0].count("|"))
    previous.sections = {name: text.rstrip() for name, text in previous.sections.items()}
    return previous


def _padded(row: str, bars: int) -> str:
    """A summary row with empty cells added for columns that a report of an older layout did not have."""
    return row + " |" * max(0, bars - row.count("|"))


def _cell(measure: Optional[Measure]) -> tuple[str, str]:
    return (f"{measure.median_s:.3f}", f"{measure.max_mb:.0f}") if measure else ("–", "–")


def _ratio(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio >= 1 else f"{ratio:.2f}×"


def _label(function: str) -> str:
    return function.replace("_", " ")


def _times(result: CaseResult, function: str) -> str:
    """Their time / our time, and for other comparisons than the baseline also ours as a multiple of theirs."""
    theirs = result.others[function].median_s
    text = _ratio(theirs / result.ours.median_s)
    if function != "baseline":
        text += f" (ours = {result.ours.median_s / theirs:.2f} × the {_label(function)})"
    return text


def summary_row(result: CaseResult) -> str:
    if result.skipped or result.error:
        status = "skipped (see below)" if result.skipped else "**failed** (see below)"
        return f"| `{result.name}` | {status} | | | | | |"
    ours, base = _cell(result.ours), _cell(result.baseline)
    ratio = _ratio(result.baseline.median_s / result.ours.median_s) if result.baseline else "no baseline"
    others = "; ".join(f"{_label(name)} {measure.median_s:.3f} s, {measure.max_mb:.0f} MB: {_times(result, name)}"
                       for name, measure in result.others.items() if name != "baseline")
    others = f" {others} |" if others else " |"
    return f"| `{result.name}` | {ours[0]} | {ours[1]} | {base[0]} | {base[1]} | {ratio} |{others}"


def section(result: CaseResult) -> str:
    lines = [f"## `{result.name}`", "", result.description, ""]
    if result.skipped:
        return "\n".join(lines + [f"Skipped: {result.skipped}."])
    if result.error:
        return "\n".join(lines + ["Failed:", "", "```", result.error, "```"])
    lines += ["| | time (s), median | memory (MB), peak | runs (s) |", "|---|---:|---:|---|"]
    for label, measure in (("ours", result.ours), *((_label(f), m) for f, m in result.others.items())):
        runs = ", ".join(f"{seconds:.3f}" for seconds in measure.seconds)
        lines.append(f"| {label} | {measure.median_s:.3f} | {measure.max_mb:.0f} | {runs} |")
    for function in result.others:
        lines.append(f"| ratio {_label(function)} / ours | {_times(result, function)} | | |")
    if result.ours.figures:
        lines += ["", "Reached (ours, last run): " + "; ".join(f"{label} {text}"
                                                             for label, text in result.ours.figures.items())]
    texts = dict(result.comparison_texts)
    baseline_text = texts.pop("baseline", result.baseline_text)
    for function, text in texts.items():
        lines += ["", f"{_label(function).capitalize()}: {text}"]
    return "\n".join(lines + ["", f"Baseline: {baseline_text}"])


def header(command: str, startup: dict, measured: list[str], measured_only: bool,
           previous: Optional[Previous]) -> list[str]:
    """The run lines (a full run's command and date; with --only, the kept ones and this re-measurement),
    then this machine and software. ``measured_only``: the run had --only."""
    info = machine()
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    versions = ", ".join(f"{name} {version}" for name, version in startup["versions"].items())
    current = {"Machine": f"- Machine: {info['cpu']}, {info['cores']} cores, {info['memory']} memory, {info['os']}",
               "Software": f"- Software: {versions}"}
    if previous is None or not {"Command", "Date"} <= previous.header.keys():
        where = "from the repository root" + ("" if measured_only else "; `make bench` runs the same")
        runs = [f"- Command: `{command}` ({where})", f"- Date: {now}"]
    else:
        kept = [line for line in previous.remeasured
                if not set(re.findall(r"`([^`]+)`", REMEASURED.match(line).group(2))) <= set(measured)]
        names = ", ".join(f"`{name}`" for name in measured)
        runs = [previous.header["Command"], previous.header["Date"], *kept,
                f"- Re-measured on {now}: {names} (`{command}`)"]
        earlier = previous.header.get(KEPT_ON, "").split(": ", 1)[1:]  # a note of an earlier --only run
        changed = [previous.header[key].split(": ", 1)[1] for key in current
                   if key in previous.header and previous.header[key] != current[key]]
        if earlier or changed:
            current["Kept"] = f"- {KEPT_ON}: {'; '.join(dict.fromkeys(earlier + changed))}"
    return runs + list(current.values()) + [
        f"- QGIS start-up (QgsApplication, Processing, the plugin's provider): {startup['startup_s']:.2f} s, "
        f"{startup['startup_mb']:.0f} MB; not included in any time below"]


def render(results: list[CaseResult], command: str, startup: dict, temp_root: str, order: list[str],
           measured_only: bool = False, previous: Optional[Previous] = None) -> str:
    """The report: ``results`` and, for the other cases of ``order``, what ``previous`` (the report that
    a run with --only, ``measured_only``, rewrites) had of them."""
    measured = {result.name: result for result in results}
    rows = {name: summary_row(result) for name, result in measured.items()}
    sections = {name: section(result) for name, result in measured.items()}
    if previous is not None:
        rows = {**previous.rows, **rows}
        sections = {**previous.sections, **sections}
    names = [name for name in order if name in sections]
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by scripts/bench.py (`make bench`): rewritten on every run, except that a run with "
        "--only keeps the other cases as they were; do not edit it by hand. -->",
        "",
        *header(command, startup, [result.name for result in results], measured_only, previous),
        "",
        "Each function ran several times (`--repeat`, 3 by default; the runs column lists them), each in a fresh "
        "Python process that first started QGIS; **time** is the median wall time of the call alone, **memory** "
        "the largest peak resident set size of those processes (ru_maxrss, so it includes QGIS itself, but not "
        "subprocesses such as the GDAL scripts of gdal:* algorithms). **Ratio** = baseline time / our time: above 1 "
        "means the plugin is faster than doing the same in plain QGIS. A case may also measure other "
        "comparisons (e.g. the read floor: only reading the inputs), each with the same ratio, their time / "
        "our time. All of a case's functions run in the same `make bench`, on the same machine, writing "
        f"under `{temp_root}`.",
        "",
        "## Summary",
        "",
        *SUMMARY_COLUMNS,
        *(rows[name] for name in names if name in rows),
    ]
    for name in names:
        lines += ["", sections[name]]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per measured function (default 3)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this case (repeatable); the other cases in --out are kept as they were")
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
    previous = read_previous(out) if args.only else None
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(render(results, command, startup, os.path.dirname(temp), known, bool(args.only), previous))
    print(f"Wrote {out}" + (", keeping its other cases" if previous else ""))
    return 1 if any(result.error for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
