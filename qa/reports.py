"""Evaluation reports: report.json (everything), report.md (tables), report.html (tables, plots, failures)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

HEADLINE = (
    ("answer_accuracy", "Answer accuracy"),
    ("citation_accuracy", "Citation accuracy"),
    ("hit_at_1", "Retrieval hit@1"),
    ("hit_at_5", "Retrieval hit@5"),
    ("mrr", "Retrieval MRR"),
    ("abstention_precision", "Abstention precision"),
    ("abstention_recall", "Abstention recall"),
    ("false_abstention_rate", "False abstentions"),
    ("unsupported_number_rate", "Unsupported-number rate"),
    ("unsupported_name_answers", "Answers with an unsupported name"),
    ("drop_rate", "Verifier drop rate"),
    ("fallback_rate", "Fallback rate"),
    ("latency_p50_ms", "Latency p50 (ms)"),
    ("latency_p95_ms", "Latency p95 (ms)"),
)


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else str(value)


def _columns(report: dict) -> list[str]:
    return ["ours"] + [c for c in ("fresh", "llm", "baseline") if c in report]


COLUMN_LABELS = {"ours": "tuning set", "fresh": "fresh split", "baseline": "naive baseline"}


def _label(report: dict, column: str) -> str:
    return f"tuning set, --llm {report['llm']['spec']}" if column == "llm" else COLUMN_LABELS[column]


def summary_table(report: dict) -> str:
    """The headline metrics as a Markdown table: the tuning set, the fresh split and the gap between them,
    and the naive baseline when it ran."""
    columns = _columns(report)
    gap = report.get("gap", {})
    header = [_label(report, c) for c in columns] + (["gap (tuning − fresh)"] if gap else [])
    lines = ["| metric | " + " | ".join(header) + " |", "|---|" + "---|" * len(header)]
    for key, label in HEADLINE:
        cells = [_fmt(report[c]["overall"].get(key)) for c in columns]
        if gap:
            cells.append(f"{gap[key]:+.3f}" if key in gap else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def invariance_table(report: dict) -> str:
    """Per perturbation: right answers tried, kept, and the share kept."""
    rows = report.get("invariance") or {}
    lines = ["| perturbation | tried | kept | share kept |", "|---|---|---|---|"]
    for name, row in rows.items():
        lines.append(f"| {name.replace('_', ' ')} | {row['tried']} | {row['kept']} | {_fmt(row['rate'])} |")
    return "\n".join(lines)


def _group_table(groups: dict, title: str) -> str:
    keys = ("cases", "answer_accuracy", "citation_accuracy", "hit_at_5", "abstention_recall", "false_abstention_rate")
    lines = [f"### {title}", "", "| | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for name, metrics in groups.items():
        lines.append(f"| {name} | " + " | ".join(_fmt(metrics.get(k)) for k in keys) + " |")
    return "\n".join(lines)


def failures(report: dict) -> list[dict]:
    return [r for r in report["ours"]["cases"] if not r["answer_correct"] or (r["answerable"] and not r["citation_correct"])]


def render_markdown(report: dict) -> str:
    parts = ["# Evaluation report", "", f"Datasets: {', '.join(report['datasets'])}", "", summary_table(report), "",
             _group_table(report["ours"]["by_persona"], "By persona"), "",
             _group_table(report["ours"]["by_tag"], "By tag"), ""]
    if "fresh" in report:
        parts += [_group_table(report["fresh"]["by_persona"], "Fresh split, by persona"), ""]
    if report.get("invariance"):
        parts += ["## Invariance (share of right answers kept when the question is typed another way)", "",
                  invariance_table(report), ""]
    if report["threshold_failures"]:
        parts += ["## Thresholds not met", ""] + [f"- {f}" for f in report["threshold_failures"]] + [""]
    else:
        parts += ["All thresholds met." if report.get("thresholds") else "No thresholds given.", ""]
    rows = failures(report)
    parts += [f"## Failures ({len(rows)})", ""]
    if rows:
        parts += ["| id | question | expected | got |", "|---|---|---|---|"]
        for r in rows:
            got = r["answer"].replace("|", "\\|").replace("\n", " ")[:200]
            parts.append(f"| {r['id']} | {r['question']} | {', '.join(r['expect']) or '(abstain)'} | {got} |")
    if report["lint"]:
        parts += ["", "## Dataset problems", ""] + [f"- {line}" for line in report["lint"]]
    return "\n".join(parts) + "\n"


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def render_plots(report: dict) -> dict[str, str]:
    """Base64 PNGs: metrics per persona, ours vs baseline, latency histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots = {}
    keys = ["answer_accuracy", "citation_accuracy", "hit_at_5", "abstention_recall"]
    personas = list(report["ours"]["by_persona"])
    fig, ax = plt.subplots(figsize=(8, 3.6))
    width = 0.8 / max(len(personas), 1)
    for i, persona in enumerate(personas):
        values = [report["ours"]["by_persona"][persona].get(k) or 0 for k in keys]
        ax.bar([x + i * width for x in range(len(keys))], values, width, label=persona)
    ax.set_xticks([x + width * (len(personas) - 1) / 2 for x in range(len(keys))], [k.replace("_", " ") for k in keys])
    ax.set_ylim(0, 1.05)
    ax.set_title("Metrics per persona")
    ax.legend(loc="lower right", fontsize=8)
    plots["personas"] = _png(fig)
    plt.close(fig)

    if "baseline" in report:
        keys = ["answer_accuracy", "citation_accuracy", "hit_at_1", "abstention_recall", "unsupported_number_rate"]
        fig, ax = plt.subplots(figsize=(8, 3.6))
        for i, name in enumerate(("ours", "baseline")):
            values = [report[name]["overall"].get(k) or 0 for k in keys]
            ax.bar([x + i * 0.4 for x in range(len(keys))], values, 0.4, label=name)
        ax.set_xticks([x + 0.2 for x in range(len(keys))], [k.replace("_", " ") for k in keys], fontsize=8)
        ax.set_ylim(0, 1.05)
        ax.set_title("Ours vs the naive dense top-k pipeline")
        ax.legend()
        plots["baseline"] = _png(fig)
        plt.close(fig)

    if report.get("invariance"):
        rows = report["invariance"]
        names = [n for n in rows if rows[n]["rate"] is not None]
        fig, ax = plt.subplots(figsize=(8, 3.4))
        bound = report.get("thresholds", {}).get("invariance", {}).get("min", {})
        colours = ["#4c72b0" if rows[n]["rate"] >= bound.get(n, 0) else "#c44e52" for n in names]
        ax.bar(range(len(names)), [rows[n]["rate"] for n in names], color=colours)
        for x, n in enumerate(names):
            if n in bound:
                ax.hlines(bound[n], x - 0.4, x + 0.4, colors="black", linestyles="dashed")
        ax.set_xticks(range(len(names)), [n.replace("_", " ") for n in names], fontsize=8, rotation=20)
        ax.set_ylim(0, 1.05)
        ax.set_title("Invariance: right answers kept under each perturbation (dashed: the gate)")
        plots["invariance"] = _png(fig)
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.hist([r["latency_ms"] for r in report["ours"]["cases"]], bins=30, color="#4c72b0")
    ax.set_xlabel("latency per question (ms)")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    plots["latency"] = _png(fig)
    plt.close(fig)
    return plots


def render_html(report: dict) -> str:
    esc = html.escape
    columns = _columns(report)
    gap = report.get("gap", {})
    head = "".join(f"<th>{html.escape(_label(report, c))}</th>" for c in columns) + ("<th>gap (tuning − fresh)</th>" if gap else "")
    metric_rows = "".join(
        f"<tr><td>{label}</td>" + "".join(f"<td>{_fmt(report[c]['overall'].get(k))}</td>" for c in columns)
        + (f"<td>{gap[k]:+.3f}</td>" if k in gap else ("<td></td>" if gap else "")) + "</tr>"
        for k, label in HEADLINE
    )
    invariance_rows = "".join(
        f"<tr><td>{esc(name.replace('_', ' '))}</td><td>{row['tried']}</td><td>{row['kept']}</td><td>{_fmt(row['rate'])}</td></tr>"
        for name, row in (report.get("invariance") or {}).items()
    )
    invariance = ("<h2>Invariance</h2><p>Share of right answers kept when the question is typed another way.</p>"
                  f"<table><tr><th>perturbation</th><th>tried</th><th>kept</th><th>share kept</th></tr>{invariance_rows}</table>"
                  if invariance_rows else "")
    plots = "".join(f'<img alt="{name} plot" src="data:image/png;base64,{data}">'
                    for name, data in render_plots(report).items())
    failure_rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            esc(r["id"]), esc(r["question"]), esc(", ".join(r["expect"]) or "(abstain)"), esc(r["answer"]),
            "<br>".join(f"[{c['n']}] {esc(c['doc_id'])}: {esc(c['quote'][:160])}" for c in r["citations"]))
        for r in failures(report)
    )
    status = ("<p class=bad>Thresholds not met: " + esc("; ".join(report["threshold_failures"])) + "</p>"
              if report["threshold_failures"] else "<p class=good>All thresholds met.</p>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top;font-size:14px}}img{{display:block;margin:1em 0;max-width:100%}}
.bad{{color:#a00}}.good{{color:#060}}</style></head><body>
<h1>Evaluation report</h1><p>Datasets: {esc(", ".join(report["datasets"]))}; {report["ours"]["overall"]["cases"]} cases.</p>
{status}<table><tr><th>metric</th>{head}</tr>{metric_rows}</table>{invariance}{plots}
<h2>Failures ({len(failures(report))})</h2><table><tr><th>id</th><th>question</th><th>expected</th><th>got</th><th>citations</th></tr>{failure_rows}</table>
</body></html>"""


def write_reports(report: dict, out_dir: Path) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "report.json", out_dir / "report.md", out_dir / "report.html"]
    paths[0].write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    paths[1].write_text(render_markdown(report), encoding="utf-8")
    paths[2].write_text(render_html(report), encoding="utf-8")
    return paths
