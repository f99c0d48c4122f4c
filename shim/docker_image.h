/* The image of a container Docker creates (shim/docker_image.c).
 *
 * runc's config.json names no image, but dockerd has written
 * <data-root>/containers/<id>/config.v2.json before it calls the runtime:
 * "Image" is the content-addressed image ID, "Config"."Image" the name as
 * the user typed it.  The data root is found from Docker's own bind
 * sources for this container id (/etc/hostname, /etc/hosts,
 * /etc/resolv.conf under <data-root>/containers/<id>/: engine_file_root
 * in rules.h), which a user cannot aim at a file of their own without
 * knowing the id dockerd will pick.
 *
 * Threat: the file is the daemon's, but its content is the user's
 * (container names, labels, env); so it is read as untrusted input from a
 * trusted owner: the directory path and the file root's alone
 * (trust_check_path, owner uid 0), opened O_NOFOLLOW|O_CLOEXEC,
 * regular, at most DOCKER_IMAGE_MAX_BYTES, parsed strictly, its "ID" equal
 * to the id runc was given, "Image" a sha256: ID and "Config"."Image" a
 * string.  Nothing is cached: each create reads the file afresh. */
#ifndef HARDENED_DOCKER_IMAGE_H
#define HARDENED_DOCKER_IMAGE_H

#include <stddef.h>

#include "hardened/image.h"
#include "hardened/json.h"

#define DOCKER_IMAGE_MAX_BYTES (1u << 20)

/* Fill `out` (source IMAGE_DOCKER) for container `id` described by
 * `config`.  0: done, or not a Docker container (out->source stays
 * IMAGE_UNKNOWN, why[] ""); -1: a Docker layout whose file could not be
 * used, out unknown and why[] says which file and why. */
int docker_image_identity (const struct json *config, const char *id, struct image_identity *out, char *why,
                           size_t size);

#endif
