/* The image a container is made from (policy/image.c): what the engine
 * says it is, and image references normalised the way Docker does.
 *
 * Threat: the image's author writes its labels and the
 * org.opencontainers.image.* annotations, and any Docker or Podman user
 * writes the container's annotations, so neither ever names the image.
 * An identity comes only from the engine itself: containerd's CRI writes
 * io.kubernetes.cri.image-name after the pod's own annotations (counted
 * only where the policy's trustedAnnotations give the call's runc root
 * that key), CRI-O its io.kubernetes.cri-o.ImageName/ImageRef (the same,
 * with a trustedAnnotations entry for CRI-O's root), Docker its
 * root-owned <data-root>/containers/<id>/config.v2.json (read by the
 * shim, shim/docker_image.c), and `hardened policy check --image`. */
#ifndef HARDENED_IMAGE_H
#define HARDENED_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "hardened/json.h"

struct policy;
struct engine_subject;
struct cri_context;

enum image_source {
        IMAGE_UNKNOWN, /* nobody the policy trusts named the image */
        IMAGE_CRI,     /* containerd's CRI: io.kubernetes.cri.image-name */
        IMAGE_CRIO,    /* CRI-O: io.kubernetes.cri-o.ImageName / ImageRef */
        IMAGE_DOCKER,  /* Docker: containers/<id>/config.v2.json */
        IMAGE_CLI,     /* hardened policy check --image / --image-id */
};

#define IMAGE_NAME_MAX 256
#define IMAGE_ID_MAX 72 /* "sha256:" and 64 hex digits */

struct image_identity {
        enum image_source source;
        char name[IMAGE_NAME_MAX]; /* as the engine gives it, "" when not known */
        char id[IMAGE_ID_MAX];     /* content-addressed image ID (sha256:...), "" when not known */
        char digest[IMAGE_ID_MAX]; /* a repository digest (sha256:...), "" when not known */
};

/* "cri", "cri-o", "docker", "cli", or "unknown". */
const char *image_source_name (enum image_source s);

/* A reference, normalised as Docker's reference.ParseNormalizedNamed
 * does: no domain (the first component has no '.' or ':' and is not
 * "localhost") is docker.io, a single component is under library/,
 * index.docker.io is docker.io; the domain is lowercased (a host name),
 * the path must already be lowercase.  A reference with neither tag nor
 * digest gets the tag "latest" (Docker's TagNameOnly) unless `pattern`;
 * a pattern may also name a whole registry with a trailing '/'
 * ("registry.example:5000/"). */
struct image_ref {
        char domain[IMAGE_NAME_MAX];
        char path[IMAGE_NAME_MAX + 8]; /* "" only for a whole-registry pattern; library/ added */
        char tag[130];                 /* "" when none */
        char digest[IMAGE_ID_MAX];     /* "sha256:<64 hex>", "" when none */
};

/* 0, or -1 with why[] saying what is wrong with `text`. */
int image_ref_parse (const char *text, bool pattern, struct image_ref *out, char *why, size_t size);

/* "sha256:" and 64 lowercase hex digits? */
bool image_is_digest (const char *s);

/* Does the policy entry `pattern` (a reference pattern, or a bare
 * sha256: ID or digest) name the image?  A pattern without tag or digest
 * covers every tag and digest of its repository and of the repositories
 * below it, on '/' boundaries (registry.example/team covers
 * registry.example/team/app, never registry.example/team-evil); a tag or a
 * digest must be the image's own.  A bare sha256: entry matches the
 * image's ID or its repository digest. */
bool image_matches (const char *pattern, const struct image_identity *img);

/* The identity of the container `doc` describes: the subject's own
 * (Docker's file, the command line) when it has one; else containerd's
 * CRI image name from `cri` (engine_cri_context: trusted keys only); else
 * CRI-O's annotations where the policy trusts them under the subject's
 * root (engine_annotation_trusted); else source IMAGE_UNKNOWN.  A name
 * pinned by digest (NAME@sha256:...) also gives the digest. */
void image_identity_resolve (const struct policy *p, const struct json *doc, const struct engine_subject *s,
                             const struct cri_context *cri, struct image_identity *out);

#endif
