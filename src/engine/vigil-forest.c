/* vigil-forest.c
 *
 * Extremely randomized trees. The training table is copied once into columns, so that a node
 * reads one feature of its rows from one small array; each tree partitions one array of row
 * indices (and their labels) in place, depth first, and keeps its nodes in one flat array
 * that grows by doubling: no allocation per node. Threads of ours take whole trees, each tree
 * drawing from its own jump of one random stream, and the finished forest lays the trees end
 * to end in one node array and one leaf array.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "vigil-forest"

#include "config.h"

#include <math.h>
#include <string.h>

#include "vigil-blob-private.h"
#include "vigil-error.h"
#include "vigil-forest.h"
#include "vigil-rng-private.h"

#define LEAF G_MAXUINT32
#define MAX_TREES 100000

/* The blob: MAGIC, then little-endian fields (see vigil_forest_save()), then the SHA-256 of
 * everything before it. */
#define MAGIC "VIGILETF"
#define MAGIC_LEN 8
#define FORMAT_VERSION 1
#define DIGEST_LEN 32
#define NODE_BYTES 12

typedef struct
{
  guint32 feature;    /* LEAF for a leaf */
  float   threshold;  /* a row goes left when its value is <= threshold */
  guint32 child;      /* inner node: the left child's index in its tree, the right child
                       * follows it; leaf: its index among its tree's leaves */
} Node;

struct _VigilForest
{
  VigilForestParams params;       /* mtry resolved */
  guint             n_features;
  guint             n_classes;
  guint            *node_start;   /* n_trees + 1: tree t's nodes are [node_start[t], [t + 1]) */
  guint            *leaf_start;   /* n_trees + 1, likewise for its leaves */
  Node             *nodes;
  float            *values;       /* per leaf, n_classes class shares */
  float            *importance;   /* n_features */
};

void
vigil_forest_params_init (VigilForestParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->n_trees = 100;
}

static guint64
rng_below (VigilRng *rng,
           guint64   bound)
{
  guint64 limit = G_MAXUINT64 - G_MAXUINT64 % bound;
  guint64 v;

  do
    v = vigil_rng_next (rng);
  while (v >= limit);
  return v % bound;
}

/* Uniform in [0, 1) with 53 random bits. */
static double
rng_unit (VigilRng *rng)
{
  return (double) (vigil_rng_next (rng) >> 11) * (1.0 / 9007199254740992.0);
}

/* As 2^128 calls to vigil_rng_next(): the jump of xoshiro256**'s authors. */
static void
rng_jump (VigilRng *rng)
{
  static const guint64 jump[] = {
    G_GUINT64_CONSTANT (0x180ec6d33cfd0aba), G_GUINT64_CONSTANT (0xd5a61266f0c9392c),
    G_GUINT64_CONSTANT (0xa9582618e03fc9aa), G_GUINT64_CONSTANT (0x39abdc4529b1661c),
  };
  guint64 s[4] = { 0, 0, 0, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (jump); i++)
    for (guint b = 0; b < 64; b++)
      {
        if (jump[i] & (G_GUINT64_CONSTANT (1) << b))
          for (guint j = 0; j < 4; j++)
            s[j] ^= rng->s[j];
        vigil_rng_next (rng);
      }
  memcpy (rng->s, s, sizeof s);
}

/* Growing. */

typedef struct
{
  Node   *nodes;
  guint   n_nodes;
  guint   cap_nodes;
  float  *values;      /* n_leaves × n_classes */
  guint   n_leaves;
  guint   cap_leaves;
  double *importance;  /* n_features: weighted Gini decrease of the tree's splits */
} Tree;

typedef struct
{
  guint start;  /* the node's rows are rows[start, end) of the scratch */
  guint end;
  guint depth;
  guint node;
  guint counts[VIGIL_FOREST_MAX_CLASSES];  /* of each class among them */
} Pending;

/* One thread's working arrays, reused from tree to tree. */
typedef struct
{
  guint32 *rows;
  guint8  *labels;       /* labels[i] is the class of rows[i] */
  float   *values;       /* a candidate feature's values of the node's rows */
  float   *best_values;  /* the best candidate's */
  guint32 *features;     /* a permutation drawn from, node after node */
  Pending *stack;
  guint    stack_cap;
} Scratch;

typedef struct
{
  /* read-only while the threads run */
  const float       *columns;  /* n_features × n_rows */
  const guint8      *y;
  guint              n_rows;
  guint              n_features;
  guint              n_classes;
  VigilForestParams  params;   /* mtry resolved */
  const VigilRng    *rngs;     /* per tree */
  GCancellable      *cancellable;

  Tree              *trees;    /* [n_trees], each written by the thread that grows it */
  int                next_tree;  /* atomic */
  int                cancelled;  /* atomic */
} Job;

typedef struct
{
  guint  feature;
  float  threshold;
  double score;  /* sum over classes of left² / n_left + right² / n_right */
  guint  left[VIGIL_FOREST_MAX_CLASSES];  /* of each class at or below the threshold */
} Split;

/* values[i] = column[rows[i]], and their smallest and largest (NANs left out), in four
 * lanes: one running minimum would wait on the last comparison at every row. */
static void
gather_range (const float   *column,
              const guint32 *rows,
              guint          n,
              float         *values,
              float         *out_lo,
              float         *out_hi)
{
  float lo[4] = { INFINITY, INFINITY, INFINITY, INFINITY };
  float hi[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
  guint i = 0;

  for (; i + 4 <= n; i += 4)
    for (guint u = 0; u < 4; u++)
      {
        float v = values[i + u] = column[rows[i + u]];

        lo[u] = v < lo[u] ? v : lo[u];
        hi[u] = v > hi[u] ? v : hi[u];
      }
  for (; i < n; i++)
    {
      float v = values[i] = column[rows[i]];

      lo[0] = v < lo[0] ? v : lo[0];
      hi[0] = v > hi[0] ? v : hi[0];
    }
  *out_lo = MIN (MIN (lo[0], lo[1]), MIN (lo[2], lo[3]));
  *out_hi = MAX (MAX (hi[0], hi[1]), MAX (hi[2], hi[3]));
}

/* The best of mtry random splits of rows [start, end), which hold @counts of each class;
 * FALSE when every feature is constant there. Leaves the best candidate's values in
 * s->best_values. */
static gboolean
find_split (const Job   *job,
            Scratch     *s,
            VigilRng    *rng,
            guint        start,
            guint        end,
            const guint *counts,
            Split       *out)
{
  guint n = end - start, k = job->n_classes, visited = 0;
  const guint32 *rows = s->rows + start;
  const guint8 *labels = s->labels + start;
  guint left[VIGIL_FOREST_MAX_CLASSES], tally[4][VIGIL_FOREST_MAX_CLASSES];

  out->score = -1;
  for (guint j = 0; j < job->n_features && visited < job->params.mtry; j++)
    {
      guint pick = j + (guint) rng_below (rng, job->n_features - j);
      guint f = s->features[pick];
      const float *column = job->columns + (gsize) f * job->n_rows;
      float lo, hi, t;
      guint n_left = 0, i;
      double sum_left = 0, sum_right = 0, score;

      s->features[pick] = s->features[j];
      s->features[j] = f;
      gather_range (column, rows, n, s->values, &lo, &hi);
      /* constant here (NANs aside): no threshold would separate anything */
      if (!(hi > lo))
        continue;
      visited++;

      /* The maximum always goes right, the minimum left; an infinite range gives a NAN or
       * infinite draw, which the minimum replaces too. */
      t = (float) (lo + rng_unit (rng) * ((double) hi - lo));
      if (!(t < hi))
        t = lo;
      /* Without a branch, as a random threshold would mispredict every other row; four
       * tallies, as rows of one class in a row would each wait for the last one's store. */
      for (guint u = 0; u < 4; u++)
        memset (tally[u], 0, sizeof (guint) * k);
      for (i = 0; i + 4 <= n; i += 4)
        for (guint u = 0; u < 4; u++)
          tally[u][labels[i + u]] += s->values[i + u] <= t;
      for (; i < n; i++)
        tally[0][labels[i]] += s->values[i] <= t;
      for (guint c = 0; c < k; c++)
        {
          left[c] = tally[0][c] + tally[1][c] + tally[2][c] + tally[3][c];
          n_left += left[c];
        }
      for (guint c = 0; c < k; c++)
        {
          double l = left[c], r = counts[c] - left[c];

          sum_left += l * l;
          sum_right += r * r;
        }
      score = sum_left / n_left + sum_right / (n - n_left);
      if (score > out->score)
        {
          float *swap = s->values;

          out->feature = f;
          out->threshold = t;
          out->score = score;
          memcpy (out->left, left, sizeof (guint) * k);
          s->values = s->best_values;
          s->best_values = swap;
        }
    }
  return visited > 0;
}

/* Rows at or below the threshold first; returns where the others begin. */
static guint
partition (Scratch *s,
           guint    start,
           guint    end,
           float    threshold)
{
  guint i = 0, j = end - start;
  float *v = s->best_values;
  guint32 *rows = s->rows + start;
  guint8 *labels = s->labels + start;

  while (i < j)
    {
      float tv;
      guint32 tr;
      guint8 tl;

      if (v[i] <= threshold)
        {
          i++;
          continue;
        }
      j--;
      tv = v[i];
      tr = rows[i];
      tl = labels[i];
      v[i] = v[j];
      v[j] = tv;
      rows[i] = rows[j];
      rows[j] = tr;
      labels[i] = labels[j];
      labels[j] = tl;
    }
  return start + i;
}

static guint
tree_add_nodes (Tree  *tree,
                guint  n)
{
  guint first = tree->n_nodes;

  if (tree->n_nodes + n > tree->cap_nodes)
    {
      tree->cap_nodes = MAX (tree->cap_nodes * 2, tree->n_nodes + n);
      tree->nodes = g_renew (Node, tree->nodes, tree->cap_nodes);
    }
  tree->n_nodes += n;
  return first;
}

static void
tree_add_leaf (Tree        *tree,
               guint        node,
               const guint *counts,
               guint        n,
               guint        k)
{
  float *values;

  if (tree->n_leaves == tree->cap_leaves)
    {
      tree->cap_leaves = MAX (tree->cap_leaves * 2, 16);
      tree->values = g_renew (float, tree->values, (gsize) tree->cap_leaves * k);
    }
  values = tree->values + (gsize) tree->n_leaves * k;
  for (guint c = 0; c < k; c++)
    values[c] = (float) ((double) counts[c] / n);
  tree->nodes[node] = (Node) { LEAF, 0, tree->n_leaves++ };
}

/* A slot on top of the stack for a node to grow. */
static Pending *
push (Scratch *s,
      guint   *n_pending,
      guint    start,
      guint    end,
      guint    depth,
      guint    node)
{
  Pending *p;

  if (*n_pending == s->stack_cap)
    {
      s->stack_cap = MAX (s->stack_cap * 2, 64);
      s->stack = g_renew (Pending, s->stack, s->stack_cap);
    }
  p = &s->stack[(*n_pending)++];
  p->start = start;
  p->end = end;
  p->depth = depth;
  p->node = node;
  return p;
}

static void
grow_tree (const Job *job,
           Scratch   *s,
           VigilRng  *rng,
           Tree      *tree)
{
  guint k = job->n_classes, max_depth = job->params.max_depth, n_pending = 0;
  Pending *root;

  /* a tree owes nothing to the trees its thread grew before */
  for (guint i = 0; i < job->n_rows; i++)
    {
      s->rows[i] = i;
      s->labels[i] = job->y[i];
    }
  for (guint f = 0; f < job->n_features; f++)
    s->features[f] = f;
  tree->importance = g_new0 (double, job->n_features);
  tree_add_nodes (tree, 1);
  root = push (s, &n_pending, 0, job->n_rows, 0, 0);
  memset (root->counts, 0, sizeof root->counts);
  for (guint i = 0; i < job->n_rows; i++)
    root->counts[s->labels[i]]++;

  while (n_pending > 0)
    {
      Pending p = s->stack[--n_pending];
      const guint *counts = p.counts;
      guint n = p.end - p.start, n_present = 0;
      double node_score = 0;
      Split split;

      for (guint c = 0; c < k; c++)
        {
          n_present += counts[c] > 0;
          node_score += (double) counts[c] * counts[c] / n;
        }

      if (n >= 2 && n_present > 1 && (max_depth == 0 || p.depth < max_depth) &&
          find_split (job, s, rng, p.start, p.end, counts, &split))
        {
          guint mid = partition (s, p.start, p.end, split.threshold);
          guint child = tree_add_nodes (tree, 2);
          Pending *right = push (s, &n_pending, mid, p.end, p.depth + 1, child + 1);
          Pending *left = push (s, &n_pending, p.start, mid, p.depth + 1, child);

          for (guint c = 0; c < k; c++)
            {
              left->counts[c] = split.left[c];
              right->counts[c] = counts[c] - split.left[c];
            }
          tree->nodes[p.node] = (Node) { split.feature, split.threshold, child };
          /* n·Gini(node) − n_left·Gini(left) − n_right·Gini(right) */
          tree->importance[split.feature] += MAX (split.score - node_score, 0);
        }
      else
        tree_add_leaf (tree, p.node, counts, n, k);
    }
}

static void
tree_clear (Tree *tree)
{
  g_free (tree->nodes);
  g_free (tree->values);
  g_free (tree->importance);
  memset (tree, 0, sizeof *tree);
}

static gpointer
grow_worker (gpointer data)
{
  Job *job = data;
  Scratch s = { 0 };
  int t;

  s.rows = g_new (guint32, job->n_rows);
  s.labels = g_new (guint8, job->n_rows);
  s.values = g_new (float, job->n_rows);
  s.best_values = g_new (float, job->n_rows);
  s.features = g_new (guint32, job->n_features);

  while ((t = g_atomic_int_add (&job->next_tree, 1)) < (int) job->params.n_trees)
    {
      VigilRng rng = job->rngs[t];

      if (g_cancellable_is_cancelled (job->cancellable))
        {
          g_atomic_int_set (&job->cancelled, TRUE);
          break;
        }
      grow_tree (job, &s, &rng, &job->trees[t]);
    }

  g_free (s.rows);
  g_free (s.labels);
  g_free (s.values);
  g_free (s.best_values);
  g_free (s.features);
  g_free (s.stack);
  return NULL;
}

static VigilForest *
forest_new (const VigilForestParams *params,
            guint                    n_features,
            guint                    n_classes)
{
  VigilForest *forest = g_new0 (VigilForest, 1);

  forest->params = *params;
  forest->n_features = n_features;
  forest->n_classes = n_classes;
  forest->node_start = g_new0 (guint, params->n_trees + 1);
  forest->leaf_start = g_new0 (guint, params->n_trees + 1);
  forest->importance = g_new0 (float, n_features);
  return forest;
}

/* Lays the trees end to end and averages their importance, each tree's normalized first as
 * scikit-learn does, so that deep trees do not outweigh shallow ones. */
static VigilForest *
assemble (const Job *job)
{
  VigilForest *forest = forest_new (&job->params, job->n_features, job->n_classes);
  guint n_trees = job->params.n_trees, k = job->n_classes;
  g_autofree double *importance = g_new0 (double, job->n_features);
  double total = 0;

  for (guint t = 0; t < n_trees; t++)
    {
      forest->node_start[t + 1] = forest->node_start[t] + job->trees[t].n_nodes;
      forest->leaf_start[t + 1] = forest->leaf_start[t] + job->trees[t].n_leaves;
    }
  forest->nodes = g_new (Node, forest->node_start[n_trees]);
  forest->values = g_new (float, (gsize) forest->leaf_start[n_trees] * k);

  for (guint t = 0; t < n_trees; t++)
    {
      const Tree *tree = &job->trees[t];
      double tree_total = 0;

      memcpy (forest->nodes + forest->node_start[t], tree->nodes, sizeof (Node) * tree->n_nodes);
      memcpy (forest->values + (gsize) forest->leaf_start[t] * k, tree->values,
              sizeof (float) * tree->n_leaves * k);
      for (guint f = 0; f < job->n_features; f++)
        tree_total += tree->importance[f];
      for (guint f = 0; tree_total > 0 && f < job->n_features; f++)
        importance[f] += tree->importance[f] / tree_total;
    }
  for (guint f = 0; f < job->n_features; f++)
    total += importance[f];
  for (guint f = 0; total > 0 && f < job->n_features; f++)
    forest->importance[f] = (float) (importance[f] / total);
  return forest;
}

static gboolean
invalid (GError     **error,
         const char  *what)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_INVALID,
               "Cannot train the extra-trees forest: %s", what);
  return FALSE;
}

static gboolean
check_train_args (guint                    n_rows,
                  guint                    n_features,
                  const guint8            *y,
                  guint                    n_classes,
                  const VigilForestParams *p,
                  GError                 **error)
{
  if (n_rows == 0 || n_features == 0)
    return invalid (error, "no rows or no features");
  if (n_classes < 2 || n_classes > VIGIL_FOREST_MAX_CLASSES)
    return invalid (error, "it tells apart 2 to 16 classes");
  if (p->n_trees == 0 || p->n_trees > MAX_TREES)
    return invalid (error, "the number of trees must be from 1 to 100000");
  if (p->mtry > n_features)
    return invalid (error, "it cannot try more features at a split than the table has");
  for (guint i = 0; i < n_rows; i++)
    if (y[i] >= n_classes)
      return invalid (error, "a label is not a class index");
  return TRUE;
}

VigilForest *
vigil_forest_train (const float              *x,
                    guint                     n_rows,
                    guint                     n_features,
                    const guint8             *y,
                    guint                     n_classes,
                    const VigilForestParams  *params,
                    GCancellable             *cancellable,
                    GError                  **error)
{
  g_autofree float *columns = NULL;
  g_autofree VigilRng *rngs = NULL;
  g_autofree GThread **threads = NULL;
  VigilForest *forest = NULL;
  Job job = { 0 };
  guint n_threads;

  g_return_val_if_fail (x != NULL, NULL);
  g_return_val_if_fail (y != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_train_args (n_rows, n_features, y, n_classes, params, error))
    return NULL;

  job.params = *params;
  if (job.params.mtry == 0)
    job.params.mtry = MAX (1u, (guint) floor (sqrt ((double) n_features) + 0.5));

  columns = g_new (float, (gsize) n_rows * n_features);
  for (guint r = 0; r < n_rows; r++)
    for (guint f = 0; f < n_features; f++)
      columns[(gsize) f * n_rows + r] = x[(gsize) r * n_features + f];

  rngs = g_new (VigilRng, params->n_trees);
  vigil_rng_init_from (&rngs[0], params->seed);
  for (guint t = 1; t < params->n_trees; t++)
    {
      rngs[t] = rngs[t - 1];
      rng_jump (&rngs[t]);
    }

  job.columns = columns;
  job.y = y;
  job.n_rows = n_rows;
  job.n_features = n_features;
  job.n_classes = n_classes;
  job.rngs = rngs;
  job.cancellable = cancellable;
  job.trees = g_new0 (Tree, params->n_trees);

  /* The calling thread is one of the workers. */
  n_threads = params->n_threads > 0 ? params->n_threads : MAX (1u, g_get_num_processors ());
  n_threads = MIN (n_threads, params->n_trees);
  threads = g_new0 (GThread *, n_threads);
  for (guint i = 1; i < n_threads; i++)
    threads[i] = g_thread_new ("vigil-forest", grow_worker, &job);
  grow_worker (&job);
  for (guint i = 1; i < n_threads; i++)
    g_thread_join (threads[i]);

  if (job.cancelled)
    g_set_error_literal (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_CANCELLED,
                         "Training was cancelled");
  else
    forest = assemble (&job);
  for (guint t = 0; t < params->n_trees; t++)
    tree_clear (&job.trees[t]);
  g_free (job.trees);
  return forest;
}

void
vigil_forest_free (VigilForest *forest)
{
  if (forest == NULL)
    return;
  g_free (forest->node_start);
  g_free (forest->leaf_start);
  g_free (forest->nodes);
  g_free (forest->values);
  g_free (forest->importance);
  g_free (forest);
}

guint
vigil_forest_get_n_features (VigilForest *forest)
{
  g_return_val_if_fail (forest != NULL, 0);
  return forest->n_features;
}

guint
vigil_forest_get_n_classes (VigilForest *forest)
{
  g_return_val_if_fail (forest != NULL, 0);
  return forest->n_classes;
}

void
vigil_forest_get_params (VigilForest       *forest,
                         VigilForestParams *out)
{
  g_return_if_fail (forest != NULL);
  g_return_if_fail (out != NULL);
  *out = forest->params;
}

guint
vigil_forest_get_n_nodes (VigilForest *forest)
{
  g_return_val_if_fail (forest != NULL, 0);
  return forest->node_start[forest->params.n_trees];
}

void
vigil_forest_predict (VigilForest *forest,
                      const float *x,
                      guint        n_rows,
                      float       *out_proba)
{
  guint k, n_trees;

  g_return_if_fail (forest != NULL);
  g_return_if_fail (x != NULL || n_rows == 0);
  g_return_if_fail (out_proba != NULL || n_rows == 0);

  k = forest->n_classes;
  n_trees = forest->params.n_trees;
  for (guint r = 0; r < n_rows; r++)
    {
      const float *row = x + (gsize) r * forest->n_features;
      double sum[VIGIL_FOREST_MAX_CLASSES] = { 0 };

      for (guint t = 0; t < n_trees; t++)
        {
          const Node *nodes = forest->nodes + forest->node_start[t];
          const float *leaf;
          guint i = 0;

          while (nodes[i].feature != LEAF)
            i = nodes[i].child + !(row[nodes[i].feature] <= nodes[i].threshold);
          leaf = forest->values + ((gsize) forest->leaf_start[t] + nodes[i].child) * k;
          for (guint c = 0; c < k; c++)
            sum[c] += leaf[c];
        }
      for (guint c = 0; c < k; c++)
        out_proba[(gsize) r * k + c] = (float) (sum[c] / n_trees);
    }
}

void
vigil_forest_get_importance (VigilForest *forest,
                             float       *out)
{
  g_return_if_fail (forest != NULL);
  g_return_if_fail (out != NULL);
  memcpy (out, forest->importance, sizeof (float) * forest->n_features);
}

/* Serialization. */

static void
digest (const guint8 *data,
        gsize         len,
        guint8       *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = DIGEST_LEN;

  g_checksum_update (checksum, data, len);
  g_checksum_get_digest (checksum, out, &out_len);
}

GBytes *
vigil_forest_save (VigilForest *forest)
{
  g_autoptr(GByteArray) out = NULL;
  guint8 sum[DIGEST_LEN];

  g_return_val_if_fail (forest != NULL, NULL);

  out = g_byte_array_new ();
  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  vigil_blob_put_u32 (out, FORMAT_VERSION);
  vigil_blob_put_u32 (out, forest->n_features);
  vigil_blob_put_u32 (out, forest->n_classes);
  vigil_blob_put_u32 (out, forest->params.n_trees);
  vigil_blob_put_u32 (out, forest->params.max_depth);
  vigil_blob_put_u32 (out, forest->params.mtry);
  vigil_blob_put_u64 (out, forest->params.seed);
  for (guint f = 0; f < forest->n_features; f++)
    vigil_blob_put_float (out, forest->importance[f]);

  for (guint t = 0; t < forest->params.n_trees; t++)
    {
      guint n_nodes = forest->node_start[t + 1] - forest->node_start[t];
      guint n_leaves = forest->leaf_start[t + 1] - forest->leaf_start[t];
      const Node *nodes = forest->nodes + forest->node_start[t];
      const float *values = forest->values + (gsize) forest->leaf_start[t] * forest->n_classes;

      vigil_blob_put_u32 (out, n_nodes);
      for (guint i = 0; i < n_nodes; i++)
        {
          vigil_blob_put_u32 (out, nodes[i].feature);
          vigil_blob_put_float (out, nodes[i].threshold);
          vigil_blob_put_u32 (out, nodes[i].child);
        }
      for (gsize i = 0; i < (gsize) n_leaves * forest->n_classes; i++)
        vigil_blob_put_float (out, values[i]);
    }
  digest (out->data, out->len, sum);
  g_byte_array_append (out, sum, DIGEST_LEN);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static gboolean
corrupt (GError     **error,
         const char  *what)
{
  g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
               "Not a Vigil extra-trees forest: %s", what);
  return FALSE;
}

static gboolean
read_header (VigilBlobReader    *r,
             VigilForestParams  *p,
             guint              *n_features,
             guint              *n_classes,
             GError            **error)
{
  const guint8 *magic = vigil_blob_take (r, MAGIC_LEN);
  guint32 version;

  if (magic == NULL || memcmp (magic, MAGIC, MAGIC_LEN) != 0)
    return corrupt (error, "the data does not start with the forest signature");
  version = vigil_blob_get_u32 (r);
  if (r->short_read)
    return corrupt (error, "the header is truncated");
  if (version != FORMAT_VERSION)
    {
      g_set_error (error, VIGIL_ENGINE_ERROR, VIGIL_ENGINE_ERROR_PARSE,
                   "Forest format version %u is not known (this Vigil reads version %d)",
                   version, FORMAT_VERSION);
      return FALSE;
    }
  memset (p, 0, sizeof *p);
  *n_features = vigil_blob_get_u32 (r);
  *n_classes = vigil_blob_get_u32 (r);
  p->n_trees = vigil_blob_get_u32 (r);
  p->max_depth = vigil_blob_get_u32 (r);
  p->mtry = vigil_blob_get_u32 (r);
  p->seed = vigil_blob_get_u64 (r);
  if (r->short_read)
    return corrupt (error, "the header is truncated");
  if (*n_features == 0 || *n_classes < 2 || *n_classes > VIGIL_FOREST_MAX_CLASSES ||
      p->n_trees == 0 || p->n_trees > MAX_TREES || p->mtry == 0 || p->mtry > *n_features)
    return corrupt (error, "a count in the header is out of range");
  return TRUE;
}

/* Walks the trees without keeping them: their sizes, all within the data. */
static gboolean
measure_trees (VigilBlobReader   r,
               guint             n_trees,
               guint             n_classes,
               guint64          *out_nodes,
               guint64          *out_leaves,
               GError          **error)
{
  *out_nodes = *out_leaves = 0;
  for (guint t = 0; t < n_trees; t++)
    {
      guint64 n_nodes, n_leaves;

      n_nodes = vigil_blob_get_u32 (&r);
      if (r.short_read)
        return corrupt (error, "a tree is missing");
      /* a full binary tree: every inner node has two children */
      if (n_nodes % 2 == 0)
        return corrupt (error, "a tree's node count is even");
      n_leaves = (n_nodes + 1) / 2;
      if (vigil_blob_left (&r) / NODE_BYTES < n_nodes ||
          (vigil_blob_left (&r) - n_nodes * NODE_BYTES) / (4 * n_classes) < n_leaves)
        return corrupt (error, "a tree is truncated");
      r.pos += n_nodes * NODE_BYTES + n_leaves * 4 * n_classes;
      *out_nodes += n_nodes;
      *out_leaves += n_leaves;
    }
  if (r.pos != r.len)
    return corrupt (error, "other data follows the trees");
  if (*out_nodes > G_MAXUINT32)
    return corrupt (error, "the forest has too many nodes");
  return TRUE;
}

/* Every inner node splits on a known feature and points at children after it; every leaf
 * points at a leaf of its tree with class shares that sum to 1: no walk can leave the tree
 * or loop. */
static gboolean
read_tree (VigilBlobReader  *r,
           VigilForest      *forest,
           guint             t,
           GError          **error)
{
  guint n_nodes = vigil_blob_get_u32 (r), n_leaves = (n_nodes + 1) / 2, k = forest->n_classes;
  Node *nodes;
  float *values;

  forest->node_start[t + 1] = forest->node_start[t] + n_nodes;
  forest->leaf_start[t + 1] = forest->leaf_start[t] + n_leaves;
  nodes = forest->nodes + forest->node_start[t];
  values = forest->values + (gsize) forest->leaf_start[t] * k;
  for (guint i = 0; i < n_nodes; i++)
    {
      Node *node = &nodes[i];

      node->feature = vigil_blob_get_u32 (r);
      node->threshold = vigil_blob_get_float (r);
      node->child = vigil_blob_get_u32 (r);
      if (node->feature == LEAF ? node->child >= n_leaves
                                : node->feature >= forest->n_features || isnan (node->threshold) ||
                                  node->child <= i || node->child >= n_nodes - 1)
        return corrupt (error, "a node points outside its tree");
    }
  for (guint l = 0; l < n_leaves; l++)
    {
      double sum = 0;

      for (guint c = 0; c < k; c++)
        {
          float v = values[(gsize) l * k + c] = vigil_blob_get_float (r);

          if (!(v >= 0 && v <= 1))
            return corrupt (error, "a leaf's class share is not in [0, 1]");
          sum += v;
        }
      if (fabs (sum - 1) > 1e-4)
        return corrupt (error, "a leaf's class shares do not sum to 1");
    }
  return TRUE;
}

VigilForest *
vigil_forest_load (const guint8  *data,
                   gsize          len,
                   GError       **error)
{
  g_autoptr(VigilForest) forest = NULL;
  VigilBlobReader r = { data, len, 0, FALSE };
  VigilForestParams params;
  guint n_features, n_classes;
  guint64 n_nodes, n_leaves;
  guint8 sum[DIGEST_LEN];

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_header (&r, &params, &n_features, &n_classes, error))
    return NULL;
  if (vigil_blob_left (&r) < (gsize) n_features * 4 + DIGEST_LEN)
    {
      corrupt (error, "the data is truncated");
      return NULL;
    }
  r.len = len - DIGEST_LEN;
  digest (data, r.len, sum);
  if (memcmp (sum, data + r.len, DIGEST_LEN) != 0)
    {
      /* a truncated blob says so rather than that its last bytes are not its checksum */
      VigilBlobReader trees = { data, r.len, r.pos + (gsize) n_features * 4, FALSE };

      if (!measure_trees (trees, params.n_trees, n_classes, &n_nodes, &n_leaves, NULL))
        corrupt (error, "the data is truncated or its sizes are corrupted");
      else
        corrupt (error, "the checksum does not match: the data is corrupted");
      return NULL;
    }

  forest = forest_new (&params, n_features, n_classes);
  for (guint f = 0; f < n_features; f++)
    {
      forest->importance[f] = vigil_blob_get_float (&r);
      if (!(forest->importance[f] >= 0 && forest->importance[f] <= 1))
        {
          corrupt (error, "a feature importance is not in [0, 1]");
          return NULL;
        }
    }
  if (!measure_trees (r, params.n_trees, n_classes, &n_nodes, &n_leaves, error))
    return NULL;
  forest->nodes = g_new (Node, n_nodes);
  forest->values = g_new (float, n_leaves * n_classes);
  for (guint t = 0; t < params.n_trees; t++)
    if (!read_tree (&r, forest, t, error))
      return NULL;
  return g_steal_pointer (&forest);
}
