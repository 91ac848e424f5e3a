/* vigil-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "vigil-error.h"

G_DEFINE_QUARK (vigil-engine-error-quark, vigil_engine_error)
