#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <yajl/yajl_gen.h>

#include "hardened/util.h"

#include "record_sinks.h"
#include "verbs.h"

/* Message types from libaudit.h (userspace records for virtualisation). */
#define HD_AUDIT_VIRT_CONTROL 2500
#define HD_AUDIT_VIRT_RESOURCE 2501
#define HD_AUDIT_ACK_MS 250

void
record_add_decision (struct record *r, const struct decision *d)
{
        static const char *const outcome[] = { "allowed", "rewritten", "refused" };

        if (!r->outcome || d->verdict == VERDICT_REFUSED
            || (d->verdict == VERDICT_REWRITTEN && strcmp (r->outcome, "allowed") == 0))
                r->outcome = outcome[d->verdict];
        if (d->exemption)
                r->exemption = d->exemption;
        if (!r->policy)
                r->policy = d->policy_source;
        for (size_t i = 0; i < d->n; i++) {
                bool seen = false;
                for (size_t k = 0; k < r->nrules; k++)
                        seen |= strcmp (r->rules[k], d->findings[i].rule) == 0;
                if (!seen && r->nrules < RECORD_MAX_RULES)
                        r->rules[r->nrules++] = d->findings[i].rule;
        }
}

void
record_encode (const char *value, char *out, size_t size)
{
        bool plain = value[0] != '\0';
        size_t used = 0;

        for (const unsigned char *p = (const unsigned char *) value; *p && plain; p++)
                plain = *p > 0x20 && *p < 0x7f && *p != '"' && *p != '\'' && *p != '=' && *p != '\\';
        if (plain) {
                snprintf (out, size, "\"%s\"", value);
                return;
        }
        for (const unsigned char *p = (const unsigned char *) value; *p && used + 3 <= size; p++)
                used += (size_t) snprintf (out + used, size - used, "%02X", *p);
        if (used == 0 && size > 2)
                snprintf (out, size, "\"\"");
}

static void
rules_joined (const struct record *r, char *out, size_t size)
{
        size_t used = 0;

        out[0] = '\0';
        for (size_t i = 0; i < r->nrules && used < size; i++)
                used += (size_t) snprintf (out + used, size - used, "%s%s", i ? "," : "", r->rules[i]);
}

/* key=value fields, every caller-controlled value encoded. */
/* The record's op= for its verb (the verb table's row says), "start" for
 * a verb without one. */
static const char *
record_op (const struct record *r)
{
        const struct verb *v = verb_named (r->verb);

        return v ? v->audit_op : "start";
}

static void
format_fields (const struct record *r, char *buf, size_t size)
{
        char id[600], bundle[1100], joined[400], rules[810], ex[300], reason[1100], verb[64], policy[1100];

        record_encode (r->container_id ? r->container_id : "?", id, sizeof id);
        record_encode (r->bundle ? r->bundle : "?", bundle, sizeof bundle);
        rules_joined (r, joined, sizeof joined);
        record_encode (joined[0] ? joined : "none", rules, sizeof rules);
        record_encode (r->exemption ? r->exemption : "none", ex, sizeof ex);
        record_encode (r->reason ? r->reason : "policy", reason, sizeof reason);
        record_encode (r->verb, verb, sizeof verb);
        record_encode (r->policy ? r->policy : "?", policy, sizeof policy);
        snprintf (buf, size,
                  "virt=hardened op=%s vm=%s uuid=? vm-pid=-1 verb=%s bundle=%s decision=%s rules=%s "
                  "exemption=%s reason=%s policy=%s res=%s",
                  record_op (r), id, verb, bundle, r->outcome ? r->outcome : "refused", rules, ex, reason, policy,
                  r->outcome && strcmp (r->outcome, "refused") != 0 ? "success" : "failed");
}

/* ---- kernel audit over NETLINK_AUDIT ------------------------------------- */

static int
audit_ack (struct mnl_socket *nl, unsigned seq)
{
        char buf[8192]; /* MNL_SOCKET_BUFFER_SIZE is a runtime value (page size) */
        struct pollfd pfd = { .fd = mnl_socket_get_fd (nl), .events = POLLIN };
        ssize_t n;

        if (poll (&pfd, 1, HD_AUDIT_ACK_MS) <= 0)
                return -ETIMEDOUT;
        n = mnl_socket_recvfrom (nl, buf, sizeof buf);
        if (n < 0)
                return -errno;
        return mnl_cb_run (buf, (size_t) n, seq, mnl_socket_get_portid (nl), NULL, NULL) < 0 ? -errno : 0;
}

/* 0 written and acknowledged; < 0 -errno (no kernel support, not in the
 * initial user namespace, no CAP_AUDIT_WRITE, no ack in time). */
static int
audit_write (int type, const char *msg)
{
        char buf[8192]; /* MNL_SOCKET_BUFFER_SIZE is a runtime value (page size) */
        struct mnl_socket *nl = mnl_socket_open2 (NETLINK_AUDIT, SOCK_CLOEXEC);
        struct nlmsghdr *nlh;
        size_t len = strlen (msg);
        unsigned seq = (unsigned) time (NULL);
        int rc;

        if (!nl)
                return -errno;
        if (len + 1 + MNL_NLMSG_HDRLEN > sizeof buf || mnl_socket_bind (nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                rc = len + 1 + MNL_NLMSG_HDRLEN > sizeof buf ? -EMSGSIZE : -errno;
                mnl_socket_close (nl);
                return rc;
        }
        nlh = mnl_nlmsg_put_header (buf);
        nlh->nlmsg_type = (uint16_t) type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq;
        memcpy (mnl_nlmsg_put_extra_header (nlh, len + 1), msg, len + 1);
        rc = mnl_socket_sendto (nl, nlh, nlh->nlmsg_len) < 0 ? -errno : audit_ack (nl, seq);
        mnl_socket_close (nl);
        return rc;
}

/* ---- syslog and the decision log --------------------------------------------- */

static void
syslog_write (const struct record *r, const char *fields)
{
        openlog ("hardened", LOG_PID, LOG_AUTHPRIV);
        syslog (r->outcome && strcmp (r->outcome, "refused") != 0 ? LOG_NOTICE : LOG_WARNING, "%s", fields);
        closelog ();
}

static void
json_field (yajl_gen g, const char *key, const char *value)
{
        yajl_gen_string (g, (const unsigned char *) key, strlen (key));
        if (value)
                yajl_gen_string (g, (const unsigned char *) value, strlen (value));
        else
                yajl_gen_null (g);
}

/* One complete line per decision, one write(2) on an O_APPEND descriptor:
 * concurrent shims never interleave. */
static void
decision_log_write (const struct record *r, const char *path)
{
        char when[32];
        time_t now = time (NULL);
        struct tm tm;
        const unsigned char *out;
        size_t len;
        yajl_gen g = yajl_gen_alloc (NULL);
        _cleanup_close_ int fd = -1;

        if (!g)
                return;
        strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r (&now, &tm));
        yajl_gen_map_open (g);
        json_field (g, "time", when);
        json_field (g, "verb", r->verb);
        json_field (g, "container", r->container_id);
        json_field (g, "bundle", r->bundle);
        json_field (g, "decision", r->outcome ? r->outcome : "refused");
        yajl_gen_string (g, (const unsigned char *) "rules", 5);
        yajl_gen_array_open (g);
        for (size_t i = 0; i < r->nrules; i++)
                yajl_gen_string (g, (const unsigned char *) r->rules[i], strlen (r->rules[i]));
        yajl_gen_array_close (g);
        json_field (g, "exemption", r->exemption);
        json_field (g, "reason", r->reason);
        json_field (g, "policy", r->policy);
        yajl_gen_map_close (g);
        yajl_gen_get_buf (g, &out, &len);
        fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd >= 0) {
                char line[65536];
                if (len < sizeof line) {
                        memcpy (line, out, len);
                        line[len] = '\n';
                        if (write (fd, line, len + 1) != (ssize_t) len + 1)
                                dprintf (STDERR_FILENO, "hardened: decision log %s: short write\n", path);
                }
        } else {
                dprintf (STDERR_FILENO, "hardened: decision log %s: %s\n", path, strerror (errno));
        }
        yajl_gen_free (g);
}

int
record_emit (const struct record *r, const struct policy *p, struct hd_err *err)
{
        char fields[8192];
        int rc;

        format_fields (r, fields, sizeof fields);
        syslog_write (r, fields);
        if (p && p->decision_log)
                decision_log_write (r, p->decision_log);
        rc = audit_write (strcmp (record_op (r), "resource") == 0 ? HD_AUDIT_VIRT_RESOURCE : HD_AUDIT_VIRT_CONTROL,
                          fields);
        if (rc < 0 && p && p->audit_required)
                return hd_err_sys (err, HD_EXIT_REFUSED, -rc,
                                   "the policy requires kernel audit and the record could not be written");
        return 0;
}
