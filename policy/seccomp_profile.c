#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/seccomp.h>
#include <seccomp.h>

#include "hardened/adminfile.h"
#include "hardened/bpf.h"
#include "hardened/json.h"
#include "hardened/policy.h"
#include "hardened/seccomp_profile.h"
#include "hardened/sha256.h"
#include "hardened/siphash.h"
#include "hardened/spec.h"
#include "hardened/util.h"

static const struct {
        const char *oci;
        const char *libseccomp;
} arches[] = {
        { "SCMP_ARCH_X86", "x86" },
        { "SCMP_ARCH_X86_64", "x86_64" },
        { "SCMP_ARCH_X32", "x32" },
        { "SCMP_ARCH_ARM", "arm" },
        { "SCMP_ARCH_AARCH64", "aarch64" },
        { "SCMP_ARCH_MIPS", "mips" },
        { "SCMP_ARCH_MIPS64", "mips64" },
        { "SCMP_ARCH_MIPS64N32", "mips64n32" },
        { "SCMP_ARCH_MIPSEL", "mipsel" },
        { "SCMP_ARCH_MIPSEL64", "mipsel64" },
        { "SCMP_ARCH_MIPSEL64N32", "mipsel64n32" },
        { "SCMP_ARCH_PPC", "ppc" },
        { "SCMP_ARCH_PPC64", "ppc64" },
        { "SCMP_ARCH_PPC64LE", "ppc64le" },
        { "SCMP_ARCH_S390", "s390" },
        { "SCMP_ARCH_S390X", "s390x" },
        { "SCMP_ARCH_PARISC", "parisc" },
        { "SCMP_ARCH_PARISC64", "parisc64" },
        { "SCMP_ARCH_RISCV64", "riscv64" },
};

/* libseccomp token of an OCI architecture name, 0 if unknown. */
static uint32_t
arch_token (const char *oci)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (arches); i++)
                if (strcmp (arches[i].oci, oci) == 0)
                        return seccomp_arch_resolve_name (arches[i].libseccomp);
        return 0;
}

int
seccomp_syscall_known (const struct json *profile, const char *name)
{
        const struct json *list = json_get (profile, "architectures");

        if (!list || list->n == 0)
                return seccomp_syscall_resolve_name (name) == __NR_SCMP_ERROR ? -1 : 0;
        for (size_t i = 0; i < list->n; i++) {
                uint32_t a = arch_token (list->items[i]->text);
                if (a && seccomp_syscall_resolve_name_arch (a, name) != __NR_SCMP_ERROR)
                        return 0;
        }
        return -1;
}

static const struct {
        const char *name;
        bool errno_arg;  /* takes errnoRet */
        uint32_t action; /* without the errno */
} actions[] = {
        { "SCMP_ACT_KILL", false, SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_KILL_THREAD", false, SCMP_ACT_KILL_THREAD },
        { "SCMP_ACT_KILL_PROCESS", false, SCMP_ACT_KILL_PROCESS },
        { "SCMP_ACT_TRAP", false, SCMP_ACT_TRAP },
        { "SCMP_ACT_ERRNO", true, SCMP_ACT_ERRNO (0) },
        { "SCMP_ACT_TRACE", true, SCMP_ACT_TRACE (0) },
        { "SCMP_ACT_ALLOW", false, SCMP_ACT_ALLOW },
        { "SCMP_ACT_LOG", false, SCMP_ACT_LOG },
        { "SCMP_ACT_NOTIFY", false, SCMP_ACT_NOTIFY },
};

static const struct {
        const char *name;
        enum scmp_compare op;
} compare_ops[] = {
        { "SCMP_CMP_NE", SCMP_CMP_NE },
        { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },
        { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },
        { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* An action with its errno (runc's default errno is EPERM). */
static int
seccomp_action (const struct json *name, const struct json *errno_ret, uint32_t *out, struct hd_err *err)
{
        uint64_t e = EPERM;

        for (size_t i = 0; name && i < HD_ARRAY_SIZE (actions); i++) {
                if (strcmp (name->text, actions[i].name) != 0)
                        continue;
                if (errno_ret && (!json_number_u64 (errno_ret, &e) || e < 1 || e > 4095))
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "errnoRet must be between 1 and 4095");
                *out = actions[i].errno_arg ? actions[i].action | (uint32_t) e : actions[i].action;
                return 0;
        }
        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "unknown seccomp action \"%s\"", name ? name->text : "(none)");
}

static int
seccomp_args (const struct json *args, struct scmp_arg_cmp *out, unsigned *n, struct hd_err *err)
{
        *n = 0;
        for (size_t i = 0; args && i < args->n; i++) {
                const struct json *a = args->items[i], *op = json_get (a, "op");
                uint64_t index = 0, value = 0, two = 0;
                size_t k;

                if (i >= 6 || !json_number_u64 (json_get (a, "index"), &index) || index > 5)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "bad argument index");
                if ((json_get (a, "value") && !json_number_u64 (json_get (a, "value"), &value))
                    || (json_get (a, "valueTwo") && !json_number_u64 (json_get (a, "valueTwo"), &two)))
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                           "value and valueTwo are unsigned 64-bit integers");
                for (k = 0; op && k < HD_ARRAY_SIZE (compare_ops); k++)
                        if (strcmp (op->text, compare_ops[k].name) == 0)
                                break;
                if (!op || k == HD_ARRAY_SIZE (compare_ops))
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "unknown operator \"%s\"",
                                           op ? op->text : "(none)");
                out[(*n)++] = (struct scmp_arg_cmp) { (unsigned) index, compare_ops[k].op, value, two };
        }
        return 0;
}

/* runc 1.1.5 (libcontainer/seccomp, matchCall): a rule whose conditions
 * name one argument twice is added as one rule per condition, so the
 * conditions become alternatives, not a conjunction.  Judged as runc loads
 * it: {"index":0,"op":"SCMP_CMP_MASKED_EQ",...} plus {"index":0,...} allows
 * what either allows. */
static bool
args_repeat_index (const struct scmp_arg_cmp *args, unsigned n)
{
        for (unsigned i = 0; i < n; i++)
                for (unsigned k = i + 1; k < n; k++)
                        if (args[i].arg == args[k].arg)
                                return true;
        return false;
}

/* ---- rules libseccomp would drop ---------------------------------------------
 * libseccomp 2.5 adds every rule in a transaction whose commit walks the
 * list of every rule added before (db_col_transaction_commit): n rules
 * cost n^2 steps, over a minute for the 85k rules of a profile at the size
 * limit.  So a rule that cannot change the filter is not handed to it.
 * Once a call has a rule without arguments, libseccomp files it as an
 * entry "without any chains" on every architecture, and db_rule_add drops
 * every later rule for that call number ("existing filter is at least as
 * large as the new entry"); nothing else changes such an entry (phantom
 * entries come only from seccomp_syscall_priority, never called here).
 * A later rule for the call with the same action (accepted once, so
 * accepted again) is therefore skipped: the filter, and the program
 * judged, are the same.  Not so for the socket and ipc calls that
 * libseccomp also files under socketcall/ipc with an argument chain on
 * some architectures (syscalls.c abi_rule_add: x86, s390, ppc, mips): those
 * are always handed over, as is a rule of another action. */

static const char *const multiplexed[] = {
        "socket",  "bind",    "connect",  "listen",   "accept",   "getsockname", "getpeername", "socketpair",
        "send",    "recv",    "sendto",   "recvfrom", "shutdown", "setsockopt",  "getsockopt",  "sendmsg",
        "recvmsg", "accept4", "recvmmsg", "sendmmsg", "semop",    "semget",      "semctl",      "semtimedop",
        "msgsnd",  "msgrcv",  "msgget",   "msgctl",   "shmat",    "shmdt",       "shmget",      "shmctl",
};

#define SETTLED_SLOTS 4096 /* a power of two, well above the calls libseccomp knows */

/* The call numbers (as seccomp_syscall_resolve_name gives them) that have
 * a rule without arguments, with that rule's action, in a table under
 * hd_hash's per-process key.  Full: nothing more is recorded (more rules
 * are handed over, the same filter). */
struct settled {
        const struct json *arches; /* the profile's architectures, besides the native one */
        size_t n;
        struct {
                bool used;
                int nr;
                uint32_t action;
        } slot[SETTLED_SLOTS];
};

static size_t
settled_slot (const struct settled *s, int nr)
{
        size_t i = (size_t) hd_hash (0, &nr, sizeof nr) & (SETTLED_SLOTS - 1);

        while (s->slot[i].used && s->slot[i].nr != nr)
                i = (i + 1) & (SETTLED_SLOTS - 1);
        return i;
}

static bool
is_multiplexed (const char *name)
{
        for (size_t i = 0; name && i < HD_ARRAY_SIZE (multiplexed); i++)
                if (strcmp (name, multiplexed[i]) == 0)
                        return true;
        return false;
}

/* Does call nr (on arch a, native 0) name a multiplexed call there, as
 * abi_rule_add tells them apart (by the name of the translated number)? */
static bool
multiplexed_on (uint32_t a, int nr, const char *name)
{
        _cleanup_free_ char *there = NULL;
        int n = a ? seccomp_syscall_resolve_name_arch (a, name) : nr;

        if ((n <= -100 && n >= -120) || (n <= -200 && n >= -224))
                return true;
        if (n < 0)
                return false;
        there = seccomp_syscall_resolve_num_arch (a ? a : seccomp_arch_native (), n);
        return is_multiplexed (there);
}

/* A rule without arguments for `name` (number nr) was added. */
static void
settled_add (struct settled *s, int nr, const char *name, uint32_t action)
{
        _cleanup_free_ char *native = seccomp_syscall_resolve_num_arch (seccomp_arch_native (), nr);
        const char *as = native ? native : name;
        size_t i = settled_slot (s, nr);

        if (s->slot[i].used || s->n * 2 >= SETTLED_SLOTS || is_multiplexed (name) || multiplexed_on (0, nr, as))
                return;
        for (size_t k = 0; s->arches && k < s->arches->n; k++) {
                uint32_t a = arch_token (s->arches->items[k]->text);
                if (a && multiplexed_on (a, nr, as))
                        return;
        }
        s->slot[i].used = true;
        s->slot[i].nr = nr;
        s->slot[i].action = action;
        s->n++;
}

static bool
settled_drops (const struct settled *s, int nr, uint32_t action)
{
        size_t i = settled_slot (s, nr);

        return s->slot[i].used && s->slot[i].action == action;
}

static int
seccomp_add_one (scmp_filter_ctx ctx, struct settled *s, uint32_t action, const char *name,
                 const struct scmp_arg_cmp *args, unsigned nargs, struct hd_err *err)
{
        int nr = seccomp_syscall_resolve_name (name), rc = 0;

        if (nr == __NR_SCMP_ERROR)
                return 0; /* runc skips names libseccomp does not know */
        if (settled_drops (s, nr, action))
                return 0; /* libseccomp would drop it (above) */
        if (!args_repeat_index (args, nargs))
                rc = seccomp_rule_add_array (ctx, action, nr, nargs, args);
        for (unsigned i = 0; rc == 0 && nargs > 1 && args_repeat_index (args, nargs) && i < nargs; i++)
                rc = seccomp_rule_add_array (ctx, action, nr, 1, &args[i]);
        if (rc < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, -rc, "%s: libseccomp", name);
        if (nargs == 0)
                settled_add (s, nr, name, action);
        return 0;
}

/* Add one "syscalls" entry for every name libseccomp knows, in runc's order. */
static int
seccomp_add_rule (scmp_filter_ctx ctx, struct settled *s, uint32_t dflt, const struct json *rule, struct hd_err *err)
{
        const struct json *names = json_get (rule, "names");
        struct scmp_arg_cmp args[6];
        uint32_t action;
        unsigned nargs;

        if (seccomp_action (json_get (rule, "action"), json_get (rule, "errnoRet"), &action, err) < 0
            || seccomp_args (json_get (rule, "args"), args, &nargs, err) < 0)
                return -1;
        if (action == dflt)
                return 0; /* runc skips rules that repeat the default */
        for (size_t i = 0; names && i < names->n; i++)
                if (seccomp_add_one (ctx, s, action, names->items[i]->text, args, nargs, err) < 0)
                        return -1;
        return 0;
}

static int
seccomp_add_arches (scmp_filter_ctx ctx, const struct json *list, struct hd_err *err)
{
        for (size_t i = 0; list && i < list->n; i++) {
                uint32_t a = arch_token (list->items[i]->text);
                int rc;
                if (!a)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "unknown architecture \"%s\"",
                                           list->items[i]->text);
                rc = seccomp_arch_add (ctx, a);
                if (rc < 0 && rc != -EEXIST)
                        return hd_err_sys (err, HD_EXIT_REFUSED, -rc, "architecture %s", list->items[i]->text);
        }
        return 0;
}

/* Every name must be a system call of at least one declared architecture:
 * runc skips names libseccomp does not know, which would silently drop a
 * rule. */
static int
seccomp_names_known (const struct json *seccomp, struct hd_err *err)
{
        const struct json *rules = json_get (seccomp, "syscalls");

        for (size_t i = 0; rules && i < rules->n; i++) {
                const struct json *names = json_get (rules->items[i], "names");
                for (size_t k = 0; names && k < names->n; k++)
                        if (seccomp_syscall_known (seccomp, names->items[k]->text) < 0)
                                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                                   "syscalls/%zu/names/%zu: \"%s\" is not a system "
                                                   "call of any of the profile's architectures",
                                                   i, k, names->items[k]->text);
        }
        return 0;
}

/* The filter as runc 1.1.5 builds it (InitSeccomp): seccomp_init with the
 * default action (bad-architecture action left at its default, kill), the
 * profile's architectures added to the native one, then the rules. */
static int
seccomp_build (const struct json *seccomp, scmp_filter_ctx *out, uint32_t *dflt, struct hd_err *err)
{
        const struct json *rules = json_get (seccomp, "syscalls");
        _cleanup_free_ struct settled *s = calloc (1, sizeof *s);
        scmp_filter_ctx ctx;

        if (!s)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        s->arches = json_get (seccomp, "architectures");
        if (seccomp_names_known (seccomp, err) < 0)
                return -1;
        if (seccomp_action (json_get (seccomp, "defaultAction"), json_get (seccomp, "defaultErrnoRet"), dflt, err) < 0)
                return hd_err_prefix (err, "defaultAction: ");
        ctx = seccomp_init (*dflt);
        if (!ctx)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "libseccomp refused the default action");
        if (seccomp_add_arches (ctx, json_get (seccomp, "architectures"), err) < 0) {
                seccomp_release (ctx);
                return -1;
        }
        for (size_t i = 0; rules && i < rules->n; i++)
                if (seccomp_add_rule (ctx, s, *dflt, rules->items[i], err) < 0) {
                        seccomp_release (ctx);
                        return hd_err_prefix (err, "syscalls/%zu: ", i);
                }
        *out = ctx;
        return 0;
}

/* The classic-BPF program libseccomp generates, read back through a memfd. */
static int
seccomp_export (scmp_filter_ctx ctx, struct sock_filter **insns, size_t *n, struct hd_err *err)
{
        _cleanup_close_ int fd = memfd_create ("hardened-seccomp", MFD_CLOEXEC);
        _cleanup_free_ struct sock_filter *buf = NULL;
        struct stat st;
        int rc;

        if (fd < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "memfd");
        rc = seccomp_export_bpf (ctx, fd);
        if (rc < 0)
                return hd_err_sys (err, HD_EXIT_REFUSED, -rc, "cannot compile");
        if (fstat (fd, &st) < 0 || st.st_size <= 0 || st.st_size % (off_t) sizeof *buf
            || (size_t) st.st_size > BPF_MAXINSNS * sizeof *buf)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "libseccomp exported %lld bytes",
                                   (long long) st.st_size);
        buf = malloc ((size_t) st.st_size);
        if (!buf)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (pread (fd, buf, (size_t) st.st_size, 0) != st.st_size)
                return hd_err_set (err, HD_EXIT_INTERNAL, errno ? errno : EIO, "reading the program back");
        *n = (size_t) st.st_size / sizeof *buf;
        *insns = steal_ptr (&buf);
        return 0;
}

/* ---- judging the program ------------------------------------------------------
 * Threat: a profile that names every denied call in an ERRNO rule can still
 * let it through: an ALLOW rule for the same call whose argument filter is
 * on the wrong index or masks the wrong bits, two conditions on one index
 * (alternatives in runc), a LOG/TRACE/NOTIFY action, an architecture whose
 * numbers differ (x32's ptrace is 521 | 0x40000000).  So the program runc
 * would load is run against probes: each deny-list name, on every
 * architecture the host can execute (x86_64 runs i386 and x32 code) and
 * every one the profile declares, with arguments searched (bpf_search).
 *
 * clone and unshare are judged by their namespace flags (plain fork and
 * thread creation stay allowed), every other name with any arguments:
 * clone3 passes its flags in memory a filter cannot read, so it must be
 * blocked outright (Docker answers ENOSYS so that libc falls back to clone).
 * CLONE_NEWTIME is not a clone flag (clone's low byte is the exit signal;
 * the kernel masks it off), so clone's mask is 0x7e020000, unshare's adds
 * 0x80. */

#define CLONE_NS \
        (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define UNSHARE_NS (CLONE_NS | 0x80u /* CLONE_NEWTIME */)

/* Arguments tried first, as (flags) values of the call; the search adds
 * the values the program's own constants suggest. */
static const struct probe {
        const char *name;
        uint32_t ns; /* 0: any arguments; else any of these flags */
        uint32_t seeds[10];
} probes[] = {
        { "clone",
          CLONE_NS,
          { CLONE_NEWUSER, CLONE_NEWNS | SIGCHLD, CLONE_NEWNET | SIGCHLD, CLONE_NEWPID | SIGCHLD,
            CLONE_NEWUTS | SIGCHLD, CLONE_NEWIPC | SIGCHLD, CLONE_NEWCGROUP | SIGCHLD,
            CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, CLONE_NS | SIGCHLD } },
        { "unshare",
          UNSHARE_NS,
          { CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWCGROUP, 0x80u,
            CLONE_NEWUSER | CLONE_NEWNS, UNSHARE_NS } },
};

/* The argument that carries clone's flags (CLONE_BACKWARDS2 on s390). */
static unsigned
flags_arg (const char *name, uint32_t arch)
{
        return strcmp (name, "clone") == 0 && (arch == SCMP_ARCH_S390 || arch == SCMP_ARCH_S390X) ? 1 : 0;
}

/* The architectures a 64-bit kernel also executes. */
static const struct {
        uint32_t native, compat[2];
} host_abis[] = {
        { SCMP_ARCH_X86_64, { SCMP_ARCH_X86, SCMP_ARCH_X32 } },
        { SCMP_ARCH_AARCH64, { SCMP_ARCH_ARM, 0 } },
        { SCMP_ARCH_S390X, { SCMP_ARCH_S390, 0 } },
        { SCMP_ARCH_PPC64, { SCMP_ARCH_PPC, 0 } },
        { SCMP_ARCH_MIPS64, { SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32 } },
        { SCMP_ARCH_MIPSEL64, { SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32 } },
};

static size_t
add_arch (uint32_t *set, size_t n, uint32_t a)
{
        for (size_t i = 0; i < n; i++)
                if (set[i] == a)
                        return n;
        set[n] = a;
        return n + 1;
}

/* The host's ABIs, then the profile's architectures. */
static size_t
judged_arches (const struct json *seccomp, uint32_t set[HD_ARRAY_SIZE (arches) + 3])
{
        const struct json *list = json_get (seccomp, "architectures");
        uint32_t native = seccomp_arch_native ();
        size_t n = add_arch (set, 0, native);

        for (size_t i = 0; i < HD_ARRAY_SIZE (host_abis); i++)
                for (size_t k = 0; host_abis[i].native == native && k < 2; k++)
                        if (host_abis[i].compat[k])
                                n = add_arch (set, n, host_abis[i].compat[k]);
        for (size_t i = 0; list && i < list->n; i++)
                if (arch_token (list->items[i]->text))
                        n = add_arch (set, n, arch_token (list->items[i]->text));
        return n;
}

static const char *
arch_label (uint32_t token)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (arches); i++)
                if (seccomp_arch_resolve_name (arches[i].libseccomp) == token)
                        return arches[i].libseccomp;
        return "?";
}

/* seccomp_data.arch: SCMP_ARCH_X32 is libseccomp's own token; the kernel
 * reports x32 calls as AUDIT_ARCH_X86_64 with bit 30 set in the number. */
static uint32_t
audit_arch (uint32_t token)
{
        return token == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : token;
}

static bool
lets_through (uint32_t ret)
{
        /* TRACE: without a tracer the call fails with ENOSYS, but a tracer
         * inside the container (a process allowed ptrace) resumes it as it
         * likes, and runc itself counts TRACE as allowing.  NOTIFY: the
         * listener may let it continue. */
        switch (ret & SECCOMP_RET_ACTION_FULL) {
        case SECCOMP_RET_ALLOW:
        case SECCOMP_RET_LOG:
        case SECCOMP_RET_TRACE:
        case SECCOMP_RET_USER_NOTIF:
                return true;
        default:
                return false;
        }
}

/* runc 1.1.5 (patchbpf/enosys_linux.go) prepends a stub to the filter
 * unless the default action is ALLOW, LOG or TRACE: for each architecture
 * the profile lists, a call numbered above the largest number the profile
 * names for it returns ENOSYS (and s390's multiplexer 0 too); everything
 * else runs the filter.  The stub never allows, so it only decides whether
 * a probe sees ENOSYS or the filter's answer.  This is that largest number
 * for `token`, 0 when the stub has no section for it. */
static uint32_t
enosys_bound (const struct json *seccomp, uint32_t dflt, uint32_t token)
{
        const struct json *list = json_get (seccomp, "architectures"), *rules = json_get (seccomp, "syscalls");
        uint32_t action = dflt & SECCOMP_RET_ACTION_FULL;
        int largest = 0;
        bool listed = false;

        if (action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG || action == SCMP_ACT_TRACE (0))
                return 0;
        for (size_t i = 0; list && i < list->n; i++)
                listed |= arch_token (list->items[i]->text) == token;
        for (size_t i = 0; listed && rules && i < rules->n; i++) {
                const struct json *names = json_get (rules->items[i], "names");
                for (size_t k = 0; names && k < names->n; k++) {
                        int nr = seccomp_syscall_resolve_name_arch (token, names->items[k]->text);
                        if (nr > largest)
                                largest = nr;
                }
        }
        return (uint32_t) largest;
}

static bool
enosys_stub (uint32_t bound, uint32_t token, uint32_t nr)
{
        return bound && (nr > bound || ((token == SCMP_ARCH_S390 || token == SCMP_ARCH_S390X) && nr == 0));
}

struct judge {
        const struct json *seccomp;
        struct bpf_prog prog;
        uint32_t dflt;
        uint32_t arches[HD_ARRAY_SIZE (arches) + 3];
        uint32_t bound[HD_ARRAY_SIZE (arches) + 3]; /* enosys_bound of each */
        size_t narches;
        struct seccomp_verdict *v;
        size_t used;
};

static void judge_note (struct judge *j, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
judge_note (struct judge *j, const char *fmt, ...)
{
        size_t size = sizeof j->v->through;
        va_list ap;
        int n;

        if (j->used >= size - 1)
                return;
        if (j->used)
                j->used += (size_t) snprintf (j->v->through + j->used, size - j->used, ", ");
        va_start (ap, fmt);
        n = vsnprintf (j->v->through + j->used, j->used < size ? size - j->used : 0, fmt, ap);
        va_end (ap);
        j->used = n < 0 ? size - 1 : j->used + (size_t) n;
        if (j->used >= size)
                j->used = size - 1;
}

/* Does `name` (with namespace flags when `ns`) get through on some
 * architecture?  The first one found is noted. */
static void
judge_name (struct judge *j, const char *name, const struct probe *pr)
{
        for (size_t i = 0; i < j->narches; i++) {
                uint32_t a = j->arches[i], witness[BPF_DATA_WORDS], ret;
                int nr = seccomp_syscall_resolve_name_arch (a, name), found;
                unsigned arg = flags_arg (name, a);
                struct bpf_goal goal = { BPF_WORD_LO (arg), pr ? pr->ns : 0, pr ? pr->seeds : NULL,
                                         pr ? HD_ARRAY_SIZE (pr->seeds) : 0 };
                struct hd_err why = { 0 };

                if (nr < 0 || enosys_stub (j->bound[i], a, (uint32_t) nr))
                        continue; /* not a call of this architecture, or ENOSYS before the filter */
                found = bpf_search (&j->prog, audit_arch (a), (uint32_t) nr, &goal, lets_through, witness, &ret, &why);
                if (found < 0)
                        judge_note (j, "%s@%s (cannot be judged: %s)", name, arch_label (a), why.msg);
                else if (found && pr)
                        judge_note (j, "%s(%#x)@%s", name, witness[goal.word], arch_label (a));
                else if (found)
                        judge_note (j, "%s@%s", name, arch_label (a));
                if (found)
                        return;
        }
}

/* The program runc would load for `seccomp`, exported and checked like
 * the kernel checks it: j->prog (its instructions in *insns, the
 * caller's to free) and j->dflt.  This is the libseccomp part. */
static int
judge_compile (const struct json *seccomp, struct judge *j, struct sock_filter **insns, struct hd_err *err)
{
        scmp_filter_ctx ctx = NULL;
        int rc;

        if (seccomp_build (seccomp, &ctx, &j->dflt, err) < 0)
                return -1;
        rc = seccomp_export (ctx, insns, &j->prog.n, err);
        seccomp_release (ctx);
        j->prog.insns = *insns;
        return rc < 0 ? -1 : bpf_check (&j->prog, err);
}

/* The deny-list probes on the compiled program: j->v->through. */
static void
judge_probe (const struct policy *p, struct judge *j)
{
        j->narches = judged_arches (j->seccomp, j->arches);
        for (size_t i = 0; i < j->narches; i++)
                j->bound[i] = enosys_bound (j->seccomp, j->dflt, j->arches[i]);
        j->v->through[0] = '\0';
        for (size_t i = 0; i < p->seccomp.ndeny; i++) {
                const struct probe *pr = NULL;
                for (size_t k = 0; k < HD_ARRAY_SIZE (probes); k++)
                        if (strcmp (probes[k].name, p->seccomp.deny[i]) == 0)
                                pr = &probes[k];
                judge_name (j, p->seccomp.deny[i], pr);
        }
}

int
seccomp_profile_action (const struct json *seccomp, uint32_t arch, const char *name, const uint64_t args[6],
                        uint32_t *ret, struct hd_err *err)
{
        _cleanup_free_ struct sock_filter *insns = NULL;
        struct bpf_prog prog = { 0 };
        uint32_t data[BPF_DATA_WORDS] = { 0 }, dflt;
        int nr = seccomp_syscall_resolve_name_arch (arch, name), rc;
        scmp_filter_ctx ctx = NULL;

        if (nr < 0)
                return hd_err_set (err, HD_EXIT_REFUSED, ENOENT, "%s is not a call of that architecture", name);
        if (seccomp_build (seccomp, &ctx, &dflt, err) < 0)
                return -1;
        rc = seccomp_export (ctx, &insns, &prog.n, err);
        seccomp_release (ctx);
        prog.insns = insns;
        if (rc < 0 || bpf_check (&prog, err) < 0)
                return -1;
        if (enosys_stub (enosys_bound (seccomp, dflt, arch), arch, (uint32_t) nr)) {
                *ret = SCMP_ACT_ERRNO (ENOSYS);
                return 0;
        }
        data[0] = (uint32_t) nr;
        data[1] = audit_arch (arch);
        for (unsigned i = 0; i < 6; i++) {
                data[BPF_WORD_LO (i)] = (uint32_t) args[i];
                data[BPF_WORD_HI (i)] = (uint32_t) (args[i] >> 32);
        }
        *ret = bpf_run (&prog, data);
        return 0;
}

/* ---- proof cache -----------------------------------------------------------
 * Compiling and probing a multi-architecture profile costs milliseconds, on
 * the start path of every container, for a profile that is nearly always
 * the same.  A verdict is remembered in a root-owned 0700 directory, under
 * everything it depends on (the key): the judge's version and probe table,
 * libseccomp's version, the native architecture, the deny-list, and the
 * profile as an unambiguous encoding of its tree (the exact bytes runc will
 * read are written from that tree).  The file holds the whole key before
 * the verdict, and a verdict is used only when the stored key is the
 * caller's byte for byte: no other profile's verdict can be had, whatever
 * the file name.  The name is a SipHash of the key under the directory's
 * own random secret (its file "key", made on first use), so nobody outside
 * the directory can make two keys share a file either (which would only
 * cost a judgement each time).  Hashing the key with SHA-256 instead cost
 * about 60 instructions a byte on the create path, for a profile that is
 * several kilobytes.  Without root or the directory, every profile is
 * judged.
 *
 * Threat: /run is a tmpfs, RAM shared with every daemon on the node, and
 * anyone who may start a container chooses its profile: one file per
 * distinct key, each up to the 8 MiB size limit, would let a loop of
 * `docker run --security-opt seccomp=FILE` fill /run (containerd's and
 * systemd's state with it) or the node's memory.  So the directory is a
 * table of PROOF_SLOTS files (the name is the hash modulo PROOF_SLOTS; a
 * key that finds another key in its slot is judged and takes the slot
 * over), and a record longer than PROOF_RECORD_MAX is not kept at all: at
 * most PROOF_SLOTS * PROOF_RECORD_MAX bytes (32 MiB), Docker's profile
 * 5.4 KB of them.  Flooding the table only costs judgements (bounded, see
 * below), never a wrong verdict. */
#define PROOF_SLOTS 512u
#define PROOF_RECORD_MAX (64u << 10)

#define JUDGE_VERSION PACKAGE_STRING " seccomp judge 1"
#define PROOF_MAGIC "hardened:"

static int
proof_dir (void)
{
        struct stat st;
        int fd = open (HD_PROOF_CACHE, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0 && errno == ENOENT && geteuid () == 0 && mkdir (HD_PROOF_CACHE, 0700) == 0)
                fd = open (HD_PROOF_CACHE, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0 && (fstat (fd, &st) < 0 || st.st_uid != geteuid () || (st.st_mode & 077))) {
                close (fd);
                return -1;
        }
        return fd;
}

static int proof_secret (int dir, uint64_t key[2]);

/* The directory and its secret, opened once per process and euid (a create
 * judges two profiles; a test judges as another euid to keep the cache out
 * of reach).  Close-on-exec, so runc never sees it.  -1: none to be had. */
static int
proof_cache (uint64_t secret[2])
{
        static int dir = -2;
        static uid_t opened_as;
        static uint64_t key[2];
        uid_t euid = geteuid ();

        if (dir != -2 && opened_as != euid) {
                if (dir >= 0)
                        close (dir);
                dir = -2;
        }
        if (dir == -2) {
                opened_as = euid;
                dir = proof_dir ();
                if (dir >= 0 && proof_secret (dir, key) < 0) {
                        close (dir);
                        dir = -1;
                }
        }
        memcpy (secret, key, sizeof key);
        return dir;
}

/* A private file of the directory, whole: regular, ours, 0600 or less. */
static ssize_t
proof_file_read (int dir, const char *name, char *buf, size_t min, size_t max)
{
        _cleanup_close_ int fd = openat (dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        size_t got = 0;
        ssize_t n;

        if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 077)
            || st.st_size < (off_t) min || st.st_size > (off_t) max)
                return -1;
        while (got < (size_t) st.st_size && (n = read (fd, buf + got, (size_t) st.st_size - got)) > 0)
                got += (size_t) n;
        return got == (size_t) st.st_size ? (ssize_t) got : -1;
}

/* Written under a temporary name and then linked (`replace`: renamed):
 * readers see all or nothing. */
static int
proof_file_write (int dir, const char *name, const char *buf, size_t len, bool replace)
{
        char tmp[128];
        _cleanup_close_ int fd = -1;
        int rc;

        snprintf (tmp, sizeof tmp, ".%s.%ld", name, (long) getpid ());
        fd = openat (dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -1;
        rc = write (fd, buf, len) == (ssize_t) len ? 0 : -1;
        if (rc == 0)
                rc = replace ? renameat (dir, tmp, dir, name) : linkat (dir, tmp, dir, name, 0);
        if (rc < 0 || !replace)
                unlinkat (dir, tmp, 0);
        return rc;
}

/* The directory's 128-bit secret, made on first use (the first of two
 * racing callers wins, the other reads its secret).  < 0: none to be had. */
static int
proof_secret (int dir, uint64_t key[2])
{
        if (proof_file_read (dir, "key", (char *) key, 16, 16) == 16)
                return 0;
        if (errno != ENOENT || getrandom (key, 16, GRND_NONBLOCK) != 16)
                return -1;
        if (proof_file_write (dir, "key", (const char *) key, 16, false) == 0)
                return 0;
        return proof_file_read (dir, "key", (char *) key, 16, 16) == 16 ? 0 : -1;
}

/* The key, built in memory: on the stack up to PROOF_KEY_STACK bytes
 * (Docker's profile is about 6 KB; a large malloc here would make glibc
 * consolidate every small block the trees freed), `failed` after an
 * allocation failure. */
#define PROOF_KEY_STACK 16384
struct proof_key {
        unsigned char *buf; /* stack, or malloc'd (then owned) */
        size_t len, cap;
        bool failed;
        unsigned char stack[PROOF_KEY_STACK];
};

/* Room for `len` more bytes; false (and `failed`) when there is none. */
static bool
key_reserve (struct proof_key *k, size_t len)
{
        size_t cap = k->cap * 2;
        unsigned char *grown;

        if (k->failed)
                return false;
        if (k->len + len <= k->cap)
                return true;
        while (cap < k->len + len)
                cap *= 2;
        if (!(grown = k->buf == k->stack ? malloc (cap) : realloc (k->buf, cap))) {
                k->failed = true;
                return false;
        }
        if (k->buf == k->stack)
                memcpy (grown, k->stack, k->len);
        k->buf = grown;
        k->cap = cap;
        return true;
}

static void
key_put (struct proof_key *k, const void *data, size_t len)
{
        if (len == 0 || !key_reserve (k, len))
                return;
        memcpy (k->buf + k->len, data, len);
        k->len += len;
}

static void
key_free (struct proof_key *k)
{
        if (k->buf != k->stack)
                free (k->buf);
}

static void
key_u32 (struct proof_key *k, uint32_t v)
{
        unsigned char b[4] = { (unsigned char) (v >> 24), (unsigned char) (v >> 16), (unsigned char) (v >> 8),
                               (unsigned char) v };

        key_put (k, b, sizeof b);
}

/* A tag byte, then a length as LEB128 (one byte below 128), then `text`
 * (len bytes, or none when NULL). */
static void
key_head (struct proof_key *k, unsigned char tag, size_t len, const char *text)
{
        unsigned char *b;
        size_t n = len;

        if (!key_reserve (k, 1 + 10 + (text ? len : 0)))
                return;
        b = k->buf + k->len;
        *b++ = tag;
        do {
                *b++ = (unsigned char) ((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
                n >>= 7;
        } while (n);
        if (text) {
                memcpy (b, text, len);
                b += len;
        }
        k->len = (size_t) (b - k->buf);
}

/* Type, then length-prefixed text or the number of children, keys
 * length-prefixed: no two trees give the same byte stream. */
static void
key_tree (struct proof_key *k, const struct json *j)
{
        unsigned char tag = (unsigned char) ('0' + j->type + (j->type == JSON_BOOL && j->boolean ? 8 : 0));

        if (j->type == JSON_STRING || j->type == JSON_NUMBER) {
                key_head (k, tag, j->len, j->text);
                return;
        }
        key_head (k, tag, j->n, NULL);
        for (size_t i = 0; i < j->n; i++) {
                if (j->type == JSON_OBJECT)
                        key_head (k, 'k', strlen (j->members[i].key), j->members[i].key);
                key_tree (k, j->type == JSON_OBJECT ? j->members[i].value : j->items[i]);
        }
}

/* The key, after the file's magic.  `text_sha256`: the profile is the
 * policy's own, parsed from text of that digest (computed at build time
 * for the compiled-in one), so the digest stands for its tree. */
static void
proof_key (const struct policy *p, const struct json *seccomp, const unsigned char *text_sha256, struct proof_key *k)
{
        const struct scmp_version *lib = seccomp_version ();

        key_put (k, PROOF_MAGIC, sizeof PROOF_MAGIC - 1);
        key_put (k, JUDGE_VERSION, sizeof JUDGE_VERSION);
        for (size_t i = 0; i < HD_ARRAY_SIZE (probes); i++) {
                key_put (k, probes[i].name, strlen (probes[i].name) + 1);
                key_u32 (k, probes[i].ns);
                for (size_t n = 0; n < HD_ARRAY_SIZE (probes[i].seeds); n++)
                        key_u32 (k, probes[i].seeds[n]);
        }
        key_u32 (k, lib->major);
        key_u32 (k, lib->minor);
        key_u32 (k, lib->micro);
        key_u32 (k, seccomp_arch_native ());
        key_u32 (k, (uint32_t) p->seccomp.ndeny);
        for (size_t i = 0; i < p->seccomp.ndeny; i++)
                key_put (k, p->seccomp.deny[i], strlen (p->seccomp.deny[i]) + 1);
        if (text_sha256) {
                key_put (k, "text", 4);
                key_put (k, text_sha256, SHA256_DIGEST_SIZE);
        } else {
                key_put (k, "tree", 4);
                key_tree (k, seccomp);
        }
}

/* A verdict record, as the cache keeps it and the judging child sends it:
 * the key, then what gets through (empty: nothing), no NUL.  True when
 * `rec` (len bytes) is the record of key k; v then holds its verdict. */
static bool
proof_parse (const char *rec, size_t len, const struct proof_key *k, struct seccomp_verdict *v)
{
        size_t vlen;

        if (len < k->len || len - k->len >= sizeof v->through || memcmp (rec, k->buf, k->len) != 0)
                return false;
        vlen = len - k->len;
        if (memchr (rec + k->len, '\0', vlen))
                return false;
        memcpy (v->through, rec + k->len, vlen);
        v->through[vlen] = '\0';
        return true;
}

/* A cached verdict.  `buf` has room for the longest record. */
static bool
proof_read (int dir, const char *name, const struct proof_key *k, char *buf, struct seccomp_verdict *v)
{
        ssize_t n = proof_file_read (dir, name, buf, k->len, k->len + sizeof v->through - 1);

        return n >= 0 && proof_parse (buf, (size_t) n, k, v);
}

/* ---- judging under a bound ---------------------------------------------------
 * Threat: libseccomp 2.5.4 can loop for ever inside one
 * seccomp_rule_add_array on a small profile
 * (tests/fixtures/run-seccomp-libseccomp-hang.json, 24 rules: a LOG rule for
 * unshare with two conditions, after an ALLOW one, leaves a node of the
 * argument tree that is its own lvl_prv, and _db_level_clean walks that
 * level without end).  runc 1.1.5 makes the same calls inside `runc init`,
 * in the container's cgroup; the shim runs on the host, outside any cgroup,
 * before runc, so one `docker run --security-opt seccomp=FILE` would pin a
 * host CPU for ever and hang the engine's create.  No count of rules says
 * in advance which profile meets that bug, so a profile that missed the
 * cache is judged in a child with RLIMIT_CPU (JUDGE_CPU_S, then SIGXCPU;
 * SIGKILL a second later) and a wall-clock deadline (JUDGE_WALL_S: a loaded
 * host; then SIGKILL); it is reaped on every path, dies with the shim
 * (PR_SET_PDEATHSIG) and answers only through the pipe.  No verdict within
 * the bound: refused (fail closed).  The worst-case profile of
 * tests/bench/worst.sh (84k rules at the size limit) is judged in about
 * 0.3 s; some 10k argument rules for one call (libseccomp walks the call's
 * whole tree for each) take over 5 s and are refused too, where runc would
 * spend as long.
 *
 * The child sends frames (a tag, its length as 8 bytes little-endian, its
 * bytes): 'C' once the program is compiled, then 'V' and the verdict's
 * record (proof_parse: what a cache hit reads, and what the cache then
 * keeps), or 'E' and its struct hd_err; 'X' when its CPU ran out.
 * Anything short of a whole 'V' or 'E' frame is no verdict. */

#define JUDGE_CPU_S 5
#define JUDGE_WALL_S 20
#define FRAME_HEAD 9

static bool
pipe_write (int fd, const void *data, size_t len)
{
        const char *at = data;

        while (len > 0) {
                ssize_t w = write (fd, at, len);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return false;
                at += w;
                len -= (size_t) w;
        }
        return true;
}

/* One frame: `tag`, then a and b as its bytes. */
static bool
frame_write (int fd, char tag, const void *a, size_t alen, const void *b, size_t blen)
{
        unsigned char head[FRAME_HEAD] = { (unsigned char) tag };
        uint64_t len = alen + blen;

        for (unsigned i = 0; i < 8; i++)
                head[1 + i] = (unsigned char) (len >> (8 * i));
        return pipe_write (fd, head, sizeof head) && pipe_write (fd, a, alen) && pipe_write (fd, b, blen);
}

/* The next whole frame of buf (len bytes) at *at, *at moved past it. */
static bool
frame_next (const char *buf, size_t len, size_t *at, char *tag, const char **bytes, size_t *n)
{
        uint64_t size = 0;

        if (len - *at < FRAME_HEAD)
                return false;
        for (unsigned i = 0; i < 8; i++)
                size |= (uint64_t) (unsigned char) buf[*at + 1 + i] << (8 * i);
        if (size > len - *at - FRAME_HEAD)
                return false;
        *tag = buf[*at];
        *bytes = buf + *at + FRAME_HEAD;
        *n = (size_t) size;
        *at += FRAME_HEAD + (size_t) size;
        return true;
}

/* The child's end of the pipe, for its SIGXCPU handler. */
static int judge_pipe = -1;

/* RLIMIT_CPU's soft limit: say so ('X', a frame of no bytes) and exit.
 * The shim cannot count on the child's exit status: with SIGCHLD ignored
 * (inherited from whoever started it) the child is reaped unseen.  The
 * hard limit, a second later, is SIGKILL. */
static void
judge_out_of_cpu (int sig)
{
        static const char frame[FRAME_HEAD] = { 'X' };

        (void) sig;
        if (write (judge_pipe, frame, sizeof frame) < 0)
                _exit (127);
        _exit (0);
}

/* SIGXCPU blocked (SIG_BLOCK) or not (SIG_UNBLOCK). */
static bool
judge_xcpu (int how)
{
        sigset_t xcpu;

        sigemptyset (&xcpu);
        sigaddset (&xcpu, SIGXCPU);
        return sigprocmask (how, &xcpu, NULL) == 0;
}

/* Run with RLIMIT_CPU (never above what is inherited), SIGXCPU caught. */
static bool
judge_limit_cpu (int fd)
{
        struct sigaction sa = { .sa_handler = judge_out_of_cpu };
        struct rlimit cpu;

        judge_pipe = fd;
        sigemptyset (&sa.sa_mask);
        if (getrlimit (RLIMIT_CPU, &cpu) < 0 || sigaction (SIGXCPU, &sa, NULL) < 0 || !judge_xcpu (SIG_UNBLOCK))
                return false;
        if (cpu.rlim_max > JUDGE_CPU_S + 1)
                cpu.rlim_max = JUDGE_CPU_S + 1;
        cpu.rlim_cur = cpu.rlim_max > JUDGE_CPU_S ? JUDGE_CPU_S : cpu.rlim_max;
        return setrlimit (RLIMIT_CPU, &cpu) == 0;
}

/* The judging child: writes its frames on fd and exits (no exit handler,
 * no stdio flushed twice).  SIGXCPU is blocked while the answer is
 * written, so that no 'X' lands inside it (the hard limit still holds). */
static void __attribute__ ((noreturn))
judge_child (const struct policy *p, const struct json *seccomp, const struct proof_key *k, pid_t shim, int fd)
{
        struct sock_filter *insns = NULL;
        struct seccomp_verdict v;
        struct judge j = { .seccomp = seccomp, .v = &v };
        struct hd_err err = { 0 };

        /* After PDEATHSIG, the shim must still be there: it may have died first. */
        if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != shim || !judge_limit_cpu (fd))
                _exit (127);
        if (judge_compile (seccomp, &j, &insns, &err) < 0)
                _exit (judge_xcpu (SIG_BLOCK) && frame_write (fd, 'E', &err, sizeof err, NULL, 0) ? 0 : 127);
        if (!frame_write (fd, 'C', NULL, 0, NULL, 0))
                _exit (127);
        judge_probe (p, &j);
        _exit (judge_xcpu (SIG_BLOCK) && frame_write (fd, 'V', k->buf, k->len, v.through, strlen (v.through)) ? 0
                                                                                                              : 127);
}

enum judge_end {
        JUDGE_EOF,    /* the child closed the pipe */
        JUDGE_LATE,   /* the deadline passed */
        JUDGE_BROKEN, /* more than any verdict, or the pipe failed */
};

/* Milliseconds from now to `deadline` (CLOCK_MONOTONIC), 0 once past. */
static int
ms_until (const struct timespec *deadline)
{
        struct timespec now;
        long ms;

        clock_gettime (CLOCK_MONOTONIC, &now);
        ms = (deadline->tv_sec - now.tv_sec) * 1000L + (deadline->tv_nsec - now.tv_nsec) / 1000000;
        return ms > 0 ? (int) ms : 0;
}

/* What the child writes, into buf (cap bytes; *len read), until it closes
 * the pipe or JUDGE_WALL_S passes. */
static enum judge_end
judge_read (int fd, char *buf, size_t cap, size_t *len)
{
        struct timespec deadline;

        clock_gettime (CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += JUDGE_WALL_S;
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int left = ms_until (&deadline);
                ssize_t n;

                if (left == 0)
                        return JUDGE_LATE;
                n = poll (&pfd, 1, left);
                if (n < 0 && errno != EINTR)
                        return JUDGE_BROKEN;
                if (n <= 0)
                        continue; /* interrupted, or the deadline: looked at above */
                if (*len == cap)
                        return JUDGE_BROKEN;
                n = read (fd, buf + *len, cap - *len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n == 0 ? JUDGE_EOF : JUDGE_BROKEN;
                *len += (size_t) n;
        }
}

/* No verdict came: why, in one line. */
static int
judge_refused (bool compiled, bool out_of_cpu, enum judge_end end, int status, const struct rusage *ru,
               struct hd_err *err)
{
        const char *what = compiled ? "the program libseccomp compiled from this profile was not probed"
                                    : "libseccomp did not finish compiling this profile";
        long cpu_ms = (ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000L
                      + (ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000;

        if (end == JUDGE_LATE && !out_of_cpu)
                return hd_err_set (
                        err, HD_EXIT_REFUSED, ETIMEDOUT,
                        "linux.seccomp: refused: %s within %d s of wall-clock time (the bound on judging a profile)",
                        what, JUDGE_WALL_S);
        if (out_of_cpu || (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL && cpu_ms >= JUDGE_CPU_S * 1000L))
                return hd_err_set (err, HD_EXIT_REFUSED, ETIMEDOUT,
                                   "linux.seccomp: refused: %s within %d s of CPU (the bound on judging a "
                                   "profile; runc would spin in the same libseccomp call)",
                                   what, JUDGE_CPU_S);
        return hd_err_set (err, HD_EXIT_REFUSED, ECHILD,
                           "linux.seccomp: refused: judging this profile stopped without a verdict (%s %d)",
                           WIFSIGNALED (status) ? "signal" : "exit status",
                           WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
}

/* The child's frames: its verdict (*rec, *rec_len: the record in buf), its
 * error, or why there is neither. */
static int
judge_outcome (const char *buf, size_t len, const struct proof_key *k, enum judge_end end, int status,
               const struct rusage *ru, struct seccomp_verdict *v, const char **rec, size_t *rec_len,
               struct hd_err *err)
{
        bool compiled = false, out_of_cpu = false;
        const char *bytes;
        size_t at = 0, n;
        char tag;

        while (frame_next (buf, len, &at, &tag, &bytes, &n)) {
                if (tag == 'C' && n == 0) {
                        compiled = true;
                } else if (tag == 'X' && n == 0) {
                        out_of_cpu = true;
                } else if (tag == 'V' && proof_parse (bytes, n, k, v)) {
                        *rec = bytes;
                        *rec_len = n;
                        return 0;
                } else if (tag == 'E' && n == sizeof *err) {
                        memcpy (err, bytes, sizeof *err);
                        err->msg[sizeof err->msg - 1] = '\0';
                        return -1;
                } else {
                        break;
                }
        }
        return judge_refused (compiled, out_of_cpu, end, status, ru, err);
}

/* Judge in the bounded child; *buf (the caller's to free) keeps what it
 * sent, the record among it. */
static int
judge_bounded (const struct policy *p, const struct json *seccomp, const struct proof_key *k, char **buf,
               struct seccomp_verdict *v, const char **rec, size_t *rec_len, struct hd_err *err)
{
        size_t most = k->len + sizeof v->through > sizeof *err ? k->len + sizeof v->through : sizeof *err;
        size_t cap = 2 * FRAME_HEAD + most, len = 0;
        struct rusage ru = { 0 };
        pid_t shim = getpid (), pid;
        int fds[2], status = 0, e;
        enum judge_end end;

        if (!(*buf = malloc (cap)))
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (pipe2 (fds, O_CLOEXEC) < 0)
                return hd_err_sys (err, HD_EXIT_INTERNAL, errno, "linux.seccomp: judging: pipe");
        pid = fork ();
        if (pid == 0) {
                close (fds[0]);
                judge_child (p, seccomp, k, shim, fds[1]);
        }
        e = errno;
        close (fds[1]);
        if (pid < 0) {
                close (fds[0]);
                return hd_err_sys (err, HD_EXIT_INTERNAL, e, "linux.seccomp: judging: fork");
        }
        end = judge_read (fds[0], *buf, cap, &len);
        close (fds[0]);
        if (end != JUDGE_EOF)
                kill (pid, SIGKILL); /* our child, not reaped yet: it held the pipe open */
        while (wait4 (pid, &status, 0, &ru) < 0 && errno == EINTR)
                ;
        return judge_outcome (*buf, len, k, end, status, &ru, v, rec, rec_len, err);
}

/* ---- the last profile judged -------------------------------------------------
 * seccomp.profile and seccomp.loadable judge the same profile: one that
 * reaches the bound must cost it once per call, not once per rule.  So the
 * outcome of the last profile judged afresh (not the policy's own) is kept
 * in the policy's memo under its key. */

struct seccomp_last {
        int rc;
        struct hd_err err; /* when rc < 0 */
        struct seccomp_verdict verdict;
        size_t len;
        unsigned char *key; /* owned: a key that outgrew the stack is taken over, not copied (at the
                             * size limit it is megabytes, each page of a copy a fault) */
};

static void
last_free (struct seccomp_last *l)
{
        if (l)
                free (l->key);
        free (l);
}

void
seccomp_profile_memo_free (struct policy_seccomp_memo *m)
{
        if (m)
                last_free (m->last);
        free (m);
}

static bool
last_get (const struct policy_seccomp_memo *m, const struct proof_key *k, struct seccomp_verdict *v, struct hd_err *err,
          int *rc)
{
        const struct seccomp_last *l = m ? m->last : NULL;

        if (!l || l->len != k->len || memcmp (l->key, k->buf, k->len) != 0)
                return false;
        *v = l->verdict;
        if (l->rc < 0)
                *err = l->err;
        *rc = l->rc;
        return true;
}

/* k's bytes become the memo's: a heap key is taken over (k is left empty,
 * on its stack buffer), a stack one copied. */
static void
last_put (struct policy_seccomp_memo *m, struct proof_key *k, int rc, const struct seccomp_verdict *v,
          const struct hd_err *err)
{
        struct seccomp_last *l = m ? malloc (sizeof *l) : NULL;

        if (!l)
                return;
        if (k->buf != k->stack) {
                l->key = k->buf;
                k->buf = k->stack;
                k->cap = sizeof k->stack;
        } else if ((l->key = malloc (k->len ? k->len : 1))) {
                memcpy (l->key, k->buf, k->len);
        } else {
                free (l);
                return;
        }
        l->rc = rc;
        if (rc < 0)
                l->err = *err;
        l->verdict = *v;
        l->len = k->len;
        k->len = 0;
        last_free (m->last);
        m->last = l;
}

/* Judged afresh (bounded); the record the child sent is what the cache
 * keeps (dir < 0: no cache). */
static int
judge_fresh (const struct policy *p, const struct json *seccomp, struct proof_key *k, int dir, const char *name,
             bool remember, struct seccomp_verdict *v, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL;
        const char *rec = NULL;
        size_t rec_len = 0;
        int rc = judge_bounded (p, seccomp, k, &buf, v, &rec, &rec_len, err);

        if (rc == 0 && dir >= 0)
                proof_file_write (dir, name, rec, rec_len, true);
        if (remember)
                last_put (p->seccomp.memo, k, rc, v, err);
        return rc;
}

/* `remember`: not the policy's own profile (seccomp_profile_judge keeps that). */
static int
judge_cached (const struct policy *p, const struct json *seccomp, const unsigned char *text_sha256, bool remember,
              struct seccomp_verdict *v, struct hd_err *err)
{
        int dir;
        struct proof_key k __attribute__ ((cleanup (key_free)));
        _cleanup_free_ char *heap_file = NULL;
        char stack_file[PROOF_KEY_STACK + sizeof v->through], *file = stack_file, name[32] = "";
        uint64_t secret[2];
        int rc;

        k.buf = k.stack;
        k.len = 0;
        k.cap = sizeof k.stack;
        k.failed = false;
        proof_key (p, seccomp, text_sha256, &k);
        if (k.failed)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        if (remember && last_get (p->seccomp.memo, &k, v, err, &rc))
                return rc;
        dir = k.len + sizeof v->through > PROOF_RECORD_MAX ? -1 : proof_cache (secret);
        if (dir >= 0 && k.len > PROOF_KEY_STACK)
                file = heap_file = malloc (k.len + sizeof v->through);
        if (dir >= 0 && file) {
                snprintf (name, sizeof name, "seccomp3-%03x",
                          (unsigned) (hd_siphash (secret[0], secret[1], k.buf, k.len) % PROOF_SLOTS));
                if (proof_read (dir, name, &k, file, v))
                        return 0;
        }
        return judge_fresh (p, seccomp, &k, file ? dir : -1, name, remember, v, err);
}

int
seccomp_profile_judge (const struct policy *p, const struct json *seccomp, struct seccomp_verdict *v,
                       struct hd_err *err)
{
        struct policy_seccomp_memo *m = p->seccomp.memo;

        /* The policy's own profile (what a rewrite installs) is judged once
         * per process: the fix and every later check see a copy of it. */
        if (!m || !p->seccomp.profile || !json_equal (seccomp, p->seccomp.profile))
                return judge_cached (p, seccomp, NULL, true, v, err);
        if (!m->done) {
                m->rc = judge_cached (p, seccomp, p->seccomp.text_sha256, false, &m->verdict, &m->err);
                m->done = true;
        }
        *v = m->verdict;
        if (m->rc < 0)
                *err = m->err;
        return m->rc;
}

int
seccomp_profile_load (const char *name, struct json **out, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL;
        const char *text = policy_default_seccomp_json;
        size_t len = policy_default_seccomp_json_len;

        if (strcmp (name, "default") != 0) {
                if (name[0] != '/')
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "\"%s\": use \"default\" or an absolute path",
                                           name);
                if (adminfile_read (name, &buf, &len, err) < 0)
                        return hd_err_prefix (err, "seccomp profile %s: ", name);
                text = buf;
        }
        /* Compiled when it is installed (seccomp.loadable), not here: once per call. */
        if (json_parse (text, len, out, err) < 0 || spec_check (*out, &spec_seccomp, SPEC_STRICT, text, len, err) < 0)
                return hd_err_prefix (err, "seccomp profile %s:", name);
        return 0;
}
