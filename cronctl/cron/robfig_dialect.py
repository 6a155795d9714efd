"""The dialects of providers that parse with robfig/cron v3 (QStash, Kubernetes CronJobs)."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from . import robfig
from .base import CronProblem, Dialect, Refused
from .zones import load_location

# Kubernetes' validTimeZoneCharacters, for each '/'-separated part of spec.timeZone.
_K8S_ZONE_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}$")
FIELDS_HINT = ("five fields: minute 0-59, hour 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, "
               "day-of-week 0-6 or SUN-SAT (Sunday is 0); or @hourly, @daily, @weekly, "
               "@monthly, @yearly, @every 1h30m")


class RobfigDialect(Dialect):
    library = "robfig/cron v3"
    separators = robfig.GO_SPACE  # strings.Fields: Go's unicode.IsSpace

    def parse(self, expr: str, shown: str | None = None) -> robfig.Spec | robfig.Every:
        try:
            return robfig.parse(expr)
        except robfig.RobfigError as exc:
            shown = expr if shown is None else shown
            count = re.match(r"expected exactly 5 fields, found ([0-9]+)", str(exc))
            message = f"{self.provider} refuses {shown!r}: {exc}"
            if count:
                message = ("expected 5 fields (minute hour day-of-month month day-of-week), "
                           f"got {count.group(1)}")
            raise Refused(CronProblem(message, self.hint_for(str(exc)))) from None

    def hint_for(self, message: str) -> str:
        rule = f"{self.provider} parses crons with {self.library}"
        if "above maximum (6)" in message:
            return f"{rule}: day-of-week is 0-6, write Sunday as 0 (not 7)"
        token = re.search(r"failed to parse int from ([^:]*):", message)
        if token and token.group(1).isalpha() and len(token.group(1)) > 2:
            return f"{rule}: names are three letters, in month and day-of-week only (JAN, MON-FRI)"
        if token and re.search(r"[LW#]", token.group(1)):
            return f"{rule}, which has no L, W or # (last day, weekday, nth weekday): list the " \
                   "days instead"
        if "fields, found" in message:
            return f"{rule}: five fields, no seconds or year; e.g. '*/15 * * * *' runs every " \
                   "15 minutes"
        if "descriptor" in message or "duration" in message:
            return f"{rule}: @yearly, @monthly, @weekly, @daily, @hourly or @every <duration> " \
                   "such as @every 1h30m (units h, m, s)"
        if "location" in message or "TZ" in message:
            return f"{rule}: CRON_TZ=<IANA zone> then a space, e.g. CRON_TZ=Europe/Lisbon 0 9 * * *"
        return f"{rule}: {FIELDS_HINT}"

    def surprises(self, expr: str, sched: robfig.Spec) -> list[CronProblem]:
        out = self._quirks(expr)
        if not (sched.dom & robfig.STAR or sched.dow & robfig.STAR):
            out.append(CronProblem(
                f"day-of-month and day-of-week are both restricted in {expr!r}: {self.provider} "
                "runs on days matching EITHER of them (not both)",
                "that is robfig/cron's rule (a step such as */2 counts as a restriction); to mean "
                "'both', restrict one field and check the other in the job",
                severity="warning"))
        return out

    def _quirks(self, expr: str) -> list[CronProblem]:
        """Items robfig accepts but reads otherwise: `*-5` is `*`, a step beyond the range."""
        fields = robfig.go_fields(robfig.split_zone_prefix(expr)[1])
        out = []
        for text, b in zip(fields, robfig.FIELDS, strict=False) if len(fields) == 5 else ():
            for item in filter(None, text.split(",")):
                step = re.search(r"/\+?0*([0-9]+)$", item)
                if re.match(r"^[*?]-", item):
                    out.append(CronProblem(
                        f"{b.name} {item!r}: {self.provider} reads it as '*' (robfig/cron "
                        "ignores what follows '*-'), i.e. every value",
                        f"write a range such as 0-{item.split('-')[1]} if that was meant",
                        severity="warning"))
                elif step and int(step.group(1)) > b.max - b.min:
                    out.append(CronProblem(
                        f"{b.name} {item!r}: the step is larger than the field, so it matches "
                        "only the first value (not 'every N' across the boundary)",
                        f"robfig/cron steps within one {b.name} range ({b.min}-{b.max}); write "
                        "the value itself if that was meant",
                        severity="warning"))
        return out


class QStashDialect(RobfigDialect):
    """QStash: robfig's ParseStandard on the cron as sent, zone as a CRON_TZ= prefix."""

    name = "qstash"
    provider = "QStash"

    def compile(self, expr: str, timezone: str | None = None):
        sent = expr
        if timezone and timezone != "UTC" and not expr.startswith(("TZ=", "CRON_TZ=")):
            sent = f"CRON_TZ={timezone} {expr}"
        sched = self.parse(sent, shown=expr)
        return sched, load_location(sched.location or "")


class KubernetesDialect(RobfigDialect):
    """Kubernetes CronJob: ParseStandard on spec.schedule; the zone is spec.timeZone."""

    name = "kubernetes"
    provider = "Kubernetes"

    def compile(self, expr: str, timezone: str | None = None):
        if "TZ" in expr:
            raise Refused(CronProblem(
                f"Kubernetes refuses {expr!r}: cannot use TZ or CRON_TZ in schedule, use "
                "timeZone field instead",
                "remove the prefix and set the zone in the job's timezone (spec.timeZone)"))
        tz = self.zone(timezone)
        return self.parse(expr), tz

    def zone(self, timezone: str | None) -> ZoneInfo:
        """The apiserver's validateTimeZone, then the zone the controller runs the job in."""
        if timezone is None:
            return load_location("")  # the controller manager's zone, taken to be UTC
        if not timezone:
            problem = "timeZone must be nil or non-empty string"
        elif any(p in (".", "..") or p.startswith("-") or not _K8S_ZONE_PART.match(p)
                 for p in timezone.split("/")):
            problem = f"unknown time zone {timezone}"
        elif timezone.lower() == "local":
            problem = ("timeZone must be an explicit time zone as defined in "
                       "https://www.iana.org/time-zones")
        else:
            try:
                return load_location(timezone)
            except ValueError as exc:
                problem = str(exc)
        raise Refused(CronProblem(f"Kubernetes refuses timeZone {timezone!r}: {problem}",
                                  "use an IANA name such as UTC or Europe/Lisbon",
                                  field="timezone"))
