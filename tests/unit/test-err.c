#include "config.h"

#include <errno.h>
#include <string.h>

#include "hardened/err.h"

#include "tap.h"

/* What one snprintf of "<text>: <strerror>" writes into size bytes: the
 * bytes every converted call site wrote by hand before hd_err_sys(). */
static const char *
by_hand (char *buf, size_t size, const char *text, int code)
{
        return snprintf (buf, size, "%s: %s", text, strerror (code)) < 0 ? "" : buf;
}

static void
test_shape (void)
{
        struct hd_err err = { 0 };
        char want[HD_ERR_MSG_MAX];

        ok (hd_err_sys (&err, HD_EXIT_INTERNAL, ENOENT, "open %s", "/x") == -1, "hd_err_sys returns -1");
        is_str (err.msg, by_hand (want, sizeof want, "open /x", ENOENT), "\"<operation object>: <errno text>\"");
        ok (err.code == ENOENT && err.exit == HD_EXIT_INTERNAL, "code and exit are stored");

        hd_err_sys (&err, HD_EXIT_REFUSED, 99999, "fork");
        is_str (err.msg, by_hand (want, sizeof want, "fork", 99999), "an unknown code gets strerror's own text");
        ok (err.code == 99999 && err.exit == HD_EXIT_REFUSED, "a second call replaces code and exit");

        ok (hd_err_errno (&err, HD_EXIT_NOEXEC, EACCES) == -1, "hd_err_errno returns -1");
        is_str (err.msg, strerror (EACCES), "hd_err_errno: the errno text alone");
        ok (err.code == EACCES && err.exit == HD_EXIT_NOEXEC, "hd_err_errno stores code and exit");

        hd_err_set (&err, HD_EXIT_REFUSED, EINVAL, "not a regular file");
        is_str (err.msg, "not a regular file", "hd_err_set appends no errno text");
        ok (err.code == EINVAL, "hd_err_set stores the code all the same");
}

static void
test_prefix (void)
{
        struct hd_err err = { 0 };
        char want[HD_ERR_MSG_MAX], inner[HD_ERR_MSG_MAX];

        hd_err_sys (&err, HD_EXIT_INTERNAL, EPERM, "fchown");
        ok (hd_err_prefix (&err, "bundle %s: ", "/b") == -1, "hd_err_prefix returns -1");
        is_str (err.msg, by_hand (want, sizeof want, "bundle /b: fchown", EPERM),
                "context goes before the operation, the errno text stays last");
        ok (err.code == EPERM && err.exit == HD_EXIT_INTERNAL, "hd_err_prefix keeps code and exit");

        hd_err_errno (&err, HD_EXIT_REFUSED, ENOENT);
        hd_err_prefix (&err, "%s: ", "/etc/hardened/policy.json");
        is_str (err.msg, by_hand (want, sizeof want, "/etc/hardened/policy.json", ENOENT),
                "hd_err_errno + hd_err_prefix reads as hd_err_sys");

        /* A prefix that does not fit: the message is cut at the end. */
        memset (inner, 'p', HD_ERR_MSG_MAX - 10);
        inner[HD_ERR_MSG_MAX - 10] = '\0';
        hd_err_sys (&err, HD_EXIT_INTERNAL, ENOENT, "open");
        hd_err_prefix (&err, "%s", inner);
        ok (strlen (err.msg) == HD_ERR_MSG_MAX - 1, "prefix + message is cut at HD_ERR_MSG_MAX - 1");
        by_hand (want, 10, "open", ENOENT);
        ok (strncmp (err.msg, inner, strlen (inner)) == 0 && strcmp (err.msg + strlen (inner), want) == 0,
            "the whole prefix, then the start of the message");
}

static void
test_truncation (void)
{
        static const size_t lens[] = { HD_ERR_MSG_MAX - 40, HD_ERR_MSG_MAX - 3, HD_ERR_MSG_MAX - 2,
                                       HD_ERR_MSG_MAX - 1,  HD_ERR_MSG_MAX,     HD_ERR_MSG_MAX + 100 };
        char text[HD_ERR_MSG_MAX + 200], want[HD_ERR_MSG_MAX];
        struct hd_err err;

        for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
                memset (text, 'a', lens[i]);
                text[lens[i]] = '\0';
                memset (&err, 0, sizeof err);
                hd_err_sys (&err, HD_EXIT_INTERNAL, ENAMETOOLONG, "%s", text);
                is_str (err.msg, by_hand (want, sizeof want, text, ENAMETOOLONG),
                        "a %zu-byte operation: the same bytes as one snprintf", lens[i]);
                ok (strlen (err.msg)
                            == (lens[i] + 2 + strlen (strerror (ENAMETOOLONG)) < HD_ERR_MSG_MAX
                                        ? lens[i] + 2 + strlen (strerror (ENAMETOOLONG))
                                        : HD_ERR_MSG_MAX - 1),
                    "a %zu-byte operation: cut at HD_ERR_MSG_MAX - 1 at most", lens[i]);
        }
}

static void
test_why (void)
{
        char why[160], want[160], small[12], untouched[4] = "xyz";

        ok (hd_why_sys (why, sizeof why, ENOENT, "%s", "/proc/1/ns/user") == -1, "hd_why_sys returns -1");
        is_str (why, by_hand (want, sizeof want, "/proc/1/ns/user", ENOENT), "hd_why_sys: the same shape");
        hd_why_sys (small, sizeof small, ENOENT, "cannot be resolved");
        is_str (small, by_hand (want, sizeof small, "cannot be resolved", ENOENT), "a small buffer: cut the same way");
        hd_why_sys (small, sizeof small, EPERM, "pipe");
        is_str (small, by_hand (want, sizeof small, "pipe", EPERM), "the errno text is what is cut first");
        ok (hd_why_errno (why, sizeof why, ELOOP) == -1, "hd_why_errno returns -1");
        is_str (why, strerror (ELOOP), "hd_why_errno: the errno text alone");
        hd_why_sys (untouched, 0, ENOENT, "x");
        hd_why_errno (untouched, 0, ENOENT);
        is_str (untouched, "xyz", "a zero-size buffer is not written");
}

int
main (void)
{
        test_shape ();
        test_prefix ();
        test_truncation ();
        test_why ();
        return tap_done ();
}
