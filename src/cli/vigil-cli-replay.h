/* vigil-cli-replay.h
 *
 * Replay plumbing shared by `vigil-cli replay` and `vigil-cli demo`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "vigil-hydraulic-replay.h"
#include "vigil-rules.h"

G_BEGIN_DECLS

typedef struct
{
  char *speed;
  char *window;
  char *slide;
  char *lateness;
  char *rules;
  char *start;
  int   workers;
} VigilCliReplayArgs;

void     _vigil_cli_replay_args_clear     (VigilCliReplayArgs        *args);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (VigilCliReplayArgs, _vigil_cli_replay_args_clear)

gboolean _vigil_cli_parse_speed           (const char                *text,
                                           double                    *out_speed,
                                           GError                   **error);
gboolean _vigil_cli_parse_duration_option (const char                *option,
                                           const char                *text,
                                           gint64                    *out_us,
                                           GError                   **error);
gboolean _vigil_cli_replay_options_parse  (const VigilCliReplayArgs  *args,
                                           VigilReplayOptions        *options,
                                           VigilRuleSet             **out_rules,
                                           GError                   **error);
gboolean _vigil_cli_run_replay            (const char                *dir,
                                           const char                *db,
                                           VigilRuleSet              *rules,
                                           const VigilReplayOptions  *options,
                                           VigilReplayStats          *out_stats,
                                           gboolean                  *out_interrupted,
                                           VigilHydraulicReplay     **out_replay,
                                           GError                   **error);
void     _vigil_cli_print_summary         (const VigilReplayStats    *stats);
/* `vigil-cli replay traffic ...` (vigil-cli-replay-traffic.c), with argv[1] "traffic". */
int      _vigil_cli_replay_traffic        (int                        argc,
                                           char                     **argv);

/* --publish: waits up to ten seconds for the windows still queued, prints
 *   publish: topic=hydraulic-analytics windows=N delivered=N dropped=N errors=N undelivered=N
 * (dropped: the queue was full; errors: the brokers refused them; undelivered: still waiting
 * when the time was up) and says on stderr why any were lost. */
void     _vigil_cli_publisher_finish      (VigilKafkaPublisher       *publisher);

G_END_DECLS
