"""What `verinfer serve` costs: the latency it adds over a direct verified
Client call, and sustained verified requests per second with 64 concurrent
clients, against a running devnet. Figures for notes, never a test.

    DEVNET_PORT_BASE=28300 VERINFER_BUILD_DIR=build-serve .venv/bin/python bench/serve_bench.py

Both paths make the same verified call to the same TEE endpoint (the
registry's HTTPS one), paid with x402 and batch-settled: the direct path is
verinfer's Python LLM (the C++ Client underneath, the GIL released), the
proxy path is a raw keep-alive HTTP client to `verinfer serve` (whose own
Client also checks the registry entry; that check is cached with the
attestation, so it is not in the per-call figures). The two are interleaved
call by call so machine load hits both alike. Prints a markdown table."""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = Path(os.environ.get("VERINFER_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))
sys.path.insert(0, str(ROOT / "tests" / "python"))

import verinfer  # noqa: E402  (the build tree's package)
from serve_helpers import ServeProcess  # noqa: E402

BODY = {"model": "openai/gpt-5", "messages": [{"role": "user", "content": "benchmark"}],
        "max_tokens": 16}


def devnet_profile() -> dict:
    base = os.environ.get("DEVNET_PORT_BASE", "")
    path = ROOT / "devnet" / (f"run-{base}" if base else "run") / "profile.json"
    return json.loads(path.read_text())


class ProxyConnection:
    """One keep-alive connection to the proxy, as one OpenAI client would hold."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.body = json.dumps(BODY)

    def call(self) -> None:
        self.conn.request("POST", "/v1/chat/completions", body=self.body,
                          headers={"Content-Type": "application/json"})
        answer = self.conn.getresponse()
        data = answer.read()
        if answer.status != 200 or answer.getheader("X-Verinfer-Verified") != "true":
            raise RuntimeError(f"not verified: HTTP {answer.status} {data[:300]!r}")


def direct_call(llm) -> None:
    result = llm.chat(BODY["model"], BODY["messages"], max_tokens=BODY["max_tokens"],
                      x402_settlement_mode="batch")
    if not result.content:
        raise RuntimeError("empty answer")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def sustained(make_caller, clients: int, seconds: float, warmup: float):
    """Each of `clients` threads calls back to back; counts calls that end in
    the measured window (after the warm-up). Returns (req/s, p50 s, p99 s)."""
    stop_at = time.monotonic() + warmup + seconds
    window_start = time.monotonic() + warmup
    latencies, errors, lock = [], [], threading.Lock()

    def worker():
        call = make_caller()
        while True:
            begin = time.monotonic()
            if begin >= stop_at:
                return
            try:
                call()
            except Exception as e:  # noqa: BLE001  (reported, not hidden)
                with lock:
                    errors.append(repr(e))
                return
            end = time.monotonic()
            if window_start <= end <= stop_at:
                with lock:
                    latencies.append(end - begin)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} clients failed, first: {errors[0]}")
    return len(latencies) / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="sequential calls per path")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured window under load")
    args = parser.parse_args()

    devnet = devnet_profile()
    key = devnet["testPayer"]["privateKey"]
    work = Path(tempfile.mkdtemp(prefix="serve-bench-"))
    # The direct client talks to the registry's HTTPS endpoint too (same TLS, same TEE).
    direct_profile = json.loads(json.dumps(devnet))
    direct_profile["urls"]["gateway"] = devnet["tee"]["endpoint"]
    (work / "direct.json").write_text(json.dumps(direct_profile))
    llm = verinfer.LLM(str(work / "direct.json"), key)

    server = ServeProcess(BUILD / "verinfer", work / "serve", devnet, "--threads",
                          str(args.clients + 8))
    try:
        proxy = ProxyConnection(server.port)
        for _ in range(5):  # attestation, registry and connections warmed on both paths
            direct_call(llm)
            proxy.call()
        direct, via_proxy = [], []
        for _ in range(args.calls):
            direct.append(timed(lambda: direct_call(llm)))
            via_proxy.append(timed(proxy.call))
        load_direct = sustained(lambda: (lambda: direct_call(llm)), args.clients, args.seconds, 3)
        load_proxy = sustained(lambda: ProxyConnection(server.port).call, args.clients,
                               args.seconds, 3)
    finally:
        server.stop()

    ms = lambda s: f"{s * 1000:.1f}"  # noqa: E731
    added = [p - d for p, d in zip(via_proxy, direct)]
    print(f"load average {' '.join(open('/proc/loadavg').read().split()[:3])}, "
          f"{os.cpu_count()} cores, {args.calls} interleaved sequential calls per path, "
          f"{args.clients} clients for {args.seconds:.0f} s\n")
    print("| path | p50 ms | p90 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in (("direct verified Client call", direct), ("through verinfer serve", via_proxy)):
        print(f"| {name} | {ms(percentile(values, 0.5))} | {ms(percentile(values, 0.9))} | "
              f"{ms(percentile(values, 0.99))} |")
    print(f"| added by serve (paired difference) | {ms(statistics.median(added))} | "
          f"{ms(percentile(added, 0.9))} | {ms(percentile(added, 0.99))} |\n")
    print(f"| {args.clients} concurrent clients | verified req/s | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, (rps, p50, p99) in (("direct verified Client calls", load_direct),
                                  ("through verinfer serve", load_proxy)):
        print(f"| {name} | {rps:.1f} | {ms(p50)} | {ms(p99)} |")


if __name__ == "__main__":
    main()
