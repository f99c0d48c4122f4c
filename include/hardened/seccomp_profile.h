/* Seccomp profiles: system call names, loading a profile, and judging
 * what runc's compiled program lets through (policy/seccomp_profile.c). */
#ifndef HARDENED_SECCOMP_PROFILE_H
#define HARDENED_SECCOMP_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "hardened/err.h"
#include "hardened/json.h"
#include "hardened/policy.h"

/* 0 if libseccomp resolves `name` for at least one architecture of
 * `profile` (its "architectures", or the native one). */
int seccomp_syscall_known (const struct json *profile, const char *name);

/* "default": the compiled-in profile; otherwise a file path. */
int seccomp_profile_load (const char *name, struct json **out, struct hd_err *err);

/* What a profile's compiled program lets through of the policy's
 * deny-list: "clone(0x10000000)@x86_64, ptrace@x86" (one architecture per
 * name), empty when every probe is blocked. */
struct seccomp_verdict {
        char through[512];
};

/* The last profile other than the policy's own that was judged afresh,
 * under its proof-cache key (seccomp_profile.c; one block). */
struct seccomp_last;

/* The policy's own profile, judged once per process (owned by the policy),
 * and `last` (owned, NULL until then): seccomp.profile and
 * seccomp.loadable judge the same profile, and one that reaches the
 * judging bound must cost it once per call. */
struct policy_seccomp_memo {
        bool done;
        int rc;
        struct hd_err err;
        struct seccomp_verdict verdict;
        struct seccomp_last *last;
};

/* Free m and what it holds (NULL: nothing). */
void seccomp_profile_memo_free (struct policy_seccomp_memo *m);

/* Judge a linux.seccomp object as runc 1.1.5 would load it: compile it
 * with libseccomp exactly as runc does, export the BPF, and run the
 * deny-list probes on it (seccomp_profile.c).  < 0 (err says which rule)
 * when it does not compile, or when compiling and probing it do not finish
 * within the judging bound (seconds of CPU and of wall time, in a child
 * process: refused).  The verdict is cached under /run/hardened under its
 * whole key. */
int seccomp_profile_judge (const struct policy *p, const struct json *seccomp, struct seccomp_verdict *v,
                           struct hd_err *err);

/* The SECCOMP_RET_* value runc's program for `seccomp` (its ENOSYS stub
 * included) returns for `name` with `args` on libseccomp architecture
 * `arch` (SCMP_ARCH_*).  For tests and diagnostics. */
int seccomp_profile_action (const struct json *seccomp, uint32_t arch, const char *name, const uint64_t args[6],
                            uint32_t *ret, struct hd_err *err);

#endif
