"""Imports a reference implementation for the benchmarks without vendoring it.

`load(repo, subdir)` returns a directory to put on sys.path that holds `subdir` of the public repository
`repo` ("owner/name"): the checkout named by env `PAPERSTACK_REF_<OWNER>_<NAME>` (e.g.
PAPERSTACK_REF_ML_JKU_HOPFIELD_LAYERS=/src/hopfield-layers) if set, else an export of the bare mirror
`$PAPERSTACK_MIRROR/<owner>+<name>/repo` (default mirror root /work/.mirror, where the team's `fetch`
tool puts repositories) at `commit` (default HEAD; the parity sweep passes the pinned commits of
shared/fixtures/README.md). Raises if neither exists, so the runner shows the column as n/a.
"""

import atexit
import os
import re
import shutil
import subprocess
import tempfile

_cache = {}


def load(repo, subdir, commit="HEAD"):
    key = (repo, subdir, commit)
    if key in _cache:
        return _cache[key]
    env = "PAPERSTACK_REF_" + re.sub(r"[^A-Z0-9]", "_", repo.upper())
    if os.environ.get(env):
        root = os.environ[env]
        if not os.path.isdir(os.path.join(root, subdir)):
            raise FileNotFoundError(f"{env}={root} has no {subdir}")
        _cache[key] = root
        return root
    mirror = os.path.join(os.environ.get("PAPERSTACK_MIRROR", "/work/.mirror"), repo.replace("/", "+"), "repo")
    if not os.path.isdir(mirror):
        raise FileNotFoundError(f"reference {repo} not available (set {env} to a checkout)")
    out = tempfile.mkdtemp(prefix="paperstack-ref-")
    atexit.register(shutil.rmtree, out, True)
    archive = subprocess.run(["git", "--git-dir", mirror, "archive", commit, subdir], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", out], input=archive.stdout, check=True)
    _cache[key] = out
    return out
