#!/usr/bin/env python3
"""Scrapes each URL (a broker's /metrics) and parses the answer with prometheus_client's text-format
parser, the one Prometheus' own Python client uses. Prints one JSON object: for each URL, either
{"samples": [[name, {label: value}, value or null when not finite], ...]} or {"error": "..."} when it could not be fetched.
A body the parser refuses ends the script with status 2 and the parser's message: the exposition
is not valid Prometheus text format.

Usage: scrape_metrics.py URL...
"""
import json
import math
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

result = {}
for url in sys.argv[1:]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            content_type = answer.headers.get("Content-Type", "")
            body = answer.read().decode("utf-8")
    except Exception as error:  # a broker that is down: the caller decides what that means
        result[url] = {"error": str(error)}
        continue
    if not content_type.startswith("text/plain"):
        print(f"{url}: Content-Type {content_type!r}, not the text format", file=sys.stderr)
        sys.exit(2)
    # The parser renames the samples of a counter whose name lacks "_total" (a timer's
    # "…_count") to "…_count_total"; the names as exposed are put back.
    exposed = {line.split("{", 1)[0].split(" ", 1)[0] for line in body.splitlines() if line and not line.startswith("#")}
    try:
        samples = []
        names = set()
        for family in text_string_to_metric_families(body):
            if family.name in names:
                raise ValueError(f"metric family {family.name} appears twice")
            names.add(family.name)
            for sample in family.samples:
                name = sample.name
                if name not in exposed and name.endswith("_total") and name[:-len("_total")] in exposed:
                    name = name[:-len("_total")]
                samples.append([name, sample.labels, sample.value if math.isfinite(sample.value) else None])
    except Exception as error:
        print(f"{url}: not valid Prometheus text format: {error}", file=sys.stderr)
        sys.exit(2)
    result[url] = {"samples": samples}
print(json.dumps(result))
