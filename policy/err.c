#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hardened/err.h"

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
