"""Print the figures of a `rasa test nlu` output directory compactly.

Usage: python scripts/nlu_report.py var/nlu-results

- Intents: accuracy, macro and weighted F1 (intent_report.json), and the most frequent confusions.
- Entities per extractor (every <Extractor>_report.json): Rasa's token-level F1 per entity type, and the
  micro average over types as the overall figure.
- Entities of the final parse, all extractors together (exact span and type; needs `--successes`, as
  the per-extractor reports only count each extractor's own entities). This is what the dialogue sees.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

NON_LABEL_KEYS = {"accuracy", "micro avg", "macro avg", "weighted avg"}
INTENT_FILES = {"intent_report.json", "response_selection_report.json"}


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def intent_lines(report: dict[str, Any]) -> list[str]:
    macro, weighted = report["macro avg"], report["weighted avg"]
    lines = [
        f"intents: accuracy {report['accuracy']:.3f}  macro F1 {macro['f1-score']:.3f}  "
        f"weighted F1 {weighted['f1-score']:.3f}  ({weighted['support']} examples)"
    ]
    confusions = Counter(
        {
            (intent, other): count
            for intent, row in report.items()
            if intent not in NON_LABEL_KEYS
            for other, count in row.get("confused_with", {}).items()
        }
    )
    if confusions:
        ranked = sorted(confusions.items(), key=lambda item: (-item[1], item[0]))
        worst = ", ".join(f"{a}→{b} ×{n}" for (a, b), n in ranked[:5])
        lines.append(f"  most confused: {worst}")
    return lines


def extractor_reports(results: Path) -> dict[str, dict[str, Any]]:
    return {
        path.name.removesuffix("_report.json"): read_json(path)
        for path in sorted(results.glob("*_report.json"))
        if path.name not in INTENT_FILES
    }


def overall(report: dict[str, Any]) -> float:
    # sklearn writes "accuracy" instead of "micro avg" when the predictions use only the target labels
    if "micro avg" in report:
        return float(report["micro avg"]["f1-score"])
    return float(report["accuracy"])


def final_spans(results: Path) -> dict[str, tuple[int, int, int]] | None:
    """(true positives, predicted, gold) per entity type over the final entities of each message."""
    files = sorted(results.glob("*_successes.json"))
    if not any(path.name != "intent_successes.json" for path in files):
        return None
    messages: dict[str, dict[str, Any]] = {}
    for path in [*files, *results.glob("*_errors.json")]:
        for entry in read_json(path):
            if "predicted_entities" in entry:  # entity files only, not the intent ones
                messages[entry["text"]] = entry
    counts: dict[str, list[int]] = {}
    for entry in messages.values():
        gold = {(e["start"], e["end"], e["entity"]) for e in entry["entities"]}
        predicted = {(e["start"], e["end"], e["entity"]) for e in entry["predicted_entities"]}
        for span in gold | predicted:
            row = counts.setdefault(span[2], [0, 0, 0])
            row[0] += span in gold and span in predicted
            row[1] += span in predicted
            row[2] += span in gold
    return {entity: (tp, pred, gold) for entity, (tp, pred, gold) in counts.items()}


def entity_lines(results: Path) -> list[str]:
    reports = extractor_reports(results)
    spans = final_spans(results)
    labels = {label for report in reports.values() for label in report if label not in NON_LABEL_KEYS}
    types = sorted(labels | set(spans or ()))
    if not types:
        return ["entities: no entity reports"]
    columns = [*reports, *(["final (spans)"] if spans is not None else [])]
    width = max(len(name) for name in [*types, "entity F1"])
    widths = [max(len(name), 6) for name in columns]
    lines = ["entity F1".ljust(width) + "".join(f"  {name}" for name in columns) + "  gold spans"]
    for label in [*types, "overall"]:
        cells: list[float | None] = []
        for report in reports.values():
            cells.append(overall(report) if label == "overall" else report.get(label, {}).get("f1-score"))
        gold = ""
        if spans is not None:
            counts = [spans[t] for t in types if t in spans] if label == "overall" else [spans.get(label, (0, 0, 0))]
            tp, predicted, gold_count = (sum(column) for column in zip(*counts, strict=True))
            cells.append(f1(tp / predicted if predicted else 0.0, tp / gold_count if gold_count else 0.0))
            gold = str(gold_count)
        row = "".join(f"  {'-' if c is None else f'{c:.3f}':>{w}}" for c, w in zip(cells, widths, strict=True))
        lines.append(label.ljust(width) + row + f"  {gold}")
    if spans is None:
        lines.append("(F1 of the final parse needs `rasa test nlu --successes`)")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = Path(argv[1])
    intent_report = results / "intent_report.json"
    if not intent_report.is_file():
        print(f"{intent_report} not found: run `rasa test nlu --out {results}` first", file=sys.stderr)
        return 1
    for line in [*intent_lines(read_json(intent_report)), *entity_lines(results)]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
