/* vigil-models-page.c
 *
 * Every read and write of the registry, and training, runs in a GTask thread on the page's
 * own store connection (the store locks its reads, and SQLite's busy timeout lets registry
 * writes wait for the replay's writer). Results come back to the main thread, where a source
 * that changed in the meantime makes them moot. The training thread posts its progress in
 * one place and wakes the main thread with at most one pending idle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-models"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <math.h>

#include "vigil-error.h"
#include "vigil-models-page.h"
#include "vigil-ui-util.h"
#include "vigil-window.h"

struct _VigilModelsPage
{
  GtkWidget             parent_instance;

  /* Owned */
  VigilPlayer          *player;
  char                 *db_path;         /* the open source's recording; NULL without one */
  char                 *dataset_dir;     /* the open dataset folder; NULL for a recording */
  VigilStore           *store;           /* of db_path, opened by the first refresh */
  GCancellable         *cancellable;     /* everything done for the open source */
  GCancellable         *train_cancellable;  /* the training under way, or NULL */
  GPtrArray            *models;          /* Summary, as listed */
  guint                 n_busy;          /* tasks under way */
  guint                 refresh_serial;
  guint                 details_serial;
  gint64                selected_id;
  gint64                select_after_refresh;
  char                 *train_error;
  gboolean              filling_list;
  gboolean              disposed;
  int                   last_folds;

  /* Guarded by progress_lock: the training's latest progress, for the main thread. */
  GMutex                progress_lock;
  VigilTrainPhase       progress_phase;
  guint                 progress_fold;
  guint                 progress_folds;
  double                progress_fraction;
  gboolean              progress_pending;

  /* Template widgets */
  GtkWidget            *root_box;
  GtkLabel             *count_label;
  GtkButton            *champion_button;
  GtkButton            *train_button;
  GtkStack             *content_stack;
  AdwStatusPage        *empty_page;
  GtkListBox           *model_list;
  GtkWidget            *details_box;
  AdwPreferencesGroup  *summary_group;
  AdwActionRow         *metrics_row;
  AdwActionRow         *recall_row;
  AdwActionRow         *cv_row;
  AdwActionRow         *params_row;
  AdwActionRow         *cycles_row;
  AdwActionRow         *source_row;
  VigilConfusionView   *confusion_view;
  VigilImportanceChart *importance_chart;
  GtkWindow            *train_window;
  GtkButton            *train_cancel_button;
  GtkButton            *train_start_button;
  GtkWidget            *train_form;
  AdwComboRow          *target_row;
  AdwComboRow          *algorithm_row;
  AdwActionRow         *trees_row;
  GtkSpinButton        *trees_spin;
  GtkSpinButton        *depth_spin;
  GtkSpinButton        *seed_spin;
  GtkSpinButton        *fraction_spin;
  GtkSpinButton        *folds_spin;
  GtkSwitch            *champion_switch;
  GtkProgressBar       *train_progress;
  GtkLabel             *train_status;
};

G_DEFINE_FINAL_TYPE (VigilModelsPage, vigil_models_page, GTK_TYPE_WIDGET)

/* A listed model, as its row shows it. */
typedef struct
{
  gint64    id;
  char     *target;
  char     *algorithm;
  guint     n_trees;
  double    accuracy;   /* NAN when the metrics do not parse */
  double    macro_f1;
  gint64    created_us;
  gboolean  champion;
} Summary;

static void
summary_free (gpointer data)
{
  Summary *s = data;

  g_free (s->target);
  g_free (s->algorithm);
  g_free (s);
}

static const char *
target_name (const char *target)
{
  VigilTarget t;

  if (!vigil_target_from_string (target, &t))
    return target;

  switch (t)
    {
    case VIGIL_TARGET_COOLER:
      return _("Cooler");
    case VIGIL_TARGET_VALVE:
      return _("Valve");
    case VIGIL_TARGET_PUMP:
      return _("Pump leakage");
    case VIGIL_TARGET_ACCUMULATOR:
      return _("Accumulator");
    case VIGIL_TARGET_STABLE:
      return _("Stable flag");
    case VIGIL_N_TARGETS:
    default:
      return target;
    }
}

static const char *
algorithm_name (const char *algorithm)
{
  if (g_strcmp0 (algorithm, "rf") == 0)
    return _("Random forest");
  if (g_strcmp0 (algorithm, "gbt") == 0)
    return _("Gradient boosting");
  if (g_strcmp0 (algorithm, "et") == 0)
    return _("Extra trees");
  return algorithm;
}

/* The algorithm row lists random forest, gradient boosting and extra trees, in that order. */
static VigilAlgorithm
selected_algorithm (VigilModelsPage *self)
{
  switch (adw_combo_row_get_selected (self->algorithm_row))
    {
    case 1:
      return VIGIL_ALGORITHM_GBT;
    case 2:
      return VIGIL_ALGORITHM_ET;
    default:
      return VIGIL_ALGORITHM_RF;
    }
}

static char *
format_percent (double value)
{
  if (isnan (value))
    return g_strdup ("—");
  /* Translators: a share, e.g. "97.5 %". */
  return g_strdup_printf (_("%.1f %%"), value * 100);
}

static gboolean
has_alias (const char *aliases,
           const char *alias)
{
  g_auto(GStrv) names = g_strsplit (aliases != NULL ? aliases : "", ",", -1);

  return g_strv_contains ((const char * const *) names, alias);
}

static void
toast (VigilModelsPage *self,
       const char      *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (VIGIL_IS_WINDOW (root))
    vigil_window_toast (VIGIL_WINDOW (root), message);
}

static void
task_done (VigilModelsPage *self)
{
  g_assert (self->n_busy > 0);
  self->n_busy--;
}

/* Actions' sensitivity ------------------------------------------------------------------------ */

static Summary *
find_summary (VigilModelsPage *self,
              gint64           id)
{
  for (guint i = 0; self->models != NULL && i < self->models->len; i++)
    {
      Summary *s = g_ptr_array_index (self->models, i);

      if (s->id == id)
        return s;
    }

  return NULL;
}

static void
update_buttons (VigilModelsPage *self)
{
  Summary *selected = find_summary (self, self->selected_id);
  gboolean writable = self->dataset_dir != NULL && self->store != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->champion_button),
                            writable && selected != NULL && !selected->champion);
  gtk_widget_set_sensitive (GTK_WIDGET (self->train_button),
                            writable && self->train_cancellable == NULL);
  if (self->db_path != NULL && self->dataset_dir == NULL)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->train_button),
                                 _("A recording is read-only: open its dataset folder to train "
                                   "models"));
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->train_button),
                                 _("Train a model on the open dataset"));
}

/* The list ------------------------------------------------------------------------------------- */

static GtkWidget *
model_row_new (const Summary *s)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *created = vigil_ui_format_time (s->created_us);
  g_autofree char *accuracy = format_percent (s->accuracy);
  g_autofree char *macro_f1 = format_percent (s->macro_f1);
  g_autofree char *title = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, s->id);
  /* Translators: a model's subtitle: its id, test accuracy, macro F1 and when it was
   * trained, e.g. "#3 · accuracy 97.5 % · macro F1 96.0 % · 2026-01-01 10:00:00". */
  g_autofree char *subtitle = g_strdup_printf (_("#%s · accuracy %s · macro F1 %s · %s"), id,
                                               accuracy, macro_f1, created);

  if (g_strcmp0 (s->algorithm, "gbt") == 0)
    /* Translators: a model in the list, e.g. "Valve · Gradient boosting, 100 rounds". */
    title = g_strdup_printf (ngettext ("%s · %s, %u round", "%s · %s, %u rounds", s->n_trees),
                             target_name (s->target), algorithm_name (s->algorithm), s->n_trees);
  else
    /* Translators: a model in the list, e.g. "Valve · Random forest, 20 trees". */
    title = g_strdup_printf (ngettext ("%s · %s, %u tree", "%s · %s, %u trees", s->n_trees),
                             target_name (s->target), algorithm_name (s->algorithm), s->n_trees);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (s->champion)
    {
      GtkWidget *badge = gtk_label_new (_("Champion"));

      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (badge, "vigil-champion-badge");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
    }
  g_object_set_data_full (G_OBJECT (row), "vigil-model-id",
                          g_memdup2 (&s->id, sizeof s->id), g_free);

  return row;
}

static gint64
row_model_id (GtkListBoxRow *row)
{
  gint64 *id = row != NULL ? g_object_get_data (G_OBJECT (row), "vigil-model-id") : NULL;

  return id != NULL ? *id : 0;
}

static void
clear_details (VigilModelsPage *self)
{
  adw_preferences_group_set_title (self->summary_group, "");
  adw_action_row_set_subtitle (self->metrics_row, "");
  adw_action_row_set_subtitle (self->recall_row, "");
  adw_action_row_set_subtitle (self->cv_row, "");
  adw_action_row_set_subtitle (self->params_row, "");
  adw_action_row_set_subtitle (self->cycles_row, "");
  adw_action_row_set_subtitle (self->source_row, "");
  vigil_confusion_view_set_metrics (self->confusion_view, NULL);
  vigil_importance_chart_set_values (self->importance_chart, NULL, NULL, 0);
}

static void
update_empty_state (VigilModelsPage *self)
{
  gboolean empty = self->models == NULL || self->models->len == 0;

  if (self->db_path == NULL)
    adw_status_page_set_description (self->empty_page, _("Open a dataset to train models."));
  else if (self->dataset_dir == NULL)
    adw_status_page_set_description (self->empty_page,
                                     _("This recording has no trained models. Open its dataset "
                                       "folder to train one."));
  else
    adw_status_page_set_description (self->empty_page,
                                     _("Train a model to predict a component's condition from "
                                       "each cycle's sensor data."));

  gtk_stack_set_visible_child_name (self->content_stack, empty ? "empty" : "models");
  if (empty)
    gtk_label_set_text (self->count_label, "");
  else
    {
      g_autofree char *text = g_strdup_printf (ngettext ("%u model", "%u models",
                                                         self->models->len),
                                               self->models->len);

      gtk_label_set_text (self->count_label, text);
    }
}

static void
fill_list (VigilModelsPage *self)
{
  GtkWidget *child;
  GtkListBoxRow *to_select = NULL;
  gint64 want = self->select_after_refresh != 0 ? self->select_after_refresh
                                                 : self->selected_id;

  self->filling_list = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->model_list))) != NULL)
    gtk_list_box_remove (self->model_list, child);

  for (guint i = 0; self->models != NULL && i < self->models->len; i++)
    {
      Summary *s = g_ptr_array_index (self->models, i);
      GtkWidget *row = model_row_new (s);

      gtk_list_box_append (self->model_list, row);
      if (s->id == want || to_select == NULL)
        to_select = GTK_LIST_BOX_ROW (row);
      if (s->id == want)
        want = G_MININT64;
    }
  self->filling_list = FALSE;
  self->select_after_refresh = 0;

  update_empty_state (self);
  if (to_select != NULL)
    gtk_list_box_select_row (self->model_list, to_select);
  else
    {
      self->selected_id = 0;
      clear_details (self);
    }
  update_buttons (self);
}

/* Refresh ---------------------------------------------------------------------------------- */

typedef struct
{
  char       *db_path;
  gboolean    writable;
  VigilStore *store;
  GPtrArray  *models;
} RefreshData;

static void
refresh_data_free (gpointer data)
{
  RefreshData *d = data;

  g_free (d->db_path);
  g_clear_object (&d->store);
  g_clear_pointer (&d->models, g_ptr_array_unref);
  g_free (d);
}

static Summary *
summarize (const VigilModelRecord *r)
{
  Summary *s = g_new0 (Summary, 1);
  VigilMetrics metrics;
  VigilModelParams params;

  s->id = r->id;
  s->target = g_strdup (r->target);
  s->algorithm = g_strdup (r->algorithm);
  s->created_us = r->created_us;
  s->champion = has_alias (r->aliases, VIGIL_CHAMPION_ALIAS);
  s->accuracy = s->macro_f1 = NAN;
  if (vigil_train_metrics_from_json (r->metrics_json, &metrics, NULL, NULL, NULL, NULL))
    {
      s->accuracy = metrics.accuracy;
      s->macro_f1 = metrics.macro_f1;
    }
  if (vigil_train_params_from_json (r->params_json, &params, NULL))
    s->n_trees = params.n_trees;

  return s;
}

static void
refresh_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RefreshData *d = task_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  if (d->store == NULL)
    d->store = d->writable ? vigil_store_open (d->db_path, &error)
                           : vigil_store_open_readonly (d->db_path, &error);
  if (d->store != NULL)
    records = vigil_store_list_models (d->store, &error);
  if (records == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  d->models = g_ptr_array_new_with_free_func (summary_free);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (d->models, summarize (g_ptr_array_index (records, i)));
  g_task_return_boolean (task, TRUE);
}

static void
refresh_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VigilModelsPage *self = VIGIL_MODELS_PAGE (source);
  RefreshData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  guint serial = GPOINTER_TO_UINT (user_data);

  task_done (self);
  if (self->disposed)
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          g_strcmp0 (d->db_path, self->db_path) == 0)
        toast (self, error->message);
      return;
    }
  /* A source opened since, or a newer refresh, makes this one moot. */
  if (g_strcmp0 (d->db_path, self->db_path) != 0 || serial != self->refresh_serial)
    return;

  if (self->store == NULL)
    self->store = g_steal_pointer (&d->store);
  g_clear_pointer (&self->models, g_ptr_array_unref);
  self->models = g_steal_pointer (&d->models);
  fill_list (self);
}

void
vigil_models_page_refresh (VigilModelsPage *self)
{
  g_autoptr(GTask) task = NULL;
  RefreshData *d;

  g_return_if_fail (VIGIL_IS_MODELS_PAGE (self));

  if (self->db_path == NULL)
    return;

  d = g_new0 (RefreshData, 1);
  d->db_path = g_strdup (self->db_path);
  d->writable = self->dataset_dir != NULL;
  d->store = self->store != NULL ? g_object_ref (self->store) : NULL;

  self->n_busy++;
  task = g_task_new (self, self->cancellable, refresh_done,
                     GUINT_TO_POINTER (++self->refresh_serial));
  g_task_set_source_tag (task, vigil_models_page_refresh);
  g_task_set_task_data (task, d, refresh_data_free);
  g_task_run_in_thread (task, refresh_thread);
}

/* Details ---------------------------------------------------------------------------------- */

typedef struct
{
  VigilStore        *store;
  gint64             id;
  VigilModelRecord  *record;
  VigilMetrics       metrics;
  guint              folds;
  double             cv_mean;
  double             cv_std;
  VigilModelParams   params;
  char             **names;
  float             *importance;
  guint              n_features;
} Details;

static void
details_free (gpointer data)
{
  Details *d = data;

  g_clear_object (&d->store);
  g_clear_pointer (&d->record, vigil_model_record_free);
  g_strfreev (d->names);
  g_free (d->importance);
  g_free (d);
}

static void
details_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Details *d = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilModel) model = NULL;

  d->record = vigil_store_get_model (d->store, d->id, &error);
  if (d->record == NULL ||
      !vigil_train_metrics_from_json (d->record->metrics_json, &d->metrics, &d->folds,
                                      &d->cv_mean, &d->cv_std, &error) ||
      !vigil_train_params_from_json (d->record->params_json, &d->params, &error) ||
      (d->names = vigil_train_features_from_json (d->record->features_json, &error)) == NULL ||
      (model = vigil_model_load (d->record->model, &error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  d->n_features = vigil_model_get_n_features (model);
  if (d->n_features != g_strv_length (d->names))
    {
      g_task_return_new_error (task, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                               "Model %" G_GINT64_FORMAT " lists %u features but takes %u",
                               d->id, g_strv_length (d->names), d->n_features);
      return;
    }
  d->importance = g_new0 (float, MAX (d->n_features, 1));
  if (!vigil_model_get_importance (model, d->importance, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
show_details (VigilModelsPage *self,
              Details         *d)
{
  const VigilModelRecord *r = d->record;
  g_autoptr(GString) recall = g_string_new (NULL);
  g_autofree char *accuracy = format_percent (d->metrics.accuracy);
  g_autofree char *macro_f1 = format_percent (d->metrics.macro_f1);
  g_autofree char *title = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *cv = NULL;
  g_autofree char *params = NULL;
  g_autofree char *cycles = NULL;
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, r->id);
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, d->params.seed);

  /* Translators: the heading of a model's details, e.g. "Model #3: Valve". */
  title = g_strdup_printf (_("Model #%s: %s"), id, target_name (r->target));
  /* Translators: a model's test metrics, e.g. "Accuracy 97.5 %, macro F1 96.0 %". */
  metrics = g_strdup_printf (_("Accuracy %s, macro F1 %s"), accuracy, macro_f1);
  for (guint i = 0; i < d->metrics.n_classes; i++)
    {
      g_autofree char *share = format_percent (d->metrics.recall[i]);

      g_string_append_printf (recall, "%s%d: %s", i > 0 ? " · " : "", d->metrics.classes[i],
                              share);
    }
  if (d->folds > 0)
    {
      g_autofree char *mean = format_percent (d->cv_mean);
      g_autofree char *std = format_percent (d->cv_std);

      /* Translators: cross-validated accuracy, e.g. "97.5 % ± 1.2 % over 5 folds". */
      cv = g_strdup_printf (ngettext ("%s ± %s over %u fold", "%s ± %s over %u folds", d->folds),
                            mean, std, d->folds);
    }
  else
    cv = g_strdup (_("Not done"));
  if (d->params.algorithm == VIGIL_ALGORITHM_GBT)
    /* Translators: gradient boosting's parameters. */
    params = g_strdup_printf (_("Gradient boosting: %u rounds, depth %u, learning rate %g, "
                                "seed %s"),
                              d->params.n_trees, d->params.max_depth, d->params.learning_rate,
                              seed);
  else if (d->params.algorithm == VIGIL_ALGORITHM_ET)
    {
      g_autofree char *depth = d->params.max_depth > 0
                               ? g_strdup_printf ("%u", d->params.max_depth)
                               : g_strdup (_("unlimited"));
      g_autofree char *mtry = d->params.mtry > 0 ? g_strdup_printf ("%u", d->params.mtry)
                                                 : g_strdup (_("all"));

      /* Translators: extra trees' parameters, e.g. "Extra trees: 100 trees, depth unlimited,
       * features per split all, seed 0". */
      params = g_strdup_printf (_("Extra trees: %u trees, depth %s, features per split %s, "
                                  "seed %s"),
                                d->params.n_trees, depth, mtry, seed);
    }
  else
    /* Translators: a random forest's parameters. */
    params = g_strdup_printf (_("Random forest: %u trees, depth %u, row sample %g, seed %s"),
                              d->params.n_trees, d->params.max_depth, d->params.subsample,
                              seed);
  /* Translators: how many cycles a model learnt from and was tested on, and its features. */
  cycles = g_strdup_printf (_("%u for training, %u for testing, %u features"),
                            (guint) r->n_train, (guint) r->n_test, d->n_features);

  adw_preferences_group_set_title (self->summary_group, title);
  adw_action_row_set_subtitle (self->metrics_row, metrics);
  adw_action_row_set_subtitle (self->recall_row, recall->str);
  adw_action_row_set_subtitle (self->cv_row, cv);
  adw_action_row_set_subtitle (self->params_row, params);
  adw_action_row_set_subtitle (self->cycles_row, cycles);
  adw_action_row_set_subtitle (self->source_row, r->data_source);
  vigil_confusion_view_set_metrics (self->confusion_view, &d->metrics);
  vigil_importance_chart_set_values (self->importance_chart, d->importance,
                                     (const char * const *) d->names, d->n_features);
}

static void
details_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  VigilModelsPage *self = VIGIL_MODELS_PAGE (source);
  Details *d = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  task_done (self);
  if (self->disposed)
    return;
  if (GPOINTER_TO_UINT (user_data) != self->details_serial || d->store != self->store)
    return;

  if (!ok)
    {
      clear_details (self);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }

  show_details (self, d);
}

static void
load_details (VigilModelsPage *self)
{
  g_autoptr(GTask) task = NULL;
  Details *d;

  self->details_serial++;
  if (self->selected_id == 0 || self->store == NULL)
    {
      clear_details (self);
      return;
    }

  d = g_new0 (Details, 1);
  d->store = g_object_ref (self->store);
  d->id = self->selected_id;

  self->n_busy++;
  task = g_task_new (self, self->cancellable, details_done,
                     GUINT_TO_POINTER (self->details_serial));
  g_task_set_source_tag (task, load_details);
  g_task_set_task_data (task, d, details_free);
  g_task_run_in_thread (task, details_thread);
}

static void
on_model_selected (VigilModelsPage *self,
                   GtkListBoxRow   *row)
{
  /* Rows come and go while the list is refilled; fill_list() selects when it is done. */
  if (self->filling_list)
    return;

  self->selected_id = row_model_id (row);
  update_buttons (self);
  load_details (self);
}

/* Champion ------------------------------------------------------------------------------------- */

typedef struct
{
  VigilStore *store;
  char       *target;
  gint64      id;
} ChampionData;

static void
champion_data_free (gpointer data)
{
  ChampionData *c = data;

  g_clear_object (&c->store);
  g_free (c->target);
  g_free (c);
}

static void
champion_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  ChampionData *c = task_data;
  GError *error = NULL;

  if (vigil_store_set_alias (c->store, c->target, VIGIL_CHAMPION_ALIAS, c->id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
champion_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  VigilModelsPage *self = VIGIL_MODELS_PAGE (source);
  ChampionData *c = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *id = NULL;

  task_done (self);
  if (self->disposed)
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }

  /* Translators: e.g. "Model #3 now predicts Valve live". */
  id = g_strdup_printf ("%" G_GINT64_FORMAT, c->id);
  message = g_strdup_printf (_("Model #%s now predicts %s live"), id, target_name (c->target));
  toast (self, message);
  if (c->store == self->store)
    vigil_models_page_refresh (self);
}

void
vigil_models_page_make_champion (VigilModelsPage *self)
{
  g_autoptr(GTask) task = NULL;
  Summary *selected;
  ChampionData *c;

  g_return_if_fail (VIGIL_IS_MODELS_PAGE (self));

  selected = find_summary (self, self->selected_id);
  if (selected == NULL || self->store == NULL || self->dataset_dir == NULL)
    return;

  c = g_new0 (ChampionData, 1);
  c->store = g_object_ref (self->store);
  c->target = g_strdup (selected->target);
  c->id = selected->id;

  self->n_busy++;
  task = g_task_new (self, self->cancellable, champion_done, NULL);
  g_task_set_source_tag (task, vigil_models_page_make_champion);
  g_task_set_task_data (task, c, champion_data_free);
  g_task_run_in_thread (task, champion_thread);
}

static void
on_champion_clicked (VigilModelsPage *self)
{
  vigil_models_page_make_champion (self);
}

/* Training --------------------------------------------------------------------------------- */

typedef struct
{
  VigilStore        *store;
  char              *dataset_dir;
  VigilTrainRequest  req;
} TrainData;

static void
train_data_free (gpointer data)
{
  TrainData *t = data;

  g_clear_object (&t->store);
  g_free (t->dataset_dir);
  g_free (t);
}

static char *
phase_text (VigilTrainPhase phase,
            guint           fold,
            guint           n_folds)
{
  switch (phase)
    {
    case VIGIL_TRAIN_PHASE_SPLITTING:
      return g_strdup (_("Splitting the cycles…"));
    case VIGIL_TRAIN_PHASE_TRAINING:
      return g_strdup (_("Training…"));
    case VIGIL_TRAIN_PHASE_TESTING:
      return g_strdup (_("Testing…"));
    case VIGIL_TRAIN_PHASE_CROSS_VALIDATING:
      /* Translators: e.g. "Cross-validating: fold 2 of 5…". */
      return g_strdup_printf (_("Cross-validating: fold %u of %u…"), fold, n_folds);
    case VIGIL_TRAIN_PHASE_REGISTERING:
      return g_strdup (_("Registering…"));
    case VIGIL_TRAIN_PHASE_DONE:
    default:
      return g_strdup (_("Done"));
    }
}

static gboolean
show_progress (gpointer data)
{
  VigilModelsPage *self = data;
  g_autofree char *text = NULL;
  double fraction;

  g_mutex_lock (&self->progress_lock);
  self->progress_pending = FALSE;
  fraction = self->progress_fraction;
  text = phase_text (self->progress_phase, self->progress_fold, self->progress_folds);
  g_mutex_unlock (&self->progress_lock);

  if (!self->disposed && self->train_cancellable != NULL)
    {
      gtk_progress_bar_set_fraction (self->train_progress, fraction);
      gtk_progress_bar_set_text (self->train_progress, text);
    }

  return G_SOURCE_REMOVE;
}

/* On the training thread. */
static void
post_progress (VigilTrainPhase phase,
               guint           fold,
               guint           n_folds,
               double          fraction,
               gpointer        user_data)
{
  VigilModelsPage *self = user_data;

  g_mutex_lock (&self->progress_lock);
  self->progress_phase = phase;
  self->progress_fold = fold;
  self->progress_folds = n_folds;
  self->progress_fraction = fraction;
  if (!self->progress_pending)
    {
      self->progress_pending = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_progress, g_object_ref (self),
                       g_object_unref);
    }
  g_mutex_unlock (&self->progress_lock);
}

static void
train_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  TrainData *t = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilFeatureTable) table = NULL;
  g_autofree char *data_source = g_canonicalize_filename (t->dataset_dir, NULL);
  VigilTrainResult *result;

  table = vigil_feature_table_new_from_dataset (t->dataset_dir, cancellable, &error);
  if (table == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = vigil_train (t->store, table, data_source, 0, 0, &t->req, post_progress,
                        source_object, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) vigil_train_result_free);
}

static void
set_training (VigilModelsPage *self,
              gboolean         training)
{
  gtk_widget_set_sensitive (self->train_form, !training);
  gtk_widget_set_sensitive (GTK_WIDGET (self->train_start_button), !training);
  if (!training)
    g_clear_object (&self->train_cancellable);
  update_buttons (self);
}

static void
show_train_error (VigilModelsPage *self,
                  const char      *message)
{
  g_free (self->train_error);
  self->train_error = g_strdup (message);
  gtk_label_set_text (self->train_status, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->train_status), message != NULL);
}

static void
train_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  VigilModelsPage *self = VIGIL_MODELS_PAGE (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(VigilTrainResult) trained = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *accuracy = NULL;
  g_autofree char *message = NULL;
  g_autofree char *id = NULL;

  task_done (self);
  if (self->disposed)
    return;
  set_training (self, FALSE);
  gtk_progress_bar_set_fraction (self->train_progress, 0);

  if (trained == NULL)
    {
      if (g_error_matches (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_progress_bar_set_text (self->train_progress, _("Cancelled"));
      else
        {
          gtk_progress_bar_set_text (self->train_progress, _("Failed"));
          show_train_error (self, error->message);
        }
      return;
    }

  gtk_progress_bar_set_text (self->train_progress, "");
  gtk_widget_set_visible (GTK_WIDGET (self->train_window), FALSE);
  accuracy = format_percent (trained->metrics.accuracy);
  /* Translators: e.g. "Model #3 trained: 97.5 % accurate on the test cycles". */
  id = g_strdup_printf ("%" G_GINT64_FORMAT, trained->model_id);
  message = g_strdup_printf (_("Model #%s trained: %s accurate on the test cycles"), id,
                             accuracy);
  toast (self, message);
  self->select_after_refresh = trained->model_id;
  vigil_models_page_refresh (self);
}

static void
read_request (VigilModelsPage   *self,
              VigilTrainRequest *req)
{
  guint target = adw_combo_row_get_selected (self->target_row);
  VigilAlgorithm algorithm = selected_algorithm (self);

  vigil_train_request_init (req, MIN (target, VIGIL_N_TARGETS - 1), algorithm);
  req->params.n_trees = (guint) gtk_spin_button_get_value_as_int (self->trees_spin);
  req->params.max_depth = (guint) gtk_spin_button_get_value_as_int (self->depth_spin);
  req->params.seed = (guint64) gtk_spin_button_get_value_as_int (self->seed_spin);
  req->test_fraction = gtk_spin_button_get_value (self->fraction_spin);
  req->folds = (guint) gtk_spin_button_get_value_as_int (self->folds_spin);
  req->make_champion = gtk_switch_get_active (self->champion_switch);
}

void
vigil_models_page_start_training (VigilModelsPage *self)
{
  g_autoptr(GTask) task = NULL;
  TrainData *t;

  g_return_if_fail (VIGIL_IS_MODELS_PAGE (self));

  if (self->train_cancellable != NULL || self->store == NULL || self->dataset_dir == NULL)
    return;

  t = g_new0 (TrainData, 1);
  t->store = g_object_ref (self->store);
  t->dataset_dir = g_strdup (self->dataset_dir);
  read_request (self, &t->req);

  show_train_error (self, NULL);
  self->train_cancellable = g_cancellable_new ();
  /* Closing the source stops the training too. */
  g_signal_connect_object (self->cancellable, "cancelled", G_CALLBACK (g_cancellable_cancel),
                           self->train_cancellable, G_CONNECT_SWAPPED);
  set_training (self, TRUE);
  gtk_progress_bar_set_fraction (self->train_progress, 0);
  gtk_progress_bar_set_text (self->train_progress, _("Computing the cycles' features…"));

  self->n_busy++;
  task = g_task_new (self, self->train_cancellable, train_done, NULL);
  g_task_set_source_tag (task, vigil_models_page_start_training);
  g_task_set_task_data (task, t, train_data_free);
  g_task_run_in_thread (task, train_thread);
}

static void
on_train_start_clicked (VigilModelsPage *self)
{
  vigil_models_page_start_training (self);
}

static void
on_train_cancel_clicked (VigilModelsPage *self)
{
  if (self->train_cancellable != NULL)
    g_cancellable_cancel (self->train_cancellable);
  else
    gtk_widget_set_visible (GTK_WIDGET (self->train_window), FALSE);
}

static gboolean
on_train_close_request (VigilModelsPage *self)
{
  /* Closing the dialog gives up the training, as Cancel does. */
  if (self->train_cancellable != NULL)
    g_cancellable_cancel (self->train_cancellable);

  return FALSE;
}

static void
on_algorithm_changed (VigilModelsPage *self)
{
  VigilModelParams params;
  gboolean gbt = selected_algorithm (self) == VIGIL_ALGORITHM_GBT;

  vigil_model_params_init (&params, selected_algorithm (self));
  gtk_spin_button_set_value (self->trees_spin, params.n_trees);
  gtk_spin_button_set_value (self->depth_spin, params.max_depth);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->trees_row),
                                 gbt ? _("Boosting _Rounds") : _("T_rees"));
}

static void
on_folds_changed (VigilModelsPage *self)
{
  int folds = gtk_spin_button_get_value_as_int (self->folds_spin);

  /* One fold is no cross-validation: the spin steps from none straight to two and back. */
  if (folds == 1)
    {
      folds = self->last_folds == 0 ? 2 : 0;
      gtk_spin_button_set_value (self->folds_spin, folds);
    }
  self->last_folds = folds;
}

GtkWindow *
vigil_models_page_show_train_dialog (VigilModelsPage *self)
{
  GtkRoot *root;

  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  gtk_window_set_transient_for (self->train_window, GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                         : NULL);
  if (self->train_cancellable == NULL)
    {
      show_train_error (self, NULL);
      gtk_progress_bar_set_fraction (self->train_progress, 0);
      gtk_progress_bar_set_text (self->train_progress, "");
    }
  gtk_window_present (self->train_window);

  return self->train_window;
}

static void
on_train_clicked (VigilModelsPage *self)
{
  vigil_models_page_show_train_dialog (self);
}

void
vigil_models_page_set_train_request (VigilModelsPage         *self,
                                     const VigilTrainRequest *req)
{
  g_return_if_fail (VIGIL_IS_MODELS_PAGE (self));
  g_return_if_fail (req != NULL);

  adw_combo_row_set_selected (self->target_row, req->target);
  adw_combo_row_set_selected (self->algorithm_row,
                              req->params.algorithm == VIGIL_ALGORITHM_GBT  ? 1
                              : req->params.algorithm == VIGIL_ALGORITHM_ET ? 2 : 0);
  gtk_spin_button_set_value (self->trees_spin, req->params.n_trees);
  gtk_spin_button_set_value (self->depth_spin, req->params.max_depth);
  gtk_spin_button_set_value (self->seed_spin, (double) req->params.seed);
  gtk_spin_button_set_value (self->fraction_spin, req->test_fraction);
  gtk_spin_button_set_value (self->folds_spin, req->folds);
  gtk_switch_set_active (self->champion_switch, req->make_champion);
}

const char *
vigil_models_page_get_train_error (VigilModelsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), NULL);

  return self->train_error;
}

/* The source ------------------------------------------------------------------------------- */

static void
on_source_changed (VigilModelsPage *self)
{
  const char *db_path = self->player != NULL ? vigil_player_get_db_path (self->player) : NULL;
  gboolean dataset = self->player != NULL &&
                     vigil_player_get_kind (self->player) == VIGIL_SOURCE_DATASET;

  if (g_strcmp0 (db_path, self->db_path) == 0 &&
      (self->dataset_dir != NULL) == dataset)
    return;

  /* What was under way for the old source goes with it. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->train_window != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->train_window), FALSE);

  g_clear_object (&self->store);
  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  g_free (self->dataset_dir);
  self->dataset_dir = dataset ? g_strdup (vigil_player_get_source (self->player)) : NULL;
  self->selected_id = 0;
  self->select_after_refresh = 0;

  fill_list (self);
  vigil_models_page_refresh (self);
}

void
vigil_models_page_set_player (VigilModelsPage *self,
                              VigilPlayer     *player)
{
  g_return_if_fail (VIGIL_IS_MODELS_PAGE (self));

  if (self->player != NULL)
    g_signal_handlers_disconnect_by_data (self->player, self);
  g_set_object (&self->player, player);
  if (player != NULL)
    {
      g_signal_connect_object (player, "notify::source", G_CALLBACK (on_source_changed), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (player, "notify::state", G_CALLBACK (on_source_changed), self,
                               G_CONNECT_SWAPPED);
    }
  on_source_changed (self);
}

/* GObject ---------------------------------------------------------------------------------- */

static void
vigil_models_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (vigil_models_page_parent_class)->map (widget);

  /* The CLI may have trained models since the page was last shown. */
  vigil_models_page_refresh (VIGIL_MODELS_PAGE (widget));
}

static void
vigil_models_page_dispose (GObject *object)
{
  VigilModelsPage *self = VIGIL_MODELS_PAGE (object);

  /* Tasks still running come back to a page without widgets: they look at this first. */
  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->train_window != NULL)
    gtk_window_destroy (self->train_window);
  g_clear_object (&self->player);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), VIGIL_TYPE_MODELS_PAGE);

  G_OBJECT_CLASS (vigil_models_page_parent_class)->dispose (object);
}

static void
vigil_models_page_finalize (GObject *object)
{
  VigilModelsPage *self = VIGIL_MODELS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->train_cancellable);
  g_clear_pointer (&self->models, g_ptr_array_unref);
  g_free (self->db_path);
  g_free (self->dataset_dir);
  g_free (self->train_error);
  g_mutex_clear (&self->progress_lock);

  G_OBJECT_CLASS (vigil_models_page_parent_class)->finalize (object);
}

static void
vigil_models_page_class_init (VigilModelsPageClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = vigil_models_page_dispose;
  G_OBJECT_CLASS (klass)->finalize = vigil_models_page_finalize;
  widget_class->map = vigil_models_page_map;

  g_type_ensure (VIGIL_TYPE_CONFUSION_VIEW);
  g_type_ensure (VIGIL_TYPE_IMPORTANCE_CHART);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/vigilmonitor/Vigil/ui/"
                                               "vigil-models-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, root_box);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, champion_button);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, train_button);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, content_stack);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, model_list);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, details_box);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, summary_group);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, metrics_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, recall_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, cv_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, params_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, cycles_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, source_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, confusion_view);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, importance_chart);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, train_window);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, train_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, train_start_button);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, train_form);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, target_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, algorithm_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, trees_row);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, trees_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, depth_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, seed_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, fraction_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, folds_spin);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, champion_switch);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, train_progress);
  gtk_widget_class_bind_template_child (widget_class, VigilModelsPage, train_status);
  gtk_widget_class_bind_template_callback (widget_class, on_champion_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_train_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_model_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_train_close_request);
  gtk_widget_class_bind_template_callback (widget_class, on_train_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_train_start_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_algorithm_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_folds_changed);
}

static void
vigil_models_page_init (VigilModelsPage *self)
{
  g_mutex_init (&self->progress_lock);
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  /* Escape closes the dialog, as a dialog's does. */
  {
    GtkEventController *shortcuts = gtk_shortcut_controller_new ();

    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape,
                                                                                    0),
                                                            gtk_named_action_new ("window.close")));
    gtk_widget_add_controller (GTK_WIDGET (self->train_window), shortcuts);
  }
  update_empty_state (self);
  update_buttons (self);
}

/* Accessors -------------------------------------------------------------------------------- */

gboolean
vigil_models_page_get_busy (VigilModelsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), FALSE);

  return self->n_busy > 0;
}

guint
vigil_models_page_get_n_models (VigilModelsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), 0);

  return self->models != NULL ? self->models->len : 0;
}

gint64
vigil_models_page_get_model_id (VigilModelsPage *self,
                                guint            i)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), 0);
  g_return_val_if_fail (i < vigil_models_page_get_n_models (self), 0);

  return ((Summary *) g_ptr_array_index (self->models, i))->id;
}

gint64
vigil_models_page_get_selected (VigilModelsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), 0);

  return self->selected_id;
}

void
vigil_models_page_select (VigilModelsPage *self,
                          gint64           id)
{
  g_return_if_fail (VIGIL_IS_MODELS_PAGE (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->model_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && row_model_id (GTK_LIST_BOX_ROW (child)) == id)
      {
        gtk_list_box_select_row (self->model_list, GTK_LIST_BOX_ROW (child));
        return;
      }
}

VigilConfusionView *
vigil_models_page_get_confusion_view (VigilModelsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), NULL);

  return self->confusion_view;
}

VigilImportanceChart *
vigil_models_page_get_importance_chart (VigilModelsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), NULL);

  return self->importance_chart;
}

gboolean
vigil_models_page_get_can_train (VigilModelsPage *self)
{
  g_return_val_if_fail (VIGIL_IS_MODELS_PAGE (self), FALSE);

  return gtk_widget_get_sensitive (GTK_WIDGET (self->train_button));
}
