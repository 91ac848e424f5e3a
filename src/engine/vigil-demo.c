/* vigil-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-demo"

#include "config.h"

#include <errno.h>

#include "vigil-demo.h"
#include "vigil-features.h"
#include "vigil-store.h"
#include "vigil-trainer.h"
#include "vigil-hydraulic-generator.h"
#include "vigil-traffic-generator.h"

/* Written last: a rig without it was interrupted and is generated again. */
#define STAMP ".vigil-demo-complete"

char *
vigil_demo_get_dir (guint   n_cycles,
                    guint64 seed)
{
  g_autofree char *name = g_strdup_printf ("demo-rig-%u-seed%" G_GUINT64_FORMAT, n_cycles, seed);

  return g_build_filename (g_get_user_cache_dir (), "vigil", name, NULL);
}

gboolean
vigil_demo_ensure (const char    *dir,
                   guint          n_cycles,
                   guint64        seed,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *stamp = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);

  stamp = g_build_filename (dir, STAMP, NULL);
  if (g_file_test (stamp, G_FILE_TEST_EXISTS))
    return TRUE;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "Cannot create %s: %s",
                   dir, g_strerror (saved));
      return FALSE;
    }

  if (!vigil_hydraulic_generate (dir, n_cycles, seed, cancellable, error))
    return FALSE;

  return g_file_set_contents (stamp, "", 0, error);
}

char *
vigil_demo_get_cameras_dir (guint   n_cameras,
                            guint   n_frames,
                            guint64 seed)
{
  g_autofree char *name = g_strdup_printf ("demo-cameras-%u-%u-seed%" G_GUINT64_FORMAT,
                                           n_cameras, n_frames, seed);

  return g_build_filename (g_get_user_cache_dir (), "vigil", name, NULL);
}

gboolean
vigil_demo_ensure_cameras (const char    *dir,
                           guint          n_cameras,
                           guint          n_frames,
                           guint64        seed,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autofree char *stamp = NULL;
  VigilTrafficGeneratorParams params;

  g_return_val_if_fail (dir != NULL, FALSE);

  stamp = g_build_filename (dir, STAMP, NULL);
  if (g_file_test (stamp, G_FILE_TEST_EXISTS))
    return TRUE;

  vigil_traffic_generator_params_init (&params);
  params.n_cameras = n_cameras;
  params.n_frames = n_frames;
  params.width = VIGIL_DEMO_CAMERA_WIDTH;
  params.height = VIGIL_DEMO_CAMERA_HEIGHT;
  params.fps = VIGIL_DEMO_CAMERA_FPS;
  params.seed = seed;
  if (!vigil_traffic_generate (dir, &params, cancellable, error))
    return FALSE;

  return g_file_set_contents (stamp, "", 0, error);
}

/* A short rig keeps some components in one condition all along (the test plan changes the
 * cooler and the accumulator slowly): nothing to learn for those. */
static gboolean
has_two_classes (VigilFeatureTable *table,
                 VigilTarget        target)
{
  guint n = vigil_feature_table_get_n_rows (table);

  for (guint i = 1; i < n; i++)
    if (vigil_cycle_label_get (vigil_feature_table_get_label (table, i), target) !=
        vigil_cycle_label_get (vigil_feature_table_get_label (table, 0), target))
      return TRUE;

  return FALSE;
}

gboolean
vigil_demo_ensure_models (const char    *db_path,
                          guint          n_cycles,
                          guint64        seed,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(VigilStore) store = NULL;
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autofree char *dir = NULL;
  gboolean missing[VIGIL_N_TARGETS];
  guint n_missing = 0;

  g_return_val_if_fail (db_path != NULL, FALSE);

  store = vigil_store_open (db_path, error);
  if (store == NULL)
    return FALSE;

  for (guint t = 0; t < VIGIL_N_TARGETS; t++)
    {
      GError *local_error = NULL;
      gint64 id = vigil_store_get_alias (store, vigil_target_to_string ((VigilTarget) t),
                                         VIGIL_CHAMPION_ALIAS, &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      missing[t] = id == 0;
      n_missing += missing[t];
    }

  if (n_missing > 0)
    {
      g_autofree char *source = NULL;

      dir = vigil_demo_get_dir (n_cycles, seed + 1);
      if (!vigil_demo_ensure (dir, n_cycles, seed + 1, cancellable, error))
        return FALSE;
      table = vigil_feature_table_new_from_dataset (dir, cancellable, error);
      if (table == NULL)
        return FALSE;
      source = g_canonicalize_filename (dir, NULL);

      for (guint t = 0; t < VIGIL_N_TARGETS; t++)
        {
          g_autoptr(VigilTrainResult) result = NULL;
          VigilTrainRequest req;

          if (!missing[t] || !has_two_classes (table, (VigilTarget) t))
            continue;
          vigil_train_request_init (&req, (VigilTarget) t, VIGIL_ALGORITHM_RF);
          req.params.seed = seed;
          result = vigil_train (store, table, source, 0, 0, &req, NULL, NULL, cancellable,
                                error);
          if (result == NULL)
            return FALSE;
        }
    }

  return vigil_store_close (store, error);
}
