"""The cases of `make bench` (scripts/bench.py): one module per algorithm, run in name order.

To add a case, add a module here with NAME, DESCRIPTION, BASELINE (one line: the chain of native
QGIS steps a user would otherwise run, or why there is none), prepare(workdir) -> dict, ours(workdir,
prepared), and baseline(workdir, prepared) or `baseline = None`; optionally unavailable() -> str | None
to skip with a reason; optionally COMPARISONS = {function name: one line} to measure more than the
baseline (forest_loss also measures the read floor). Every function runs in a process where QGIS, Processing (native algorithms)
and the plugin's provider are started; ours/baseline get a new empty folder each time and must write
their outputs there, prepare's dict (JSON-serialisable, e.g. paths of inputs) is passed to both.
LINZHANG_BENCH_SCALE (environment) shrinks or grows the forest-loss images for a quick try.
"""
