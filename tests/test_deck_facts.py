"""The built-in decks: every numeric price and limit against a table kept here, sources and
as-of dates on every fact, minimum sizes, and no outdated figure outside the red-flags deck.

A slip in a deck file (a wrong digit, a changed unit) fails CI here. When AWS changes a price,
change the deck and this table together, with the new source date.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loopdrill.core.model import DeckSpec
from loopdrill.formats.native import read_deck
from loopdrill.paths import builtin_decks

EXPECTED: dict[tuple[str, str], tuple[float, str | None]] = {
    ("aws-prices", "s3-standard-gb-month"): (0.023, 'USD'),
    ("aws-prices", "s3-standard-next-450tb"): (0.022, 'USD'),
    ("aws-prices", "s3-standard-over-500tb"): (0.021, 'USD'),
    ("aws-prices", "s3-put-per-1000"): (0.005, 'USD'),
    ("aws-prices", "s3-get-per-1000"): (0.0004, 'USD'),
    ("aws-prices", "s3-put-per-million"): (5, 'USD'),
    ("aws-prices", "s3-get-per-million"): (0.4, 'USD'),
    ("aws-prices", "s3-standard-ia-gb-month"): (0.0125, 'USD'),
    ("aws-prices", "s3-one-zone-ia-gb-month"): (0.01, 'USD'),
    ("aws-prices", "s3-glacier-instant-gb-month"): (0.004, 'USD'),
    ("aws-prices", "s3-glacier-flexible-gb-month"): (0.0036, 'USD'),
    ("aws-prices", "s3-deep-archive-gb-month"): (0.00099, 'USD'),
    ("aws-prices", "s3-deep-archive-minimum"): (180, 'd'),
    ("aws-prices", "s3-glacier-flexible-minimum"): (90, 'd'),
    ("aws-prices", "s3-intelligent-tiering-monitoring"): (0.0025, 'USD'),
    ("aws-prices", "s3-express-one-zone-gb-month"): (0.11, 'USD'),
    ("aws-prices", "efs-standard-gb-month"): (0.3, 'USD'),
    ("aws-prices", "efs-one-zone-gb-month"): (0.16, 'USD'),
    ("aws-prices", "ebs-gp3-gb-month"): (0.08, 'USD'),
    ("aws-prices", "ebs-gp2-gb-month"): (0.1, 'USD'),
    ("aws-prices", "ebs-gp3-iops-month"): (0.005, 'USD'),
    ("aws-prices", "ebs-gp3-baseline-iops"): (3000, None),
    ("aws-prices", "dynamodb-wru-ondemand"): (0.625, 'USD'),
    ("aws-prices", "dynamodb-rru-ondemand"): (0.125, 'USD'),
    ("aws-prices", "dynamodb-eventual-read"): (0.0625, 'USD'),
    ("aws-prices", "dynamodb-transactional-write"): (1.25, 'USD'),
    ("aws-prices", "dynamodb-wcu-hour"): (0.00065, 'USD'),
    ("aws-prices", "dynamodb-rcu-hour"): (0.00013, 'USD'),
    ("aws-prices", "dynamodb-wcu-month"): (0.4745, 'USD'),
    ("aws-prices", "dynamodb-storage-gb-month"): (0.25, 'USD'),
    ("aws-prices", "dynamodb-free-storage"): (25, 'GB'),
    ("aws-prices", "sqs-standard-per-million"): (0.4, 'USD'),
    ("aws-prices", "sqs-fifo-per-million"): (0.5, 'USD'),
    ("aws-prices", "sqs-billing-chunk"): (4, None),
    ("aws-prices", "sns-publish-per-million"): (0.5, 'USD'),
    ("aws-prices", "sns-http-delivery"): (0.6, 'USD'),
    ("aws-prices", "lambda-requests-per-million"): (0.2, 'USD'),
    ("aws-prices", "lambda-x86-gb-second"): (1.66667e-05, 'USD'),
    ("aws-prices", "lambda-arm-gb-second"): (1.33334e-05, 'USD'),
    ("aws-prices", "lambda-arm-discount"): (20, '%'),
    ("aws-prices", "lambda-free-tier-gb-seconds"): (400000, None),
    ("aws-prices", "kinesis-shard-hour"): (0.015, 'USD'),
    ("aws-prices", "kinesis-shard-month"): (10.95, 'USD'),
    ("aws-prices", "kinesis-put-payload-units"): (0.014, 'USD'),
    ("aws-prices", "kinesis-put-unit-size"): (25, 'KB'),
    ("aws-prices", "aurora-standard-storage"): (0.1, 'USD'),
    ("aws-prices", "aurora-standard-io"): (0.2, 'USD'),
    ("aws-prices", "aurora-io-optimized-storage"): (0.225, 'USD'),
    ("aws-prices", "aurora-serverless-acu-hour"): (0.12, 'USD'),
    ("aws-prices", "cloudwatch-custom-metric"): (0.3, 'USD'),
    ("aws-prices", "cloudwatch-alarm"): (0.1, 'USD'),
    ("aws-prices", "cloudwatch-logs-ingest"): (0.5, 'USD'),
    ("aws-prices", "cloudwatch-logs-storage"): (0.03, 'USD'),
    ("aws-prices", "cloudwatch-logs-insights"): (0.005, 'USD'),
    ("aws-prices", "sfn-standard-transitions"): (25, 'USD'),
    ("aws-prices", "sfn-express-requests"): (1.0, 'USD'),
    ("aws-prices", "apigw-rest-per-million"): (3.5, 'USD'),
    ("aws-prices", "apigw-http-per-million"): (1.0, 'USD'),
    ("aws-prices", "dto-internet-first-10tb"): (0.09, 'USD'),
    ("aws-prices", "dto-free-gb"): (100, 'GB'),
    ("aws-prices", "cloudfront-first-10tb"): (0.085, 'USD'),
    ("aws-prices", "nat-gateway-hour"): (0.045, 'USD'),
    ("aws-prices", "nat-gateway-gb"): (0.045, 'USD'),
    ("aws-prices", "elasticache-serverless-gb-hour"): (0.125, 'USD'),
    ("aws-prices", "elasticache-serverless-ecpu"): (0.0034, 'USD'),
    ("aws-prices", "ec2-m7g-large-hour"): (0.0816, 'USD'),
    ("aws-limits", "s3-sla-standard"): (99.9, '%'),
    ("aws-limits", "s3-designed-availability"): (99.99, '%'),
    ("aws-limits", "s3-sla-infrequent"): (99, '%'),
    ("aws-limits", "dynamodb-sla-single-region"): (99.99, '%'),
    ("aws-limits", "dynamodb-sla-global"): (99.999, '%'),
    ("aws-limits", "ec2-sla-region"): (99.99, '%'),
    ("aws-limits", "ec2-sla-instance"): (99.5, '%'),
    ("aws-limits", "lambda-sla"): (99.95, '%'),
    ("aws-limits", "aurora-sla-multi-az"): (99.99, '%'),
    ("aws-limits", "aurora-sla-single-az"): (99.9, '%'),
    ("aws-limits", "rds-sla-multi-az"): (99.95, '%'),
    ("aws-limits", "dynamodb-item-size"): (400, 'KB'),
    ("aws-limits", "dynamodb-partition-writes"): (1000, None),
    ("aws-limits", "dynamodb-partition-reads"): (3000, None),
    ("aws-limits", "dynamodb-wcu-size"): (1, 'KB'),
    ("aws-limits", "dynamodb-rcu-size"): (4, 'KB'),
    ("aws-limits", "kinesis-shard-write-mb"): (1, 'MB'),
    ("aws-limits", "kinesis-shard-write-records"): (1000, None),
    ("aws-limits", "kinesis-shard-read-mb"): (2, 'MB'),
    ("aws-limits", "sqs-max-message"): (1, 'MiB'),
    ("aws-limits", "sqs-old-max-message"): (256, 'KiB'),
    ("aws-limits", "sqs-retention-max"): (14, 'd'),
    ("aws-limits", "sqs-retention-default"): (4, 'd'),
    ("aws-limits", "sqs-batch-size"): (10, None),
    ("aws-limits", "sqs-fifo-tps"): (300, None),
    ("aws-limits", "sqs-fifo-batched"): (3000, None),
    ("aws-limits", "lambda-max-timeout"): (15, 'min'),
    ("aws-limits", "lambda-max-memory"): (10240, 'MB'),
    ("aws-limits", "lambda-min-memory"): (128, 'MB'),
    ("aws-limits", "lambda-concurrency"): (1000, None),
    ("aws-limits", "lambda-sync-payload"): (6, 'MB'),
    ("aws-limits", "lambda-async-payload"): (1, 'MB'),
    ("aws-limits", "apigw-integration-timeout"): (29, 's'),
    ("aws-limits", "sfn-standard-duration"): (365, 'd'),
    ("aws-limits", "sfn-express-duration"): (5, 'min'),
}

MINIMUM_ITEMS = {"aws-prices": 60, "aws-limits": 30, "slo-phrasing": 40,
                 "leadership-principles": 48, "red-flags": 40, "loop-structure": 20}
FACT_DECKS = ("aws-prices", "aws-limits")


def decks() -> dict[str, DeckSpec]:
    return {d.slug: d for d in (read_deck(p) for p in sorted(builtin_decks().glob("*.yaml")))}


def test_every_numeric_price_and_limit_matches_the_table() -> None:
    found = {}
    for slug in FACT_DECKS:
        for item in decks()[slug].items:
            if item.kind == "numeric":
                found[(slug, item.id)] = (item.fields["answer"], item.fields.get("unit"))
    assert found == EXPECTED


def test_facts_carry_a_source_and_an_as_of_date() -> None:
    for slug in FACT_DECKS:
        for item in decks()[slug].items:
            assert item.source and item.source.startswith("https://"), item.id
            assert isinstance(item.as_of, dt.date), item.id


def test_decks_are_big_enough() -> None:
    found = decks()
    for slug, deck in found.items():
        assert len(deck.items) >= MINIMUM_ITEMS.get(slug, 1), slug
    prices = found["aws-prices"]
    assert sum(1 for i in prices.items if i.kind == "calc") >= 12


@pytest.mark.parametrize("outdated", ["$1.25 per million write", "$0.15 per GB", "$0.25 per GB"])
def test_outdated_figures_only_in_red_flags(outdated: str) -> None:
    for path in builtin_decks().glob("*.yaml"):
        if path.stem != "red-flags":
            assert outdated not in Path(path).read_text(encoding="utf-8"), path.name
