"""Run runner.py on one submission inside a bubblewrap sandbox.

What the sandbox sees (everything else of the machine is absent, not just read-only):

- read-only: /usr and the system libraries, the Python environment (sys.prefix and its
  site-packages), the lossviz package, and runner.py;
- writable: a fresh, size-limited tmpfs at /tmp and at /home/student, which holds only
  the student's notebook;
- its own PID, IPC, network (no interface but loopback) and UTS namespaces, and, when the
  grader is not root, its own user namespace. When the grader runs as root, the runner
  instead switches to a user id that no account uses (one per parallel job), so the
  process limit counts only that sandbox's processes and no capability is left.

bwrap's --die-with-parent and the PID namespace end every process of the sandbox when
its runner ends, when the grader kills it, or when the grader itself dies.
"""

import json
import os
import shutil
import site
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

import lossviz

HERE = Path(__file__).resolve().parent
INSIDE = "/opt/lossviz-grader"
SCRATCH = "/home/student"
# One sandbox user per parallel job: 1_500_000_000 + job slot. No account uses these ids.
UID_BASE = 1_500_000_000
# what the runner may report: the values of the grading calls and a few events
MAX_REPORT_BYTES = 100_000_000


@dataclass
class Limits:
    memory_mb: int = 2048
    processes: int = 64
    file_size_mb: int = 64
    scratch_mb: int = 256
    cpu_seconds: int = 600
    max_output_bytes: int = 2_000_000
    cell_timeout: int = 60
    notebook_timeout: int = 300


def bwrap_missing():
    return shutil.which("bwrap") is None


def _python_dirs():
    """The folders the interpreter needs, read-only: its prefix and its site-packages."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    dirs.update(site.getsitepackages())
    user = site.getusersitepackages()
    if os.path.isdir(user):
        dirs.add(user)
    dirs = sorted(d for d in dirs if os.path.isdir(d))
    # a folder inside another one is bound with it
    return [d for d in dirs if not any(d != o and d.startswith(o.rstrip("/") + "/") for o in dirs)]


def font_cache(folder):
    """Build matplotlib's font list in ``folder``, outside any sandbox, and return the folder."""
    env = dict(os.environ, MPLCONFIGDIR=str(folder))
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env,
                   capture_output=True, check=False)
    return folder


def bwrap_command(limits, root_mode, font_cache=None):
    cmd = ["bwrap", "--die-with-parent", "--new-session",
           "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if root_mode:
        # the runner switches to an unprivileged user id: it needs these two, and only once
        cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        cmd += ["--unshare-user"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    cmd += ["--ro-bind", "/usr", "/usr"]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                 "/etc/localtime", "/etc/fonts"):
        cmd += ["--ro-bind-try", name, name]
    # the writable scratch folders first: a later bind inside /tmp (a virtual environment
    # made in a clone under /tmp) must land on top of the fresh tmpfs, not under it
    cmd += ["--size", str(limits.scratch_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp",
            "--size", str(limits.scratch_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", SCRATCH]
    for d in _python_dirs():
        if not d.startswith("/usr/"):
            # bwrap copies the modes of the folders above (/root is 0700): open them for the sandbox user
            for parent in reversed(Path(d).parents[:-1]):
                cmd += ["--perms", "0755", "--dir", str(parent)]
            cmd += ["--ro-bind", d, d]
    package = Path(lossviz.__file__).resolve().parent
    cmd += ["--perms", "0755", "--dir", INSIDE, "--perms", "0755", "--dir", f"{INSIDE}/lib",
            "--ro-bind", str(package), f"{INSIDE}/lib/lossviz",
            "--ro-bind", str(HERE / "runner.py"), f"{INSIDE}/runner.py",
            "--proc", "/proc", "--dev", "/dev",
            "--chdir", SCRATCH, "--clearenv"]
    if font_cache:
        # matplotlib's font list, built once by the grader, saves each sandbox seconds
        cmd += ["--perms", "1777", "--dir", "/tmp/matplotlib"]
        for path in Path(font_cache).glob("fontlist-*.json"):
            cmd += ["--ro-bind", str(path), f"/tmp/matplotlib/{path.name}"]
    return cmd


def _environment(inside):
    """The few variables the kernel needs; nothing of the grader's environment leaks in."""
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": SCRATCH if inside else os.environ.get("HOME", "/tmp"),
        "PYTHONPATH": f"{INSIDE}/lib" if inside else str(Path(lossviz.__file__).resolve().parent.parent),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "JUPYTER_CONFIG_DIR": "/tmp/jupyter-config",
        "JUPYTER_PLATFORM_DIRS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }


@dataclass
class Outcome:
    records: list
    seconds: float
    killed: bool          # the whole sandbox ran past its wall-time limit
    returncode: int
    stderr: str


def run(job, limits, slot=0, sandbox=True, log=None, fonts=None):
    """Run ``job`` (see runner.py) and return what the runner reported, as parsed JSON lines."""
    root_mode = os.geteuid() == 0
    limits_now = asdict(limits)
    if not (sandbox and root_mode):
        # without a user id of its own, the process limit counts all of the grader's
        # processes and threads: allow those that run now, plus the sandbox's share
        mine = [p for p in psutil.process_iter(["uids", "num_threads"])
                if p.info["uids"] and p.info["uids"].real == os.getuid()]
        limits_now["processes"] += sum(p.info["num_threads"] or 1 for p in mine)
    job = dict(job, harness=(HERE / "harness.py").read_text(), limits=limits_now, cell_timeout=limits.cell_timeout,
               notebook_timeout=limits.notebook_timeout, max_output_bytes=limits.max_output_bytes)
    if sandbox:
        job["scratch"] = SCRATCH
        job["uid"] = UID_BASE + slot if root_mode else None
        env = _environment(inside=True)
        cmd = bwrap_command(limits, root_mode, fonts)
        cmd += [*(a for k, v in env.items() for a in ("--setenv", k, v)),
                "--", sys.executable, f"{INSIDE}/runner.py"]
        popen_env = None
    else:
        import tempfile

        job["scratch"] = tempfile.mkdtemp(prefix="lossviz-unsandboxed-")
        job["uid"] = None
        cmd = [sys.executable, str(HERE / "runner.py")]
        popen_env = _environment(inside=False)
        popen_env.update(HOME=job["scratch"], MPLCONFIGDIR=f"{job['scratch']}/.matplotlib",
                         IPYTHONDIR=f"{job['scratch']}/.ipython",
                         JUPYTER_RUNTIME_DIR=f"{job['scratch']}/.runtime",
                         JUPYTER_CONFIG_DIR=f"{job['scratch']}/.jupyter")
    # the runner's own start-up, a kernel start per restart, and the grading calls
    wall = limits.notebook_timeout + limits.cell_timeout * (len(job["questions"]) + 1) + 60
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=popen_env, start_new_session=True,
                            cwd="/")
    # read both pipes in threads, keeping only the first (stdout) or last (stderr) bytes:
    # whatever the sandbox writes, the grader's memory stays bounded
    out, err = bytearray(), bytearray()
    readers = [threading.Thread(target=_drain, args=(proc.stdout, out, MAX_REPORT_BYTES, True)),
               threading.Thread(target=_drain, args=(proc.stderr, err, 20_000, False))]
    for reader in readers:
        reader.start()
    try:
        proc.stdin.write(json.dumps(job).encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    killed = False
    try:
        proc.wait(timeout=wall)
    except subprocess.TimeoutExpired:
        killed = True
    _kill(proc)  # also ends anything that outlived the runner in its process group
    proc.wait()
    for reader in readers:
        reader.join(timeout=10)  # unsandboxed, a detached child may keep a pipe open
    seconds = time.perf_counter() - start
    out = bytes(out).decode(errors="replace")
    err = bytes(err).decode(errors="replace")
    if log is not None:
        Path(log).write_text(out + "\n--- stderr ---\n" + err)
    records = []
    for line in out.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return Outcome(records, seconds, killed, proc.returncode, err)


def _drain(pipe, keep, limit, head):
    while chunk := pipe.read(65536):
        if head:
            keep += chunk[:max(0, limit - len(keep))]
        else:
            keep += chunk
            del keep[:max(0, len(keep) - limit)]
    pipe.close()


def _kill(proc):
    """SIGKILL the sandbox's process group; bwrap's PID namespace takes the rest with it."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
