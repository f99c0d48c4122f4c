/* A classic-BPF evaluator for seccomp programs, and a search for the
 * system-call arguments a program lets through.
 *
 * Threat: a seccomp profile is judged by the program libseccomp compiles
 * from it, not by how its JSON spells a rule (an argument filter on the
 * wrong index, a mask that misses a flag, a second condition that runc
 * turns into an alternative).  The program is the one runc would load; it
 * is checked like the kernel checks it (bpf_check) before it is run.
 *
 * The data a program sees is struct seccomp_data as 16 native 32-bit words:
 * word 0 the system-call number, 1 the AUDIT_ARCH_*, 2-3 the instruction
 * pointer, 4 + 2i and 5 + 2i the two halves of argument i (the low half
 * first on little-endian hosts: BPF_WORD_LO/HI). */
#ifndef HARDENED_BPF_H
#define HARDENED_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>

#include "hardened/err.h"

#define BPF_DATA_WORDS 16
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BPF_WORD_LO(arg) (4u + 2u * (arg))
#define BPF_WORD_HI(arg) (5u + 2u * (arg))
#else
#define BPF_WORD_LO(arg) (5u + 2u * (arg))
#define BPF_WORD_HI(arg) (4u + 2u * (arg))
#endif

struct bpf_prog {
        const struct sock_filter *insns;
        size_t n;
};

/* The kernel's checks for a seccomp filter (sk_chk_filter and
 * seccomp_check_filter): known instructions only, loads inside
 * seccomp_data and 4-byte aligned, jumps inside the program, no constant
 * division by zero, scratch memory 0-15, a return at the end. */
int bpf_check (const struct bpf_prog *p, struct hd_err *err);

/* The SECCOMP_RET_* value for `data` (a program bpf_check accepted). */
uint32_t bpf_run (const struct bpf_prog *p, const uint32_t data[BPF_DATA_WORDS]);

/* Which returned values count as letting the call through. */
typedef bool bpf_accept_fn (uint32_t ret);

/* What a search looks for: the call with word `word` having at least one of
 * `bits` set (bits 0: any arguments), with `seeds` tried first for it. */
struct bpf_goal {
        unsigned word;
        uint32_t bits;
        const uint32_t *seeds;
        size_t nseeds;
};

/* Is there an argument vector (and instruction pointer) for which the call
 * (arch, nr) meeting `goal` is let through?  Candidate values for each word
 * the program compares are derived from every constant and mask it compares
 * that word with on the paths of this call (the value, its neighbours, the
 * bits outside the mask, each goal bit added), and the cross product is run
 * through bpf_run: a witness is a real input.  1 and *witness, *ret when
 * found; 0 when none; -1 (err) when the program cannot be judged this way
 * (an instruction that computes with an argument beyond masking, or too
 * many combinations), which callers treat as "gets through". */
int bpf_search (const struct bpf_prog *p, uint32_t arch, uint32_t nr, const struct bpf_goal *goal,
                bpf_accept_fn *accept, uint32_t witness[BPF_DATA_WORDS], uint32_t *ret, struct hd_err *err);

#endif
