"""Load test: N concurrent clients post a mix of new and repeated articles to a Khulasa on loopback.

    python scripts/load.py --url http://127.0.0.1:8000 --clients 8 --requests 400 --seconds 60

Bounded in count and time; refuses any host that is not loopback. Prints a table, then one JSON line:
requests, errors by status, p50/p95 latency (ms), cache hit ratio, requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import statistics
import sys
import time
from collections import Counter
from urllib.parse import urlparse

import httpx
from example_batch import example_lines, variant  # the same distinct articles `jobs submit` examples use


def _loopback_only(url: str) -> None:
    host = urlparse(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        sys.exit(f"refusing {url}: the load script only targets loopback addresses")


async def run(url: str, clients: int, total: int, seconds: float, repeat_share: float, api_key: str | None) -> dict:
    base = example_lines()
    headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    hits = 0
    issued = 0
    next_new = 1000 + random.randrange(10**6)  # new articles per run, so a rerun does not hit the cache
    sent: list[int] = []
    stop_at = time.monotonic() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal issued, hits, next_new
        while issued < total and time.monotonic() < stop_at:
            issued += 1
            if sent and random.random() < repeat_share:
                k = random.choice(sent)
            else:
                k = next_new
                next_new += 1
                sent.append(k)
            started = time.perf_counter()
            try:
                r = await http.post(f"{url}/v1/digest", json={"text": variant(k, base)}, headers=headers)
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[str(r.status_code)] += 1
            if r.status_code == 200 and r.json()["meta"]["cached"]:
                hits += 1

    started = time.monotonic()
    async with httpx.AsyncClient(timeout=max(seconds, 30)) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    elapsed = time.monotonic() - started
    ok = statuses.get("200", 0)
    ordered = sorted(latencies)
    return {
        "requests": sum(statuses.values()),
        "clients": clients,
        "statuses": dict(statuses),
        "errors": {k: v for k, v in statuses.items() if k != "200"},
        "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1) if ordered else None,
        "cache_hit_ratio": round(hits / ok, 3) if ok else 0.0,
        "requests_per_second": round(sum(statuses.values()) / elapsed, 1) if elapsed else None,
        "seconds": round(elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeat-share", type=float, default=0.5, help="share of requests that repeat an article")
    parser.add_argument("--api-key", default=None)
    args = parser.parse_args()
    _loopback_only(args.url)
    report = asyncio.run(run(args.url, args.clients, args.requests, args.seconds, args.repeat_share, args.api_key))
    for key in ("requests", "clients", "statuses", "p50_ms", "p95_ms", "cache_hit_ratio", "requests_per_second"):
        print(f"{key:>20}  {report[key]}")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
