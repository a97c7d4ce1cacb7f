#include "planner/electrical.h"

namespace dc::plan {

double CircuitVoltAmperes(double volts, double amps, int phases) {
  return phases == 3 ? kSqrt3 * volts * amps : volts * amps;
}

double CircuitWatts(double volts, double amps, int phases, double pf) {
  return CircuitVoltAmperes(volts, amps, phases) * pf;
}

// A three-phase circuit is described by its line-to-line voltage; each
// phase's load sees the line-to-neutral voltage, smaller by sqrt(3).
double PhaseVolts(double volts, int phases) {
  return phases == 3 ? volts / kSqrt3 : volts;
}

double PhaseAmps(double va, double volts, int phases) {
  return va / PhaseVolts(volts, phases);
}

}  // namespace dc::plan
