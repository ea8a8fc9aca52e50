"""Every benchmark in bench/, run small (seconds), so the scripts don't rot.

These check that each benchmark runs end to end and measures the real thing (the app did
the work it was asked), never how fast: numbers are for the benchmarks (BENCHMARKS.md).
"""

from __future__ import annotations

import pytest

from bench import ack, ack_checkin, beliefs, chart, checkin_scale, reminders
from bench.common import percentile, signature
from bench.loadgen import run_load


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0


def test_signature_is_slacks_v0_scheme():
    from slack_sdk.signature import SignatureVerifier

    body = "command=%2Fcommit&text=progress+%231+150"
    verifier = SignatureVerifier("secret")
    assert signature("secret", "1700000000", body.encode()) == verifier.generate_signature(
        timestamp="1700000000", body=body
    )


def test_load_generator_refuses_anything_but_the_loopback():
    with pytest.raises(ValueError):
        run_load(80, "/", lambda i, n: (b"", {}), 1, 0.1, host="10.0.0.1")


def test_ack_benchmark_drives_coach_run_and_bare_bolt():
    results = ack.run(
        duration=1.0, concurrency=2, commitments=3, warmup=0.3, with_pbr=False, light=1, light_duration=0.3
    )

    coach, bare = results["coach"], results["bare_bolt"]
    assert coach["requests"] > 0 and bare["requests"] > 0
    assert set(coach["statuses"]) == {"200"} and set(bare["statuses"]) == {"200"}
    assert not coach["errors"] and not bare["errors"]
    # Every acknowledged report was stored and posted in its thread once the load stopped.
    assert results["drain_s"] is not None and results["drain_behind"] == 0
    assert results["memory_idle_after_load"]["rss_total"] > 0
    assert results["p50_ratio"] > 0 and results["rps_ratio"] > 0
    assert results["light"]["coach"]["requests"] > 0 and results["cpu_ms_per_request"]["coach"] > 0


def test_ack_during_checkin_benchmark_measures_while_the_checkin_runs():
    results = ack_checkin.run(channels=3, per_channel=2, reports=3, duration=1.0, concurrency=2, delay=0.0, warmup=0.2)
    if results.get("skipped"):
        pytest.skip(results["skipped"])
    assert results["coach"]["requests"] > 0
    assert set(results["coach"]["statuses"]) == {"200"}
    claimed, posted = results["checkin_progress"]["final"]
    assert posted == 3, "coach run's scheduler posted the three due check-ins"
    assert results["pss_peak_during_checkin"] > 0


def test_checkin_scale_benchmark_counts_queries_and_posts():
    results = checkin_scale.run(channels=5, per_channel=2, reports=3, actions=1, delay=0.0)

    assert results["generated"] == {"commitments": 10, "reports": 30, "seconds": results["generated"]["seconds"]}
    verdicts = results["verdicts"]
    assert verdicts["commitments"] == 10
    assert verdicts["queries"] == verdicts["tenth_queries"], "no query per commitment"
    if results.get("runner") == "skipped":
        pytest.skip("no check-in runner yet")
    assert results["dry_run"]["channels"] == 5
    posting = results["posting"]
    assert posting["posted"] == 5
    assert posting["messages"] >= 5
    assert posting["concurrency"] >= 1


def test_chart_benchmark_renders_a_png():
    pytest.importorskip("matplotlib")
    results = chart.run(charts=1)
    if results.get("skipped"):
        pytest.skip(results["skipped"])
    assert results["png_bytes"] > 10_000
    assert results["warm_median_s"] > 0


def test_beliefs_benchmark_counts_the_held_out_part_and_times_hostile_messages():
    results = beliefs.run(rounds=1, hostile_rounds=1)
    held, train = results["heldout"], results["train"]
    assert sum(held[k] for k in ("tp", "fp", "fn", "tn")) * 4 == pytest.approx(
        sum(train[k] for k in ("tp", "fp", "fn", "tn")), rel=0.05
    )
    assert held["tp"] + held["fn"] == sum(e.belief and e.heldout for e in beliefs.load())
    assert set(results["hostile_max_s"]) == set(beliefs.hostile_messages())


def test_reminders_benchmark_decides_with_a_fixed_number_of_queries():
    results = reminders.run(channels=5, per_channel=2, reports=3, actions=1)

    assert results["generated"]["commitments"] == 10 and results["generated"]["enrolments"] == 30
    passed = results["pass"]
    assert passed["commitments"] == 10
    assert passed["queries"] == passed["tenth_queries"], "no query per commitment"
    assert passed["kinds"].get("nudge", 0) > 0 and passed["kinds"].get("followup", 0) > 0
    assert passed["due"] > passed["tenth_due"] > 0


def test_slow_clients_benchmark_times_healthz_and_commit_under_each_scenario():
    from bench import slow_clients

    results = slow_clients.run(slow=4, idle=40, probes=1, give_up=5.0)

    scenarios = [key for key in results if isinstance(results[key], dict) and "healthz_max_ms" in results[key]]
    assert len(scenarios) == 4
    assert all(results[s]["gave_up"] == 0 for s in scenarios)
    assert results["memory_idle_pss"] > 0
