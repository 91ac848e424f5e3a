/* vigil-error.h
 *
 * The error domain of Vigil's engine: what went wrong, in words a person can act on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define VIGIL_ENGINE_ERROR (vigil_engine_error_quark ())

typedef enum
{
  VIGIL_ENGINE_ERROR_FAILED,       /* anything without a better code */
  VIGIL_ENGINE_ERROR_IO,           /* a file could not be opened, read or written */
  VIGIL_ENGINE_ERROR_PARSE,        /* input did not have the expected shape; message says where */
  VIGIL_ENGINE_ERROR_INVALID,      /* an argument or setting is out of range */
  VIGIL_ENGINE_ERROR_NOT_FOUND,    /* a named thing (sensor, session, file) does not exist */
  VIGIL_ENGINE_ERROR_STORE,        /* SQLite refused an operation */
  VIGIL_ENGINE_ERROR_SCHEMA,       /* a store file that is not Vigil's, or from a newer Vigil */
  VIGIL_ENGINE_ERROR_CANCELLED,    /* the operation was stopped on request */
} VigilEngineError;

GQuark vigil_engine_error_quark (void);

G_END_DECLS
