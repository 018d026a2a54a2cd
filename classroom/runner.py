"""Run one notebook and its grading calls; this script runs inside the sandbox.

grade.py starts it in a bubblewrap sandbox (sandbox.py) and writes one JSON job to its
standard input: the notebook's code cells, the grading calls of each question, the time
and size limits, and the user id to run as. It prints JSON lines to standard output:

    {"event": "cell timeout" | "kernel died" | "memory" | "notebook timeout" | "output limit", "cell": i}
    {"question": "q1", "values": {...}, "forbidden_called": [...]}
    {"done": true}

The student's code runs in a Jupyter kernel started from here, under the limits set
below. A cell that runs past its time limit or kills its kernel is skipped: the kernel is
restarted and the cells before it run again, so the questions after it are still graded.
Every value here comes from the student's interpreter and is only data; grade.py decides.
"""

import json
import os
import resource
import sys
import time
from pathlib import Path

MARKER = "@@lossviz-grader-result@@ "
MAX_RESTARTS = 4
# what the grading calls may print: their values, as JSON (a 32 x 32 gradient is 20 kB)
GRADING_OUTPUT_BYTES = 64_000_000


def emit(**record):
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def drop_privileges(uid):
    """Become ``uid``, a user id no account uses, with no supplementary groups and no capabilities."""
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def set_limits(limits):
    """Per-process limits, inherited by the kernel and everything the student starts."""
    mb = 1024 * 1024
    for which, value in ((resource.RLIMIT_AS, limits["memory_mb"] * mb),
                         (resource.RLIMIT_NPROC, limits["processes"]),
                         (resource.RLIMIT_FSIZE, limits["file_size_mb"] * mb),
                         (resource.RLIMIT_CPU, limits["cpu_seconds"]),
                         (resource.RLIMIT_CORE, 0)):
        resource.setrlimit(which, (value, value))


class Runner:
    def __init__(self, job):
        self.job = job
        self.cells = job["cells"]
        self.deadline = None  # starts when the first kernel is up: its start-up is not the student's
        self.output_left = job["max_output_bytes"]
        self.grading = False
        self.skip = {}

    def client(self, nb):
        from nbclient import NotebookClient

        runner = self

        class Client(NotebookClient):
            def output(self, outs, msg, display_id, cell_index):
                # count what the student prints; past the limit keep nothing more
                size = len(json.dumps(msg.get("content", {})))
                runner.output_left -= size
                if runner.output_left < 0:
                    if runner.output_left + size >= 0:
                        emit(event="output limit", cell=cell_index)
                    return None
                return super().output(outs, msg, display_id, cell_index)

        return Client(nb, timeout=self.job["cell_timeout"], kernel_name="python3",
                      allow_errors=True, interrupt_on_timeout=False, startup_timeout=120,
                      resources={"metadata": {"path": os.getcwd()}})

    def execute(self, client, nb, index, timeout=None):
        """Run cell ``index``; return None, or why the kernel has to be restarted."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        if timeout is not None:
            client.timeout = max(1, int(timeout))
        try:
            client.execute_cell(nb.cells[index], index)
        except CellTimeoutError:
            return "cell timeout"
        except DeadKernelError:
            return "kernel died"
        finally:
            client.timeout = self.job["cell_timeout"]
        if any(out.get("ename") == "MemoryError" for out in nb.cells[index].outputs):
            emit(event="memory", cell=index)
        return None

    def run(self):
        import nbformat

        harness = self.job["harness"]
        questions = list(self.job["questions"])
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in self.cells]
        nb.cells.append(nbformat.v4.new_code_cell(harness))
        first_question = len(nb.cells)
        for q in questions:
            nb.cells.append(nbformat.v4.new_code_cell(
                f"__lossviz_grader__.run({q['id']!r}, {q['setup']!r}, {q['calls']!r}, {q['forbid']!r})"))
        done = set()
        for _ in range(MAX_RESTARTS + 1):
            stuck = None
            self.grading = False
            self.output_left = self.job["max_output_bytes"]
            client = self.client(nb)
            with client.setup_kernel(cwd=os.getcwd()):
                if self.deadline is None:
                    self.deadline = time.monotonic() + self.job["notebook_timeout"]
                for index in range(len(nb.cells)):
                    if index in self.skip or index in done:
                        continue
                    grading = index >= first_question - 1
                    if grading and not self.grading:
                        # the grading calls get an output budget of their own, so that a
                        # notebook that printed too much is still graded
                        self.grading = True
                        self.output_left = GRADING_OUTPUT_BYTES
                    left = self.deadline - time.monotonic()
                    if not grading and left <= 0:
                        emit(event="notebook timeout", cell=index)
                        self.deadline = float("inf")  # report once; the grading calls still run
                        self.skip.update({i: "notebook timeout" for i in range(index, first_question - 1)})
                        continue
                    timeout = None if grading else min(self.job["cell_timeout"], left)
                    nb.cells[index].outputs = []
                    stuck = self.execute(client, nb, index, timeout)
                    if stuck == "cell timeout" and not grading and left < self.job["cell_timeout"]:
                        stuck = "notebook timeout"
                        self.deadline = float("inf")
                        self.skip.update({i: stuck for i in range(index + 1, first_question - 1)})
                    if stuck:
                        break
                    if index >= first_question:
                        self.report(nb.cells[index])
                        done.add(index)
            if not stuck:
                break
            emit(event=stuck, cell=index)
            self.skip[index] = stuck
            if index >= first_question:
                done.add(index)
        emit(done=True)

    def report(self, cell):
        """Pass on the harness's line; the last one, since it prints after the student's code."""
        lines = [line for out in cell.outputs for line in out.get("text", "").split("\n")
                 if line.startswith(MARKER)]
        for line in reversed(lines):
            try:
                record = json.loads(line[len(MARKER):])
            except ValueError:
                continue
            if isinstance(record, dict):
                emit(**{k: record.get(k) for k in ("question", "values", "forbidden_called")})
                return


def main():
    job = json.loads(sys.stdin.read())
    if job.get("uid") is not None:
        drop_privileges(job["uid"])
    set_limits(job["limits"])
    scratch = Path(job["scratch"])
    os.chdir(scratch)
    (scratch / job["notebook_name"]).write_text(job["notebook_text"])
    # nothing of the student's may stop the runner from reporting what it has
    sys.setrecursionlimit(10_000)
    Runner(job).run()


if __name__ == "__main__":
    main()
