"""Write N distinct articles (variants of the example) as JSON lines, for trying `khulasa jobs submit`.

python scripts/example_batch.py 100 batch.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "examples" / "syria-iran-talks.ar.txt"


def variant(k: int, lines: list[str]) -> str:
    """Article k: the example's paragraphs rotated by k under a numbered dateline, so each k is new."""
    body = lines[1:]
    shift = k % len(body)
    return "\n".join([lines[0], f"طهران - تحديث {k}:", *body[shift:], *body[:shift]])


def example_lines() -> list[str]:
    return EXAMPLE.read_text(encoding="utf-8").strip().split("\n")


def main() -> None:
    count, out = int(sys.argv[1]), Path(sys.argv[2])
    start = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    lines = example_lines()
    with out.open("w", encoding="utf-8") as f:
        for k in range(start, start + count):
            text = variant(k, lines)
            f.write(json.dumps({"text": text, "ref": f"story-{k:04d}"}, ensure_ascii=False) + "\n")
    print(f"{count} articles in {out}")


if __name__ == "__main__":
    main()
