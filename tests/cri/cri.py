#!/usr/bin/python3
"""cri.py: a minimal CRI client that calls containerd's CRI plugin the way
the kubelet does, for tests/cri.

    cri.py SOCK version
    cri.py SOCK run-pod POD.json            -> pod sandbox id
    cri.py SOCK create POD_ID CTR.json      -> container id
    cri.py SOCK start CTR_ID
    cri.py SOCK run POD_ID CTR.json         -> create + start, container id
    cri.py SOCK exec CTR_ID [--timeout S] CMD...   (stdout, stderr, exit code)
    cri.py SOCK update CTR_ID RESOURCES.json
    cri.py SOCK status CTR_ID               -> ContainerStatusResponse as JSON
    cri.py SOCK stop CTR_ID | rm CTR_ID | stop-pod POD_ID | rm-pod POD_ID

POD.json is a RunPodSandboxRequest, CTR.json a ContainerConfig and
RESOURCES.json a LinuxContainerResources, each in the protobuf JSON mapping
(field names as in the .proto, e.g. "runtime_handler").  What the kubelet
always adds (its labels and annotations, log directory, cgroup parent, the
default masked and read-only paths, the /etc/hosts and termination-log bind
mounts from its pod directory, the oom score of the pod's QoS class) is
filled in where the file leaves it out; the pod's full config is kept in
CRI_STATE (a directory) for CreateContainer, which the kubelet also sends
it.  CRI_KUBELET_DIR stands in for /var/lib/kubelet, CRI_LOG_DIR for
/var/log/pods, CRI_CGROUP_PARENT for the kubelet's /kubepods.

A failed call prints what the kubelet logs and `kubectl describe` shows,
`rpc error: code = Unknown desc = ...`, on stderr and exits 1.  The gRPC
stubs are generated from runtime-v1.proto beside this file into CRI_STUBS
(a directory; a temporary one when unset)."""

import json
import os
import secrets
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TIMEOUT = 120

# securitycontext.DefaultProcMount's lists (kubelet): sent on every container
MASKED_PATHS = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                "/sys/firmware", "/sys/devices/virtual/powercap"]
READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]


def stubs():
    out = os.environ.get("CRI_STUBS")
    if not out:
        out = tempfile.mkdtemp(prefix="cri-stubs.")
        import atexit
        atexit.register(shutil.rmtree, out, True)
    if not os.path.exists(os.path.join(out, "runtime_v1_pb2_grpc.py")):
        from grpc_tools import protoc
        rc = protoc.main(["protoc", "-I" + HERE, "--python_out=" + out, "--grpc_python_out=" + out,
                          os.path.join(HERE, "runtime-v1.proto")])
        if rc != 0:
            sys.exit("cri.py: protoc failed on runtime-v1.proto (%d)" % rc)
    sys.path.insert(0, out)
    import runtime_v1_pb2
    import runtime_v1_pb2_grpc
    return runtime_v1_pb2, runtime_v1_pb2_grpc


pb, pb_grpc = stubs()
import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402


def load(path, message):
    with open(path) as f:
        doc = json.load(f)
    return json_format.ParseDict(doc, message, ignore_unknown_fields=False)


def env(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        sys.exit("cri.py: %s is not set" % name)
    return value


def state_path(pod_id):
    return os.path.join(env("CRI_STATE"), pod_id + ".json")


def kubelet_pod(req):
    """The kubelet's share of a RunPodSandboxRequest, where the file has none."""
    c = req.config
    md = c.metadata
    if not md.uid:
        md.uid = secrets.token_hex(16)
    if not md.namespace:
        md.namespace = "default"
    c.labels.setdefault("io.kubernetes.pod.name", md.name)
    c.labels.setdefault("io.kubernetes.pod.namespace", md.namespace)
    c.labels.setdefault("io.kubernetes.pod.uid", md.uid)
    c.annotations.setdefault("kubernetes.io/config.source", "api")
    c.annotations.setdefault("kubernetes.io/config.seen", "2026-01-01T00:00:00Z")
    if not c.hostname:
        c.hostname = md.name
    if not c.log_directory:
        c.log_directory = os.path.join(env("CRI_LOG_DIR"), "%s_%s_%s" % (md.namespace, md.name, md.uid))
    os.makedirs(c.log_directory, exist_ok=True)
    if not c.linux.cgroup_parent:
        c.linux.cgroup_parent = "%s/pod%s" % (env("CRI_CGROUP_PARENT"), md.uid)
    c.linux.security_context.SetInParent()
    return req


def pod_dir(pod_config):
    return os.path.join(env("CRI_KUBELET_DIR"), "pods", pod_config.metadata.uid)


def kubelet_mounts(pod_config, cfg):
    """/etc/hosts and /dev/termination-log, from the kubelet's pod directory."""
    have = {m.container_path for m in cfg.mounts}
    d = pod_dir(pod_config)
    os.makedirs(d, exist_ok=True)
    if "/etc/hosts" not in have:
        hosts = os.path.join(d, "etc-hosts")
        with open(hosts, "w") as f:
            f.write("127.0.0.1\tlocalhost\n169.254.77.2\t%s\n" % pod_config.hostname)
        cfg.mounts.add(container_path="/etc/hosts", host_path=hosts)
    if "/dev/termination-log" not in have:
        tdir = os.path.join(d, "containers", cfg.metadata.name)
        os.makedirs(tdir, exist_ok=True)
        tlog = os.path.join(tdir, secrets.token_hex(4))
        open(tlog, "w").close()
        cfg.mounts.add(container_path="/dev/termination-log", host_path=tlog)


def kubelet_container(pod_config, cfg):
    """The kubelet's share of a ContainerConfig, where the file has none."""
    md = pod_config.metadata
    cfg.labels.setdefault("io.kubernetes.container.name", cfg.metadata.name)
    cfg.labels.setdefault("io.kubernetes.pod.name", md.name)
    cfg.labels.setdefault("io.kubernetes.pod.namespace", md.namespace)
    cfg.labels.setdefault("io.kubernetes.pod.uid", md.uid)
    cfg.annotations.setdefault("io.kubernetes.container.hash", "0")
    cfg.annotations.setdefault("io.kubernetes.container.restartCount", "0")
    cfg.annotations.setdefault("io.kubernetes.container.terminationMessagePath", "/dev/termination-log")
    cfg.annotations.setdefault("io.kubernetes.container.terminationMessagePolicy", "File")
    if not cfg.log_path:
        cfg.log_path = "%s/%d.log" % (cfg.metadata.name, cfg.metadata.attempt)
    os.makedirs(os.path.join(pod_config.log_directory, cfg.metadata.name), exist_ok=True)
    kubelet_mounts(pod_config, cfg)
    sc = cfg.linux.security_context
    if not sc.HasField("namespace_options"):
        sc.namespace_options.CopyFrom(pod_config.linux.security_context.namespace_options)
    if not sc.privileged:
        if not sc.masked_paths:
            sc.masked_paths.extend(MASKED_PATHS)
        if not sc.readonly_paths:
            sc.readonly_paths.extend(READONLY_PATHS)
    res = cfg.linux.resources
    if not res.oom_score_adj:
        # the kubelet's QoS classes: Guaranteed -997, Burstable 2..999, BestEffort 1000
        res.oom_score_adj = 1000 if not res.memory_limit_in_bytes else 2
    if not res.cpu_shares:
        res.cpu_shares = 2
    if not res.cpu_period:
        res.cpu_period = 100000
    return cfg


def fail(e):
    # grpc-go's formatting of a status, as the kubelet logs and reports it
    print("rpc error: code = %s desc = %s" % (e.code().name.title().replace("_", ""), e.details()),
          file=sys.stderr)
    sys.exit(1)


class Client:
    def __init__(self, sock):
        self.chan = grpc.insecure_channel("unix://" + sock)
        self.rt = pb_grpc.RuntimeServiceStub(self.chan)

    def call(self, verb, req):
        try:
            return getattr(self.rt, verb)(req, timeout=TIMEOUT)
        except grpc.RpcError as e:
            fail(e)

    def version(self):
        r = self.call("Version", pb.VersionRequest(version="v1"))
        print("%s %s %s" % (r.runtime_name, r.runtime_version, r.runtime_api_version))

    def run_pod(self, path):
        req = kubelet_pod(load(path, pb.RunPodSandboxRequest()))
        r = self.call("RunPodSandbox", req)
        with open(state_path(r.pod_sandbox_id), "w") as f:
            f.write(json_format.MessageToJson(req.config, preserving_proto_field_name=True))
        print(r.pod_sandbox_id)

    def pod_config(self, pod_id):
        return load(state_path(pod_id), pb.PodSandboxConfig())

    def create(self, pod_id, path):
        pod_config = self.pod_config(pod_id)
        cfg = kubelet_container(pod_config, load(path, pb.ContainerConfig()))
        r = self.call("CreateContainer", pb.CreateContainerRequest(
            pod_sandbox_id=pod_id, config=cfg, sandbox_config=pod_config))
        return r.container_id

    def start(self, cid):
        self.call("StartContainer", pb.StartContainerRequest(container_id=cid))

    def execute(self, cid, args):
        timeout = 30
        if args[:1] == ["--timeout"]:
            timeout, args = int(args[1]), args[2:]
        r = self.call("ExecSync", pb.ExecSyncRequest(container_id=cid, cmd=args, timeout=timeout))
        sys.stdout.buffer.write(r.stdout)
        sys.stderr.buffer.write(r.stderr)
        return r.exit_code

    def update(self, cid, path):
        self.call("UpdateContainerResources", pb.UpdateContainerResourcesRequest(
            container_id=cid, linux=load(path, pb.LinuxContainerResources())))

    def status(self, cid):
        r = self.call("ContainerStatus", pb.ContainerStatusRequest(container_id=cid))
        print(json_format.MessageToJson(r, preserving_proto_field_name=True))

    def stop(self, cid):
        self.call("StopContainer", pb.StopContainerRequest(container_id=cid, timeout=10))

    def rm(self, cid):
        self.call("RemoveContainer", pb.RemoveContainerRequest(container_id=cid))

    def stop_pod(self, pod_id):
        self.call("StopPodSandbox", pb.StopPodSandboxRequest(pod_sandbox_id=pod_id))

    def rm_pod(self, pod_id):
        self.call("RemovePodSandbox", pb.RemovePodSandboxRequest(pod_sandbox_id=pod_id))
        try:
            os.unlink(state_path(pod_id))
        except FileNotFoundError:
            pass


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    c, verb, args = Client(argv[1]), argv[2], argv[3:]
    one = {"start": c.start, "stop": c.stop, "rm": c.rm, "stop-pod": c.stop_pod,
           "rm-pod": c.rm_pod, "status": c.status, "run-pod": c.run_pod}
    if verb == "version" and not args:
        c.version()
    elif verb in one and len(args) == 1:
        one[verb](args[0])
    elif verb == "create" and len(args) == 2:
        print(c.create(*args))
    elif verb == "run" and len(args) == 2:
        cid = c.create(*args)
        c.start(cid)
        print(cid)
    elif verb == "update" and len(args) == 2:
        c.update(*args)
    elif verb == "exec" and len(args) >= 2:
        return c.execute(args[0], args[1:])
    else:
        print("cri.py: unknown verb or wrong arguments: %s" % " ".join(argv[2:]), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
