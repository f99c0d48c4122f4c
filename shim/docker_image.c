#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hardened/hostpath.h"
#include "hardened/rules.h"
#include "hardened/trust.h"
#include "hardened/util.h"

#include "docker_image.h"
#include "fileio.h"

/* The files Docker binds into every container it creates, by destination. */
static const char *const engine_binds[] = { "/etc/hostname", "/etc/hosts", "/etc/resolv.conf" };

static bool
is_engine_bind (const char *dest)
{
        for (size_t i = 0; i < HD_ARRAY_SIZE (engine_binds); i++)
                if (strcmp (dest, engine_binds[i]) == 0)
                        return true;
        return false;
}

/* The data root every engine bind of `config` agrees on, into root[]:
 * 1 found, 0 none (not Docker's layout), -1 two disagree. */
static int
data_root (const struct json *config, const char *id, char *root, size_t size)
{
        const struct json *mounts = json_get (config, "mounts");
        char clean[4096], one[4096];
        int found = 0;

        for (size_t i = 0; mounts && i < mounts->n; i++) {
                const struct json *dest = json_get (mounts->items[i], "destination");
                const struct json *src = json_get (mounts->items[i], "source");
                if (!dest || !src || dest->type != JSON_STRING || src->type != JSON_STRING || src->text[0] != '/'
                    || !is_engine_bind (dest->text))
                        continue;
                hostpath_clean (src->text, clean, sizeof clean);
                if (!engine_file_root (clean, id, one, sizeof one)
                    || strncmp (clean + strlen (one), "/containers/", 12) != 0)
                        continue;
                if (found && strcmp (one, root) != 0)
                        return -1;
                snprintf (root, size, "%s", one);
                found = 1;
        }
        return found;
}

static const char *
string_at (const struct json *doc, const char *a, const char *b)
{
        const struct json *v = b ? json_get (json_get (doc, a), b) : json_get (doc, a);

        return v && v->type == JSON_STRING ? v->text : NULL;
}

/* The few fields needed, each checked. */
static int
take_fields (const struct json *doc, const char *id, struct image_identity *out, char *why, size_t size)
{
        const char *file_id = string_at (doc, "ID", NULL);
        const char *image = string_at (doc, "Image", NULL);
        const char *name = string_at (doc, "Config", "Image");

        if (!file_id || strcmp (file_id, id) != 0)
                return snprintf (why, size, "\"ID\" is not %s", id), -1;
        if (!image || !image_is_digest (image))
                return snprintf (why, size, "\"Image\" is not a sha256: image ID"), -1;
        if (!name || strlen (name) >= sizeof out->name)
                return snprintf (why, size, "\"Config\".\"Image\" is not a string of at most %zu bytes",
                                 sizeof out->name - 1),
                       -1;
        out->source = IMAGE_DOCKER;
        snprintf (out->id, sizeof out->id, "%s", image);
        snprintf (out->name, sizeof out->name, "%s", name);
        return 0;
}

/* Read and parse <dir>/config.v2.json, held to the rules above. */
static int
read_file (const char *dir, const char *id, struct image_identity *out, char *why, size_t size)
{
        _cleanup_close_ int dirfd = -1;
        _cleanup_free_ char *data = NULL;
        _cleanup_json_ struct json *doc = NULL;
        struct hd_err err = { 0 };
        struct stat st;
        size_t len;

        if (trust_check_path (dir, &err) < 0 || (dirfd = fileio_open_dir (dir, &err)) < 0
            || fileio_read_at (dirfd, "config.v2.json", DOCKER_IMAGE_MAX_BYTES, &data, &len, &st, &err) < 0)
                return snprintf (why, size, "%s/config.v2.json: %s", dir, err.msg), -1;
        if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
                return snprintf (why, size, "%s/config.v2.json: not root's alone (uid %u, mode %04o)", dir,
                                 (unsigned) st.st_uid, (unsigned) (st.st_mode & 07777)),
                       -1;
        if (json_parse (data, len, &doc, &err) < 0 || doc->type != JSON_OBJECT)
                return snprintf (why, size, "%s/config.v2.json:%s", dir, doc ? " not an object" : err.msg), -1;
        if (take_fields (doc, id, out, why, size) < 0) {
                char what[512];
                snprintf (what, sizeof what, "%s", why);
                return snprintf (why, size, "%s/config.v2.json: %s", dir, what), -1;
        }
        return 0;
}

int
docker_image_identity (const struct json *config, const char *id, struct image_identity *out, char *why, size_t size)
{
        char root[4096], dir[4200];
        int found;

        memset (out, 0, sizeof *out);
        why[0] = '\0';
        if (!id || !id[0] || !(found = data_root (config, id, root, sizeof root)))
                return 0;
        if (found < 0)
                return snprintf (why, size, "Docker's bind sources for %s name two data roots", id), -1;
        snprintf (dir, sizeof dir, "%s/containers/%s", root, id);
        if (read_file (dir, id, out, why, size) < 0) {
                memset (out, 0, sizeof *out);
                return -1;
        }
        return 0;
}
