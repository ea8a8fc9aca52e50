"""The limiting-belief detector (bot/coaching/beliefs.py) on the labelled corpus, and its cost.

Quality: precision and recall with the confusion counts, on the held-out fifth of
tests/data/beliefs.tsv (the figure that counts: nothing is tuned on it) and on the rest.
Cost: the CPU time (`time.thread_time`, so other processes on a shared machine don't count) to
decide one message, as background watch decides it (`watch_reading`: the
text capped, made readable, then read), over the corpus and over hostile 40,000-character
messages (`<!` repeated and other pathological inputs).

    .venv/bin/python -m bench.beliefs              # figures and timings
    .venv/bin/python -m bench.beliefs --mistakes   # also list the training part's mistakes

`--mistakes` lists only the training part: the held-out part is measured, never read for tuning.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import ROOT, machine, percentile, print_machine, verdict, write_json

CORPUS = ROOT / "tests" / "data" / "beliefs.tsv"
GOAL_PRECISION = 0.9
GOAL_RECALL = 0.7
GOAL_MESSAGE_S = 0.002
GOAL_HOSTILE_S = 0.050


@dataclass(frozen=True)
class Example:
    belief: bool
    heldout: bool
    source: str
    text: str


def load(path: Path = CORPUS) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("label\t"):
            continue
        label, split, source, text = line.split("\t")
        assert label in ("belief", "other") and split in ("train", "heldout"), line
        examples.append(Example(label == "belief", split == "heldout", source, text.replace("\\n", "\n")))
    return examples


def confusion(examples: list[Example], decide) -> dict:
    tp = fp = fn = tn = 0
    for example in examples:
        said = decide(example.text)
        if said and example.belief:
            tp += 1
        elif said:
            fp += 1
        elif example.belief:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall}


def hostile_messages(length: int = 40_000) -> dict[str, str]:
    """Texts built to make regexes backtrack or scan far: Slack markup that never closes, quotes
    and code fences that never close, one endless sentence, endless words."""
    return {
        "<! repeated": "<!" * (length // 2),
        "<@ repeated": "<@U" * (length // 3),
        "< then | repeated": "<" + "|" * (length - 1),
        "<http: unclosed": "<http://" + "a" * (length - 8),
        "&lt;! repeated": "&lt;!" * (length // 5),
        "quotes never closed": "\"we can't " * (length // 10),
        "``` repeated": "```" * (length // 3),
        "one long sentence": "we can't " + "really " * ((length - 9) // 7),
        "belief words": "impossible never can't no way " * (length // 30),
        "one long word": "a" * length,
        "spaces": " " * length,
        "new lines": "\n" * length,
    }


def timings(texts: list[str], decide, rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        for text in texts:
            started = time.thread_time()
            decide(text)
            seconds.append(time.thread_time() - started)
    return sorted(seconds)


def run(rounds: int = 20, hostile_rounds: int = 5, mistakes: bool = False) -> dict:
    from bot.background.watch import watch_reading

    examples = load()

    def decide(text: str) -> bool:
        return watch_reading(text) is not None

    held = confusion([e for e in examples if e.heldout], decide)
    train = confusion([e for e in examples if not e.heldout], decide)
    if mistakes:
        for e in examples:
            if not e.heldout and decide(e.text) != e.belief:
                print(f"{'missed' if e.belief else 'wrong '}\t{e.source}\t{e.text}")
    per_message = timings([e.text for e in examples], decide, rounds)
    hostile = {name: max(timings([text], decide, hostile_rounds)) for name, text in hostile_messages().items()}
    return {
        "sentences": len(examples),
        "beliefs": sum(e.belief for e in examples),
        "heldout": held,
        "train": train,
        "message_median_s": statistics.median(per_message),
        "message_p99_s": percentile(per_message, 99),
        "message_max_s": per_message[-1],
        "hostile_max_s": hostile,
    }


def report(results: dict) -> bool:
    print(f"corpus: {results['sentences']} sentences, {results['beliefs']} limiting beliefs")
    print("part      TP   FP   FN   TN   precision  recall")
    for part in ("heldout", "train"):
        c = results[part]
        print(f"{part:8} {c['tp']:4} {c['fp']:4} {c['fn']:4} {c['tn']:4}   {c['precision']:9.3f}  {c['recall']:6.3f}")
    held = results["heldout"]
    quality = held["precision"] >= GOAL_PRECISION and held["recall"] >= GOAL_RECALL
    print(f"held-out goal precision ≥ {GOAL_PRECISION}, recall ≥ {GOAL_RECALL}: {verdict(quality)}")
    fast = results["message_p99_s"] <= GOAL_MESSAGE_S
    print(
        f"per message: median {results['message_median_s'] * 1e3:.3f} ms, p99 {results['message_p99_s'] * 1e3:.3f} ms, "
        f"max {results['message_max_s'] * 1e3:.3f} ms (goal p99 ≤ {GOAL_MESSAGE_S * 1e3:.0f} ms): {verdict(fast)}"
    )
    worst = max(results["hostile_max_s"].values())
    for name, seconds in results["hostile_max_s"].items():
        print(f"  hostile 40,000 characters, {name:22}: {seconds * 1e3:7.3f} ms")
    bounded = worst <= GOAL_HOSTILE_S
    print(f"hostile worst {worst * 1e3:.3f} ms (goal < {GOAL_HOSTILE_S * 1e3:.0f} ms): {verdict(bounded)}")
    return quality and fast and bounded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--mistakes", action="store_true", help="list the training part's mistakes")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    print_machine(machine())
    results = run(rounds=args.rounds, mistakes=args.mistakes)
    report(results)
    write_json(args.json, {"machine": machine(), **results})


if __name__ == "__main__":
    main()
