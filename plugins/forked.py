"""A function of the build run beside it, in a forked process.

A build of a large archive is one Python process for most of its time;
work whose answer is needed only later (the site-wide content checks, the
related articles while Pelican queues the pages; the stat of every source
file while the store loads) runs on another core.
The child is a fork, so it sees the build's objects as they were; its
answer must pickle.
"""

from __future__ import annotations

import os
from multiprocessing import get_context

from yingkou_archive.errors import ArchiveError

# Below this many articles a fork costs more than the work it moves.
FORK_MIN_ARTICLES = 2000


def worth_forking(articles: int) -> bool:
    return articles >= FORK_MIN_ARTICLES and (os.cpu_count() or 1) > 1


class ForkedCall:
    """``function(*args)`` in a forked process; :meth:`result` waits for it."""

    def __init__(self, what: str, function, *args):
        self.what = what  # named in the error if the child fails
        context = get_context("fork")
        self.pipe, child_end = context.Pipe(duplex=False)
        # daemonic: a build that failed before asking does not leave it behind
        self.process = context.Process(target=self._run, args=(function, args, child_end), daemon=True)
        self.process.start()
        child_end.close()

    @staticmethod
    def _run(function, args, pipe) -> None:
        try:
            pipe.send(("ok", function(*args)))
        except BaseException as error:  # reported to the parent, which fails the build
            pipe.send(("error", f"{type(error).__name__}: {error}"))
        finally:
            pipe.close()
            os._exit(0)  # a forked copy of the build: nothing of it to clean up

    def result(self):
        try:
            status, value = self.pipe.recv()
        except EOFError:  # it died without a word (killed, out of memory)
            status, value = "error", None
        self.process.join()
        if status != "ok":
            raise ArchiveError(f"{self.what}失败：" + (value or "进程意外结束"))
        return value

    def stop(self) -> None:
        self.process.kill()
        self.process.join()


class Pending:
    """The one forked call of its kind in a build (the checks, the related
    articles): started when its inputs are ready, taken when its answer is
    needed, stopped by a build that fails before that
    (:func:`stop_pending`)."""

    def __init__(self):
        self.call: ForkedCall | None = None
        self.context = None
        _all_pending.append(self)

    def start(self, what: str, function, *args, context=None) -> None:
        self.stop()  # left by a build that failed before taking it
        self.call, self.context = ForkedCall(what, function, *args), context

    def take(self):
        """(answer, context) of the call started, waiting for it; None if none is."""
        call, context = self.call, self.context
        self.call = self.context = None
        return None if call is None else (call.result(), context)

    def stop(self) -> None:
        call, self.call, self.context = self.call, None, None
        if call is not None:
            call.stop()


_all_pending: list[Pending] = []


def stop_pending() -> None:
    """Stop every forked call still running (the build failed)."""
    for pending in _all_pending:
        pending.stop()
