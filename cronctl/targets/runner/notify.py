"""Failure and recovery notifications through apprise (Slack, email, webhooks and ~100 more).

Sent from a background thread: a slow or failing notifier never delays or stops the runner;
its failure is logged (without the URL, which often holds a token)."""

from __future__ import annotations

import logging
import queue
import threading

log = logging.getLogger("cronctl.runner")


class Notifier:
    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.sent = 0
        self.failed = 0
        self.thread = threading.Thread(target=self._work, name="notify", daemon=True)
        self.thread.start()

    def send(self, urls: tuple[str, ...], title: str, body: str, failure: bool) -> None:
        if urls:
            self.queue.put((urls, title, body, failure))

    def _work(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                self.queue.task_done()
                return
            try:
                self._deliver(*item)
            except Exception as exc:  # a notifier never stops the runner
                self.failed += 1
                log.warning("notification failed: %s", type(exc).__name__)
            finally:
                self.queue.task_done()

    def _deliver(self, urls, title, body, failure) -> None:
        try:
            import apprise
        except ImportError:
            self.failed += 1
            log.warning("notifications need apprise: pip install 'cronctl[runner]'")
            return
        for name in ("apprise",):
            logging.getLogger(name).setLevel(logging.CRITICAL)  # it would log the URLs
        ap = apprise.Apprise()
        for url in urls:
            if not ap.add(url):
                self.failed += 1
                log.warning("notification URL %d of %d is not one apprise knows",
                            urls.index(url) + 1, len(urls))
        if len(ap) and ap.notify(title=title, body=body,
                                 notify_type="failure" if failure else "success"):
            self.sent += 1
        elif len(ap):
            self.failed += 1
            log.warning("a notification could not be delivered")

    def flush(self) -> None:
        self.queue.join()

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=10)
