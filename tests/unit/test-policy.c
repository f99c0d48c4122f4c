#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "hardened/caps.h"
#include "hardened/paths.h"
#include "hardened/policy.h"
#include "hardened/rules.h"
#include "hardened/util.h"

#include "tap.h"

static void
compiled_in (void)
{
        size_t len = 0;
        _cleanup_free_ char *p = tap_slurp ("top_srcdir", ".", "policy/profiles/default.json", &len);
        _cleanup_free_ char *s = NULL;

        ok (p && len == policy_default_json_len && memcmp (p, policy_default_json, len) == 0,
            "the compiled-in policy is byte for byte policy/profiles/default.json");
        s = tap_slurp ("top_srcdir", ".", "policy/profiles/seccomp-default.json", &len);
        ok (s && len == policy_default_seccomp_json_len && memcmp (s, policy_default_seccomp_json, len) == 0,
            "the compiled-in seccomp profile is byte for byte policy/profiles/seccomp-default.json");
}

static void
shipped (void)
{
        static const char *const files[] = { "policy/profiles/default.json", "policy/profiles/restricted.json" };
        for (size_t i = 0; i < HD_ARRAY_SIZE (files); i++) {
                size_t len = 0;
                _cleanup_free_ char *text = tap_slurp ("top_srcdir", ".", files[i], &len);
                struct policy p;
                struct hd_err err = { 0 };
                int rc = text ? policy_load_buffer (files[i], text, len, &p, &err) : -1;

                ok (rc == 0, "%s loads%s%s", files[i], rc ? ": " : "", err.msg);
                if (rc == 0 && i == 0)
                        ok (p.user.action == ACTION_REWRITE && p.user.uid == 65534 && p.caps.allow == 1ULL << 10
                                    && p.rootfs.ntmpfs == 1 && p.resources.memory_default == 512LL << 20
                                    && p.resources.memory_max == 4LL << 30 && p.resources.cpu_default_milli == 1000
                                    && p.resources.pids_max == 4096 && p.seccomp.ndeny == 30,
                            "  default.json: the values read are the file's");
                if (rc == 0 && i == 1)
                        ok (p.user.action == ACTION_REJECT && p.seccomp.action == ACTION_REJECT,
                            "  restricted.json: every rule rejects");
                policy_free (&p);
        }
}

/* A policy text (after the apiVersion line) and a substring of the error. */
static const struct {
        const char *text;
        const char *error;
} bad[] = {
        { "{\"apiVersion\":\"hardened/v2\"}", "p.json:1:15: /apiVersion: must be \"hardened/v1\"" },
        { "{}", "p.json:1:1: /apiVersion: must be" },
        { "{\"apiVersion\":\"hardened/v1\",\"mode\":\"dry\"}", "/mode: \"dry\" is not one of" },
        { "{\"apiVersion\":\"hardened/v1\",\n \"rules\": {\n  \"user\": {\"action\": \"rewrite\", \"uidd\": 5}}}",
          "p.json:3:33: /rules/user/uidd: unknown field \"uidd\"" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"user\":{\"Action\":\"rewrite\"}}}",
          "/rules/user/Action: unknown field" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"user\":{}}}", "/rules/user: \"action\" is required" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"user\":{\"action\":\"rewrit\"}}}",
          "/rules/user/action: \"rewrit\" is not one of" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"user\":{\"action\":\"reject\",\"uid\":\"0\"}}}",
          "/rules/user/uid: expected an unsigned 32-bit integer" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"user\":{\"action\":\"reject\",\"uid\":0}}}", "must not be 0" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"capabilities\":{\"action\":\"reject\",\"allow\":[\"CAP_NET_BIND_SERVIC\"]}}}",
          "/rules/capabilities/allow/0: \"CAP_NET_BIND_SERVIC\" is not a capability" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"capabilities\":{\"action\":\"reject\",\"allow\":[\"cap_net_bind_service\"]}}}",
          "is not a capability" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"capabilities\":{\"action\":\"reject\",\"allow\":[\"10\"]}}}",
          "is not a capability" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"capabilities\":{\"action\":\"reject\",\"allow\":[\"CAP_\"]}}}",
          "is not a capability" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"capabilities\":{\"action\":\"rewrite\",\"allow\":[\"CAP_CHOWN\"],\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}}}",
          "/rules/capabilities/ambient/0: \"CAP_NET_BIND_SERVICE\" is not in /rules/capabilities/allow (only an allowed capability can be ambient)" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"capabilities\":{\"action\":\"rewrite\",\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}}}",
          "/rules/capabilities/ambient/0: \"CAP_NET_BIND_SERVICE\" is not in /rules/capabilities/allow" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"capabilities\":{\"action\":\"rewrite\",\"allow\":[\"CAP_NET_BIND_SERVICE\"],\"ambient\":[\"cap_net_bind_service\"]}}}",
          "/rules/capabilities/ambient/0: \"cap_net_bind_service\" is not a capability" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"seccomp\":{\"action\":\"reject\",\"deny\":[\"mountt\"]}}}",
          "/rules/seccomp/deny/0: \"mountt\" is not a system call" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"seccomp\":{\"action\":\"reject\",\"profile\":\"/nonexistent/sc.json\"}}}",
          "/rules/seccomp/profile: seccomp profile /nonexistent/sc.json: No such file or directory" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"seccomp\":{\"action\":\"reject\",\"profile\":\"relative.json\"}}}",
          "use \"default\" or an absolute path" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"memory\":{\"max\":\"512MB\"}}}}",
          "/rules/resources/memory/max: \"512MB\" is not a size" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"cpu\":{\"max\":0.0001}}}}",
          "/rules/resources/cpu/max: 0.0001 is not a CPU count" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"memory\":{\"default\":\"8Gi\",\"max\":\"4Gi\"}}}}",
          "a default is above its max" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"pids\":{\"max\":-5}}}}",
          "/rules/resources/pids/max: must be a positive integer" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"cpu\":{\"maxShares\":1023}}}}",
          "/rules/resources/cpu/maxShares: must be between 1024 (the kernel's default, which a container that sets no shares keeps) and 262144" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"cpu\":{\"maxShares\":2}}}}",
          "/rules/resources/cpu/maxShares: must be between 1024" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"cpu\":{\"maxShares\":262145}}}}",
          "/rules/resources/cpu/maxShares: must be between 1024" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"cpu\":{\"maxShares\":-1024}}}}",
          "/rules/resources/cpu/maxShares: -1024 is not an unsigned 64-bit integer" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"cpu\":{\"maxShares\":\"4096\"}}}}",
          "/rules/resources/cpu/maxShares: expected an unsigned 64-bit integer" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"cpu\":{\"maxShares\":1024.0}}}}",
          "/rules/resources/cpu/maxShares: 1024.0 is not an unsigned 64-bit integer" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"realtime\":{\"action\":\"reject\",\"cpu\":1.5}}}",
          "p.json:1:74: /rules/realtime/cpu: 1.5 is not a share of one CPU between 0 and 1" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"realtime\":{\"action\":\"reject\",\"schedulerPolicies\":[\"SCHED_fifo\"]}}}",
          "/rules/realtime/schedulerPolicies/0: \"SCHED_fifo\" is not one of the accepted values" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"realtime\":{\"action\":\"reject\",\"ioPriorityClasses\":[\"RT\"]}}}",
          "/rules/realtime/ioPriorityClasses/0: \"RT\" is not one of the accepted values" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"unified\":{\"allow\":[\"cgroup.procs\"]}}}}",
          "/rules/resources/unified/allow/0: cgroup.procs moves processes or controllers" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"unified\":{\"allow\":[\"hugetlb.2MB.max\",\"Memory.max\"]}}}}",
          "/rules/resources/unified/allow/1: \"Memory.max\" is not a cgroup v2 file name" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"resources\":{\"action\":\"reject\",\"unified\":{\"allow\":[\"../memory.max\"]}}}}",
          "is not a cgroup v2 file name" },
        { "{\"apiVersion\":\"hardened/v1\",\"runtime\":\"runc\"}", "/runtime: must be an absolute path" },
        { "{\"apiVersion\":\"hardened/v1\",\n \"document\":{\"nulls\":\"allow\"}}",
          "p.json:2:22: /document/nulls: \"allow\" is only for unknownFields" },
        { "{\"apiVersion\":\"hardened/v1\",\"document\":{\"foldedKeys\":\"warn\"}}",
          "/document/foldedKeys: \"warn\" is not one of the accepted values" },
        { "{\"apiVersion\":\"hardened/v1\",\"document\":{\"duplicateKeys\":\"Rewrite\"}}",
          "/document/duplicateKeys: \"Rewrite\" is not one of" },
        { "{\"apiVersion\":\"hardened/v1\",\"document\":{\"DuplicateKeys\":\"rewrite\"}}",
          "/document/DuplicateKeys: unknown field" },
        { "{\"apiVersion\":\"hardened/v1\",\"unknownFields\":\"rewrite\"}",
          "/unknownFields: \"rewrite\" is not one of" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"readOnlyRootfs\":{\"action\":\"rewrite\",\"tmpfs\":[\"tmp\"]}}}",
          "/rules/readOnlyRootfs/tmpfs/0: \"tmp\" must be an absolute path" },
        { "{\"apiVersion\":\"hardened/v1\",\"apiVersion\":\"hardened/v1\"}",
          "p.json:1:29: /apiVersion: duplicate key" },
        { "{\"apiVersion\":\"hardened/v1\" /* c */}",
          "p.json:1:29: /apiVersion: invalid JSON: lexical error: probable comment found" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"user\":null}}", "/rules/user: null is not allowed" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"mounts\":{\"action\":\"reject\",\"allowTypes\":[\"Overlay\"]}}}",
          "p.json:1:80: /rules/mounts/allowTypes/0: \"Overlay\" is not a filesystem type name" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"mounts\":{\"action\":\"reject\",\"allowTypes\":[\"\"]}}}",
          "/rules/mounts/allowTypes/0: must not be empty" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"mounts\":{\"action\":\"reject\",\"allowMounts\":[{\"type\":\"tmpfs\"}]}}}",
          "/rules/mounts/allowMounts/0: needs \"type\" and \"destination\"" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"mounts\":{\"action\":\"reject\",\"allowMounts\":[{\"type\":\"tmpfs\",\"destination\":\"/proc/../proc/sys\"}]}}}",
          "/rules/mounts/allowMounts/0: destination \"/proc/../proc/sys\" must be a clean absolute path" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"mounts\":{\"action\":\"reject\",\"allowMounts\":[{\"type\":\"tmpfs\",\"destination\":\"/x\",\"dest\":\"/y\"}]}}}",
          "unknown field \"dest\"" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"mounts\":{\"action\":\"reject\",\"rootfsUnder\":[\"var/lib/docker\"]}}}",
          "/rules/mounts/rootfsUnder/0: \"var/lib/docker\" must be an absolute path" },
        { "{\"apiVersion\":\"hardened/v1\",\"rules\":{\"mounts\":{\"action\":\"reject\",\"rootfsStorage\":[\"overlay2\"]}}}",
          "/rules/mounts/rootfsStorage/0: \"overlay2\" must be an absolute path" },
};

static void
refusals (void)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (bad); i++) {
                struct policy p;
                struct hd_err err = { 0 };
                int rc = policy_load_buffer ("p.json", bad[i].text, strlen (bad[i].text), &p, &err);

                ok (rc < 0, "refused policy %zu", i);
                has_str (err.msg, bad[i].error, "  with \"%s\"", bad[i].error);
                policy_free (&p);
        }
}

static void
grammars (void)
{
        static const struct {
                const char *text;
                long long want; /* -1: refused */
        } sizes[] = {
                { "512Mi", 512LL << 20 }, { "4Gi", 4LL << 30 }, { "4G", 4000000000LL },
                { "1024", 1024 },         { "1Ki", 1024 },      { "2K", 2000 },
                { "1Ti", 1LL << 40 },     { "", -1 },           { "Mi", -1 },
                { "1.5G", -1 },           { "5X", -1 },         { "-1", -1 },
                { "1 Gi", -1 },           { "1gi", -1 },        { "01Mi", -1 },
                { "99999999999Ti", -1 },
        };
        static const struct {
                const char *text;
                long long want;
        } millis[] = {
                { "1", 1000 }, { "0.5", 500 }, { "2.25", 2250 }, { "4", 4000 }, { "0.001", 1 }, { "1.2345", -1 },
                { "1.", -1 },  { ".5", -1 },   { "-1", -1 },     { "1e3", -1 }, { "", -1 },
        };

        for (size_t i = 0; i < HD_ARRAY_SIZE (sizes); i++) {
                uint64_t v = 0;
                int rc = policy_parse_size (sizes[i].text, &v);
                ok (sizes[i].want < 0 ? rc < 0 : rc == 0 && v == (uint64_t) sizes[i].want, "size \"%s\" %s",
                    sizes[i].text, sizes[i].want < 0 ? "refused" : "parsed");
        }
        for (size_t i = 0; i < HD_ARRAY_SIZE (millis); i++) {
                uint64_t v = 0;
                int rc = policy_parse_millis (millis[i].text, strlen (millis[i].text), &v);
                ok (millis[i].want < 0 ? rc < 0 : rc == 0 && v == (uint64_t) millis[i].want, "CPU count \"%s\" %s",
                    millis[i].text, millis[i].want < 0 ? "refused" : "parsed");
        }
}

static void
capabilities (void)
{
        int cap = -1;

        ok (caps_from_name ("CAP_NET_BIND_SERVICE", &cap) == 0 && cap == 10, "CAP_NET_BIND_SERVICE is 10");
        ok (caps_from_name ("CAP_SYS_ADMIN", &cap) == 0 && cap == 21, "CAP_SYS_ADMIN is 21");
        ok (caps_from_name ("cap_sys_admin", &cap) < 0, "lower case refused (libcap would accept it)");
        ok (caps_from_name ("21", &cap) < 0, "a number refused (libcap would accept it)");
        ok (caps_from_name ("CAP_SYS_ADMIN ", &cap) < 0, "trailing space refused");
        ok (caps_from_name ("CAP_SYS_ADMINX", &cap) < 0, "unknown name refused");
        ok (caps_last () >= 37 && caps_last () < 64, "cap_last_cap read from the kernel (%d)", caps_last ());
        /* every number the kernel has: libcap's own name for it, upper case,
         * is that number, and the number spelt CAP_N is no name */
        for (int v = 0; v <= caps_last (); v++) {
                char *name = cap_to_name ((cap_value_t) v), up[40] = "", digits[16];
                size_t i;
                for (i = 0; name && name[i] && i + 1 < sizeof up; i++)
                        up[i] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
                up[i] = '\0';
                cap_free (name);
                snprintf (digits, sizeof digits, "CAP_%d", v);
                ok (caps_from_name (up, &cap) == 0 && cap == v && caps_from_name (digits, &cap) < 0,
                    "%s is %d as libcap names it; %s is refused", up, v, digits);
        }
        ok (caps_from_name ("CAP_63", &cap) < 0 && caps_from_name ("CAP_", &cap) < 0, "CAP_63 and CAP_ refused");
}

/* The clean form the destination rule and allowMounts compare with. */
static void
clean_paths (void)
{
        static const struct {
                const char *path;
                bool clean;
        } paths[] = {
                { "/", true },
                { "/proc/sys", true },
                { "/a/..b", true },
                { "/.a", true },
                { "/a/...", true },
                { "", false },
                { "proc", false },
                { "/proc/", false },
                { "//proc", false },
                { "/proc//sys", false },
                { "/proc/./sys", false },
                { "/proc/.", false },
                { "/proc/..", false },
                { "/proc/../proc/sys", false },
                { "/.", false },
                { "/..", false },
        };

        for (size_t i = 0; i < HD_ARRAY_SIZE (paths); i++)
                ok (paths_clean (paths[i].path) == paths[i].clean, "\"%s\" is %sclean", paths[i].path,
                    paths[i].clean ? "" : "not ");
}

int
main (void)
{
        compiled_in ();
        shipped ();
        refusals ();
        grammars ();
        capabilities ();
        clean_paths ();
        return tap_done ();
}
