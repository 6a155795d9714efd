"""stats.compute over QStash events grouped by message."""

from cronctl.targets.qstash.stats import compute


def ev(mid, state, t, **kw):
    return {"messageId": mid, "state": state, "time": t, **kw}


def test_runs_outcomes_latency_and_retries():
    events = [
        # m1: delivered first try, 120 ms after ACTIVE
        ev("m1", "CREATED", 1000), ev("m1", "ACTIVE", 1100), ev("m1", "DELIVERED", 1220,
                                                                responseStatus=200),
        # m2: error, retry, delivered; latency measured from the *last* ACTIVE
        ev("m2", "CREATED", 2000), ev("m2", "ACTIVE", 2010),
        ev("m2", "ERROR", 2050, responseStatus=500, responseBody="boom"),
        ev("m2", "RETRY", 2051), ev("m2", "ACTIVE", 3000),
        ev("m2", "DELIVERED", 3040, responseStatus=201),
        # m3: failed for good
        ev("m3", "CREATED", 4000), ev("m3", "ACTIVE", 4001),
        ev("m3", "ERROR", 4002, responseStatus=503, responseBody="down"),
        ev("m3", "FAILED", 4003),
        # m4: still in flight
        ev("m4", "CREATED", 5000), ev("m4", "ACTIVE", 5001),
    ]
    st = compute("job", "sid", events, dlq=1)
    assert (st.runs, st.delivered, st.failed, st.in_flight, st.retries) == (4, 2, 1, 1, 1)
    assert st.success_rate == round(2 / 3, 4)
    assert sorted(st.latencies) == [40.0, 120.0]
    assert st.latency_p50_ms == 80.0 and st.latency_p95_ms == 120.0
    assert st.last_failure is not None and st.last_failure.status == 503
    assert st.last_failure.error == "down"
    assert st.last_success is not None and st.last_success.status == 201
    assert st.consecutive_failures == 1
    assert st.dlq == 1


def test_consecutive_failures_stop_at_the_last_success():
    events = []
    for i, final in enumerate(["DELIVERED", "FAILED", "DELIVERED", "FAILED", "FAILED",
                               "FAILED"]):
        t = 10_000 * (i + 1)
        events += [ev(f"m{i}", "ACTIVE", t), ev(f"m{i}", final, t + 5)]
    st = compute("job", "sid", events)
    assert st.consecutive_failures == 3
    assert st.failed == 4 and st.delivered == 2


def test_no_events():
    st = compute("job", "sid", [])
    assert st.runs == 0 and st.success_rate is None and st.latency_p95_ms is None
