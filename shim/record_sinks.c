#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <yajl/yajl_gen.h>

#include "hardened/util.h"

#include "record_sinks.h"
#include "runclog.h"
#include "verbs.h"

/* Message types from libaudit.h (userspace records for virtualisation). */
#define HD_AUDIT_VIRT_CONTROL 2500
#define HD_AUDIT_VIRT_RESOURCE 2501
#define HD_AUDIT_ACK_MS 250

/* A finding the engine rewrote, with its values taken (finding.changed). */
static void
record_add_change (struct record *r, const struct finding *f)
{
        struct record_change *c;

        if (!f->changed || !f->fixed || f->action != ACTION_REWRITE)
                return;
        if (r->nchanges == RECORD_MAX_CHANGES) {
                r->changes_left_out++;
                return;
        }
        c = &r->changes[r->nchanges++];
        c->rule = f->rule;
        hd_append (c->field, sizeof c->field, 0, (const char *[]) { f->pointer }, 1);
        hd_append (c->requested, sizeof c->requested, 0, (const char *[]) { f->requested }, 1);
        hd_append (c->applied, sizeof c->applied, 0, (const char *[]) { f->applied }, 1);
}

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
        if (d->image.source != IMAGE_UNKNOWN)
                r->image = d->image;
        for (size_t i = 0; i < d->n; i++) {
                bool seen = false;
                for (size_t k = 0; k < r->nrules; k++)
                        seen |= strcmp (r->rules[k], d->findings[i].rule) == 0;
                if (!seen && r->nrules < RECORD_MAX_RULES)
                        r->rules[r->nrules++] = d->findings[i].rule;
                record_add_change (r, &d->findings[i]);
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
                hd_append (out, size, 0, (const char *[]) { "\"", value, "\"" }, 3);
                return;
        }
        /* the kernel's own encoding of such a value: uppercase hex */
        for (const unsigned char *p = (const unsigned char *) value; *p && used + 3 <= size; p++) {
                out[used++] = "0123456789ABCDEF"[*p >> 4];
                out[used++] = "0123456789ABCDEF"[*p & 0xf];
        }
        if (size > 0)
                out[used] = '\0';
        if (used == 0 && size > 2)
                memcpy (out, "\"\"", 3);
}

static void
rules_joined (const struct record *r, char *out, size_t size)
{
        size_t used = 0;

        out[0] = '\0';
        for (size_t i = 0; i < r->nrules && used + 1 < size; i++)
                used = hd_append (out, size, used, (const char *[]) { i ? "," : "", r->rules[i] }, 2);
}

/* "FIELD:REQUESTED->APPLIED;..." (whole entries; what does not fit, and
 * what the record could not hold, counted as ";+N more"), or "none". */
static void
changes_joined (const struct record *r, char *out, size_t size)
{
        size_t used = 0, left_out = r->changes_left_out;
        char entry[512], tail[32];

        out[0] = '\0';
        for (size_t i = 0; i < r->nchanges; i++) {
                const struct record_change *c = &r->changes[i];
                size_t n = hd_append (
                        entry, sizeof entry, 0,
                        (const char *[]) { used ? ";" : "", c->field, ":", c->requested, "->", c->applied }, 6);
                if (left_out || used + n + sizeof tail >= size) {
                        left_out++;
                        continue;
                }
                memcpy (out + used, entry, n + 1);
                used += n;
        }
        if (left_out)
                snprintf (out + used, size - used, "%s+%zu more", used ? ";" : "", left_out);
        if (!out[0])
                hd_append (out, size, 0, (const char *[]) { "none" }, 1);
}

/* The pod's fields, in the record's order: each one's record key, JSON
 * key and place. */
static const struct {
        const char *kv, *json;
        size_t off;
} pod_fields_table[] = {
        { "k8s-ns", "namespace", offsetof (struct pod_identity, namespace_) },
        { "k8s-pod", "name", offsetof (struct pod_identity, name) },
        { "k8s-container", "container", offsetof (struct pod_identity, container) },
        { "k8s-type", "type", offsetof (struct pod_identity, type) },
};

static const char *
pod_field (const struct pod_identity *pod, size_t i)
{
        const char *v = (const char *) pod + pod_fields_table[i].off;

        return pod->known && v[0] ? v : NULL;
}

/* k8s-ns="..." k8s-pod="..." k8s-container="..." k8s-type="...", each
 * encoded, ? for a field the call's root does not vouch for. */
static void
pod_fields (const struct pod_identity *pod, char *buf, size_t size)
{
        size_t used = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < HD_ARRAY_SIZE (pod_fields_table) && used + 1 < size; i++) {
                char enc[520];
                const char *v = pod_field (pod, i);
                if (v)
                        record_encode (v, enc, sizeof enc);
                used = hd_append (buf, size, used,
                                  (const char *[]) { i ? " " : "", pod_fields_table[i].kv, "=", v ? enc : "?" }, 4);
        }
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

/* A field of the record's image: its text, or NULL when not known. */
static const char *
image_field (const struct record *r, const char *v)
{
        return r->image.source != IMAGE_UNKNOWN && v[0] ? v : NULL;
}

/* image="..." image-id="..." (encoded; ? when not known). */
static void
image_fields (const struct record *r, char *buf, size_t size)
{
        char name[2 * IMAGE_NAME_MAX + 4], id[2 * IMAGE_ID_MAX + 4];
        const char *n = image_field (r, r->image.name), *i = image_field (r, r->image.id);

        record_encode (n ? n : "?", name, sizeof name);
        record_encode (i ? i : "?", id, sizeof id);
        hd_append (buf, size, 0, (const char *[]) { "image=", n ? name : "?", " image-id=", i ? id : "?" }, 4);
}

static void
format_fields (const struct record *r, char *buf, size_t size)
{
        char id[600], bundle[1100], joined[400], rules[810], ex[300], reason[1100], verb[64], policy[1100];
        char changed[1024], changes[2 * sizeof changed + 2], pod[2200], image[800];

        record_encode (r->container_id ? r->container_id : "?", id, sizeof id);
        record_encode (r->bundle ? r->bundle : "?", bundle, sizeof bundle);
        rules_joined (r, joined, sizeof joined);
        record_encode (joined[0] ? joined : "none", rules, sizeof rules);
        record_encode (r->exemption ? r->exemption : "none", ex, sizeof ex);
        record_encode (r->reason ? r->reason : "policy", reason, sizeof reason);
        record_encode (r->verb, verb, sizeof verb);
        record_encode (r->policy ? r->policy : "?", policy, sizeof policy);
        changes_joined (r, changed, sizeof changed);
        record_encode (changed, changes, sizeof changes);
        pod_fields (&r->pod, pod, sizeof pod);
        image_fields (r, image, sizeof image);
        /* each field's text before its value, and the value */
        const char *const fields[][2] = {
                { "virt=hardened op=", record_op (r) },
                { " vm=", id },
                { " uuid=? vm-pid=-1 verb=", verb },
                { " ", pod },
                { " ", image },
                { " bundle=", bundle },
                { " decision=", r->outcome ? r->outcome : "refused" },
                { " rules=", rules },
                { " changes=", changes },
                { " exemption=", ex },
                { " reason=", reason },
                { " policy=", policy },
                { " res=", r->outcome && strcmp (r->outcome, "refused") != 0 ? "success" : "failed" },
        };
        size_t used = 0;

        buf[0] = '\0';
        for (size_t f = 0; f < HD_ARRAY_SIZE (fields); f++)
                used = hd_append (buf, size, used, fields[f], 2);
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

/* "pod": {"namespace", "name", "container", "type"} (null for a field the
 * root does not vouch for), or null when it vouches for none. */
static void
json_pod (yajl_gen g, const struct pod_identity *pod)
{
        yajl_gen_string (g, (const unsigned char *) "pod", 3);
        if (!pod->known) {
                yajl_gen_null (g);
                return;
        }
        yajl_gen_map_open (g);
        for (size_t i = 0; i < HD_ARRAY_SIZE (pod_fields_table); i++)
                json_field (g, pod_fields_table[i].json, pod_field (pod, i));
        yajl_gen_map_close (g);
}

/* "image": {"name", "id", "digest", "source"} (null for a field not
 * known), or null when no engine named the image. */
static void
json_image (yajl_gen g, const struct record *r)
{
        yajl_gen_string (g, (const unsigned char *) "image", 5);
        if (r->image.source == IMAGE_UNKNOWN) {
                yajl_gen_null (g);
                return;
        }
        yajl_gen_map_open (g);
        json_field (g, "name", image_field (r, r->image.name));
        json_field (g, "id", image_field (r, r->image.id));
        json_field (g, "digest", image_field (r, r->image.digest));
        json_field (g, "source", image_source_name (r->image.source));
        yajl_gen_map_close (g);
}

/* "changes": [{"rule", "field", "requested", "applied"}...], and
 * "changesLeftOut": N when the record could not hold them all. */
static void
json_changes (yajl_gen g, const struct record *r)
{
        yajl_gen_string (g, (const unsigned char *) "changes", 7);
        yajl_gen_array_open (g);
        for (size_t i = 0; i < r->nchanges; i++) {
                yajl_gen_map_open (g);
                json_field (g, "rule", r->changes[i].rule);
                json_field (g, "field", r->changes[i].field);
                json_field (g, "requested", r->changes[i].requested);
                json_field (g, "applied", r->changes[i].applied);
                yajl_gen_map_close (g);
        }
        yajl_gen_array_close (g);
        if (r->changes_left_out) {
                yajl_gen_string (g, (const unsigned char *) "changesLeftOut", 14);
                yajl_gen_integer (g, (long long) r->changes_left_out);
        }
}

/* One complete line per decision, one writev(2) on an O_APPEND descriptor:
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
        json_pod (g, &r->pod);
        json_image (g, r);
        json_field (g, "bundle", r->bundle);
        json_field (g, "decision", r->outcome ? r->outcome : "refused");
        yajl_gen_string (g, (const unsigned char *) "rules", 5);
        yajl_gen_array_open (g);
        for (size_t i = 0; i < r->nrules; i++)
                yajl_gen_string (g, (const unsigned char *) r->rules[i], strlen (r->rules[i]));
        yajl_gen_array_close (g);
        json_changes (g, r);
        json_field (g, "exemption", r->exemption);
        json_field (g, "reason", r->reason);
        json_field (g, "policy", r->policy);
        yajl_gen_map_close (g);
        yajl_gen_get_buf (g, &out, &len);
        fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (fd >= 0) {
                /* the line and its newline in one writev: an O_APPEND write
                 * of a regular file is one, whatever its length (writev
                 * only reads the buffers it is given) */
                char newline[] = "\n";
                struct iovec iov[] = { { (void *) (uintptr_t) out, len }, { newline, 1 } };
                if (writev (fd, iov, HD_ARRAY_SIZE (iov)) != (ssize_t) len + 1)
                        dprintf (STDERR_FILENO, "hardened: decision log %s: short write\n", path);
        } else {
                dprintf (STDERR_FILENO, "hardened: decision log %s: %s\n", path, strerror (errno));
        }
        yajl_gen_free (g);
}

/* The record in runc's --log, one info line: "policy P: record: decision D for
 * VERB of container ID, pod NS/NAME, container C (TYPE), image NAME (ID)". */
static void
runclog_write (const struct record *r)
{
        char line[2048];
        size_t used;
        const struct pod_identity *pod = &r->pod;

        if (!r->log)
                return;
        used = (size_t) snprintf (line, sizeof line, "policy %s: record: decision %s for %s of container %s",
                                  r->policy ? r->policy : "?", r->outcome ? r->outcome : "refused", r->verb,
                                  r->container_id ? r->container_id : "?");
        if (pod->known && used < sizeof line) {
                const char *v[HD_ARRAY_SIZE (pod_fields_table)];
                for (size_t i = 0; i < HD_ARRAY_SIZE (v); i++)
                        v[i] = pod_field (pod, i) ? pod_field (pod, i) : "?";
                used += (size_t) snprintf (line + used, sizeof line - used, ", pod %s/%s, container %s (%s)", v[0],
                                           v[1], v[2], v[3]);
        }
        if (r->image.source != IMAGE_UNKNOWN && used < sizeof line)
                snprintf (line + used, sizeof line - used, ", image %s (%s)",
                          image_field (r, r->image.name) ? r->image.name : "?",
                          image_field (r, r->image.id) ? r->image.id : "?");
        runclog_log (r->log, r->log_format, "info", line);
}

int
record_emit (const struct record *r, const struct policy *p, struct hd_err *err)
{
        char fields[8192];
        int rc;

        runclog_write (r);
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
