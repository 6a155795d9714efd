"""The normal form: a job and the schedule QStash returns for it compare equal."""

from cronctl.config import Job
from cronctl.targets.qstash.model import QStashSpec
from cronctl.targets.qstash.spec import canonical_body, differences, from_job, from_live


def business_job(**kw) -> Job:
    base = dict(
        name="reminders",
        tier="business",
        path="/api/cron/reminders",
        schedule="0 9 * * *",
        timezone="Europe/Lisbon",
        url="https://app.example.com/api/cron/reminders",
        headers={"Authorization": "Bearer s3cret-value-123", "Content-Type": "application/json"},
        retries=5,
        timeout=30,
        body='{"kind":"daily","n":1}',
        labels=("notifications",),
        schedule_id="cronctl.acme.reminders",
    )
    base.update(kw)
    common = {k: base.pop(k) for k in ("name", "tier", "path", "schedule", "timezone", "labels")}
    return Job(**common, target="qstash", spec=QStashSpec(**base))


def live_for(job: Job, **kw) -> dict:
    obj = {
        "scheduleId": job.spec.schedule_id,
        "cron": "CRON_TZ=Europe/Lisbon 0 9 * * *",
        "destination": job.spec.url,
        "method": "POST",
        "header": {
            "Upstash-Forward-Authorization": ["Bearer s3cret-value-123"],
            "Content-Type": ["application/json"],
        },
        "body": '{"n": 1, "kind": "daily"}',
        "retries": 5,
        "timeout": 30,
        # The job's labels and the one cronctl adds to every run of the job.
        "labels": ["notifications", job.spec.schedule_id],
        "createdAt": 1,
        "isPaused": False,
    }
    obj.update(kw)
    return obj


def test_job_and_its_live_schedule_are_equal():
    job = business_job()
    assert differences(from_live(live_for(job)), from_job(job)) == []


def test_utc_has_no_prefix_and_defaults_fill_in():
    job = business_job(timezone="UTC", retries=None, headers={}, body=None, timeout=None,
                       labels=())
    live = {"scheduleId": job.spec.schedule_id, "cron": "0 9 * * *", "destination": job.spec.url,
            "label": job.spec.schedule_id}
    assert differences(from_live(live), from_job(job)) == []
    assert from_job(job).cron_expr == "0 9 * * *"


def test_timezone_change_is_a_difference():
    job = business_job()
    assert differences(from_live(live_for(job, cron="0 9 * * *")), from_job(job)) == ["timezone"]


def test_header_value_change_is_a_difference():
    job = business_job()
    live = live_for(job, header={"Authorization": ["Bearer other"],
                                 "Content-Type": ["application/json"]})
    assert differences(from_live(live), from_job(job)) == ["headers"]


def test_request_headers_use_forward_prefix_and_units():
    h = from_job(business_job(delay=90, concurrency=2)).request_headers()
    assert h["Upstash-Cron"] == "CRON_TZ=Europe/Lisbon 0 9 * * *"
    assert h["Upstash-Forward-authorization"] == "Bearer s3cret-value-123"
    assert h["Content-Type"] == "application/json"
    assert h["Upstash-Timeout"] == "30s"
    assert h["Upstash-Delay"] == "90s"
    assert h["Upstash-Flow-Control-Value"] == "parallelism=2"
    assert h["Upstash-Label"] == "cronctl.acme.reminders,notifications"


def test_json_bodies_compare_as_data_text_bodies_as_text():
    assert canonical_body('{"a":1,"b":2}') == canonical_body('{ "b": 2, "a": 1 }')
    assert canonical_body("hello") != canonical_body("hello ")
