/* vigil-hydraulic-model-private.h
 *
 * What the hydraulic generator shares with its models: the plan of each cycle (component
 * conditions, temperatures, the injected fault) and the signal of one sensor in one cycle.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "vigil-records.h"
#include "vigil-sensor.h"

G_BEGIN_DECLS

typedef enum
{
  VIGIL_HYDRAULIC_FAULT_NONE,
  VIGIL_HYDRAULIC_FAULT_PRESSURE_SPIKE,
  VIGIL_HYDRAULIC_FAULT_OVERHEATING,
  VIGIL_HYDRAULIC_FAULT_STUCK_SENSOR,
} VigilHydraulicFaultKind;

typedef struct
{
  VigilHydraulicFaultKind kind;
  VigilSensor             sensor;        /* TS1 for overheating, which heats TS1-TS4 together */
  guint                   first;         /* first sample, at the sensor's rate */
  guint                   n_samples;
  double                  magnitude[4];  /* bar; °C per TS; the stuck value, set by its writer */
} VigilHydraulicFault;

typedef struct
{
  VigilCycleLabel     label;
  double              temp_start;   /* TS1 level at the start and end of the cycle, °C */
  double              temp_end;
  double              temp_target;  /* where TS1 settles under these conditions */
  double              ce_drift;     /* slow cycle-to-cycle wander of the cooling sensors */
  double              cp_drift;
  double              vs_drift;
  VigilHydraulicFault fault;
} VigilHydraulicCyclePlan;

typedef struct
{
  guint64                  seed;
  guint                    first_cycle;

  /* Owned, n_cycles + 1 of them. plans[0] is the cycle before first_cycle (a fault-free copy
   * of cycle 0 when there is none): each cycle starts where the previous one ended. */
  VigilHydraulicCyclePlan *plans;
} VigilHydraulicModel;

void _vigil_hydraulic_model_init  (VigilHydraulicModel *model,
                                   guint64              seed,
                                   guint                first_cycle,
                                   guint                n_cycles);
void _vigil_hydraulic_model_clear (VigilHydraulicModel *model);

/* Fills out with the rate_hz * VIGIL_CYCLE_SECONDS values of sensor in cycle (first_cycle to
 * first_cycle + n_cycles - 1), its fault included. A stuck fault's value goes into the plan,
 * so one thread at a time may synthesize a given sensor; different sensors run in parallel. */
void _vigil_hydraulic_model_synth (VigilHydraulicModel *model,
                                   VigilSensor          sensor,
                                   guint                cycle,
                                   double              *out);

G_END_DECLS
