"""`--jobs N`: work on a list of tasks in N processes (this one and N - 1 forked workers),
results in input order.

Imported only when a run asks for more than one process and has more than one file, so a
plain run pays nothing for it (no multiprocessing either: this is os.fork and two pipes per
worker).

* The workers are forked from the process that already built everything a task needs (the
  rules, the configurations, the catalog), after it has done the first task itself, so
  that they also inherit what that first task loaded (parser and model modules, compiled
  regexes, catalog caches): a worker imports and loads only what later tasks need and the
  first did not. The garbage collector's objects are frozen across the fork (gc.freeze) so
  that a collection in a worker does not copy the parent's pages.
* Tasks go out in chunks (a chunk number on a pipe: the workers have the task list from the
  fork) and results come back pickled, length-prefixed. This process is the N-th worker:
  whenever the result it needs next has not come back, it does the next chunk itself
  instead of waiting. Each worker has at most `AHEAD` chunks queued, and no chunk is
  handed out more than a window of chunks past the oldest one not yet yielded, so memory
  stays bounded whatever the number of tasks and however unequal they are.
* Results are yielded in task order, so the output is the same as with one process.
  Tasks for which `local(task)` is true (standard input) are done by this process, in
  their place.
* A task that raises raises here, in its place (a worker's exception is pickled back, or,
  if it cannot be, a RuntimeError with its text). A worker that dies (killed, out of
  memory) stops the run with WorkerDied. When the generator is closed early, the workers
  are killed and reaped.
* Where os.fork does not exist (Windows), the tasks are done in this process, in order.

Each worker is reaped with os.wait4, and its peak RSS and CPU time recorded in `stats`
(see describe()).
"""
from __future__ import annotations

import os
import struct
import sys

AHEAD = 2  # chunks queued per worker: one being done, one waiting
_LENGTH = struct.Struct("<Q")
_CHUNK_NO = struct.Struct("<I")


class WorkerDied(RuntimeError):
    """A worker process ended without sending the results of its tasks."""


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def chunk_size(n_tasks: int, jobs: int) -> int:
    """Files per chunk: about four chunks per worker for small batches (so that the work
    spreads evenly), at most 16 files (a few tens of milliseconds of work per message)."""
    return max(1, min(16, n_tasks // (jobs * 4)))


def run_ordered(tasks, work, jobs, local=None, stats=None):
    """Yield work(task) for each task, in order, computed by `jobs` processes: this one and
    jobs - 1 forked workers.

    `stats`, if a dict, receives "workers": [(pid, peak RSS in bytes, CPU seconds)] and
    "tasks": how many tasks the workers did (the rest were done here)."""
    local = local or (lambda task: False)
    first = next((i for i, task in enumerate(tasks) if not local(task)), None)
    remote = [i for i, task in enumerate(tasks) if not local(task) and i != first]
    size = chunk_size(len(remote), jobs)
    chunks = [remote[k:k + size] for k in range(0, len(remote), size)]
    if jobs < 2 or len(chunks) < 2 or not hasattr(os, "fork"):
        for task in tasks:
            yield work(task)
        return
    # Tasks before the first remote one are standard input: done here, in order, before the fork.
    for i in range(first):
        yield work(tasks[i])
    first_value = work(tasks[first])  # also loads what the workers will need, once
    try:
        pool = _Pool(tasks, chunks, work, min(jobs, len(chunks)) - 1)
    except OSError:  # no process or pipe to be had (EAGAIN, ENOMEM, EMFILE): one process it is
        yield first_value
        for task in tasks[first + 1:]:
            yield work(task)
        return
    try:
        yield first_value
        del first_value
        chunk_of = {}
        for number, chunk in enumerate(chunks):
            for i in chunk:
                chunk_of[i] = number
        for i in range(first + 1, len(tasks)):
            if i not in chunk_of:
                yield work(tasks[i])
                continue
            yield pool.result(i, chunk_of[i])
        pool.finish()
        if stats is not None:
            stats["workers"] = pool.peaks
            stats["tasks"] = pool.worker_tasks
    finally:
        pool.kill()


class _Worker:
    __slots__ = ("pid", "tasks_w", "results_r", "buffer", "queued")

    def __init__(self, pid, tasks_w, results_r):
        self.pid, self.tasks_w, self.results_r = pid, tasks_w, results_r
        self.buffer = bytearray()
        self.queued = 0


def _do(chunk, tasks, work) -> list:
    """[(True, value) or (False, the exception)] for each task of a chunk."""
    values = []
    for i in chunk:
        try:
            values.append((True, work(tasks[i])))
        except Exception as exc:  # raised in its place, when its result is asked for
            values.append((False, exc))
    return values


class _Pool:
    """The workers, and this process taking a chunk itself whenever it would otherwise wait."""

    def __init__(self, tasks, chunks, work, n_workers):
        import gc

        self.tasks, self.chunks, self.work = tasks, chunks, work
        self.window = (n_workers + 1) * (AHEAD + 2)
        self.next_chunk = 0
        self.oldest = 0  # the oldest chunk not yet yielded in full
        self.done = {}  # chunk number -> {task index: (ok, value)}, until yielded
        self.workers = []
        self.peaks = []
        self.worker_tasks = 0
        for stream in (sys.stdout, sys.stderr):  # nothing buffered may be written twice
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        gc.freeze()
        try:
            try:
                self._start(tasks, chunks, work, n_workers)
            finally:
                gc.unfreeze()
            for _ in range(AHEAD):
                for worker in self.workers:
                    self._send(worker)
        except BaseException:
            self.kill()
            raise

    def _start(self, tasks, chunks, work, n_workers) -> None:
        for _ in range(n_workers):
            tasks_r, tasks_w = os.pipe()
            try:
                results_r, results_w = os.pipe()
            except OSError:
                os.close(tasks_r)
                os.close(tasks_w)
                raise
            try:
                pid = os.fork()
            except OSError:
                for fd in (tasks_r, tasks_w, results_r, results_w):
                    os.close(fd)
                raise
            if pid == 0:  # the worker: never returns
                try:
                    os.close(tasks_w)
                    os.close(results_r)
                    for other in self.workers:
                        os.close(other.tasks_w)
                        os.close(other.results_r)
                finally:
                    _serve(tasks_r, results_w, tasks, chunks, work)
            os.close(tasks_r)
            os.close(results_w)
            self.workers.append(_Worker(pid, tasks_w, results_r))

    def _can_hand_out(self) -> bool:
        return self.next_chunk < min(len(self.chunks), self.oldest + self.window)

    def _send(self, worker) -> bool:
        """Queue the next chunk on worker, unless it is more than `window` chunks ahead."""
        if not self._can_hand_out():
            return False
        try:
            os.write(worker.tasks_w, _CHUNK_NO.pack(self.next_chunk))
        except OSError:  # EPIPE: the worker is gone (never mistaken for the report's reader going away)
            raise WorkerDied(f"worker process {worker.pid} ended{_how_it_ended(worker)}") from None
        self.worker_tasks += len(self.chunks[self.next_chunk])
        self.next_chunk += 1
        worker.queued += 1
        return True

    def result(self, index, number):
        while number not in self.done:
            if self._receive(block=False):
                continue
            if self._can_hand_out():  # nothing has come back: do the next chunk here
                mine = self.next_chunk
                self.next_chunk += 1
                self.done[mine] = dict(zip(self.chunks[mine], _do(self.chunks[mine], self.tasks, self.work)))
                continue
            self._receive(block=True)
        values = self.done[number]
        ok, value = values.pop(index)
        if not values:
            del self.done[number]
            self.oldest = number + 1
            for worker in self.workers:  # the window moved: idle workers may take more
                while worker.queued < AHEAD and self._send(worker):
                    pass
        if ok:
            return value
        raise value

    def _receive(self, block) -> bool:
        """Take in what the workers have sent; False if nothing had come (block=False)."""
        import select

        waiting = [w for w in self.workers if w.queued]
        if not waiting:
            if block:  # pragma: no cover - a chunk not done here is queued on a worker
                raise WorkerDied("no worker holds the next files")
            return False
        poller = select.poll()  # not select(): pipe numbers may pass FD_SETSIZE (1024) with many workers
        for worker in waiting:
            poller.register(worker.results_r, select.POLLIN)
        ready = {fd for fd, _ in poller.poll(None if block else 0)}  # POLLHUP too: a worker that died
        for worker in waiting:
            if worker.results_r not in ready:
                continue
            data = os.read(worker.results_r, 1 << 20)
            if not data:
                raise WorkerDied(f"worker process {worker.pid} ended without its results"
                                 f"{_how_it_ended(worker)}")
            worker.buffer += data
            while len(worker.buffer) >= _LENGTH.size:
                (length,) = _LENGTH.unpack_from(worker.buffer)
                if len(worker.buffer) < _LENGTH.size + length:
                    break
                import pickle

                number, values = pickle.loads(bytes(worker.buffer[_LENGTH.size:_LENGTH.size + length]))
                del worker.buffer[:_LENGTH.size + length]
                self.done[number] = dict(zip(self.chunks[number], values))
                worker.queued -= 1
                self._send(worker)
        return bool(ready)

    def finish(self) -> None:
        """Every result is in: stop the workers and record their peak RSS and CPU time."""
        for worker in self.workers:
            os.close(worker.tasks_w)  # end of tasks: the worker exits
            worker.tasks_w = None
        for worker in self.workers:
            _, _, usage = os.wait4(worker.pid, 0)
            os.close(worker.results_r)
            worker.results_r = None
            self.peaks.append((worker.pid, usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024),
                               usage.ru_utime + usage.ru_stime))
            worker.pid = None

    def kill(self) -> None:
        """Closed early (an error, a reader that went away, ^C): end the workers now."""
        import signal

        for worker in self.workers:
            if worker.pid is not None:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                    os.waitpid(worker.pid, 0)
                except OSError:
                    pass
                worker.pid = None
            for fd in (worker.tasks_w, worker.results_r):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            worker.tasks_w = worker.results_r = None


def _how_it_ended(worker) -> str:
    try:
        _, status = os.waitpid(worker.pid, 0)
    except OSError:
        return ""
    worker.pid = None
    if os.WIFSIGNALED(status):
        return f" (killed by signal {os.WTERMSIG(status)})"
    return f" (exit status {os.WEXITSTATUS(status)})"


def _serve(tasks_r, results_w, tasks, chunks, work):
    """A worker's life: read a chunk number, do its tasks, send their results; until the
    task pipe closes. Leaves with os._exit, never running the parent's exit handlers or
    flushing its buffers."""
    code = 0
    try:
        import pickle
        import signal

        signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C: the parent stops and kills the workers
        while True:
            header = _read_exact(tasks_r, _CHUNK_NO.size)
            if not header:
                break
            (number,) = _CHUNK_NO.unpack(header)
            values = [(ok, value if ok else _picklable(value)) for ok, value in _do(chunks[number], tasks, work)]
            data = pickle.dumps((number, values), protocol=pickle.HIGHEST_PROTOCOL)
            _write_all(results_w, _LENGTH.pack(len(data)) + data)
    except BaseException:  # the parent went away (EPIPE), or anything else: just leave
        code = 1
    finally:
        os._exit(code)


def _picklable(exc):
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _read_exact(fd, n) -> bytes:
    data = b""
    while len(data) < n:
        chunk = os.read(fd, n - len(data))
        if not chunk:
            return b""
        data += chunk
    return data


def _write_all(fd, data) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def describe(stats, parent_peak: int, parent_cpu: float) -> str:
    """The --verbose line: the processes, the files the workers did, each one's peak RSS and CPU time."""
    workers = stats.get("workers", ())
    mb = lambda n: f"{n / (1024 * 1024):.1f} MB"  # noqa: E731
    each = ", ".join(f"{mb(peak)} ({cpu:.1f} s CPU)" for _, peak, cpu in workers)
    total = parent_peak + sum(peak for _, peak, _ in workers)
    return (f"jobs: {len(workers) + 1} processes, {len(workers)} of them forked workers that linted "
            f"{stats.get('tasks', 0)} files; peak RSS: this process {mb(parent_peak)} ({parent_cpu:.1f} s CPU), "
            f"{'workers' if len(workers) > 1 else 'worker'} {each}; sum of the peaks {mb(total)}")
