// Electrical arithmetic the planner relies on, kept in one place so the
// formulas can be checked by hand: active power (W) and apparent power
// (VA) are never mixed, and a breaker's usable current is its rating times
// the continuous-load derating.
#pragma once

namespace dc::plan {

inline constexpr double kSqrt3 = 1.7320508075688772;

// Apparent power of a circuit at full current: sqrt(3)*V*I for three
// phases (V line to line), V*I for one phase (V line to neutral).
double CircuitVoltAmperes(double volts, double amps, int phases);

// Active power at full current with power factor `pf`.
double CircuitWatts(double volts, double amps, int phases, double pf);

// Voltage across one phase's load: line to neutral.
double PhaseVolts(double volts, int phases);

// Current in one phase for `va` volt-amperes carried on that phase.
double PhaseAmps(double va, double volts, int phases);

}  // namespace dc::plan
