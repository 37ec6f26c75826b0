"""The benchmark's table (what a person reads) and its JSON file (what docs/PERFORMANCE.md and later runs compare)."""

import json
import os
import platform
from datetime import datetime
from pathlib import Path
from typing import TextIO

from .results import Result

SECTIONS = ["pages", "sweep", "dispatch", "import", "load", "feeds", "mailbox"]


def machine() -> dict:
    """The machine the figures come from: they mean little without it."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def _value(result: Result) -> str:
    value = result.value
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    else:
        text = f"{int(value):,}"
    return f"{text} {result.unit}"


def print_table(results: list[Result], out: TextIO, *, title: str = "") -> None:
    rows = [("section", "figure", "value", "target", "", "note")]
    for r in sorted(results, key=lambda r: SECTIONS.index(r.section) if r.section in SECTIONS else len(SECTIONS)):
        rows.append((r.section, r.name, _value(r), r.target, "met" if r.met else "MISSED", r.note))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    if title:
        out.write(title + "\n")
    for n, row in enumerate(rows):
        cells = [row[i].ljust(widths[i]) if i != 2 else row[i].rjust(widths[i]) for i in range(5)]
        out.write("  ".join(cells) + ("  " + row[5] if row[5] else "") + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths) + "\n")
    missed = [r for r in results if not r.met]
    out.write(f"\n{len(results) - len(missed)} of {len(results)} targets met; {len(missed)} missed.\n")


def write_json(results: list[Result], *, meta: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "meta": {"written_at": datetime.now().isoformat(timespec="seconds"), "machine": machine(), **meta},
        "results": [r.as_dict() for r in results],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str))
    return path


def markdown(data: dict) -> str:
    """A JSON file of the benchmark as Markdown for docs/PERFORMANCE.md: pages one row each, then the rest."""
    meta = data["meta"]
    results = [Result(**r) for r in data["results"]]
    missed = sum(1 for r in results if not r.met)
    lines = [
        f"{meta.get('database_version', meta.get('database', ''))}, {meta['written_at']}; data set built in "
        f"{meta.get('built', {}).get('seconds', '?')} s, whole run {meta.get('seconds', '?')} s; "
        f"{len(results) - missed} of {len(results)} targets met, {missed} missed.",
        "",
        "| page | queries | median | p95 | raw SQL | ratio | missed |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    pages: dict[str, dict[str, Result]] = {}
    for r in results:
        if r.section == "pages":
            page, _, figure = r.name.partition(" · ")
            pages.setdefault(page, {})[figure] = r
    for page, figures in pages.items():
        p95, ratio = figures.get("p95"), figures.get("page/floor")
        queries = figures.get("queries")
        extra = (ratio or p95 or queries or next(iter(figures.values()))).extra
        floor = extra.get("floor_ms")
        misses = [
            f"{name} ({_value(r)})" if name != "status" else f"HTTP {r.value}"
            for name, r in figures.items()
            if not r.met
        ]
        missed_with_why = [r for r in (p95, ratio) if r and not r.met and "bound by" in r.note]
        if missed_with_why:
            misses.append("bound by " + missed_with_why[0].note.rsplit("bound by ", 1)[1])
        median = extra.get("median_ms")
        cells = [
            page,
            str(int(queries.value)) if queries else "–",
            f"{median:.1f} ms" if median is not None else "–",
            f"{p95.value:.1f} ms" if p95 else "–",
            f"{floor:.1f} ms" if floor is not None else "–",
            f"{ratio.value:.1f}" if ratio else "–",
            "; ".join(misses).replace("|", "/"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    computed = [
        (page, figures["computed (first view)"])
        for page, figures in pages.items()
        if "computed (first view)" in figures
    ]
    if computed:
        lines += ["", "| report | computed on its first view, then kept |", "|---|---:|"]
        lines += [f"| {page} | {_value(r)} |" for page, r in computed]
    lines += ["", "| section | figure | value | target | | note |", "|---|---|---:|---|---|---|"]
    for r in results:
        if r.section == "pages":
            continue
        note = r.note.replace("|", "/")
        lines.append(
            f"| {r.section} | {r.name} | {_value(r)} | {r.target} | {'met' if r.met else '**MISSED**'} | {note} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(markdown(json.loads(Path(sys.argv[1]).read_text())))
