"""The chart's rendered examples, deploy/helm/examples/{small,large}.yaml, from its ci values.

    uv run --frozen python scripts/chart_examples.py        # or: make chart-examples

rewrites them; tests/deploy/test_chart_examples.py fails when they are stale, and
tests/deploy/test_checkov.py runs checkov over them. Rendered by Helm's own Go SDK
(helm-python-sdk), as `helm template concord deploy/helm/concord -n concord -f <values>`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import helm_python as helm
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "deploy" / "helm" / "concord"
EXAMPLES = ROOT / "deploy" / "helm" / "examples"
RELEASE = NAMESPACE = "concord"
SOURCES = {
    "small.yaml": CHART / "ci" / "small-values.yaml",
    "large.yaml": CHART / "ci" / "production-values.yaml",
}
REGENERATE = "make chart-examples"


def render(values_file: Path) -> str:
    values = yaml.safe_load(values_file.read_text()) or {}
    with helm.Chart.load(CHART) as chart:
        rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE)
    parts = [
        f"# Rendered from deploy/helm/concord/{values_file.relative_to(CHART)} by "
        f"scripts/chart_examples.py ({REGENERATE}): do not edit by hand.\n"
    ]
    for path, text in sorted(rendered.items()):
        if path.endswith("NOTES.txt"):
            continue
        for document in re.split(r"^---[ \t]*$", text, flags=re.MULTILINE):
            if document.strip():
                parts.append(f"---\n# Source: {path}\n{document.strip()}\n")
    return "".join(parts)


def main() -> int:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for name, values_file in SOURCES.items():
        target = EXAMPLES / name
        target.write_text(render(values_file))
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
