"""Cross-check of the built-in decks (decks/*.yaml), read with plain `yaml.safe_load` so that a
slip in a deck file fails CI even when the project's own loader has a bug.

- every `kind: numeric` item of aws-prices and aws-limits against the table below, which was
  typed in separately from shared/facts/content-facts.md (and every numeric item must be in it);
- every item of those two decks carries an http(s) `source` and an `as_of` date;
- ids unique and well formed, the minimum sizes of each deck, >= 12 calc items in aws-prices;
- the outdated interview-prep figures (DynamoDB writes at $1.25 per million, S3 at $0.15 and
  EFS at $0.25 per GB-month) appear only in red-flags;
- every calc formula evaluated by a tiny evaluator of our own over its drawable values: finite
  and positive, and every placeholder of the front declared.

When AWS changes a price, change the deck, its `as_of` and this table together.
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DECKS_DIR = Path(__file__).resolve().parent.parent / "decks"

# (deck, item id) -> (answer, unit); unit None means a plain count.
EXPECTED: dict[tuple[str, str], tuple[float, str | None]] = {
    # S3
    ("aws-prices", "s3-standard-gb-month"): (0.023, "USD"),
    ("aws-prices", "s3-put-per-million"): (5.00, "USD"),
    ("aws-prices", "s3-get-per-million"): (0.40, "USD"),
    ("aws-prices", "s3-standard-ia-gb-month"): (0.0125, "USD"),
    ("aws-prices", "s3-one-zone-ia-gb-month"): (0.01, "USD"),
    ("aws-prices", "s3-glacier-flexible-gb-month"): (0.0036, "USD"),
    ("aws-prices", "s3-deep-archive-gb-month"): (0.00099, "USD"),
    ("aws-prices", "s3-deep-archive-minimum"): (180, "d"),
    ("aws-prices", "s3-glacier-flexible-minimum"): (90, "d"),
    ("aws-prices", "s3-express-one-zone-gb-month"): (0.11, "USD"),
    # EFS, EBS
    ("aws-prices", "efs-standard-gb-month"): (0.30, "USD"),
    ("aws-prices", "ebs-gp3-gb-month"): (0.08, "USD"),
    ("aws-prices", "ebs-gp2-gb-month"): (0.10, "USD"),
    ("aws-prices", "ebs-gp3-baseline-iops"): (3000, None),
    # DynamoDB
    ("aws-prices", "dynamodb-wru-ondemand"): (0.625, "USD"),
    ("aws-prices", "dynamodb-rru-ondemand"): (0.125, "USD"),
    ("aws-prices", "dynamodb-eventual-read"): (0.0625, "USD"),
    ("aws-prices", "dynamodb-transactional-write"): (1.25, "USD"),
    ("aws-prices", "dynamodb-wcu-month"): (0.4745, "USD"),
    ("aws-prices", "dynamodb-storage-gb-month"): (0.25, "USD"),
    ("aws-prices", "dynamodb-free-storage"): (25, "GB"),
    # SQS, SNS
    ("aws-prices", "sqs-standard-per-million"): (0.40, "USD"),
    ("aws-prices", "sqs-fifo-per-million"): (0.50, "USD"),
    ("aws-prices", "sqs-billing-chunk"): (4, None),
    ("aws-prices", "sns-publish-per-million"): (0.50, "USD"),
    ("aws-prices", "sns-http-delivery"): (0.60, "USD"),
    # Lambda
    ("aws-prices", "lambda-requests-per-million"): (0.20, "USD"),
    ("aws-prices", "lambda-x86-gb-second"): (16.67, "USD"),
    ("aws-prices", "lambda-arm-discount"): (20, "%"),
    ("aws-prices", "lambda-free-tier-gb-seconds"): (400_000, None),
    # Kinesis Data Streams
    ("aws-prices", "kinesis-shard-hour"): (0.015, "USD"),
    # Aurora
    ("aws-prices", "aurora-standard-storage"): (0.10, "USD"),
    ("aws-prices", "aurora-standard-io"): (0.20, "USD"),
    ("aws-prices", "aurora-io-optimized-storage"): (0.225, "USD"),
    ("aws-prices", "aurora-serverless-acu-hour"): (0.12, "USD"),
    # CloudWatch
    ("aws-prices", "cloudwatch-custom-metric"): (0.30, "USD"),
    ("aws-prices", "cloudwatch-alarm"): (0.10, "USD"),
    ("aws-prices", "cloudwatch-logs-ingest"): (0.50, "USD"),
    ("aws-prices", "cloudwatch-logs-storage"): (0.03, "USD"),
    # Step Functions, API Gateway
    ("aws-prices", "sfn-standard-transitions"): (25, "USD"),
    ("aws-prices", "sfn-express-requests"): (1.00, "USD"),
    ("aws-prices", "apigw-rest-per-million"): (3.50, "USD"),
    ("aws-prices", "apigw-http-per-million"): (1.00, "USD"),
    # Data transfer, CloudFront, NAT gateway
    ("aws-prices", "dto-internet-first-10tb"): (0.09, "USD"),
    ("aws-prices", "dto-free-gb"): (100, "GB"),
    ("aws-prices", "cloudfront-first-10tb"): (0.085, "USD"),
    ("aws-prices", "nat-gateway-hour"): (0.045, "USD"),
    ("aws-prices", "nat-gateway-gb"): (0.045, "USD"),
    # ElastiCache, EC2
    ("aws-prices", "ec2-m7g-large-hour"): (0.0816, "USD"),
    # SLAs and design targets
    ("aws-limits", "s3-sla-standard"): (99.9, "%"),
    ("aws-limits", "s3-sla-infrequent"): (99, "%"),
    ("aws-limits", "dynamodb-sla-single-region"): (99.99, "%"),
    ("aws-limits", "dynamodb-sla-global"): (99.999, "%"),
    ("aws-limits", "lambda-sla"): (99.95, "%"),
    ("aws-limits", "aurora-sla-multi-az"): (99.99, "%"),
    ("aws-limits", "aurora-sla-single-az"): (99.9, "%"),
    ("aws-limits", "rds-sla-multi-az"): (99.95, "%"),
    # DynamoDB limits
    ("aws-limits", "dynamodb-item-size"): (400, "KB"),
    ("aws-limits", "dynamodb-partition-writes"): (1000, None),
    ("aws-limits", "dynamodb-partition-reads"): (3000, None),
    ("aws-limits", "dynamodb-wcu-size"): (1, "KB"),
    ("aws-limits", "dynamodb-rcu-size"): (4, "KB"),
    # Kinesis
    ("aws-limits", "kinesis-shard-write-mb"): (1, "MB"),
    ("aws-limits", "kinesis-shard-write-records"): (1000, None),
    ("aws-limits", "kinesis-shard-read-mb"): (2, "MB"),
    # SQS
    ("aws-limits", "sqs-max-message"): (1, "MiB"),
    ("aws-limits", "sqs-old-max-message"): (256, "KiB"),
    ("aws-limits", "sqs-retention-max"): (14, "d"),
    ("aws-limits", "sqs-retention-default"): (4, "d"),
    ("aws-limits", "sqs-batch-size"): (10, None),
    ("aws-limits", "sqs-fifo-tps"): (300, None),
    ("aws-limits", "sqs-fifo-batched"): (3000, None),
    # Lambda, API Gateway, Step Functions
    ("aws-limits", "lambda-max-timeout"): (15, "min"),
    ("aws-limits", "lambda-max-memory"): (10240, "MB"),
    ("aws-limits", "lambda-min-memory"): (128, "MB"),
    ("aws-limits", "lambda-concurrency"): (1000, None),
    ("aws-limits", "lambda-sync-payload"): (6, "MB"),
    ("aws-limits", "lambda-async-payload"): (1, "MB"),
    ("aws-limits", "apigw-integration-timeout"): (29, "s"),
    ("aws-limits", "apigw-http-timeout"): (30, "s"),
    ("aws-limits", "sfn-standard-duration"): (365, "d"),
    ("aws-limits", "sfn-express-duration"): (5, "min"),
    # Limits that shape a design (issue 18), read 2026-12-04
    ("aws-limits", "s3-prefix-writes"): (3500, None),
    ("aws-limits", "s3-prefix-reads"): (5500, None),
    ("aws-limits", "s3-max-object"): (50, "TB"),
    ("aws-limits", "s3-single-put"): (5, "GB"),
    ("aws-limits", "dynamodb-transaction-actions"): (100, None),
    ("aws-limits", "dynamodb-token-window"): (10, "min"),
    ("aws-limits", "dynamodb-query-page"): (1, "MB"),
    ("aws-limits", "sqs-visibility-default"): (30, "s"),
    ("aws-limits", "sqs-visibility-max"): (12, "h"),
    ("aws-limits", "sqs-long-poll-max"): (20, "s"),
    ("aws-limits", "sqs-delay-max"): (15, "min"),
    ("aws-limits", "sqs-inflight-standard"): (120_000, None),
    ("aws-limits", "kinesis-retention-default"): (24, "h"),
    ("aws-limits", "kinesis-retention-max"): (365, "d"),
    ("aws-limits", "kinesis-efo-consumers"): (20, None),
    ("aws-limits", "lambda-scaling-rate"): (1000, None),
    ("aws-limits", "apigw-account-throttle"): (10_000, None),
    ("aws-limits", "apigw-burst"): (5000, None),
    ("aws-limits", "apigw-http-payload"): (10, "MB"),
    ("aws-limits", "aurora-replicas"): (15, None),
    ("aws-limits", "aurora-volume-azs"): (3, None),
    ("aws-limits", "aurora-max-storage"): (256, "TiB"),
    # Cost patterns (issue 18)
    ("aws-prices", "dto-inter-region"): (0.02, "USD"),
    ("aws-prices", "cloudfront-free-transfer"): (1, "TB"),
    ("aws-prices", "cloudfront-free-requests"): (10_000_000, None),
    # Trivia moved to the opt-in deck (issue 18)
    ("aws-trivia", "s3-standard-next-450tb"): (0.022, "USD"),
    ("aws-trivia", "s3-standard-over-500tb"): (0.021, "USD"),
    ("aws-trivia", "s3-intelligent-tiering-monitoring"): (0.0025, "USD"),
    ("aws-trivia", "dynamodb-wcu-hour"): (0.00065, "USD"),
    ("aws-trivia", "dynamodb-rcu-hour"): (0.00013, "USD"),
    ("aws-trivia", "lambda-arm-gb-second"): (0.0000133334, "USD"),
    ("aws-trivia", "kinesis-put-payload-units"): (0.014, "USD"),
    ("aws-trivia", "cloudwatch-high-res-alarm"): (0.30, "USD"),
    ("aws-trivia", "cloudwatch-logs-insights"): (0.005, "USD"),
    ("aws-trivia", "cloudfront-https-requests"): (0.01, "USD"),
}

FACT_DECKS = ("aws-prices", "aws-limits", "aws-trivia")
MINIMUM_ITEMS = {"aws-prices": 60, "aws-limits": 30, "slo-phrasing": 40,
                 "leadership-principles": 48, "red-flags": 40, "loop-structure": 20,
                 "design-numbers": 15}
MINIMUM_CALC_PRICES = 12

PRINCIPLES = (
    "Customer Obsession", "Ownership", "Invent and Simplify", "Are Right, A Lot",
    "Learn and Be Curious", "Hire and Develop the Best", "Insist on the Highest Standards",
    "Think Big", "Bias for Action", "Frugality", "Earn Trust", "Dive Deep",
    "Have Backbone; Disagree and Commit", "Deliver Results",
    "Strive to be Earth's Best Employer", "Success and Scale Bring Broad Responsibility",
)

# The native format (DESIGN.md section 5).
TOP_KEYS = {"deck", "title", "description", "defaults", "options", "items"}
DEFAULT_KEYS = {"tags", "as_of", "source"}
COMMON_KEYS = {"id", "kind", "tags", "source", "as_of"}
KIND_KEYS = {
    "basic": {"front", "back", "reversible"},
    "cloze": {"text"},
    "numeric": {"front", "answer", "unit", "tolerance"},
    "choice": {"front", "choices", "answer"},
    "text": {"front", "answer"},
    "calc": {"front", "vars", "answer", "unit", "tolerance"},
}
UNITS = {"USD", "%", "ms", "s", "min", "h", "d",
         "B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"}
DECK_SLUG = re.compile(r"[a-z0-9-]+")
ITEM_ID = re.compile(r"[A-Za-z0-9._-]+")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TOLERANCE = re.compile(r"\d+(\.\d+)?%?")


def load_decks() -> dict[str, dict[str, Any]]:
    decks: dict[str, dict[str, Any]] = {}
    for path in sorted(DECKS_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, dict), path.name
        assert data.get("deck") == path.stem, f"{path.name}: deck slug must match the file name"
        decks[data["deck"]] = data
    return decks


DECKS = load_decks()


def items_of(slug: str) -> list[dict[str, Any]]:
    return list(DECKS[slug]["items"])


def all_items() -> list[tuple[str, dict[str, Any]]]:
    return [(slug, item) for slug in sorted(DECKS) for item in DECKS[slug]["items"]]


def inherited(slug: str, item: dict[str, Any], key: str) -> Any:
    return item.get(key, (DECKS[slug].get("defaults") or {}).get(key))


def words(item: dict[str, Any]) -> str:
    """Everything a card shows, as one lower-case string."""
    parts: list[str] = [str(item.get("id", ""))]
    for key in ("front", "back", "text", "answer", "choices"):
        value = item.get(key)
        if isinstance(value, list):
            parts += [str(v) for v in value]
        elif value is not None:
            parts.append(str(value))
    return " ".join(parts).lower()


# -- the tiny formula evaluator ----------------------------------------------------------------
FUNCTIONS = {"min": min, "max": max, "round": round, "ceil": math.ceil, "floor": math.floor,
             "log": math.log, "log10": math.log10, "sqrt": math.sqrt}
BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
          ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
          ast.Mod: lambda a, b: a % b, ast.Pow: lambda a, b: a ** b}


def evaluate(formula: str, values: dict[str, float]) -> float:
    """Numbers, + - * / ** %, parentheses, the given names and FUNCTIONS; nothing else."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ValueError(f"undeclared name {node.id!r}")
            return float(values[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = walk(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            return float(BINARY[type(node.op)](walk(node.left), walk(node.right)))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in FUNCTIONS and not node.keywords):
            return float(FUNCTIONS[node.func.id](*(walk(a) for a in node.args)))
        raise ValueError(f"not allowed in a formula: {ast.dump(node)[:60]}")

    return walk(ast.parse(str(formula), mode="eval"))


def drawable(spec: Any) -> list[float]:
    if isinstance(spec, list):
        return [float(v) for v in spec]
    assert isinstance(spec, dict) and {"min", "max"} <= set(spec), spec
    low, high, step = float(spec["min"]), float(spec["max"]), float(spec.get("step", 1))
    count = int((high - low) / step + 1e-9) + 1
    picks = sorted({0, 1, count // 2, count - 2, count - 1} & set(range(count)))
    return [low + i * step for i in picks]


# -- tests ---------------------------------------------------------------------------------------
def test_every_deck_is_there() -> None:
    assert set(MINIMUM_ITEMS) <= set(DECKS)


@pytest.mark.parametrize("slug", sorted(DECKS))
def test_deck_shape(slug: str) -> None:
    deck = DECKS[slug]
    assert set(deck) <= TOP_KEYS, slug
    assert DECK_SLUG.fullmatch(deck["deck"])
    assert isinstance(deck.get("title"), str) and deck["title"].strip()
    assert isinstance(deck.get("description"), str) and deck["description"].strip()
    assert set(deck.get("defaults") or {}) <= DEFAULT_KEYS
    ids = [item.get("id") for item in deck["items"]]
    assert all(isinstance(i, str) and ITEM_ID.fullmatch(i) for i in ids), slug
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"{slug}: duplicate ids {duplicates}"


@pytest.mark.parametrize(("slug", "item"), all_items(), ids=lambda v: v if isinstance(v, str)
                         else v.get("id"))
def test_item_fields(slug: str, item: dict[str, Any]) -> None:
    kind = item.get("kind", "basic")
    assert kind in KIND_KEYS
    assert set(item) <= COMMON_KEYS | KIND_KEYS[kind], set(item) - COMMON_KEYS - KIND_KEYS[kind]
    source = inherited(slug, item, "source")
    if source is not None:
        assert re.match(r"https?://\S+$", source), source
    if kind == "basic":
        assert str(item.get("front", "")).strip() and str(item.get("back", "")).strip()
    elif kind == "cloze":
        assert re.search(r"\{\{c1::[^}]+\}\}", item["text"])
    else:
        assert str(item.get("front", "")).strip()
    if kind in ("numeric", "calc"):
        unit = item.get("unit")
        assert unit is None or unit in UNITS, unit
        tolerance = item.get("tolerance")
        assert tolerance is None or TOLERANCE.fullmatch(str(tolerance)), tolerance
    if kind == "numeric":
        answer = item["answer"]
        assert isinstance(answer, int | float) and not isinstance(answer, bool)
        assert math.isfinite(answer) and answer > 0
    if kind == "choice":
        choices = [str(c) for c in item["choices"]]
        assert 3 <= len(choices) <= 5 and len(set(choices)) == len(choices)
        answers = item["answer"] if isinstance(item["answer"], list) else [item["answer"]]
        assert answers and {str(a) for a in answers} <= set(choices)
    if kind == "text":
        answers = item["answer"] if isinstance(item["answer"], list) else [item["answer"]]
        assert answers and all(isinstance(a, str) and a.strip() for a in answers)


def test_every_numeric_price_and_limit_matches_the_table() -> None:
    found: dict[tuple[str, str], tuple[float, str | None]] = {}
    for slug in FACT_DECKS:
        for item in items_of(slug):
            if item.get("kind") == "numeric":
                found[(slug, item["id"])] = (item["answer"], item.get("unit"))
    missing_from_table = sorted(set(found) - set(EXPECTED))
    missing_from_decks = sorted(set(EXPECTED) - set(found))
    assert not missing_from_table, f"numeric items not in EXPECTED: {missing_from_table}"
    assert not missing_from_decks, f"EXPECTED items not in the decks: {missing_from_decks}"
    for key, (answer, unit) in found.items():
        want, want_unit = EXPECTED[key]
        assert math.isclose(answer, want, rel_tol=1e-9), f"{key}: {answer} != {want}"
        assert unit == want_unit, f"{key}: unit {unit!r} != {want_unit!r}"


@pytest.mark.parametrize("slug", FACT_DECKS)
def test_facts_carry_a_source_and_an_as_of_date(slug: str) -> None:
    for item in items_of(slug):
        source = inherited(slug, item, "source")
        as_of = inherited(slug, item, "as_of")
        assert isinstance(source, str) and re.match(r"https?://\S+$", source), item["id"]
        assert isinstance(as_of, dt.date) and not isinstance(as_of, dt.datetime), item["id"]
        assert dt.date(2016, 1, 1) <= as_of <= dt.date.today(), item["id"]


def test_every_dated_fact_in_any_deck_is_a_real_date() -> None:
    for slug, item in all_items():
        as_of = inherited(slug, item, "as_of")
        if as_of is not None:
            assert isinstance(as_of, dt.date) and as_of <= dt.date.today(), (slug, item["id"])


@pytest.mark.parametrize(("slug", "minimum"), sorted(MINIMUM_ITEMS.items()))
def test_decks_are_big_enough(slug: str, minimum: int) -> None:
    assert len(items_of(slug)) >= minimum


def test_prices_have_enough_calc_cards() -> None:
    calcs = [i for i in items_of("aws-prices") if i.get("kind") == "calc"]
    assert len(calcs) >= MINIMUM_CALC_PRICES


def test_every_leadership_principle_both_ways_and_mapped_to_a_design() -> None:
    items = items_of("leadership-principles")
    named = {str(a) for i in items if i.get("kind") == "text"
             for a in (i["answer"] if isinstance(i["answer"], list) else [i["answer"]])}
    picked = {str(a) for i in items if i.get("kind") == "choice" and "design" in i["id"]
              for a in (i["answer"] if isinstance(i["answer"], list) else [i["answer"]])}
    gists = " ".join(str(i.get("front", "")) for i in items if i.get("kind", "basic") == "basic")
    for principle in PRINCIPLES:
        assert principle in named, f"no gist-to-name card for {principle}"
        assert principle in picked, f"no design-mapping card for {principle}"
        assert f'"{principle}"' in gists, f"no name-to-gist card for {principle}"


# Outdated interview-prep figures: allowed only in red-flags, as the mistakes they are.
def _outdated_dynamodb_write(item: dict[str, Any]) -> bool:
    text = words(item)
    mentions = re.search(r"(?<![\d.])\$?1\.25(?!\d)", text) or item.get("answer") == 1.25
    return bool(mentions) and "transaction" not in text


def _outdated_s3(item: dict[str, Any]) -> bool:
    text = words(item)
    mentions = re.search(r"(?<![\d.])\$?0\.15(?!\d)", text) or item.get("answer") == 0.15
    return bool(mentions) and "s3" in text


def _outdated_efs(item: dict[str, Any]) -> bool:
    text = words(item)
    mentions = re.search(r"(?<![\d.])\$?0\.25(?!\d)", text) or item.get("answer") == 0.25
    return bool(mentions) and "efs" in text


MENTIONS = {"dynamodb-1.25-per-million-writes": r"\$1\.25 per million",
            "s3-0.15-per-gb-month": r"\$0\.15 per gb", "efs-0.25-per-gb-month": r"\$0\.25 per gb"}
OUTDATED = {"dynamodb-1.25-per-million-writes": _outdated_dynamodb_write,
            "s3-0.15-per-gb-month": _outdated_s3, "efs-0.25-per-gb-month": _outdated_efs}


@pytest.mark.parametrize("name", sorted(OUTDATED))
def test_outdated_figures_only_in_red_flags(name: str) -> None:
    check = OUTDATED[name]
    offenders = [(slug, item["id"]) for slug, item in all_items()
                 if slug != "red-flags" and check(item)]
    assert not offenders, offenders
    figure = MENTIONS[name]
    assert any(re.search(figure, words(item)) for item in items_of("red-flags")), \
        f"red-flags should teach the outdated figure {name} as a mistake"


def test_calc_checks_catch_an_outdated_figure() -> None:
    assert _outdated_dynamodb_write({"front": "DynamoDB writes at $1.25 per million?"})
    assert not _outdated_dynamodb_write({"front": "Transactional writes, $1.25 per million"})
    assert _outdated_s3({"front": "S3", "answer": 0.15})
    assert not _outdated_efs({"front": "DynamoDB storage", "answer": 0.25})


CALCS = [(slug, item) for slug, item in all_items() if item.get("kind") == "calc"]


@pytest.mark.parametrize(("slug", "item"), CALCS, ids=lambda v: v if isinstance(v, str)
                         else v.get("id"))
def test_calc_formula_is_finite_and_positive(slug: str, item: dict[str, Any]) -> None:
    spec = item["vars"]
    assert isinstance(spec, dict) and spec
    in_front = set(PLACEHOLDER.findall(item["front"]))
    assert in_front == set(spec), f"placeholders {in_front} against vars {set(spec)}"
    names = sorted(spec)
    for combo in itertools.product(*(drawable(spec[n]) for n in names)):
        values = dict(zip(names, combo, strict=True))
        result = evaluate(item["answer"], values)
        assert math.isfinite(result) and result > 0, (item["id"], values, result)


def test_the_evaluator_refuses_anything_but_arithmetic() -> None:
    assert evaluate("ceil(x / 3) + 2 ** 2 % 3 - -1", {"x": 7}) == 5
    for bad in ("__import__('os')", "x.real", "[x]", "x if x else 1", "open('f')"):
        with pytest.raises((ValueError, SyntaxError)):
            evaluate(bad, {"x": 1})


def test_spot_check_bills_against_hand_arithmetic() -> None:
    """A few calc answers at one draw, worked by hand from the facts file."""
    calcs = {item["id"]: item for item in items_of("aws-prices") if item.get("kind") == "calc"}
    # 100 writes/s for 30 days: 259.2M WRU at $0.625/M = $162.00
    assert math.isclose(evaluate(calcs["bill-dynamodb-writes"]["answer"], {"wps": 100}), 162.0)
    # 1,000 GB in S3 Standard: $23.00
    assert math.isclose(evaluate(calcs["bill-s3-storage"]["answer"], {"gb": 1000}), 23.0)
    # 10 shards x 730 h x $0.015 = $109.50
    assert math.isclose(evaluate(calcs["bill-kinesis-shards"]["answer"], {"shards": 10}), 109.5)
    # 1M x 128 MB x 100 ms on x86: 12,500 GB-s = $0.2083 + $0.20 requests
    lambda_bill = evaluate(calcs["bill-lambda-x86"]["answer"], {"m": 1, "mem": 128, "ms": 100})
    assert math.isclose(lambda_bill, 0.20 + 12_500 * 0.0000166667, rel_tol=1e-6)
    # 10 TB to S3 through a NAT gateway: 10,000 GB x $0.045 = $450 saved by a gateway endpoint
    assert math.isclose(evaluate(calcs["bill-nat-vs-gateway-endpoint"]["answer"], {"tb": 10}), 450)
    # 5 TB from us-east-1 to us-west-2 at $0.02/GB = $100
    assert math.isclose(evaluate(calcs["bill-cross-region-replication"]["answer"], {"tb": 5}), 100)


# -- Issue 18: the decks an interviewer would write ---------------------------------------------
# Every card added by issue 18 outside the two fact decks: (deck, id) -> (kind, answer, unit,
# tolerance, sourced). Numeric answers typed in by hand from the source or the arithmetic.
ADDED: dict[tuple[str, str], tuple[str, float | None, str | None, str | None, bool]] = {
    ("design-numbers", "seconds-per-month"): ("numeric", 2_592_000, None, "2%", False),
    ("design-numbers", "million-a-day-per-second"): ("numeric", 11.57, None, "10%", False),
    ("design-numbers", "monthly-to-rps"): ("calc", None, None, "5%", False),
    ("design-numbers", "fleet-for-peak"): ("calc", None, None, "0", False),
    ("design-numbers", "storage-growth-replicated"): ("calc", None, "TB", "5%", False),
    ("design-numbers", "egress-bandwidth"): ("calc", None, None, "5%", False),
    ("design-numbers", "peak-not-average"): ("basic", None, None, None, False),
    ("design-numbers", "latency-memory"): ("choice", None, None, None, True),
    ("design-numbers", "latency-ssd-read"): ("choice", None, None, None, True),
    ("design-numbers", "latency-datacenter-round-trip"): ("numeric", 0.5, "ms", "50%", True),
    ("design-numbers", "latency-disk-seek"): ("numeric", 10, "ms", "50%", True),
    ("design-numbers", "latency-ocean-round-trip"): ("numeric", 150, "ms", "34%", True),
    ("design-numbers", "latency-disk-vs-memory"): ("numeric", 80, None, "50%", True),
    ("design-numbers", "latency-fiber-floor"): ("calc", None, "ms", "5%", False),
    ("design-numbers", "dr-strategies"): ("cloze", None, None, None, True),
    ("design-numbers", "rto-rpo"): ("basic", None, None, None, True),
    ("design-numbers", "dr-pick"): ("choice", None, None, None, True),
    ("design-numbers", "pilot-light-vs-warm-standby"): ("basic", None, None, None, True),
    ("slo-phrasing", "parallel-two"): ("numeric", 99.99, "%", "5%", False),
    ("slo-phrasing", "parallel-calc"): ("calc", None, "%", "5%", False),
    ("slo-phrasing", "series-parallel"): ("numeric", 99.93, "%", "5%", False),
    ("slo-phrasing", "fanout-tail"): ("numeric", 63.4, "%", "3%", True),
    ("slo-phrasing", "fanout-tail-calc"): ("calc", None, "%", "3%", True),
    ("slo-phrasing", "tail-fixes"): ("basic", None, None, None, True),
    ("aws-limits", "apigw-http-timeout"): ("numeric", 30, "s", None, True),
    ("aws-limits", "dynamodb-gsi-consistency"): ("choice", None, None, None, True),
    ("aws-limits", "sqs-standard-delivery"): ("choice", None, None, None, True),
    ("aws-prices", "vpc-gateway-endpoint-price"): ("choice", None, None, None, True),
    ("aws-prices", "vpc-interface-endpoint-price"): ("choice", None, None, None, True),
    ("aws-prices", "bill-nat-vs-gateway-endpoint"): ("calc", None, "USD", "2%", True),
    ("aws-prices", "bill-cross-region-replication"): ("calc", None, "USD", "2%", True),
    ("red-flags", "outdated-s3-5tb"): ("basic", None, None, None, True),
    ("red-flags", "outdated-dynamodb-25-actions"): ("basic", None, None, None, True),
    ("red-flags", "outdated-lambda-burst"): ("basic", None, None, None, True),
    ("red-flags", "outdated-kinesis-retention"): ("basic", None, None, None, True),
    ("red-flags", "outdated-apigw-throttle"): ("basic", None, None, None, True),
    ("red-flags", "outdated-aurora-128tib"): ("basic", None, None, None, True),
    ("loop-structure", "time-split-45"): ("cloze", None, None, None, False),
    ("loop-structure", "time-deep-dive-25"): ("numeric", 25, "min", "20%", False),
    ("loop-structure", "time-sketch-done"): ("numeric", 15, "min", "34%", False),
    ("loop-structure", "sketch-then-depth"): ("basic", None, None, None, False),
    ("loop-structure", "deep-dive-target"): ("choice", None, None, None, False),
    ("loop-structure", "batch-not-stream"): ("choice", None, None, None, False),
    ("loop-structure", "api-versioning"): ("basic", None, None, None, False),
    ("loop-structure", "pm-owns"): ("choice", None, None, None, False),
    ("loop-structure", "pm-needs-how"): ("basic", None, None, None, False),
    ("loop-structure", "drive-conversation"): ("choice", None, None, None, False),
    ("loop-structure", "lp-in-design"): ("choice", None, None, None, False),
    ("loop-structure", "bar-raiser"): ("choice", None, None, None, True),
    ("loop-structure", "one-way-door"): ("basic", None, None, None, True),
    ("loop-structure", "door-pick"): ("choice", None, None, None, True),
}
# The limits and prices added to the fact decks are in EXPECTED above; these are their ids.
ADDED_FACTS = {key for key in EXPECTED if key[1] in {
    "s3-prefix-writes", "s3-prefix-reads", "s3-max-object", "s3-single-put",
    "dynamodb-transaction-actions", "dynamodb-token-window", "dynamodb-query-page",
    "sqs-visibility-default", "sqs-visibility-max", "sqs-long-poll-max", "sqs-delay-max",
    "sqs-inflight-standard", "kinesis-retention-default", "kinesis-retention-max",
    "kinesis-efo-consumers", "lambda-scaling-rate", "apigw-account-throttle", "apigw-burst",
    "apigw-http-payload", "aurora-replicas", "aurora-volume-azs", "aurora-max-storage",
    "dto-inter-region",
    "cloudfront-free-transfer", "cloudfront-free-requests"}}
CHECKED_ON = dt.date(2026, 12, 4)


def item(slug: str, item_id: str) -> dict[str, Any]:
    found = [i for i in items_of(slug) if i["id"] == item_id]
    assert len(found) == 1, (slug, item_id)
    return found[0]


def test_at_least_40_cards_were_added() -> None:
    assert len(ADDED) + len(ADDED_FACTS) >= 40
    assert len(ADDED_FACTS) == 25


@pytest.mark.parametrize("key", sorted(ADDED), ids=lambda k: f"{k[0]}/{k[1]}")
def test_added_card_kind_unit_tolerance_source(key: tuple[str, str]) -> None:
    slug, item_id = key
    kind, answer, unit, tolerance, sourced = ADDED[key]
    card = item(slug, item_id)
    assert card.get("kind", "basic") == kind
    assert card.get("unit") == unit
    assert (None if card.get("tolerance") is None else str(card["tolerance"])) == tolerance
    if answer is not None:
        assert math.isclose(card["answer"], answer, rel_tol=1e-9)
    source, as_of = inherited(slug, card, "source"), inherited(slug, card, "as_of")
    if sourced:
        assert isinstance(source, str) and re.match(r"https://\S+$", source)
        assert isinstance(as_of, dt.date) and as_of >= CHECKED_ON, \
            "a sourced card added by issue 18 was checked on 2026-12-04 (or since)"
    else:
        assert source is None, "arithmetic and advice cards cite nothing"


@pytest.mark.parametrize("key", sorted(ADDED_FACTS), ids=lambda k: f"{k[0]}/{k[1]}")
def test_added_facts_were_checked_on_their_aws_page(key: tuple[str, str]) -> None:
    card = item(*key)
    assert isinstance(card.get("as_of"), dt.date) and card["as_of"] >= CHECKED_ON
    assert re.match(r"https://(docs\.aws\.amazon\.com|aws\.amazon\.com)/", card["source"])


def test_added_formulas_against_hand_arithmetic() -> None:
    def calc(slug: str, item_id: str, **values: float) -> float:
        return evaluate(item(slug, item_id)["answer"], values)

    assert math.isclose(calc("design-numbers", "monthly-to-rps", m=2600), 1003.0864, rel_tol=1e-6)
    assert calc("design-numbers", "fleet-for-peak", rps=4000, r=3) == 25  # 24 + 1 spare
    assert math.isclose(calc("design-numbers", "storage-growth-replicated", m=10, kb=2), 21.9)
    assert math.isclose(calc("design-numbers", "egress-bandwidth", n=10, mb=100), 11.574074,
                        rel_tol=1e-6)
    assert math.isclose(calc("design-numbers", "latency-fiber-floor", km=6000), 60)
    assert math.isclose(calc("slo-phrasing", "parallel-calc", n=2, a=99), 99.99)
    assert math.isclose(calc("slo-phrasing", "parallel-calc", n=3, a=90), 99.9)
    assert math.isclose(calc("slo-phrasing", "fanout-tail-calc", n=50), 39.499393, rel_tol=1e-6)
    # the static cards agree with their own arithmetic
    assert math.isclose(100 * (1 - 0.99 ** 100), item("slo-phrasing", "fanout-tail")["answer"],
                        abs_tol=0.05)
    assert math.isclose(100 * 0.9999 * (1 - 0.01 ** 2) * 0.9995,
                        item("slo-phrasing", "series-parallel")["answer"], abs_tol=0.001)
    assert math.isclose(30 * 86400, item("design-numbers", "seconds-per-month")["answer"])
    assert math.isclose(1e6 / 86400, item("design-numbers", "million-a-day-per-second")["answer"],
                        abs_tol=0.01)


def _significant_words(text: str) -> set[str]:
    stop = {"and", "the", "a", "to", "be", "of", "for", "bring", "strive"}
    return {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 4 and w not in stop}


def test_principle_cues_do_not_give_the_name_away() -> None:
    cards = [i for i in items_of("leadership-principles")
             if i.get("kind") == "text" and i["id"].endswith("-name")]
    assert len(cards) == 16
    for card in cards:
        names = card["answer"] if isinstance(card["answer"], list) else [card["answer"]]
        giveaways = set().union(*(_significant_words(n) for n in names))
        assert not giveaways & _significant_words(card["front"]), (card["id"], giveaways)


def test_choice_answers_are_not_the_only_long_option() -> None:
    for slug, card in all_items():
        if card.get("kind") != "choice" or isinstance(card["answer"], list):
            continue
        answer = str(card["answer"])
        others = [str(c) for c in card["choices"] if str(c) != answer]
        if len(answer.split()) > 6:
            assert len(answer) <= 1.35 * max(len(o) for o in others), (slug, card["id"])


def test_basic_cards_ask_one_thing_briefly() -> None:
    for slug, card in all_items():
        if card.get("kind", "basic") != "basic":
            continue
        assert len(str(card["back"]).split()) <= 40, (slug, card["id"])
        unquoted = re.sub(r'"[^"]*"', "", str(card["front"]))
        assert unquoted.count("?") <= 1, (slug, card["id"])


def test_downtime_is_drilled_by_the_calc_cards_only() -> None:
    ids = [i["id"] for i in items_of("slo-phrasing") if i["id"].startswith("downtime-")]
    assert sorted(ids) == ["downtime-calc-30d", "downtime-calc-year"]


def test_retired_trivia_and_unconfirmed_facts_are_gone() -> None:
    gone = {"ec2-sla-region", "ec2-sla-instance", "efs-one-zone-gb-month", "slo-sre-book-example",
            "kinesis-put-unit-size", "sfn-express-billing-granularity",
            "elasticache-serverless-ecpu"}
    assert not gone & {card["id"] for _, card in all_items()}
    trivia = {card["id"] for card in items_of("aws-trivia")}
    assert len(trivia) == 10
    for slug in sorted(set(DECKS) - {"aws-trivia"}):
        assert not trivia & {card["id"] for card in items_of(slug)}, slug


def test_the_trivia_deck_is_opt_in() -> None:
    assert DECKS["aws-trivia"]["options"] == {"new_per_day": 0}
    assert "new_per_day" in DECKS["aws-trivia"]["description"]


def test_the_bill_cards_state_their_assumptions() -> None:
    fronts = {i["id"]: i["front"] for i in items_of("aws-prices") if i.get("kind") == "calc"}
    assert "25 WCU" in fronts["bill-dynamodb-provisioned"]
    assert "compressed" in fronts["bill-cloudwatch-logs"]
    assert "30-day month" in fronts["bill-dynamodb-writes"]
