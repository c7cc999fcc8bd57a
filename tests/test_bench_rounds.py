"""bench/serve.py runs the app and its floor app in alternated rounds, and merges each side's rounds into one run."""

from __future__ import annotations

from bench.serve import Run, in_rounds, merged, paired


def test_rounds_merge_into_one_run() -> None:
    slow = Run(requests=100, rps=10.0, p50_ms=40.0, p95_ms=80.0, p99_ms=90.0, errors=1, bytes_per_response=500)
    fast = Run(requests=300, rps=30.0, p50_ms=20.0, p95_ms=30.0, p99_ms=50.0, errors=0, bytes_per_response=500)
    middle = Run(requests=200, rps=20.0, p50_ms=30.0, p95_ms=60.0, p99_ms=70.0, errors=2, bytes_per_response=500)
    run = merged([slow, fast, middle])
    # 600 requests in 10 + 10 + 10 seconds; each latency the median of the three rounds'
    assert run.requests == 600
    assert run.rps == 20.0
    assert (run.p50_ms, run.p95_ms, run.p99_ms) == (30.0, 60.0, 70.0)
    assert run.errors == 3
    assert run.as_dict()["rounds"] == 3


def test_the_app_and_its_floor_take_turns() -> None:
    calls: list[tuple[str, int]] = []

    def side(name: str, rps: float):  # type: ignore[no-untyped-def]
        def run(seconds: int) -> Run:
            calls.append((name, seconds))
            return Run(requests=int(rps * seconds), rps=rps, p50_ms=1.0, p95_ms=2.0, p99_ms=3.0)

        return run

    app, floor = paired(side("app", 100.0), side("floor", 400.0), duration=20, rounds=4)
    assert calls == [("app", 5), ("floor", 5)] * 4
    assert (app.requests, app.rps) == (2000, 100.0)
    assert (floor.requests, floor.rps) == (8000, 400.0)


def test_a_scenario_without_a_floor_runs_in_rounds_too() -> None:
    # one round served by a single worker (half the throughput) weighs as one round of four, not the whole figure
    rates = iter([100.0, 200.0, 200.0, 200.0])
    seconds_asked: list[int] = []

    def run(seconds: int) -> Run:
        seconds_asked.append(seconds)
        rps = next(rates)
        return Run(requests=int(rps * seconds), rps=rps, p50_ms=rps / 10, p95_ms=rps / 5, p99_ms=rps / 4)

    merged_run = in_rounds(run, duration=20, rounds=4)
    assert seconds_asked == [5, 5, 5, 5]
    # 3,500 requests in 20 s; the latencies are the rounds' medians
    assert (merged_run.requests, merged_run.rps) == (3500, 175.0)
    assert (merged_run.p50_ms, merged_run.p95_ms) == (20.0, 40.0)
    assert merged_run.as_dict()["rounds"] == 4
