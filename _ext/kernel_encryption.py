"""Run the kernels that execute the book's notebooks with an encrypted transport.

ipykernel 7 warns "Kernel is running over TCP without encryption" whenever its kernel
manager provisions no CurveZMQ keys, which is jupyter_client's default; the build
printed that warning once per notebook. The python3 kernel declares CurveZMQ support
in its kernelspec, so the manager only has to be told to provision keys when the
kernel supports them ("auto"). Jupyter Book creates its kernel managers through
jupyter-cache and nbclient without passing a configuration, so the default is set on
the class, before any notebook runs.
"""

import zmq
from jupyter_client.manager import KernelManager


def use_encrypted_transport():
    """Make new kernel managers provision CurveZMQ keys for kernels that support them."""
    # a pyzmq built without libsodium has no CurveZMQ, and "auto" would then be refused
    if zmq.has("curve"):
        KernelManager.transport_encryption.default_value = "auto"


def setup(app):
    use_encrypted_transport()
    return {"parallel_read_safe": True, "parallel_write_safe": True}
