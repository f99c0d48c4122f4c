#include "config.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/seccomp.h>
#include <seccomp.h>

#include "hardened/bpf.h"
#include "hardened/json.h"
#include "hardened/policy.h"
#include "hardened/rules.h"
#include "hardened/seccomp_profile.h"
#include "hardened/sha256.h"
#include "hardened/spec.h"
#include "hardened/util.h"

#include "tap.h"

/* ---- SHA-256: FIPS 180-4 / NIST CAVP vectors ----------------------------- */

static void
hex (const unsigned char *d, char out[65])
{
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
                snprintf (out + 2 * i, 3, "%02x", d[i]);
}

static void
sha256_vectors (void)
{
        static const struct {
                const char *msg;
                const char *digest;
        } v[] = {
                { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
                { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
                { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
                { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
        };
        unsigned char d[SHA256_DIGEST_SIZE];
        char got[65];
        struct sha256 s;

        for (size_t i = 0; i < HD_ARRAY_SIZE (v); i++) {
                sha256 (v[i].msg, strlen (v[i].msg), d);
                hex (d, got);
                is_str (got, v[i].digest, "SHA-256 of the %zu-byte FIPS 180-4 message", strlen (v[i].msg));
        }
        /* one million 'a', fed in uneven pieces through the streaming API */
        sha256_init (&s);
        for (size_t done = 0, step = 1; done < 1000000; done += step, step = step % 97 + 13) {
                char a[128];
                size_t n = done + step > 1000000 ? 1000000 - done : step;
                memset (a, 'a', n);
                sha256_update (&s, a, n);
        }
        sha256_final (&s, d);
        hex (d, got);
        is_str (got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                "SHA-256 of one million 'a' in pieces of 1..109 bytes");
        /* the padding boundaries: 55, 56, 63, 64 bytes, one-shot = streamed */
        for (size_t len = 54; len <= 65; len++) {
                char m[65];
                unsigned char one[SHA256_DIGEST_SIZE];
                memset (m, 'x', len);
                sha256 (m, len, one);
                sha256_init (&s);
                for (size_t i = 0; i < len; i++)
                        sha256_update (&s, m + i, 1);
                sha256_final (&s, d);
                if (memcmp (one, d, sizeof d) != 0)
                        ok (0, "SHA-256 of %zu bytes: one-shot and byte-by-byte differ", len);
        }
        ok (1, "SHA-256 of 54..65 bytes: one-shot equals byte-by-byte");
        sha256 (policy_default_seccomp_json, policy_default_seccomp_json_len, d);
        ok (memcmp (d, policy_default_seccomp_json_sha256, sizeof d) == 0,
            "the build-time digest of the compiled-in seccomp profile is its SHA-256");
}

/* The compiled-in profile's tree (policy/embed-tree, static data) is what
 * the loader used to parse from its text on every call: the same tree,
 * written as the same bytes, and it passes the profile schema. */
static void
builtin_tree (void)
{
        _cleanup_json_ struct json *parsed = NULL;
        _cleanup_free_ char *a = NULL, *b = NULL;
        struct json *tree = policy_default_seccomp_tree ();
        struct hd_err err = { 0 };
        size_t alen = 0, blen = 0;

        ok (json_parse (policy_default_seccomp_json, policy_default_seccomp_json_len, &parsed, &err) == 0
                    && json_equal (tree, parsed),
            "the compiled-in profile's static tree equals a parse of its text");
        ok (json_write (tree, &a, &alen, &err) == 0 && json_write (parsed, &b, &blen, &err) == 0 && alen == blen
                    && memcmp (a, b, alen) == 0,
            "the static tree is written as the same bytes as the parsed one");
        ok (spec_check (tree, &spec_seccomp, SPEC_STRICT, NULL, 0, &err) == 0,
            "the static tree passes the profile schema (strict)");
        ok (policy_default_seccomp_tree () == tree, "the static tree is linked once, the same tree every call");
}

/* ---- the BPF evaluator ----------------------------------------------------- */

#define LD(k) BPF_STMT (BPF_LD | BPF_W | BPF_ABS, (k))
#define RET(k) BPF_STMT (BPF_RET | BPF_K, (k))
#define JEQ(k, t, f) BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define ARG0 (4u * BPF_WORD_LO (0))
#define ALLOW SECCOMP_RET_ALLOW
#define EPERM_ (SECCOMP_RET_ERRNO | EPERM)

static uint32_t
run1 (const struct sock_filter *f, size_t n, uint32_t nr, uint32_t arg0)
{
        struct bpf_prog p = { f, n };
        uint32_t d[BPF_DATA_WORDS] = { nr, AUDIT_ARCH_X86_64 };

        d[BPF_WORD_LO (0)] = arg0;
        return bpf_run (&p, d);
}

static void
bpf_eval (void)
{
        static const struct sock_filter prog[] = {
                LD (4),
                JEQ (AUDIT_ARCH_X86_64, 1, 0),
                RET (SECCOMP_RET_KILL_PROCESS),
                LD (0),
                JEQ (56, 0, 4),
                LD (ARG0),
                BPF_STMT (BPF_ALU | BPF_AND | BPF_K, 0x7e020000),
                JEQ (0, 0, 1),
                RET (ALLOW),
                BPF_JUMP (BPF_JMP | BPF_JGT | BPF_K, 400, 0, 1),
                RET (SECCOMP_RET_ERRNO | ENOSYS),
                BPF_JUMP (BPF_JMP | BPF_JGE | BPF_K, 100, 0, 1),
                RET (SECCOMP_RET_TRAP),
                BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, 1, 1, 0),
                RET (EPERM_),
                BPF_STMT (BPF_MISC | BPF_TAX, 0),
                BPF_STMT (BPF_LD | BPF_IMM, 7),
                BPF_STMT (BPF_ALU | BPF_DIV | BPF_X, 0),
                BPF_STMT (BPF_ST, 3),
                BPF_STMT (BPF_LDX | BPF_MEM, 3),
                BPF_STMT (BPF_MISC | BPF_TXA, 0),
                BPF_STMT (BPF_RET | BPF_A, 0),
        };
        static const struct sock_filter div0[] = {
                BPF_STMT (BPF_LDX | BPF_IMM, 0),
                BPF_STMT (BPF_LD | BPF_IMM, 5),
                BPF_STMT (BPF_ALU | BPF_DIV | BPF_X, 0),
                RET (ALLOW),
        };
        struct bpf_prog p = { prog, HD_ARRAY_SIZE (prog) };
        struct hd_err err = { 0 };

        ok (bpf_check (&p, &err) == 0, "a program of every instruction class passes the kernel's checks%s", err.msg);
        ok (run1 (prog, p.n, 56, SIGCHLD) == ALLOW, "clone without namespace flags: ALLOW");
        ok (run1 (prog, p.n, 56, CLONE_NEWUSER) == (SECCOMP_RET_ERRNO | ENOSYS),
            "clone(CLONE_NEWUSER): the masked value goes on to the next comparison");
        ok (run1 (prog, p.n, 435, 0) == (SECCOMP_RET_ERRNO | ENOSYS), "jgt: 435 > 400");
        ok (run1 (prog, p.n, 100, 0) == SECCOMP_RET_TRAP, "jge: 100 >= 100");
        ok (run1 (prog, p.n, 99, 0) == 0, "jset and the arithmetic path: 99 / 99 == 1, through memory, TXA, RET A");
        ok (run1 (prog, p.n, 98, 0) == EPERM_, "jset: 98 has bit 0 clear");
        {
                struct bpf_prog q = { prog, p.n };
                uint32_t d[BPF_DATA_WORDS] = { 56, AUDIT_ARCH_I386 };
                ok (bpf_run (&q, d) == SECCOMP_RET_KILL_PROCESS, "another architecture: the bad-arch answer");
        }
        ok (run1 (div0, HD_ARRAY_SIZE (div0), 0, 0) == 0, "division by a zero X ends the program with 0 (kill)");

        static const struct {
                struct sock_filter f[2];
                const char *why;
        } bad[] = {
                { { LD (64), RET (ALLOW) }, "load beyond seccomp_data" },
                { { LD (6), RET (ALLOW) }, "unaligned load" },
                { { BPF_STMT (BPF_LD | BPF_B | BPF_ABS, 0), RET (ALLOW) }, "byte load (not for seccomp)" },
                { { BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET (ALLOW) }, "jump past the end" },
                { { BPF_STMT (BPF_ALU | BPF_DIV | BPF_K, 0), RET (ALLOW) }, "constant division by zero" },
                { { BPF_STMT (BPF_ST, 16), RET (ALLOW) }, "scratch memory 16" },
                { { RET (ALLOW), LD (0) }, "no return at the end" },
        };
        for (size_t i = 0; i < HD_ARRAY_SIZE (bad); i++) {
                struct bpf_prog b = { bad[i].f, 2 };
                ok (bpf_check (&b, &err) < 0, "bpf_check refuses: %s", bad[i].why);
        }
}

static bool
allows (uint32_t ret)
{
        return (ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ALLOW;
}

/* clone (56) allowed when (arg0 & mask) == value, on either argument word. */
static int
search_masked (uint32_t mask, uint32_t value, unsigned arg, uint32_t bits, uint32_t *found)
{
        struct sock_filter f[] = {
                LD (0),
                JEQ (56, 0, 4),
                LD (4u * BPF_WORD_LO (arg)),
                BPF_STMT (BPF_ALU | BPF_AND | BPF_K, mask),
                JEQ (value, 1, 0),
                RET (EPERM_),
                RET (ALLOW),
        };
        struct bpf_prog p = { f, HD_ARRAY_SIZE (f) };
        struct bpf_goal goal = { BPF_WORD_LO (0), bits, NULL, 0 };
        uint32_t w[BPF_DATA_WORDS], ret;
        struct hd_err err = { 0 };
        int rc = bpf_search (&p, AUDIT_ARCH_X86_64, 56, &goal, allows, w, &ret, &err);

        *found = w[BPF_WORD_LO (0)];
        return rc;
}

static void
bpf_search_cases (void)
{
        const uint32_t ns = 0x7e020000;
        uint32_t w;

        ok (search_masked (ns, 0, 0, ns, &w) == 0, "search: MASKED_EQ on every namespace flag == 0 lets none through");
        ok (search_masked (ns & ~CLONE_NEWUSER, 0, 0, ns, &w) == 1 && (w & CLONE_NEWUSER),
            "search: a mask without CLONE_NEWUSER lets %#x through", w);
        ok (search_masked (ns, 0, 1, ns, &w) == 1 && (w & ns), "search: the filter on argument 1 lets %#x through", w);
        ok (search_masked (ns, CLONE_NEWNET, 0, ns, &w) == 1 && (w & CLONE_NEWNET),
            "search: MASKED_EQ == CLONE_NEWNET lets %#x through", w);
        ok (search_masked (UINT32_MAX, CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD, 0, ns, &w) == 1
                    && w == (CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD),
            "search: EQ on one exact value is found from the program's constant (%#x)", w);
        ok (search_masked (ns, 0, 0, 0, &w) == 1, "search without a goal: some arguments get through");

        static const struct sock_filter computed[] = {
                LD (ARG0), BPF_STMT (BPF_ALU | BPF_ADD | BPF_K, 1), JEQ (0, 0, 1), RET (ALLOW), RET (EPERM_),
        };
        struct bpf_prog p = { computed, HD_ARRAY_SIZE (computed) };
        struct bpf_goal goal = { BPF_WORD_LO (0), ns, NULL, 0 };
        uint32_t wit[BPF_DATA_WORDS], ret;
        struct hd_err err = { 0 };
        ok (bpf_search (&p, AUDIT_ARCH_X86_64, 56, &goal, allows, wit, &ret, &err) < 0,
            "search: arithmetic on an argument cannot be judged (%s)", err.msg);
}

/* ---- the program runc would load ------------------------------------------ */

static struct json *
parse (const char *text)
{
        struct json *j = NULL;
        struct hd_err err = { 0 };

        if (json_parse (text, strlen (text), &j, &err) < 0)
                printf ("# %s\n", err.msg);
        return j;
}

static uint32_t
action (const struct json *sc, uint32_t arch, const char *name, uint64_t arg0)
{
        uint64_t args[6] = { arg0 };
        uint32_t ret = 0xdead;
        struct hd_err err = { 0 };

        if (seccomp_profile_action (sc, arch, name, args, &ret, &err) < 0)
                printf ("# %s\n", err.msg);
        return ret;
}

/* What the default policy's deny-list finds in `sc` ("" nothing; else a prefix). */
static void
judged (const struct json *sc, const char *want)
{
        static struct policy p;
        static bool loaded;
        struct seccomp_verdict v = { "" };
        struct hd_err err = { 0 };

        if (!loaded && policy_load_buffer ("default.json", policy_default_json, policy_default_json_len, &p, &err) < 0)
                printf ("# %s\n", err.msg);
        loaded = true;
        if (seccomp_profile_judge (&p, sc, &v, &err) < 0)
                printf ("# %s\n", err.msg);
        if (want[0])
                ok (strncmp (v.through, want, strlen (want)) == 0, "judged: %s (want %s...)", v.through, want);
        else
                ok (v.through[0] == '\0', "judged: nothing of the deny-list gets through%s%s", v.through[0] ? ": " : "",
                    v.through);
}

static void
runc_program (void)
{
        _cleanup_json_ struct json *shipped = NULL;
        _cleanup_json_ struct json *x86_64_only = parse (
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                "\"syscalls\":[{\"names\":[\"read\",\"clone\",\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
        _cleanup_json_ struct json *twice = parse (
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                "\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
                "{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"},"
                "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_GE\"}]}]}");
        _cleanup_json_ struct json *high = parse (
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                "\"syscalls\":[{\"names\":[\"clone\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
                "{\"index\":0,\"value\":9079819798732341248,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}");
        struct hd_err err = { 0 };

        ok (json_parse (policy_default_seccomp_json, policy_default_seccomp_json_len, &shipped, &err) == 0,
            "the shipped profile parses");
        ok (action (shipped, SCMP_ARCH_X86_64, "clone", SIGCHLD) == SECCOMP_RET_ALLOW, "shipped: fork() is allowed");
        ok (action (shipped, SCMP_ARCH_X86_64, "clone", CLONE_NEWUSER | SIGCHLD) == (SECCOMP_RET_ERRNO | EPERM),
            "shipped: clone(CLONE_NEWUSER) gets EPERM");
        ok (action (shipped, SCMP_ARCH_X86, "clone", CLONE_NEWNS | SIGCHLD) == (SECCOMP_RET_ERRNO | EPERM),
            "shipped: i386 clone(CLONE_NEWNS) gets EPERM");
        ok (action (shipped, SCMP_ARCH_X32, "clone", CLONE_NEWNET) == (SECCOMP_RET_ERRNO | EPERM),
            "shipped: x32 clone(CLONE_NEWNET) gets EPERM");
        ok (action (shipped, SCMP_ARCH_X86_64, "clone3", 0) == (SECCOMP_RET_ERRNO | ENOSYS),
            "shipped: clone3 gets ENOSYS (libc falls back to clone)");
        ok (action (shipped, SCMP_ARCH_X86_64, "unshare", CLONE_NEWUSER) == (SECCOMP_RET_ERRNO | EPERM),
            "shipped: unshare gets EPERM");
        ok (action (shipped, SCMP_ARCH_X86_64, "mount_setattr", 0) == (SECCOMP_RET_ERRNO | EPERM),
            "shipped: mount_setattr gets EPERM");
        ok (action (shipped, SCMP_ARCH_X86_64, "fsopen", 0) == (SECCOMP_RET_ERRNO | EPERM),
            "shipped: fsopen gets EPERM");
        ok (action (x86_64_only, SCMP_ARCH_X32, "read", 0) == SECCOMP_RET_KILL_THREAD,
            "x86_64 only: an x32 call meets the bad-architecture action (kill)");
        ok (action (x86_64_only, SCMP_ARCH_X86, "ptrace", 0) == SECCOMP_RET_KILL_THREAD,
            "x86_64 only: an i386 call meets the bad-architecture action (kill)");
        ok (action (x86_64_only, SCMP_ARCH_X86_64, "ptrace", 0) == SECCOMP_RET_ALLOW, "x86_64 only: ptrace allowed");
        ok (action (x86_64_only, SCMP_ARCH_X86_64, "clone3", 0) == (SECCOMP_RET_ERRNO | ENOSYS),
            "x86_64 only: clone3 above the largest named call gets runc's ENOSYS stub");
        ok (action (twice, SCMP_ARCH_X86_64, "clone", CLONE_NEWUSER) == SECCOMP_RET_ALLOW,
            "two conditions on one argument are alternatives, as runc adds them");
        ok (action (high, SCMP_ARCH_X86_64, "clone", CLONE_NEWUSER) == SECCOMP_RET_ALLOW
                    && action (high, SCMP_ARCH_X86_64, "clone", (uint64_t) CLONE_NEWUSER << 32)
                               == (SECCOMP_RET_ERRNO | EPERM),
            "the namespace mask shifted into the high word (0x7e020000 << 32) filters the wrong half");
        judged (shipped, "");
        judged (x86_64_only, "clone(0x10000000)@x86_64");
        judged (high, "clone(0x10000000)@x86_64");
        judged (twice, "clone(0x");
}

/* A rule libseccomp would drop is not handed to it (seccomp_profile.c):
 * after a rule without arguments, later rules for the call change nothing. */
static struct json *
repeated (size_t n, const char *first, const char *later_action)
{
        size_t size = 512 + n * 128, used = 0;
        char *text = malloc (size);
        struct json *j;

        if (!text)
                return NULL;
        used += (size_t) snprintf (text + used, size - used,
                                   "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\","
                                   "\"SCMP_ARCH_X86\"],\"syscalls\":[%s",
                                   first);
        for (size_t i = 0; i < n; i++)
                used += (size_t) snprintf (text + used, size - used,
                                           ",{\"names\":[\"read\",\"socket\"],\"action\":\"%s\",\"args\":["
                                           "{\"index\":0,\"value\":%zu,\"op\":\"SCMP_CMP_EQ\"}]}",
                                           later_action, i + 100);
        snprintf (text + used, size - used, "]}");
        j = parse (text);
        free (text);
        return j;
}

static void
settled_rules (void)
{
        _cleanup_json_ struct json *allow = repeated (
                2000, "{\"names\":[\"read\",\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"}", "SCMP_ACT_ALLOW");
        _cleanup_json_ struct json *kill_first = repeated (50, "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_KILL\"}",
                                                           "SCMP_ACT_ALLOW");
        _cleanup_json_ struct json *chains_first = repeated (
                50,
                "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":7,"
                "\"op\":\"SCMP_CMP_EQ\"}]},{\"names\":[\"read\",\"socket\"],\"action\":\"SCMP_ACT_ALLOW\"}",
                "SCMP_ACT_ALLOW");

        ok (action (allow, SCMP_ARCH_X86_64, "read", 3) == SECCOMP_RET_ALLOW
                    && action (allow, SCMP_ARCH_X86_64, "read", 150) == SECCOMP_RET_ALLOW,
            "2000 rules after an unconditional allow of read: read is allowed whatever its arguments");
        ok (action (kill_first, SCMP_ARCH_X86_64, "read", 120) == SECCOMP_RET_KILL_THREAD
                    && action (kill_first, SCMP_ARCH_X86_64, "read", 3) == SECCOMP_RET_KILL_THREAD,
            "an unconditional kill of read stays one: later allows with arguments change nothing");
        ok (action (chains_first, SCMP_ARCH_X86_64, "read", 3) == SECCOMP_RET_ALLOW,
            "an unconditional allow after a conditional one allows every read");
        judged (allow, "");
}

/* ---- the judging bound (seccomp_profile.c) -------------------------------------
 * The fixture's profile makes libseccomp 2.5.4 loop for ever inside one
 * seccomp_rule_add_array.  Judged with the proof cache out of reach (as
 * euid 65534 when root: /run/hardened is root's, 0700), so every profile
 * here is judged afresh, in the bounded child. */

static double
since (const struct timespec *t0)
{
        struct timespec t1;

        clock_gettime (CLOCK_MONOTONIC, &t1);
        return (double) (t1.tv_sec - t0->tv_sec) + (double) (t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* seccomp_profile_judge of the profile of fixture `name` (its linux.seccomp). */
static int
judge_fixture (const struct policy *p, const char *name, struct seccomp_verdict *v, struct hd_err *err, double *secs)
{
        _cleanup_free_ char *text = tap_slurp ("FIXTURES", "tests/fixtures", name, NULL);
        _cleanup_json_ struct json *doc = text ? parse (text) : NULL;
        struct timespec t0;
        int rc;

        clock_gettime (CLOCK_MONOTONIC, &t0);
        rc = seccomp_profile_judge (p, json_path (doc, "linux", "seccomp", NULL), v, err);
        *secs = since (&t0);
        return rc;
}

static bool
no_child_left (void)
{
        return waitpid (-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static void
bounded_judge (void)
{
        static const char refused[] =
                "linux.seccomp: refused: libseccomp did not finish compiling this profile within ";
        _cleanup_json_ struct json *unknown = parse ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":"
                                                     "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_BOGUS\"}]}");
        struct seccomp_verdict v = { "" };
        struct hd_err err = { 0 }, again = { 0 };
        struct policy p;
        bool root = geteuid () == 0;
        double secs = 0, twice = 0;
        int rc;

        if (policy_load_buffer ("default.json", policy_default_json, policy_default_json_len, &p, &err) < 0)
                printf ("# %s\n", err.msg);
        if (root && seteuid (65534) < 0)
                printf ("# seteuid: %s\n", strerror (errno));
        rc = judge_fixture (&p, "run-seccomp-libseccomp-hang.json", &v, &err, &secs);
        ok (rc < 0 && strstr (err.msg, refused)
                    && (strstr (err.msg, " 5 s of CPU (") || strstr (err.msg, " 20 s of wall")),
            "bound: the profile libseccomp never finishes compiling is refused: %s", err.msg);
        ok (secs < 30, "bound: ... within the bound (%.1f s)", secs);
        ok (no_child_left (), "bound: no child is left");
        rc = judge_fixture (&p, "run-seccomp-libseccomp-hang.json", &v, &again, &twice);
        ok (rc < 0 && strcmp (again.msg, err.msg) == 0 && twice < 1,
            "bound: the same profile again gets the same refusal at once (%.3f s): judged once per process", twice);
        rc = judge_fixture (&p, "run-default.json", &v, &err, &secs);
        ok (rc == 0 && strcmp (v.through, "ptrace@x86_64") == 0, "bound: Docker's profile judged in the child: %s",
            rc == 0 ? v.through : err.msg);
        rc = seccomp_profile_judge (&p, unknown, &v, &err);
        ok (rc < 0 && strcmp (err.msg, "syscalls/0: unknown seccomp action \"SCMP_ACT_BOGUS\"") == 0,
            "bound: the child's error comes back whole: %s", err.msg);
        ok (no_child_left (), "bound: still no child left");
        if (root && seteuid (0) < 0)
                printf ("# seteuid: %s\n", strerror (errno));
        policy_free (&p);
}

int
main (void)
{
        sha256_vectors ();
        builtin_tree ();
        bpf_eval ();
        bpf_search_cases ();
        runc_program ();
        settled_rules ();
        bounded_judge ();
        printf ("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}
