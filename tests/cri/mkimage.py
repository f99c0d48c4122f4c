#!/usr/bin/python3
"""mkimage.py OUT.tar NAME:TAG ROOTFS [--user U] [--entrypoint JSON] [--cmd JSON] [--env K=V]...

Writes a docker-archive tarball (what `docker save` writes and `ctr images
import` reads) of one image: ROOTFS as its single layer (owners numeric 0,
times 0, so the same ROOTFS gives the same digest) and an image config with
USER, Entrypoint, Cmd and Env as given.  The CRI suite's images come from
here, so no registry is ever asked."""

import argparse
import hashlib
import io
import json
import os
import sys
import tarfile


def layer_tar(rootfs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(rootfs):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                path = os.path.join(dirpath, name)
                info = tar.gettarinfo(path, arcname=os.path.relpath(path, rootfs))
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mtime = 0
                if info.isreg():
                    with open(path, "rb") as f:
                        tar.addfile(info, f)
                else:
                    tar.addfile(info)
    return buf.getvalue()


def add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("ref")
    ap.add_argument("rootfs")
    ap.add_argument("--user", default="")
    ap.add_argument("--entrypoint", type=json.loads, default=None)
    ap.add_argument("--cmd", type=json.loads, default=None)
    ap.add_argument("--env", action="append", default=[])
    a = ap.parse_args()

    layer = layer_tar(a.rootfs)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {
            "User": a.user,
            "Env": a.env or ["PATH=/bin:/sbin:/usr/bin:/usr/sbin"],
            "Entrypoint": a.entrypoint,
            "Cmd": a.cmd,
            "WorkingDir": "/",
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "tests/cri/mkimage.py"}],
    }
    config_bytes = json.dumps(config, sort_keys=True).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_name = diff_id[len("sha256:"):] + "/layer.tar"
    manifest = [{"Config": config_name, "RepoTags": [a.ref], "Layers": [layer_name]}]
    tmp = a.out + ".tmp"
    with tarfile.open(tmp, mode="w") as tar:
        add_bytes(tar, config_name, config_bytes)
        add_bytes(tar, layer_name, layer)
        add_bytes(tar, "manifest.json", json.dumps(manifest).encode())
    os.rename(tmp, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
