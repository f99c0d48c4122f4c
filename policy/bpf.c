#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/seccomp.h>

#include "hardened/bpf.h"
#include "hardened/util.h"

#define DATA_BYTES (BPF_DATA_WORDS * 4u)
#define MEM_WORDS 16u

/* ---- the kernel's checks ---------------------------------------------------- */

static const uint16_t accepted[] = {
        BPF_LD | BPF_W | BPF_ABS,
        BPF_LD | BPF_W | BPF_LEN,
        BPF_LDX | BPF_W | BPF_LEN,
        BPF_LD | BPF_IMM,
        BPF_LDX | BPF_IMM,
        BPF_LD | BPF_MEM,
        BPF_LDX | BPF_MEM,
        BPF_ST,
        BPF_STX,
        BPF_MISC | BPF_TAX,
        BPF_MISC | BPF_TXA,
        BPF_RET | BPF_K,
        BPF_RET | BPF_A,
        BPF_JMP | BPF_JA,
};

static bool
known_code (uint16_t code)
{
        unsigned op = BPF_OP (code);

        for (size_t i = 0; i < HD_ARRAY_SIZE (accepted); i++)
                if (code == accepted[i])
                        return true;
        if (BPF_CLASS (code) == BPF_ALU)
                return (code & ~(BPF_OP (0xff) | BPF_SRC (0xff))) == BPF_ALU && (op <= BPF_MOD || op == BPF_XOR)
                       && (op != BPF_NEG || BPF_SRC (code) == BPF_K);
        if (BPF_CLASS (code) == BPF_JMP)
                return (code & ~(BPF_OP (0xff) | BPF_SRC (0xff))) == BPF_JMP
                       && (op == BPF_JEQ || op == BPF_JGT || op == BPF_JGE || op == BPF_JSET);
        return false;
}

static int
check_insn (const struct sock_filter *f, size_t pc, size_t n, struct hd_err *err)
{
        unsigned op = BPF_OP (f->code);

        if (!known_code (f->code))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "instruction %zu: code %#x", pc, f->code);
        if (f->code == (BPF_LD | BPF_W | BPF_ABS) && (f->k >= DATA_BYTES || f->k % 4))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "instruction %zu: load at %u", pc, f->k);
        if (f->code == (BPF_LD | BPF_MEM) || f->code == (BPF_LDX | BPF_MEM) || f->code == BPF_ST || f->code == BPF_STX)
                if (f->k >= MEM_WORDS)
                        return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "instruction %zu: memory %u", pc, f->k);
        if (BPF_CLASS (f->code) == BPF_ALU && BPF_SRC (f->code) == BPF_K
            && (((op == BPF_DIV || op == BPF_MOD) && f->k == 0) || ((op == BPF_LSH || op == BPF_RSH) && f->k >= 32)))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "instruction %zu: constant %u", pc, f->k);
        if (f->code == (BPF_JMP | BPF_JA) && f->k >= n - pc - 1)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "instruction %zu: jump out", pc);
        if (BPF_CLASS (f->code) == BPF_JMP && op != BPF_JA && (pc + 1 + f->jt >= n || pc + 1 + f->jf >= n))
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "instruction %zu: jump out", pc);
        return 0;
}

int
bpf_check (const struct bpf_prog *p, struct hd_err *err)
{
        if (p->n == 0 || p->n > BPF_MAXINSNS)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "program of %zu instructions", p->n);
        for (size_t pc = 0; pc < p->n; pc++)
                if (check_insn (&p->insns[pc], pc, p->n, err) < 0)
                        return -1;
        if (BPF_CLASS (p->insns[p->n - 1].code) != BPF_RET)
                return hd_err_set (err, HD_EXIT_REFUSED, EINVAL, "the program does not end in a return");
        return 0;
}

/* ---- the evaluator ------------------------------------------------------------ */

/* Classic BPF arithmetic; a division by a zero X ends the program with 0
 * (SECCOMP_RET_KILL_THREAD), as the kernel's conversion does. */
static bool
alu (unsigned op, uint32_t *a, uint32_t b)
{
        switch (op) {
        case BPF_ADD:
                *a += b;
                break;
        case BPF_SUB:
                *a -= b;
                break;
        case BPF_MUL:
                *a *= b;
                break;
        case BPF_DIV:
                if (!b)
                        return false;
                *a /= b;
                break;
        case BPF_MOD:
                if (!b)
                        return false;
                *a %= b;
                break;
        case BPF_OR:
                *a |= b;
                break;
        case BPF_AND:
                *a &= b;
                break;
        case BPF_XOR:
                *a ^= b;
                break;
        case BPF_LSH:
                *a = b >= 32 ? 0 : *a << b;
                break;
        case BPF_RSH:
                *a = b >= 32 ? 0 : *a >> b;
                break;
        case BPF_NEG:
                *a = -*a;
                break;
        }
        return true;
}

static bool
jump_taken (unsigned op, uint32_t a, uint32_t b)
{
        switch (op) {
        case BPF_JEQ:
                return a == b;
        case BPF_JGT:
                return a > b;
        case BPF_JGE:
                return a >= b;
        default:
                return (a & b) != 0; /* BPF_JSET */
        }
}

uint32_t
bpf_run (const struct bpf_prog *p, const uint32_t data[BPF_DATA_WORDS])
{
        uint32_t a = 0, x = 0, mem[MEM_WORDS] = { 0 };

        for (size_t pc = 0; pc < p->n; pc++) {
                const struct sock_filter *f = &p->insns[pc];
                uint32_t src = BPF_SRC (f->code) == BPF_X ? x : f->k;

                switch (BPF_CLASS (f->code)) {
                case BPF_LD:
                        a = BPF_MODE (f->code) == BPF_ABS   ? data[f->k / 4]
                            : BPF_MODE (f->code) == BPF_LEN ? DATA_BYTES
                            : BPF_MODE (f->code) == BPF_MEM ? mem[f->k]
                                                            : f->k;
                        break;
                case BPF_LDX:
                        x = BPF_MODE (f->code) == BPF_LEN   ? DATA_BYTES
                            : BPF_MODE (f->code) == BPF_MEM ? mem[f->k]
                                                            : f->k;
                        break;
                case BPF_ST:
                        mem[f->k] = a;
                        break;
                case BPF_STX:
                        mem[f->k] = x;
                        break;
                case BPF_ALU:
                        if (!alu (BPF_OP (f->code), &a, src))
                                return 0;
                        break;
                case BPF_JMP:
                        if (BPF_OP (f->code) == BPF_JA)
                                pc += f->k;
                        else
                                pc += jump_taken (BPF_OP (f->code), a, src) ? f->jt : f->jf;
                        break;
                case BPF_RET:
                        return BPF_RVAL (f->code) == BPF_A ? a : f->k;
                case BPF_MISC:
                        if (BPF_MISCOP (f->code) == BPF_TAX)
                                x = a;
                        else
                                a = x;
                        break;
                }
        }
        return 0; /* not reached for a checked program */
}

/* ---- the argument search ------------------------------------------------------
 * First the paths of one call are walked with the number and architecture
 * known and every other word unknown, collecting what each unknown word is
 * compared with (after any masking).  Then candidate values are built from
 * those constants and the combinations are run for real. */

enum { AV_CONST, AV_WORD, AV_OPAQUE };

struct av {
        uint8_t kind;
        uint8_t word; /* AV_WORD: data word ... */
        uint32_t v;   /* AV_CONST: the value; AV_WORD: ... & v (the mask) */
};

struct walk {
        size_t pc;
        struct av a, x, mem[MEM_WORDS];
};

struct cmp {
        uint8_t word;
        uint32_t mask, k;
};

struct search {
        const struct bpf_prog *p;
        struct cmp cmps[256];
        size_t ncmps;
        struct walk *stack;
        size_t depth, cap;
        unsigned long steps;
};

#define SEARCH_MAX_STEPS (1ul << 20)
#define SEARCH_MAX_CANDIDATES 512u
#define SEARCH_MAX_RUNS (1ul << 16)

static int
note_cmp (struct search *s, const struct av *a, uint32_t k, struct hd_err *err)
{
        for (size_t i = 0; i < s->ncmps; i++)
                if (s->cmps[i].word == a->word && s->cmps[i].mask == a->v && s->cmps[i].k == k)
                        return 0;
        if (s->ncmps == HD_ARRAY_SIZE (s->cmps))
                return hd_err_set (err, HD_EXIT_REFUSED, E2BIG, "too many argument comparisons");
        s->cmps[s->ncmps++] = (struct cmp) { a->word, a->v, k };
        return 0;
}

static int
push (struct search *s, const struct walk *w, size_t pc, struct hd_err *err)
{
        if (s->depth == s->cap) {
                size_t cap = s->cap ? 2 * s->cap : 16;
                struct walk *n = realloc (s->stack, cap * sizeof *n);
                if (!n)
                        return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
                s->stack = n;
                s->cap = cap;
        }
        s->stack[s->depth] = *w;
        s->stack[s->depth++].pc = pc;
        return 0;
}

static struct av
load_word (uint32_t k, uint32_t arch, uint32_t nr)
{
        if (k / 4 == 0)
                return (struct av) { AV_CONST, 0, nr };
        if (k / 4 == 1)
                return (struct av) { AV_CONST, 0, arch };
        return (struct av) { AV_WORD, (uint8_t) (k / 4), UINT32_MAX };
}

/* A with an ALU operation applied: exact on constants, a narrower mask for
 * AND on a word, unknown otherwise. */
static struct av
alu_av (unsigned op, struct av a, struct av b)
{
        if (a.kind == AV_CONST && b.kind == AV_CONST)
                return alu (op, &a.v, b.v) ? a : (struct av) { AV_OPAQUE, 0, 0 };
        if (a.kind == AV_WORD && op == BPF_AND && b.kind == AV_CONST)
                return (struct av) { AV_WORD, a.word, a.v & b.v };
        return (struct av) { AV_OPAQUE, 0, 0 };
}

/* One step of a path; returns 1 when the path ended, 0 to go on, < 0 on error. */
static int
step (struct search *s, struct walk *w, uint32_t arch, uint32_t nr, struct hd_err *err)
{
        const struct sock_filter *f = &s->p->insns[w->pc];
        struct av k = { AV_CONST, 0, f->k }, src = BPF_SRC (f->code) == BPF_X ? w->x : k;

        switch (BPF_CLASS (f->code)) {
        case BPF_LD:
                w->a = BPF_MODE (f->code) == BPF_ABS   ? load_word (f->k, arch, nr)
                       : BPF_MODE (f->code) == BPF_LEN ? (struct av) { AV_CONST, 0, DATA_BYTES }
                       : BPF_MODE (f->code) == BPF_MEM ? w->mem[f->k]
                                                       : k;
                break;
        case BPF_LDX:
                w->x = BPF_MODE (f->code) == BPF_LEN   ? (struct av) { AV_CONST, 0, DATA_BYTES }
                       : BPF_MODE (f->code) == BPF_MEM ? w->mem[f->k]
                                                       : k;
                break;
        case BPF_ST:
                w->mem[f->k] = w->a;
                break;
        case BPF_STX:
                w->mem[f->k] = w->x;
                break;
        case BPF_ALU:
                w->a = alu_av (BPF_OP (f->code), w->a, src);
                break;
        case BPF_MISC:
                if (BPF_MISCOP (f->code) == BPF_TAX)
                        w->x = w->a;
                else
                        w->a = w->x;
                break;
        case BPF_RET:
                return 1;
        case BPF_JMP:
                if (BPF_OP (f->code) == BPF_JA) {
                        w->pc += f->k;
                        break;
                }
                if (w->a.kind == AV_CONST && src.kind == AV_CONST) {
                        w->pc += jump_taken (BPF_OP (f->code), w->a.v, src.v) ? f->jt : f->jf;
                        break;
                }
                if (w->a.kind != AV_WORD || src.kind != AV_CONST)
                        return hd_err_set (err, HD_EXIT_REFUSED, ENOTSUP, "instruction %zu compares a computed value",
                                           w->pc);
                if (note_cmp (s, &w->a, src.v, err) < 0 || push (s, w, w->pc + 1 + f->jt, err) < 0)
                        return -1;
                w->pc += f->jf;
                break;
        }
        w->pc++;
        return 0;
}

static int
collect (struct search *s, uint32_t arch, uint32_t nr, struct hd_err *err)
{
        struct walk w = { 0 };
        int rc;

        if (push (s, &w, 0, err) < 0)
                return -1;
        while (s->depth) {
                w = s->stack[--s->depth];
                while ((rc = step (s, &w, arch, nr, err)) == 0)
                        if (++s->steps > SEARCH_MAX_STEPS)
                                return hd_err_set (err, HD_EXIT_REFUSED, E2BIG, "too many paths");
                if (rc < 0)
                        return -1;
        }
        return 0;
}

struct cands {
        uint8_t word;
        size_t n;
        uint32_t v[SEARCH_MAX_CANDIDATES];
};

static int
cand_add (struct cands *c, uint32_t v, const struct bpf_goal *goal, struct hd_err *err)
{
        if (goal->bits && c->word == goal->word && !(v & goal->bits))
                return 0; /* not what the search is for */
        for (size_t i = 0; i < c->n; i++)
                if (c->v[i] == v)
                        return 0;
        if (c->n == SEARCH_MAX_CANDIDATES)
                return hd_err_set (err, HD_EXIT_REFUSED, E2BIG, "too many values to try for word %u", c->word);
        c->v[c->n++] = v;
        return 0;
}

/* The value itself and its neighbours (==, >, >= and their negations), the
 * bits outside the mask set (a masked compare ignores them); for the goal
 * word each goal bit and all of them added, which a mask that misses one
 * lets through. */
static int
cands_build (struct cands *c, const struct search *s, const struct bpf_goal *goal, struct hd_err *err)
{
        uint32_t base[3 + 5 * HD_ARRAY_SIZE (s->cmps)];
        size_t nb = 0;

        base[nb++] = 0;
        base[nb++] = UINT32_MAX;
        for (size_t i = 0; i < s->ncmps; i++) {
                const struct cmp *m = &s->cmps[i];
                if (m->word != c->word)
                        continue;
                base[nb++] = m->k;
                base[nb++] = m->k + 1;
                base[nb++] = m->k - 1;
                base[nb++] = m->k | ~m->mask;
                base[nb++] = (m->k + 1) | ~m->mask;
        }
        for (size_t i = 0; goal->bits && c->word == goal->word && i < goal->nseeds; i++)
                if (cand_add (c, goal->seeds[i], goal, err) < 0)
                        return -1;
        for (size_t i = 0; i < nb; i++) {
                if (cand_add (c, base[i], goal, err) < 0)
                        return -1;
                if (!goal->bits || c->word != goal->word)
                        continue;
                if (cand_add (c, base[i] | goal->bits, goal, err) < 0)
                        return -1;
                for (unsigned b = 0; b < 32; b++)
                        if ((goal->bits >> b & 1) && cand_add (c, base[i] | 1u << b, goal, err) < 0)
                                return -1;
        }
        return 0;
}

/* Every combination of the candidates, first hit wins. */
static int
try_all (const struct bpf_prog *p, uint32_t arch, uint32_t nr, const struct cands *c, size_t nc, bpf_accept_fn *accept,
         uint32_t witness[BPF_DATA_WORDS], uint32_t *ret, struct hd_err *err)
{
        size_t at[BPF_DATA_WORDS] = { 0 };
        unsigned long runs = 1;

        for (size_t i = 0; i < nc; i++)
                if ((runs *= c[i].n) > SEARCH_MAX_RUNS || c[i].n == 0)
                        return c[i].n == 0 ? 0
                                           : hd_err_set (err, HD_EXIT_REFUSED, E2BIG, "too many argument combinations");
        for (;;) {
                uint32_t data[BPF_DATA_WORDS] = { nr, arch };
                size_t i;
                for (i = 0; i < nc; i++)
                        data[c[i].word] = c[i].v[at[i]];
                if (accept (*ret = bpf_run (p, data))) {
                        memcpy (witness, data, sizeof data);
                        return 1;
                }
                for (i = 0; i < nc && ++at[i] == c[i].n; i++)
                        at[i] = 0;
                if (i == nc)
                        return 0;
        }
}

int
bpf_search (const struct bpf_prog *p, uint32_t arch, uint32_t nr, const struct bpf_goal *goal, bpf_accept_fn *accept,
            uint32_t witness[BPF_DATA_WORDS], uint32_t *ret, struct hd_err *err)
{
        struct search s = { .p = p };
        _cleanup_free_ struct cands *c = NULL;
        bool used[BPF_DATA_WORDS] = { false };
        size_t nc = 0;
        int rc;

        rc = collect (&s, arch, nr, err);
        free (s.stack);
        if (rc < 0)
                return -1;
        for (size_t i = 0; i < s.ncmps; i++)
                used[s.cmps[i].word] = true;
        if (goal->bits)
                used[goal->word] = true;
        c = calloc (BPF_DATA_WORDS, sizeof *c);
        if (!c)
                return hd_err_set (err, HD_EXIT_INTERNAL, ENOMEM, "out of memory");
        for (unsigned w = 2; w < BPF_DATA_WORDS; w++) {
                if (!used[w])
                        continue;
                c[nc].word = (uint8_t) w;
                if (cands_build (&c[nc++], &s, goal, err) < 0)
                        return -1;
        }
        return try_all (p, arch, nr, c, nc, accept, witness, ret, err);
}
