#include "config.h"
#include "hardened/spec.h"

/* Schema tables for OCI runtime-spec documents, mirroring the Go structs of
 * specs-go/config.go at tag v1.2.0 as encoding/json decodes them on amd64.
 * One table per Go struct, fields in Go declaration order, keyed by the
 * JSON name from the struct tag.  Fields of an embedded struct without a
 * tag are promoted into the embedding object, as Go does.  Platform
 * sections a Linux runtime ignores (solaris, windows, vm, zos) are opaque.
 * The tables are aligned in columns by hand, so clang-format leaves them be. */

/* clang-format off */

/* Shared scalar types. */
static const struct spec_type t_string = { SPEC_STRING, NULL, NULL };
static const struct spec_type t_bool   = { SPEC_BOOL,   NULL, NULL };
static const struct spec_type t_u16    = { SPEC_U16,    NULL, NULL };
static const struct spec_type t_u32    = { SPEC_U32,    NULL, NULL };
static const struct spec_type t_u64    = { SPEC_U64,    NULL, NULL };
static const struct spec_type t_i32    = { SPEC_I32,    NULL, NULL };
static const struct spec_type t_i64    = { SPEC_I64,    NULL, NULL };
static const struct spec_type t_opaque = { SPEC_OPAQUE, NULL, NULL };

/* Shared array and map types of scalars. */
static const struct spec_type t_string_array = { SPEC_ARRAY, NULL, &t_string };
static const struct spec_type t_u32_array    = { SPEC_ARRAY, NULL, &t_u32 };
static const struct spec_type t_string_map   = { SPEC_MAP,   NULL, &t_string };

/* ------------------------------------------------------------------ */
/* process                                                             */
/* ------------------------------------------------------------------ */

/* specs-go Box */
static const struct spec_field process_console_size_fields[] = {
        { "height", &t_u64 },
        { "width",  &t_u64 },
        { NULL, NULL },
};
static const struct spec_type t_process_console_size = {
        SPEC_OBJECT, process_console_size_fields, NULL
};

/* specs-go User */
static const struct spec_field process_user_fields[] = {
        { "uid",            &t_u32 },
        { "gid",            &t_u32 },
        { "umask",          &t_u32, SPEC_PTR },
        { "additionalGids", &t_u32_array },
        { "username",       &t_string },
        { NULL, NULL },
};
static const struct spec_type t_process_user = {
        SPEC_OBJECT, process_user_fields, NULL
};

/* specs-go LinuxCapabilities */
static const struct spec_field process_capabilities_fields[] = {
        { "bounding",    &t_string_array },
        { "effective",   &t_string_array },
        { "inheritable", &t_string_array },
        { "permitted",   &t_string_array },
        { "ambient",     &t_string_array },
        { NULL, NULL },
};
static const struct spec_type t_process_capabilities = {
        SPEC_OBJECT, process_capabilities_fields, NULL
};

/* specs-go POSIXRlimit */
static const struct spec_field process_rlimits_fields[] = {
        { "type", &t_string },
        { "hard", &t_u64 },
        { "soft", &t_u64 },
        { NULL, NULL },
};
static const struct spec_type t_process_rlimit = {
        SPEC_OBJECT, process_rlimits_fields, NULL
};
static const struct spec_type t_process_rlimits = {
        SPEC_ARRAY, NULL, &t_process_rlimit
};

/* specs-go Scheduler */
static const struct spec_field process_scheduler_fields[] = {
        { "policy",   &t_string },
        { "nice",     &t_i32 },
        { "priority", &t_i32 },
        { "flags",    &t_string_array },
        { "runtime",  &t_u64 },
        { "deadline", &t_u64 },
        { "period",   &t_u64 },
        { NULL, NULL },
};
static const struct spec_type t_process_scheduler = {
        SPEC_OBJECT, process_scheduler_fields, NULL
};

/* specs-go LinuxIOPriority */
static const struct spec_field process_io_priority_fields[] = {
        { "class",    &t_string },
        { "priority", &t_i64 },
        { NULL, NULL },
};
static const struct spec_type t_process_io_priority = {
        SPEC_OBJECT, process_io_priority_fields, NULL
};

/* specs-go Process */
static const struct spec_field process_fields[] = {
        { "terminal",        &t_bool },
        { "consoleSize",     &t_process_console_size, SPEC_PTR },
        { "user",            &t_process_user },
        { "args",            &t_string_array },
        { "commandLine",     &t_string },
        { "env",             &t_string_array },
        { "cwd",             &t_string },
        { "capabilities",    &t_process_capabilities, SPEC_PTR },
        { "rlimits",         &t_process_rlimits },
        { "noNewPrivileges", &t_bool },
        { "apparmorProfile", &t_string },
        { "oomScoreAdj",     &t_i64, SPEC_PTR },
        { "scheduler",       &t_process_scheduler, SPEC_PTR },
        { "selinuxLabel",    &t_string },
        { "ioPriority",      &t_process_io_priority, SPEC_PTR },
        { NULL, NULL },
};
const struct spec_type spec_process = { SPEC_OBJECT, process_fields, NULL };

/* ------------------------------------------------------------------ */
/* root, mounts, hooks                                                 */
/* ------------------------------------------------------------------ */

/* specs-go Root */
static const struct spec_field root_fields[] = {
        { "path",     &t_string },
        { "readonly", &t_bool },
        { NULL, NULL },
};
static const struct spec_type t_root = { SPEC_OBJECT, root_fields, NULL };

/* specs-go LinuxIDMapping */
static const struct spec_field id_mapping_fields[] = {
        { "containerID", &t_u32 },
        { "hostID",      &t_u32 },
        { "size",        &t_u32 },
        { NULL, NULL },
};
static const struct spec_type t_id_mapping = {
        SPEC_OBJECT, id_mapping_fields, NULL
};
static const struct spec_type t_id_mappings = {
        SPEC_ARRAY, NULL, &t_id_mapping
};

/* specs-go Mount */
static const struct spec_field mounts_fields[] = {
        { "destination", &t_string },
        { "type",        &t_string },
        { "source",      &t_string },
        { "options",     &t_string_array },
        { "uidMappings", &t_id_mappings },
        { "gidMappings", &t_id_mappings },
        { NULL, NULL },
};
static const struct spec_type t_mount = { SPEC_OBJECT, mounts_fields, NULL };
static const struct spec_type t_mounts = { SPEC_ARRAY, NULL, &t_mount };

/* specs-go Hook */
static const struct spec_field hook_fields[] = {
        { "path",    &t_string },
        { "args",    &t_string_array },
        { "env",     &t_string_array },
        { "timeout", &t_i64, SPEC_PTR },
        { NULL, NULL },
};
static const struct spec_type t_hook = { SPEC_OBJECT, hook_fields, NULL };
static const struct spec_type t_hook_array = { SPEC_ARRAY, NULL, &t_hook };

/* specs-go Hooks */
static const struct spec_field hooks_fields[] = {
        { "prestart",        &t_hook_array },
        { "createRuntime",   &t_hook_array },
        { "createContainer", &t_hook_array },
        { "startContainer",  &t_hook_array },
        { "poststart",       &t_hook_array },
        { "poststop",        &t_hook_array },
        { NULL, NULL },
};
static const struct spec_type t_hooks = { SPEC_OBJECT, hooks_fields, NULL };

/* ------------------------------------------------------------------ */
/* linux.resources                                                     */
/* ------------------------------------------------------------------ */

/* specs-go LinuxDeviceCgroup */
static const struct spec_field linux_resources_devices_fields[] = {
        { "allow",  &t_bool },
        { "type",   &t_string },
        { "major",  &t_i64, SPEC_PTR },
        { "minor",  &t_i64, SPEC_PTR },
        { "access", &t_string },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_device = {
        SPEC_OBJECT, linux_resources_devices_fields, NULL
};
static const struct spec_type t_linux_resources_devices = {
        SPEC_ARRAY, NULL, &t_linux_resources_device
};

/* specs-go LinuxMemory */
static const struct spec_field linux_resources_memory_fields[] = {
        { "limit",             &t_i64, SPEC_PTR },
        { "reservation",       &t_i64, SPEC_PTR },
        { "swap",              &t_i64, SPEC_PTR },
        { "kernel",            &t_i64, SPEC_PTR },
        { "kernelTCP",         &t_i64, SPEC_PTR },
        { "swappiness",        &t_u64, SPEC_PTR },
        { "disableOOMKiller",  &t_bool, SPEC_PTR },
        { "useHierarchy",      &t_bool, SPEC_PTR },
        { "checkBeforeUpdate", &t_bool, SPEC_PTR },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_memory = {
        SPEC_OBJECT, linux_resources_memory_fields, NULL
};

/* specs-go LinuxCPU */
static const struct spec_field linux_resources_cpu_fields[] = {
        { "shares",          &t_u64, SPEC_PTR },
        { "quota",           &t_i64, SPEC_PTR },
        { "burst",           &t_u64, SPEC_PTR },
        { "period",          &t_u64, SPEC_PTR },
        { "realtimeRuntime", &t_i64, SPEC_PTR },
        { "realtimePeriod",  &t_u64, SPEC_PTR },
        { "cpus",            &t_string },
        { "mems",            &t_string },
        { "idle",            &t_i64, SPEC_PTR },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_cpu = {
        SPEC_OBJECT, linux_resources_cpu_fields, NULL
};

/* specs-go LinuxPids */
static const struct spec_field linux_resources_pids_fields[] = {
        { "limit", &t_i64 },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_pids = {
        SPEC_OBJECT, linux_resources_pids_fields, NULL
};

/* specs-go LinuxWeightDevice (LinuxBlockIODevice embedded: major, minor) */
static const struct spec_field linux_resources_block_io_weight_device_fields[] = {
        { "major",      &t_i64 },
        { "minor",      &t_i64 },
        { "weight",     &t_u16, SPEC_PTR },
        { "leafWeight", &t_u16, SPEC_PTR },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_block_io_weight_device = {
        SPEC_OBJECT, linux_resources_block_io_weight_device_fields, NULL
};
static const struct spec_type t_linux_resources_block_io_weight_devices = {
        SPEC_ARRAY, NULL, &t_linux_resources_block_io_weight_device
};

/* specs-go LinuxThrottleDevice (LinuxBlockIODevice embedded: major, minor) */
static const struct spec_field linux_resources_block_io_throttle_device_fields[] = {
        { "major", &t_i64 },
        { "minor", &t_i64 },
        { "rate",  &t_u64 },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_block_io_throttle_device = {
        SPEC_OBJECT, linux_resources_block_io_throttle_device_fields, NULL
};
static const struct spec_type t_linux_resources_block_io_throttle_devices = {
        SPEC_ARRAY, NULL, &t_linux_resources_block_io_throttle_device
};

/* specs-go LinuxBlockIO */
static const struct spec_field linux_resources_block_io_fields[] = {
        { "weight",                  &t_u16, SPEC_PTR },
        { "leafWeight",              &t_u16, SPEC_PTR },
        { "weightDevice",            &t_linux_resources_block_io_weight_devices },
        { "throttleReadBpsDevice",   &t_linux_resources_block_io_throttle_devices },
        { "throttleWriteBpsDevice",  &t_linux_resources_block_io_throttle_devices },
        { "throttleReadIOPSDevice",  &t_linux_resources_block_io_throttle_devices },
        { "throttleWriteIOPSDevice", &t_linux_resources_block_io_throttle_devices },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_block_io = {
        SPEC_OBJECT, linux_resources_block_io_fields, NULL
};

/* specs-go LinuxHugepageLimit */
static const struct spec_field linux_resources_hugepage_limits_fields[] = {
        { "pageSize", &t_string },
        { "limit",    &t_u64 },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_hugepage_limit = {
        SPEC_OBJECT, linux_resources_hugepage_limits_fields, NULL
};
static const struct spec_type t_linux_resources_hugepage_limits = {
        SPEC_ARRAY, NULL, &t_linux_resources_hugepage_limit
};

/* specs-go LinuxInterfacePriority */
static const struct spec_field linux_resources_network_priorities_fields[] = {
        { "name",     &t_string },
        { "priority", &t_u32 },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_network_priority = {
        SPEC_OBJECT, linux_resources_network_priorities_fields, NULL
};
static const struct spec_type t_linux_resources_network_priorities = {
        SPEC_ARRAY, NULL, &t_linux_resources_network_priority
};

/* specs-go LinuxNetwork */
static const struct spec_field linux_resources_network_fields[] = {
        { "classID",    &t_u32, SPEC_PTR },
        { "priorities", &t_linux_resources_network_priorities },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_network = {
        SPEC_OBJECT, linux_resources_network_fields, NULL
};

/* specs-go LinuxRdma */
static const struct spec_field linux_resources_rdma_fields[] = {
        { "hcaHandles", &t_u32, SPEC_PTR },
        { "hcaObjects", &t_u32, SPEC_PTR },
        { NULL, NULL },
};
static const struct spec_type t_linux_resources_rdma_entry = {
        SPEC_OBJECT, linux_resources_rdma_fields, NULL
};
static const struct spec_type t_linux_resources_rdma = {
        SPEC_MAP, NULL, &t_linux_resources_rdma_entry
};

/* specs-go LinuxResources */
static const struct spec_field linux_resources_fields[] = {
        { "devices",        &t_linux_resources_devices },
        { "memory",         &t_linux_resources_memory, SPEC_PTR },
        { "cpu",            &t_linux_resources_cpu, SPEC_PTR },
        { "pids",           &t_linux_resources_pids, SPEC_PTR },
        { "blockIO",        &t_linux_resources_block_io, SPEC_PTR },
        { "hugepageLimits", &t_linux_resources_hugepage_limits },
        { "network",        &t_linux_resources_network, SPEC_PTR },
        { "rdma",           &t_linux_resources_rdma },
        { "unified",        &t_string_map },
        { NULL, NULL },
};
const struct spec_type spec_resources = {
        SPEC_OBJECT, linux_resources_fields, NULL
};

/* ------------------------------------------------------------------ */
/* linux                                                               */
/* ------------------------------------------------------------------ */

/* specs-go LinuxNamespace */
static const struct spec_field linux_namespaces_fields[] = {
        { "type", &t_string },
        { "path", &t_string },
        { NULL, NULL },
};
static const struct spec_type t_linux_namespace = {
        SPEC_OBJECT, linux_namespaces_fields, NULL
};
static const struct spec_type t_linux_namespaces = {
        SPEC_ARRAY, NULL, &t_linux_namespace
};

/* specs-go LinuxDevice */
static const struct spec_field linux_devices_fields[] = {
        { "path",     &t_string },
        { "type",     &t_string },
        { "major",    &t_i64 },
        { "minor",    &t_i64 },
        { "fileMode", &t_u32, SPEC_PTR },
        { "uid",      &t_u32, SPEC_PTR },
        { "gid",      &t_u32, SPEC_PTR },
        { NULL, NULL },
};
static const struct spec_type t_linux_device = {
        SPEC_OBJECT, linux_devices_fields, NULL
};
static const struct spec_type t_linux_devices = {
        SPEC_ARRAY, NULL, &t_linux_device
};

/* specs-go LinuxSeccompArg */
static const struct spec_field linux_seccomp_syscalls_args_fields[] = {
        { "index",    &t_u64 },
        { "value",    &t_u64 },
        { "valueTwo", &t_u64 },
        { "op",       &t_string },
        { NULL, NULL },
};
static const struct spec_type t_linux_seccomp_syscall_arg = {
        SPEC_OBJECT, linux_seccomp_syscalls_args_fields, NULL
};
static const struct spec_type t_linux_seccomp_syscall_args = {
        SPEC_ARRAY, NULL, &t_linux_seccomp_syscall_arg
};

/* specs-go LinuxSyscall */
static const struct spec_field linux_seccomp_syscalls_fields[] = {
        { "names",    &t_string_array },
        { "action",   &t_string },
        { "errnoRet", &t_u64, SPEC_PTR },
        { "args",     &t_linux_seccomp_syscall_args },
        { NULL, NULL },
};
static const struct spec_type t_linux_seccomp_syscall = {
        SPEC_OBJECT, linux_seccomp_syscalls_fields, NULL
};
static const struct spec_type t_linux_seccomp_syscalls = {
        SPEC_ARRAY, NULL, &t_linux_seccomp_syscall
};

/* specs-go LinuxSeccomp */
static const struct spec_field linux_seccomp_fields[] = {
        { "defaultAction",    &t_string },
        { "defaultErrnoRet",  &t_u64, SPEC_PTR },
        { "architectures",    &t_string_array },
        { "flags",            &t_string_array },
        { "listenerPath",     &t_string },
        { "listenerMetadata", &t_string },
        { "syscalls",         &t_linux_seccomp_syscalls },
        { NULL, NULL },
};
const struct spec_type spec_seccomp = {
        SPEC_OBJECT, linux_seccomp_fields, NULL
};

/* specs-go LinuxIntelRdt */
static const struct spec_field linux_intel_rdt_fields[] = {
        { "closID",        &t_string },
        { "l3CacheSchema", &t_string },
        { "memBwSchema",   &t_string },
        { "enableCMT",     &t_bool },
        { "enableMBM",     &t_bool },
        { NULL, NULL },
};
static const struct spec_type t_linux_intel_rdt = {
        SPEC_OBJECT, linux_intel_rdt_fields, NULL
};

/* specs-go LinuxPersonality */
static const struct spec_field linux_personality_fields[] = {
        { "domain", &t_string },
        { "flags",  &t_string_array },
        { NULL, NULL },
};
static const struct spec_type t_linux_personality = {
        SPEC_OBJECT, linux_personality_fields, NULL
};

/* specs-go LinuxTimeOffset */
static const struct spec_field linux_time_offsets_fields[] = {
        { "secs",     &t_i64 },
        { "nanosecs", &t_u32 },
        { NULL, NULL },
};
static const struct spec_type t_linux_time_offset = {
        SPEC_OBJECT, linux_time_offsets_fields, NULL
};
static const struct spec_type t_linux_time_offsets = {
        SPEC_MAP, NULL, &t_linux_time_offset
};

/* specs-go Linux */
static const struct spec_field linux_fields[] = {
        { "uidMappings",       &t_id_mappings },
        { "gidMappings",       &t_id_mappings },
        { "sysctl",            &t_string_map },
        { "resources",         &spec_resources, SPEC_PTR },
        { "cgroupsPath",       &t_string },
        { "namespaces",        &t_linux_namespaces },
        { "devices",           &t_linux_devices },
        { "seccomp",           &spec_seccomp, SPEC_PTR },
        { "rootfsPropagation", &t_string },
        { "maskedPaths",       &t_string_array },
        { "readonlyPaths",     &t_string_array },
        { "mountLabel",        &t_string },
        { "intelRdt",          &t_linux_intel_rdt, SPEC_PTR },
        { "personality",       &t_linux_personality, SPEC_PTR },
        { "timeOffsets",       &t_linux_time_offsets },
        { NULL, NULL },
};
static const struct spec_type t_linux = { SPEC_OBJECT, linux_fields, NULL };

/* ------------------------------------------------------------------ */
/* config.json                                                         */
/* ------------------------------------------------------------------ */

/* specs-go Spec */
static const struct spec_field config_fields[] = {
        { "ociVersion",  &t_string },
        { "process",     &spec_process, SPEC_PTR },
        { "root",        &t_root, SPEC_PTR },
        { "hostname",    &t_string },
        { "domainname",  &t_string },
        { "mounts",      &t_mounts },
        { "hooks",       &t_hooks, SPEC_PTR },
        { "annotations", &t_string_map },
        { "linux",       &t_linux, SPEC_PTR },
        { "solaris",     &t_opaque },
        { "windows",     &t_opaque },
        { "vm",          &t_opaque },
        { "zos",         &t_opaque },
        { NULL, NULL },
};
const struct spec_type spec_config = { SPEC_OBJECT, config_fields, NULL };

/* clang-format on */
