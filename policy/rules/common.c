#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include "hardened/num.h"
#include "hardened/rules.h"
#include "hardened/spec.h"
#include "hardened/util.h"

/* ---- id ranges --------------------------------------------------------------- */

bool
rules_id_allowed (const struct policy_ids *ids, uint32_t id)
{
        for (size_t i = 0; i < ids->n; i++)
                if (id >= ids->r[i].min && id <= ids->r[i].max)
                        return true;
        return false;
}

/* ---- capabilities --------------------------------------------------------- */

int
rules_cap_last (void)
{
        static int last = -1;
        char buf[16] = "";
        _cleanup_close_ int fd = -1;
        int32_t v;
        ssize_t n;

        if (last >= 0)
                return last;
        last = CAP_LAST_CAP;
        fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && (n = read (fd, buf, sizeof buf - 1)) > 0) {
                while (n > 0 && buf[n - 1] == '\n')
                        n--;
                if (parse_i32 (buf, (size_t) n, &v) == 0 && v >= 0 && v < 64)
                        last = v;
        }
        return last;
}

/* STYLE.md 8: libcap also accepts numbers and lower case, so the name's
 * shape is checked first and the number is mapped back and compared. */
int
rules_cap_from_name (const char *name, int *cap)
{
        cap_value_t v;
        char *back;
        bool same;

        if (strncmp (name, "CAP_", 4) != 0 || name[4] == '\0'
            || strspn (name + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen (name + 4))
                return -1;
        if (cap_from_name (name, &v) != 0 || v < 0 || v > rules_cap_last ())
                return -1;
        back = cap_to_name (v);
        same = back && strcasecmp (back, name) == 0;
        cap_free (back);
        if (!same)
                return -1;
        *cap = (int) v;
        return 0;
}

/* ---- seccomp ---------------------------------------------------------------- */

static const struct {
        const char *oci;
        const char *libseccomp;
} arches[] = {
        { "SCMP_ARCH_X86", "x86" },           { "SCMP_ARCH_X86_64", "x86_64" },
        { "SCMP_ARCH_X32", "x32" },           { "SCMP_ARCH_ARM", "arm" },
        { "SCMP_ARCH_AARCH64", "aarch64" },   { "SCMP_ARCH_MIPS", "mips" },
        { "SCMP_ARCH_MIPS64", "mips64" },     { "SCMP_ARCH_MIPS64N32", "mips64n32" },
        { "SCMP_ARCH_MIPSEL", "mipsel" },     { "SCMP_ARCH_MIPSEL64", "mipsel64" },
        { "SCMP_ARCH_MIPSEL64N32", "mipsel64n32" }, { "SCMP_ARCH_PPC", "ppc" },
        { "SCMP_ARCH_PPC64", "ppc64" },       { "SCMP_ARCH_PPC64LE", "ppc64le" },
        { "SCMP_ARCH_S390", "s390" },         { "SCMP_ARCH_S390X", "s390x" },
        { "SCMP_ARCH_PARISC", "parisc" },     { "SCMP_ARCH_PARISC64", "parisc64" },
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
rules_syscall_known (const struct json *profile, const char *name)
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
        bool errno_arg;     /* takes errnoRet */
        uint32_t action;    /* without the errno */
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
        { "SCMP_CMP_NE", SCMP_CMP_NE },   { "SCMP_CMP_LT", SCMP_CMP_LT },
        { "SCMP_CMP_LE", SCMP_CMP_LE },   { "SCMP_CMP_EQ", SCMP_CMP_EQ },
        { "SCMP_CMP_GE", SCMP_CMP_GE },   { "SCMP_CMP_GT", SCMP_CMP_GT },
        { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

/* An action with its errno (runc's default errno is EPERM). */
static int
seccomp_action (const struct json *name, const struct json *errno_ret, uint32_t *out,
                struct hd_err *err)
{
        uint64_t e = EPERM;

        for (size_t i = 0; name && i < HD_ARRAY_SIZE (actions); i++) {
                if (strcmp (name->text, actions[i].name) != 0)
                        continue;
                if (errno_ret && (!json_number_u64 (errno_ret, &e) || e < 1 || e > 4095))
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                           "errnoRet must be between 1 and 4095");
                *out = actions[i].errno_arg ? actions[i].action | (uint32_t) e : actions[i].action;
                return 0;
        }
        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "unknown seccomp action \"%s\"",
                           name ? name->text : "(none)");
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
                json_number_u64 (json_get (a, "value"), &value);
                json_number_u64 (json_get (a, "valueTwo"), &two);
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

/* Add one "syscalls" entry for every name libseccomp knows (runc skips the others). */
static int
seccomp_add_rule (scmp_filter_ctx ctx, uint32_t dflt, const struct json *rule, struct hd_err *err)
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
        for (size_t i = 0; names && i < names->n; i++) {
                int nr = seccomp_syscall_resolve_name (names->items[i]->text), rc;
                if (nr == __NR_SCMP_ERROR)
                        continue;
                rc = seccomp_rule_add_array (ctx, action, nr, nargs, args);
                if (rc < 0)
                        return hd_err_set (err, HD_EXIT_REFUSED, -rc, "%s: libseccomp: %s",
                                           names->items[i]->text, strerror (-rc));
        }
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
                        return hd_err_set (err, HD_EXIT_REFUSED, -rc, "architecture %s: %s",
                                           list->items[i]->text, strerror (-rc));
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
                        if (rules_syscall_known (seccomp, names->items[k]->text) < 0)
                                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                                   "syscalls/%zu/names/%zu: \"%s\" is not a system "
                                                   "call of any of the profile's architectures",
                                                   i, k, names->items[k]->text);
        }
        return 0;
}

static int
seccomp_compile_now (const struct json *seccomp, struct hd_err *err)
{
        const struct json *rules = json_get (seccomp, "syscalls");
        _cleanup_close_ int sink = -1;
        scmp_filter_ctx ctx;
        uint32_t dflt;
        int rc = 0;

        if (seccomp_names_known (seccomp, err) < 0)
                return -1;
        if (seccomp_action (json_get (seccomp, "defaultAction"), json_get (seccomp, "defaultErrnoRet"),
                            &dflt, err) < 0)
                return hd_err_prefix (err, "defaultAction: ");
        ctx = seccomp_init (dflt);
        if (!ctx)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "libseccomp refused the default action");
        if (seccomp_add_arches (ctx, json_get (seccomp, "architectures"), err) < 0)
                rc = -1;
        for (size_t i = 0; rc == 0 && rules && i < rules->n; i++)
                if (seccomp_add_rule (ctx, dflt, rules->items[i], err) < 0)
                        rc = hd_err_prefix (err, "syscalls/%zu: ", i);
        if (rc == 0) {
                sink = open ("/dev/null", O_WRONLY | O_CLOEXEC);
                rc = sink < 0 ? -errno : seccomp_export_bpf (ctx, sink);
                if (rc < 0)
                        rc = hd_err_set (err, HD_EXIT_REFUSED, -rc, "cannot compile: %s", strerror (-rc));
        }
        seccomp_release (ctx);
        return rc;
}

/* ---- proof cache -----------------------------------------------------------
 * Compiling a multi-architecture profile costs milliseconds, on the start
 * path of every container, for a profile that is nearly always the same.
 * A profile that compiled once is remembered in a root-owned 0700
 * directory, keyed by the FNV-1a hash and length of its serialised bytes.
 * This is a performance cache, not a security check: the deny-list check
 * runs on every document every time, and the worst a colliding entry can do
 * is let an uncompilable profile reach runc, which then refuses to start the
 * container (fail closed).  Without root or the directory, every profile is
 * compiled. */

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

static void
proof_name (const struct json *seccomp, char *name, size_t size)
{
        _cleanup_free_ char *bytes = NULL;
        struct hd_err ignored;
        uint64_t h = 0xcbf29ce484222325ULL;
        size_t len = 0;

        name[0] = '\0';
        if (json_write (seccomp, &bytes, &len, &ignored) < 0)
                return;
        for (size_t i = 0; i < len; i++)
                h = (h ^ (unsigned char) bytes[i]) * 0x100000001b3ULL;
        snprintf (name, size, "seccomp-%016llx-%zu", (unsigned long long) h, len);
}

int
rules_seccomp_compile (const struct json *seccomp, struct hd_err *err)
{
        _cleanup_close_ int dir = proof_dir ();
        _cleanup_close_ int mark = -1;
        char name[64];

        proof_name (seccomp, name, sizeof name);
        if (dir >= 0 && name[0] && faccessat (dir, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        if (seccomp_compile_now (seccomp, err) < 0)
                return -1;
        if (dir >= 0 && name[0])
                mark = openat (dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        return 0;
}

int
rules_read_file (const char *path, char **out, size_t *len, struct hd_err *err)
{
        _cleanup_close_ int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        ssize_t n;

        if (fd < 0)
                return hd_err_set (err, HD_EXIT_REFUSED, errno, "%s", strerror (errno));
        if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "not a regular file");
        if ((size_t) st.st_size > JSON_MAX_BYTES)
                return hd_err_set (err, HD_EXIT_REFUSED, EFBIG, "larger than %u bytes", JSON_MAX_BYTES);
        buf = malloc ((size_t) st.st_size + 1);
        if (!buf)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        n = read (fd, buf, (size_t) st.st_size);
        if (n != st.st_size)
                return hd_err_set (err, HD_EXIT_INTERNAL, n < 0 ? errno : EIO, "short read");
        buf[n] = '\0';
        *len = (size_t) n;
        *out = steal_ptr (&buf);
        return 0;
}

int
rules_seccomp_load_profile (const char *name, struct json **out, struct hd_err *err)
{
        _cleanup_free_ char *buf = NULL;
        const char *text = policy_default_seccomp_json;
        size_t len = policy_default_seccomp_json_len;

        if (strcmp (name, "default") != 0) {
                if (name[0] != '/')
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL,
                                           "\"%s\": use \"default\" or an absolute path", name);
                if (rules_read_file (name, &buf, &len, err) < 0)
                        return hd_err_prefix (err, "seccomp profile %s: ", name);
                text = buf;
        }
        /* Compiled when it is installed (seccomp.loadable), not here: once per call. */
        if (json_parse (text, len, out, err) < 0
            || spec_check (*out, &spec_seccomp, SPEC_STRICT, text, len, err) < 0)
                return hd_err_prefix (err, "seccomp profile %s:", name);
        return 0;
}

/* ---- editing ------------------------------------------------------------------ */

int
rules_set_i64 (struct json *obj, const char *key, int64_t v, struct hd_err *err)
{
        struct json *n = json_new_i64 (v);

        if (!n)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return json_set (obj, key, n, err);
}

int
rules_set_bool (struct json *obj, const char *key, bool v, struct hd_err *err)
{
        struct json *n = json_new_bool (v);

        if (!n)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        return json_set (obj, key, n, err);
}

void
rules_format_size (int64_t v, char *buf, size_t size)
{
        static const char *const units[] = { "Ti", "Gi", "Mi", "Ki" };

        for (size_t i = 0; i < HD_ARRAY_SIZE (units) && v > 0; i++) {
                int64_t m = (int64_t) 1 << (10 * (4 - i));
                if (v % m == 0) {
                        snprintf (buf, size, "%lld%s", (long long) (v / m), units[i]);
                        return;
                }
        }
        snprintf (buf, size, "%lld", (long long) v);
}

void
rules_array_filter (struct json *arr, bool (*drop) (const struct json *item, const void *ctx),
                    const void *ctx)
{
        size_t kept = 0;

        for (size_t i = 0; arr && arr->type == JSON_ARRAY && i < arr->n; i++) {
                if (drop (arr->items[i], ctx))
                        json_free (arr->items[i]);
                else
                        arr->items[kept++] = arr->items[i];
        }
        if (arr && arr->type == JSON_ARRAY)
                arr->n = kept;
}

bool
rules_array_has (const struct json *arr, const char *s)
{
        for (size_t i = 0; arr && i < arr->n; i++)
                if (arr->items[i]->type == JSON_STRING && strcmp (arr->items[i]->text, s) == 0)
                        return true;
        return false;
}
