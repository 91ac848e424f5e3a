/* vigil-cli-models.h
 *
 * The health-model subcommands of vigil-cli: train, models, predict.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

int  _vigil_cli_train   (int argc, char **argv);
int  _vigil_cli_models  (int argc, char **argv);
int  _vigil_cli_predict (int argc, char **argv);

G_END_DECLS
