/* One decision per invocation: the verdict and every finding behind it. */
#ifndef HARDENED_DECISION_H
#define HARDENED_DECISION_H

#include <stdbool.h>
#include <stddef.h>

#include "hardened/policy.h"

#define DECISION_MAX_FINDINGS 64

enum verdict {
        VERDICT_ALLOWED,     /* nothing found */
        VERDICT_REWRITTEN,   /* findings, all fixed (or only warnings) */
        VERDICT_REFUSED,
};

struct finding {
        const char *rule;            /* rule id, "user.nonRoot" */
        enum policy_action action;   /* effective action (audit mode: warn) */
        bool fixed;
        char pointer[128];           /* where in the document */
        char found[160];
        char required[160];
        char message[256];
};

struct decision {
        enum verdict verdict;
        enum policy_mode mode;
        const char *policy_source;
        size_t n;
        size_t dropped;              /* findings beyond DECISION_MAX_FINDINGS */
        struct finding findings[DECISION_MAX_FINDINGS];
};

/* Record a finding for `rule`.  Never fails: past the limit it is counted. */
void decision_add (struct decision *d, const char *rule, const char *pointer, const char *found,
                   const char *required, const char *fmt, ...)
        __attribute__ ((format (printf, 6, 7)));

/* The one line a refusal shows (what docker run prints): every rule that
 * refused, with its message. */
void decision_summary (const struct decision *d, char *buf, size_t size);

/* One line per finding, for the log. */
void decision_finding_line (const struct decision *d, size_t i, char *buf, size_t size);

#endif
