#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hardened/err.h"

/* buf[size] = fmt's text, then ": " and strerror (code) in what room is
 * left: the same bytes one snprintf of "<fmt>: %s" would write. */
static void sys_format (char *buf, size_t size, int code, const char *fmt, va_list ap)
        __attribute__ ((format (printf, 4, 0)));
static void
sys_format (char *buf, size_t size, int code, const char *fmt, va_list ap)
{
        size_t len;

        if (size == 0)
                return;
        vsnprintf (buf, size, fmt, ap);
        len = strnlen (buf, size - 1);
        snprintf (buf + len, size - len, ": %s", strerror (code));
}

int
hd_err_set (struct hd_err *err, int exit, int code, const char *fmt, ...)
{
        va_list ap;

        err->exit = exit;
        err->code = code;
        va_start (ap, fmt);
        vsnprintf (err->msg, sizeof err->msg, fmt, ap);
        va_end (ap);
        return -1;
}

int
hd_err_sys (struct hd_err *err, int exit, int code, const char *fmt, ...)
{
        va_list ap;

        err->exit = exit;
        err->code = code;
        va_start (ap, fmt);
        sys_format (err->msg, sizeof err->msg, code, fmt, ap);
        va_end (ap);
        return -1;
}

int
hd_err_errno (struct hd_err *err, int exit, int code)
{
        return hd_err_set (err, exit, code, "%s", strerror (code));
}

int
hd_err_prefix (struct hd_err *err, const char *fmt, ...)
{
        char prefix[HD_ERR_MSG_MAX];
        size_t plen, mlen = strnlen (err->msg, sizeof err->msg - 1);
        va_list ap;
        int n;

        va_start (ap, fmt);
        n = vsnprintf (prefix, sizeof prefix, fmt, ap);
        va_end (ap);
        plen = n < 0 ? 0 : (size_t) n >= sizeof prefix ? sizeof prefix - 1 : (size_t) n;
        if (plen + mlen >= sizeof err->msg)
                mlen = sizeof err->msg - 1 - plen;
        memmove (err->msg + plen, err->msg, mlen);
        memcpy (err->msg, prefix, plen);
        err->msg[plen + mlen] = '\0';
        return -1;
}

int
hd_why_sys (char *why, size_t size, int code, const char *fmt, ...)
{
        va_list ap;

        va_start (ap, fmt);
        sys_format (why, size, code, fmt, ap);
        va_end (ap);
        return -1;
}

int
hd_why_errno (char *why, size_t size, int code)
{
        snprintf (why, size, "%s", strerror (code));
        return -1;
}
