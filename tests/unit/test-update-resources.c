#include "config.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "hardened/util.h"

#include "argv.h"
#include "tap.h"
#include "update_resources.h"

/* The state.json cgroups runc 1.1.5 writes for 1 CPU, 256Mi without swap
 * and 50 pids, and what its own `update --cpu-period 1000` leaves there. */
#define STATE                                                                                                 \
        "{\"config\":{\"cgroups\":{\"memory\":268435456,\"memory_reservation\":0,\"memory_swap\":268435456,"  \
        "\"cpu_shares\":0,\"cpu_quota\":100000,\"cpu_period\":100000,\"cpu_rt_quota\":0,\"cpu_rt_period\":0," \
        "\"cpuset_cpus\":\"\",\"cpuset_mems\":\"\",\"pids_limit\":50,\"blkio_weight\":0}}}"
#define ZEROED                                                                                               \
        "{\"config\":{\"cgroups\":{\"memory\":0,\"memory_swap\":0,\"cpu_quota\":100000,\"cpu_period\":1000," \
        "\"pids_limit\":0,\"cpuset_cpus\":\"\"}}}"
#define KEPT "\"memory\":{\"limit\":268435456,\"swap\":268435456}"

/* update ARGS (or, with `request`, that --resources document) merged into
 * `state` as runc 1.1.5 merges it: the document runc would apply (no
 * policy; stand-ins left alone are dropped), or the flag that is refused. */
static const struct {
        const char *args;
        const char *request;
        const char *state;
        const char *want;
        const char *strict; /* the refused flag's name */
} cases[] = {
        /* one set, keep the other: a period alone keeps the quota */
        { "--cpu-period 1000", NULL, STATE,
          "{" KEPT ",\"cpu\":{\"quota\":100000,\"period\":1000},\"pids\":{\"limit\":50}}" },
        { "--cpu-quota 50000", NULL, STATE,
          "{" KEPT ",\"cpu\":{\"quota\":50000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        /* memory alone keeps the swap */
        { "--memory 100m", NULL, STATE,
          "{\"memory\":{\"limit\":104857600,\"swap\":268435456},\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        /* the fs driver: memory -1 with no swap makes swap -1 */
        { "--memory=-1", NULL, STATE,
          "{\"memory\":{\"limit\":-1,\"swap\":-1},\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        { "--memory=-1 --memory-swap 1g", NULL, STATE,
          "{\"memory\":{\"limit\":-1,\"swap\":1073741824},\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        /* 0 and "" leave a value as it is; the last copy of a flag wins */
        { "--memory 0 --pids-limit 0 --cpuset-cpus=", NULL, STATE,
          "{" KEPT ",\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        { "--pids-limit 7 --pids-limit 9", NULL, STATE,
          "{" KEPT ",\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":9}}" },
        { "--memory 1g --memory=", NULL, STATE,
          "{" KEPT ",\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        /* every field update.go reads */
        { "--cpu-share 512 --cpu-rt-runtime 5000 --cpu-rt-period 1000000 --cpuset-cpus 0-1 --cpuset-mems 0 --blkio-weight 300 --memory-reservation 1k --kernel-memory 1m --kernel-memory-tcp 2m",
          NULL, STATE,
          "{\"memory\":{\"limit\":268435456,\"swap\":268435456,\"reservation\":1024,\"kernel\":1048576,\"kernelTCP\":2097152},"
          "\"cpu\":{\"shares\":512,\"quota\":100000,\"period\":100000,\"realtimeRuntime\":5000,\"realtimePeriod\":1000000,\"cpus\":\"0-1\",\"mems\":\"0\"},"
          "\"blockIO\":{\"weight\":300},\"pids\":{\"limit\":50}}" },
        /* go-units sizes and Go's base-10 integers, read exactly */
        { "--memory 64M --cpu-period 0100000 --cpu-quota +50000", NULL, STATE,
          "{\"memory\":{\"limit\":67108864,\"swap\":268435456},\"cpu\":{\"quota\":50000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        { "--memory 64mib", NULL, STATE,
          "{\"memory\":{\"limit\":67108864,\"swap\":268435456},\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        { "--memory 100i", NULL, STATE,
          "{\"memory\":{\"limit\":100,\"swap\":268435456},\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        { "--memory 9007199254740992", NULL, STATE,
          "{\"memory\":{\"limit\":9007199254740992,\"swap\":268435456},\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":50}}" },
        /* values runc reads differently or refuses */
        { "--memory 1.5g", NULL, STATE, NULL, "memory" },
        { "--memory 9007199254740993", NULL, STATE, NULL, "memory" },
        { "--memory 8192p", NULL, STATE, NULL, "memory" },
        { "--memory 1x", NULL, STATE, NULL, "memory" },
        { "--memory -2", NULL, STATE, NULL, "memory" },
        { "--memory-swap 1gb2", NULL, STATE, NULL, "memory-swap" },
        { "--pids-limit 010", NULL, STATE, NULL, "pids-limit" },
        { "--pids-limit 0x10", NULL, STATE, NULL, "pids-limit" },
        { "--pids-limit 1_0", NULL, STATE, NULL, "pids-limit" },
        { "--pids-limit=", NULL, STATE, NULL, "pids-limit" },
        { "--blkio-weight 65536", NULL, STATE, NULL, "blkio-weight" },
        { "--blkio-weight -1", NULL, STATE, NULL, "blkio-weight" },
        { "--cpu-period -1", NULL, STATE, NULL, "cpu-period" },
        { "--cpu-share +1", NULL, STATE, NULL, "cpu-share" },
        { "--cpu-quota 1e3", NULL, STATE, NULL, "cpu-quota" },
        { "--cpu-quota 9223372036854775808", NULL, STATE, NULL, "cpu-quota" },
        { "--cpu-rt-period 18446744073709551616", NULL, STATE, NULL, "cpu-rt-period" },
        /* what runc's own updates leave: unknown values are stand-ins,
         * dropped again when the policy leaves them (the period stays with
         * a quota) */
        { "--pids-limit 5", NULL, ZEROED, "{\"cpu\":{\"quota\":100000,\"period\":1000},\"pids\":{\"limit\":5}}" },
        { "--memory 1g", NULL, "{\"config\":{\"cgroups\":{\"cpu_quota\":50000}}}",
          "{\"memory\":{\"limit\":1073741824},\"cpu\":{\"quota\":50000,\"period\":100000}}" },
        { "--cpu-period 1000", NULL, "{\"config\":{\"cgroups\":{}}}", "{\"cpu\":{\"period\":1000}}" },
        /* --resources: a partial document, zeros unchanged, unified as given */
        { NULL, "{\"cpu\":{\"period\":1000},\"memory\":{\"limit\":0,\"swap\":-1}}", STATE,
          "{\"memory\":{\"limit\":268435456,\"swap\":-1},\"cpu\":{\"quota\":100000,\"period\":1000},\"pids\":{\"limit\":50}}" },
        { NULL, "{\"pids\":{\"limit\":-1},\"unified\":{\"pids.max\":\"max\"},\"hugepageLimits\":[]}", STATE,
          "{" KEPT
          ",\"cpu\":{\"quota\":100000,\"period\":100000},\"pids\":{\"limit\":-1},\"unified\":{\"pids.max\":\"max\"}}" },
};

static int
request_from (size_t k, struct cli *c, struct json **req, struct decision *d, struct hd_err *err)
{
        if (cases[k].request)
                return json_parse (cases[k].request, strlen (cases[k].request), req, err);
        return update_resources_from_flags (c, req, d, err);
}

static void
run_case (size_t k)
{
        _cleanup_free_ char *store = NULL, *line = NULL, *out = NULL;
        _cleanup_free_ char **argv = NULL;
        _cleanup_json_ struct json *state = NULL, *req = NULL, *merged = NULL;
        struct update_resources_sources src;
        struct decision d = { 0 };
        struct hd_err err = { 0 };
        struct cli c = { 0 };
        size_t len;
        int argc;

        if (asprintf (&line, "hardened update %s c1", cases[k].args ? cases[k].args : "") < 0)
                abort ();
        argv = split (line, &argc, &store);
        if (cli_parse_globals (argc, argv, &c, &err) < 0 || cli_parse_verb (&c, &err) < 0
            || request_from (k, &c, &req, &d, &err) < 0) {
                ok (0, "%s: %s", line, err.msg);
                cli_free (&c);
                return;
        }
        if (cases[k].strict) {
                ok (d.n == 1 && strcmp (d.findings[0].rule, "cli.strictValues") == 0
                            && d.findings[0].action == ACTION_REJECT,
                    "refused (cli.strictValues): %s", line);
                has_str (d.n ? d.findings[0].message : "", cases[k].strict, "  names --%s", cases[k].strict);
                cli_free (&c);
                return;
        }
        ok (d.n == 0, "read: %s%s", line, d.n ? d.findings[0].message : "");
        ok (json_parse (cases[k].state, strlen (cases[k].state), &state, &err) == 0
                    && update_resources_merge (req, state, &merged, &src, &err) == 0,
            "  merged %s", err.msg);
        update_resources_finish (merged, &src);
        ok (json_write (merged, &out, &len, &err) == 0, "  written");
        is_str (out, cases[k].want, "  %s", cases[k].request ? cases[k].request : "the document runc gets");
        ok (!update_resources_is_flag ("l3-cache-schema") && update_resources_is_flag ("pids-limit"),
            "  --l3-cache-schema is not a resource flag runc ignores with -r");
        cli_free (&c);
}

int
main (void)
{
        for (size_t k = 0; k < HD_ARRAY_SIZE (cases); k++)
                run_case (k);
        return tap_done ();
}
