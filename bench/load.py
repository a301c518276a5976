"""Load benchmark: many owners asking at once, over REST, the SSE stream and the chat page's Gradio queue.

Starts its own app server (a real `python app.py` on 127.0.0.1) on a freshly built index, and for LLM mode its
own local model server (tests/fake_llm.py in a child process, ~1 s per streamed answer), then stops them.
Bounded: a fixed number of owners × questions per scenario and a time limit per scenario; rate limits are
turned off for the bench through settings. Prints, per scenario: answers/s, p50/p95 latency, p50/p95 time to
first token (REST has none: the answer comes whole), errors, model fallbacks, and the server's peak threads
and RSS (sampled from /proc), and its CPU use in cores (CPU s / wall s). Also the warm start: `python app.py`
to /healthz 200 against a bare `python -c "import gradio"`.

The page's chat handlers are private (scripts use REST), so gradio_client cannot list them; the bench calls
them over Gradio's own HTTP queue API (/gradio_api/call/<handler>), which is what gradio_client does too.

    python bench/load.py                       # offline and LLM, 1 and 50 owners (Gradio 1 and 6)
    python bench/load.py --modes llm --owners 1 20 --gradio-owners 1 6 --questions 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from _common import ROOT, built_settings, p

FAKE_MODEL = """
import sys, time
sys.path.insert(0, {tests!r})
from fake_llm import FakeLLM
with FakeLLM(reply={reply!r}, answer_time={answer_time}) as fake:
    print(fake.base_url, flush=True)
    sys.stdin.read()  # until the bench closes our stdin
"""
REPLY = "Start with one person who owns customer service [1], then add marketing help [2]. " * 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SETS = ("gold", "holdout", "holdout2", "blind-a", "blind-b")  # 511 questions; the blind-c/d sets stay unseen


def questions() -> list[str]:
    """Every scenario on one server gets questions it has not seen yet, so no answer comes from a warm cache."""
    out = []
    for name in SETS:
        lines = (ROOT / "eval" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        out += [json.loads(line)["question"] for line in lines if line.strip()]
    return out


def process_tree(pid: int) -> list[int]:
    """The server and its children (uvicorn's worker processes with ASSISTANT_WORKERS > 1)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            pass
    return found


def is_worker(pid: int) -> bool:
    """A uvicorn worker (spawned by multiprocessing), not its resource tracker."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


class ProcStats:
    """Peak threads (all server processes together) and peak RSS (of the largest one, i.e. per worker),
    sampled every 0.1 s while a scenario runs."""

    def __init__(self, pid: int, children: set[int]) -> None:
        self.pid, self.threads, self.rss_mb = pid, 0, 0.0
        self.children = children  # every worker process seen: more than ASSISTANT_WORKERS means restarts

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server processes so far: busy/wall near 1.0 is one core's worth."""
        total = 0.0
        for pid in process_tree(self.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def sample(self) -> None:
        threads = 0
        tree = process_tree(self.pid)
        self.children.update(pid for pid in tree[1:] if is_worker(pid))
        for pid in tree:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("Threads:"):
                    threads += int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    self.rss_mb = max(self.rss_mb, int(line.split()[1]) / 1024)
        self.threads = max(self.threads, threads)

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            await asyncio.sleep(0.1)


class App:
    """`python app.py` on a free port of 127.0.0.1, with the bench's environment."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.children: set[int] = set()
        self.url = f"http://127.0.0.1:{self.port}"
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "ASSISTANT_"))}
        clean.update({"ASSISTANT_DATA_DIR": str(data_dir), "GRADIO_ANALYTICS_ENABLED": "False", **env})
        self.log = (data_dir / f"load-{self.port}.log").open("w")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(self.port)],
            cwd=data_dir,
            env=clean,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 120) -> float:
        """Seconds from start until /healthz says 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app exited, see {self.log.name}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - self.started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError("app not ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    first_tokens: list[float] = field(default_factory=list)
    errors: int = 0
    fallbacks: int = 0
    error_samples: list[str] = field(default_factory=list)


async def ask_rest(client: httpx.AsyncClient, url: str, q: str, res: Result) -> None:
    t0 = time.monotonic()
    r = await client.post(f"{url}/api/chat", json={"message": q})
    if r.status_code != 200:
        res.errors += 1
        res.error_samples.append(f"{r.status_code} {r.text[:120]}")
        return
    res.latencies.append(time.monotonic() - t0)
    res.fallbacks += bool(r.json().get("fallback"))


async def ask_sse(client: httpx.AsyncClient, url: str, q: str, res: Result) -> None:
    t0, first, final = time.monotonic(), None, None
    async with client.stream("POST", f"{url}/api/chat/stream", json={"message": q}) as r:
        if r.status_code != 200:
            res.errors += 1
            return
        event = ""
        async for line in r.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
                if event == "token" and first is None:
                    first = time.monotonic() - t0
            elif line.startswith("data: ") and event == "final":
                final = json.loads(line[6:])
    if final is None:
        res.errors += 1
        return
    res.latencies.append(time.monotonic() - t0)
    res.first_tokens.append(first if first is not None else res.latencies[-1])
    res.fallbacks += bool(final.get("fallback"))


async def ask_gradio(client: httpx.AsyncClient, url: str, q: str, res: Result) -> None:
    t0, first, done = time.monotonic(), None, False
    r = await client.post(f"{url}/gradio_api/call/respond", json={"data": [q, [], {}, "EN"]})
    if r.status_code != 200:
        res.errors += 1
        return
    async with client.stream("GET", f"{url}/gradio_api/call/respond/{r.json()['event_id']}") as s:
        event = ""
        async for line in s.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                if event == "generating" and first is None and '"assistant"' in line:
                    first = time.monotonic() - t0
                if event in ("complete", "error"):
                    done = event == "complete"
                    break
    if not done:
        res.errors += 1
        return
    res.latencies.append(time.monotonic() - t0)
    res.first_tokens.append(first if first is not None else res.latencies[-1])


ASK = {"rest": ask_rest, "sse": ask_sse, "gradio": ask_gradio}


async def scenario(
    app: App, channel: str, owners: int, per_owner: int, limit_s: float, offset: int
) -> tuple[Result, dict]:
    """`owners` owners, each asking `per_owner` questions one after another; stops starting new ones at limit_s."""
    pool, res, stats = questions(), Result(), ProcStats(app.proc.pid, app.children)
    stop = asyncio.Event()
    deadline = time.monotonic() + limit_s
    limits = httpx.Limits(max_connections=owners * 2 + 4, max_keepalive_connections=owners * 2 + 4)

    async with httpx.AsyncClient(timeout=httpx.Timeout(60, connect=10), limits=limits) as client:

        async def owner(i: int) -> None:
            for j in range(per_owner):
                if time.monotonic() > deadline:
                    return
                try:
                    await ASK[channel](client, app.url, pool[(offset + i * per_owner + j) % len(pool)], res)
                except httpx.HTTPError:
                    res.errors += 1

        watcher = asyncio.create_task(stats.watch(stop))
        t0, cpu0 = time.monotonic(), stats.cpu_seconds()
        await asyncio.gather(*(owner(i) for i in range(owners)))
        wall = time.monotonic() - t0
        busy = (stats.cpu_seconds() - cpu0) / wall
        stop.set()
        await watcher
    return res, {"wall": wall, "threads": stats.threads, "rss_mb": stats.rss_mb, "busy": busy}


def row(mode: str, channel: str, owners: int, res: Result, info: dict) -> dict:
    lat, ftt = res.latencies or [float("nan")], res.first_tokens
    return {
        "mode": mode,
        "channel": channel,
        "owners": owners,
        "answers": len(res.latencies),
        "answers_s": len(res.latencies) / info["wall"],
        "wall_s": info["wall"],
        "p50_s": p(lat, 0.5),
        "p95_s": p(lat, 0.95),
        "ttft_p50_s": p(ftt, 0.5) if ftt else None,
        "ttft_p95_s": p(ftt, 0.95) if ftt else None,
        "errors": res.errors,
        "fallbacks": res.fallbacks,
        "peak_threads": info["threads"],
        "peak_rss_mb": info["rss_mb"],
        "server_cpu": info["busy"],
    }


def show(r: dict) -> None:
    ttft = "      —       " if r["ttft_p50_s"] is None else f"{r['ttft_p50_s']:6.2f} /{r['ttft_p95_s']:6.2f}"
    print(
        f"| {r['mode']:7} | {r['channel']:6} | {r['owners']:3} | {r['answers']:4} | {r['answers_s']:6.1f} "
        f"| {r['p50_s']:6.2f} | {r['p95_s']:6.2f} | {ttft} | {r['errors']} | {r['fallbacks']} "
        f"| {r['peak_threads']} | {r['peak_rss_mb']:.0f} | {r['server_cpu']:.2f} |",
        flush=True,
    )


def startup(data_dir: Path, runs: int) -> None:
    """Warm start (index built, files cached) of `python app.py` to /healthz 200, against `import gradio`."""
    imports, starts = [], []
    for _ in range(runs):
        t0 = time.monotonic()
        subprocess.run([sys.executable, "-c", "import gradio"], check=True)
        imports.append(time.monotonic() - t0)
        app = App(data_dir, {})
        try:
            starts.append(app.wait_ready())
        finally:
            app.stop()
    gi, st = sorted(imports)[runs // 2], sorted(starts)[runs // 2]
    print(
        f"\nstart-up (median of {runs}): import gradio {gi:.2f} s, warm start to /healthz 200 {st:.2f} s, "
        f"ratio {st / gi:.2f} (target ≤ 1.5)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--modes", nargs="+", default=["offline", "llm"], choices=["offline", "llm"])
    ap.add_argument("--channels", nargs="+", default=["rest", "sse", "gradio"], choices=list(ASK))
    ap.add_argument("--owners", nargs="+", type=int, default=[1, 50], help="owners for REST and SSE")
    ap.add_argument("--gradio-owners", nargs="+", type=int, default=[1, 6])
    ap.add_argument("--questions", type=int, default=4, help="questions per owner (one owner asks 10)")
    ap.add_argument("--answer-time", type=float, default=1.0, help="the fake model's seconds per answer")
    ap.add_argument("--limit", type=float, default=120, help="seconds per scenario before owners stop asking")
    ap.add_argument("--startup-runs", type=int, default=3, help="0 skips the start-up figure")
    ap.add_argument("--startup-only", action="store_true", help="only the start-up figure, no load")
    ap.add_argument("--workers", type=int, default=1, help="ASSISTANT_WORKERS for the app under load")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args()
    if max(args.owners + args.gradio_owners) > 200 or args.questions > 50:
        ap.error("bounded on purpose: at most 200 owners and 50 questions each")

    settings = built_settings()
    print(
        f"index built in {settings.data_dir}; cores: {os.cpu_count()}, load avg {os.getloadavg()[0]:.1f}, "
        f"workers: {args.workers}"
    )
    rate_off = {"ASSISTANT_RATE_LIMIT_PER_MINUTE": "0", "ASSISTANT_RATE_LIMIT_PER_HOUR": "0"}
    rows = []
    print(
        "\n| mode | channel | owners | answers | answers/s | p50 s | p95 s | first token p50 / p95 s | errors "
        "| fallbacks | peak threads | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for mode in [] if args.startup_only else args.modes:
        model = None
        env = {**rate_off, "ASSISTANT_WORKERS": str(args.workers)}
        if mode == "llm":
            code = FAKE_MODEL.format(tests=str(ROOT / "tests"), reply=REPLY, answer_time=args.answer_time)
            model = subprocess.Popen(
                [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            assert model.stdout is not None
            env.update(
                {
                    "ASSISTANT_OPENAI_BASE_URL": model.stdout.readline().strip(),
                    "ASSISTANT_OPENAI_API_KEY": "bench",
                    "ASSISTANT_LLM_MODEL": "fake-model",
                    "ASSISTANT_LLM_BREAKER_FAILURES": "1000",
                }
            )
        app = App(settings.data_dir, env)
        try:
            app.wait_ready()
            for q in questions()[-5:]:  # warm-up (model loaded, first connections), not counted
                httpx.post(f"{app.url}/api/chat", json={"message": q}, timeout=60)
            offset = 0
            for channel in args.channels:
                for owners in args.gradio_owners if channel == "gradio" else args.owners:
                    per_owner = max(args.questions, 10) if owners == 1 else args.questions
                    res, info = asyncio.run(scenario(app, channel, owners, per_owner, args.limit, offset))
                    offset += owners * per_owner
                    rows.append(row(mode, channel, owners, res, info))
                    show(rows[-1])
                    for sample in sorted(set(res.error_samples))[:3]:
                        print(f"  error: {sample}")
        finally:
            app.stop()
            if args.workers > 1:
                restarts = len(app.children) - args.workers
                print(f"({mode}: {len(app.children)} worker processes seen for {args.workers}: {restarts} restarts)")
            if model is not None:
                model.stdin.close()  # type: ignore[union-attr]
                model.wait(10)
    if args.startup_runs:
        startup(settings.data_dir, args.startup_runs)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
