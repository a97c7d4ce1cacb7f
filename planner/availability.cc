#include "planner/availability.h"

#include <cmath>
#include <functional>
#include <queue>
#include <random>
#include <set>

namespace dc::plan {
namespace {

constexpr double kMinutesPerYear = 365.25 * 24 * 60;

std::set<int> RackNodes(const PowerGraph& graph, const std::string& rack) {
  std::set<int> out;
  std::function<void(int)> add = [&](int i) {
    if (!out.insert(i).second)
      return;
    for (int in : graph.nodes()[i].inputs)
      add(in);
  };
  for (int i = 0; i < static_cast<int>(graph.nodes().size()); ++i) {
    if (graph.nodes()[i].kind == NodeKind::kFeed &&
        graph.nodes()[i].rack == rack) {
      add(i);
    }
  }
  return out;
}

// Whether every load of `rack` has a powered supply when only the nodes
// with up[i] true work.
bool RackUp(const PowerGraph& graph, const std::string& rack,
            const std::vector<int>& order, const std::vector<char>& up) {
  std::vector<char> powered(graph.nodes().size(), 0);
  for (int i : order) {
    const PowerNode& n = graph.nodes()[i];
    if (!up[i])
      continue;
    if (n.kind == NodeKind::kSource) {
      powered[i] = 1;
      continue;
    }
    for (int in : n.inputs) {
      if (powered[in]) {
        powered[i] = 1;
        break;
      }
    }
  }
  bool any_load = false;
  for (const PowerLoad& l : graph.loads()) {
    if (l.rack != rack)
      continue;
    any_load = true;
    bool fed = false;
    for (int f : l.nodes)
      fed = fed || powered[f];
    if (!fed)
      return false;
  }
  if (any_load)
    return true;
  for (std::size_t i = 0; i < powered.size(); ++i) {
    if (graph.nodes()[i].kind == NodeKind::kFeed &&
        graph.nodes()[i].rack == rack && powered[i]) {
      return true;
    }
  }
  return false;
}

// Upstream-first order of the nodes in `nodes`.
std::vector<int> Order(const PowerGraph& graph, const std::set<int>& nodes) {
  std::vector<int> order;
  std::set<int> done;
  std::function<void(int)> visit = [&](int i) {
    if (done.contains(i))
      return;
    done.insert(i);
    for (int in : graph.nodes()[i].inputs)
      visit(in);
    order.push_back(i);
  };
  for (int i : nodes)
    visit(i);
  return order;
}

int ModulesNeeded(const PowerNode& n) {
  return std::max(1, n.modules - n.redundant_modules);
}

}  // namespace

double UnitAvailability(const Reliability& r) {
  return r.mtbf_hours / (r.mtbf_hours + r.mttr_hours);
}

double KOutOfN(int k, int n, double a) {
  double p = 0;
  for (int i = k; i <= n; ++i) {
    p += std::exp(std::lgamma(n + 1) - std::lgamma(i + 1) -
                  std::lgamma(n - i + 1)) *
         std::pow(a, i) * std::pow(1 - a, n - i);
  }
  return p;
}

std::optional<PathAvailability> RackPowerAvailability(const PowerGraph& graph,
                                                      const std::string& rack) {
  std::set<int> nodes = RackNodes(graph, rack);
  std::vector<int> members(nodes.begin(), nodes.end());
  if (members.size() > 24)
    return std::nullopt;
  std::vector<double> a;
  for (int i : members) {
    const PowerNode& n = graph.nodes()[i];
    double unit = UnitAvailability(n.reliability);
    a.push_back(n.kind == NodeKind::kUps
                    ? KOutOfN(ModulesNeeded(n), n.modules, unit)
                    : unit);
  }
  std::vector<int> order = Order(graph, nodes);

  // Sum the probability of every state in which the rack is up.
  double total = 0;
  std::vector<char> up(graph.nodes().size(), 0);
  const std::uint64_t states = std::uint64_t{1} << members.size();
  for (std::uint64_t s = 0; s < states; ++s) {
    double p = 1;
    for (std::size_t j = 0; j < members.size(); ++j) {
      bool on = (s >> j) & 1;
      up[members[j]] = on;
      p *= on ? a[j] : 1 - a[j];
    }
    if (p > 0 && RackUp(graph, rack, order, up))
      total += p;
  }
  return PathAvailability{rack, "power", total, (1 - total) * kMinutesPerYear,
                          static_cast<int>(members.size())};
}

PathAvailability ZoneCoolingAvailability(const PowerGraph& graph,
                                         const std::string& zone) {
  double heat = graph.ZoneHeat()[zone];
  // Distribution of running capacity in whole kW, one unit at a time.
  std::vector<double> dist = {1.0};
  int units = 0;
  for (const CoolingNode& c : graph.cooling()) {
    if (c.zone != zone)
      continue;
    ++units;
    int kw = static_cast<int>(
        std::floor(c.watts * graph.policy().cooling_max_load / 1000));
    double a = UnitAvailability(c.reliability);
    std::vector<double> next(dist.size() + kw, 0.0);
    for (std::size_t i = 0; i < dist.size(); ++i) {
      next[i] += dist[i] * (1 - a);
      next[i + kw] += dist[i] * a;
    }
    dist = std::move(next);
  }
  double need = std::ceil(heat / 1000 - 1e-9);
  double up = 0;
  for (std::size_t i = 0; i < dist.size(); ++i) {
    if (static_cast<double>(i) >= need)
      up += dist[i];
  }
  return {zone, "cooling", up, (1 - up) * kMinutesPerYear, units};
}

std::vector<PathAvailability> AllAvailability(const PowerGraph& graph) {
  std::vector<PathAvailability> out;
  std::set<std::string> racks, zones;
  for (const PowerNode& n : graph.nodes()) {
    if (n.kind == NodeKind::kFeed)
      racks.insert(n.rack);
  }
  for (const auto& r : racks) {
    if (auto a = RackPowerAvailability(graph, r))
      out.push_back(*a);
  }
  for (const CoolingNode& c : graph.cooling())
    zones.insert(c.zone);
  for (const auto& z : zones)
    out.push_back(ZoneCoolingAvailability(graph, z));
  return out;
}

double SimulateRackAvailability(const PowerGraph& graph,
                                const std::string& rack, double hours,
                                std::uint64_t seed) {
  std::set<int> nodes = RackNodes(graph, rack);
  std::vector<int> order = Order(graph, nodes);

  // Components: one per node, one per UPS module.
  struct Component {
    int node;
    Reliability r;
    bool up = true;
  };
  std::vector<Component> parts;
  for (int i : nodes) {
    const PowerNode& n = graph.nodes()[i];
    int count = n.kind == NodeKind::kUps ? n.modules : 1;
    for (int m = 0; m < count; ++m)
      parts.push_back({i, n.reliability});
  }
  std::mt19937_64 rng(seed);
  auto draw = [&](double mean) {
    return std::exponential_distribution<double>(1 / mean)(rng);
  };
  using Event = std::pair<double, int>;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  for (int p = 0; p < static_cast<int>(parts.size()); ++p) {
    events.push({draw(parts[p].r.mtbf_hours), p});
  }

  auto system_up = [&] {
    std::vector<int> modules_up(graph.nodes().size(), 0);
    std::vector<char> up(graph.nodes().size(), 1);
    for (const Component& c : parts) {
      if (graph.nodes()[c.node].kind == NodeKind::kUps) {
        modules_up[c.node] += c.up;
      } else if (!c.up) {
        up[c.node] = 0;
      }
    }
    for (int i : nodes) {
      const PowerNode& n = graph.nodes()[i];
      if (n.kind == NodeKind::kUps)
        up[i] = modules_up[i] >= ModulesNeeded(n);
    }
    return RackUp(graph, rack, order, up);
  };

  double now = 0, up_time = 0;
  bool state = system_up();
  while (!events.empty()) {
    auto [t, p] = events.top();
    events.pop();
    double until = std::min(t, hours);
    if (state)
      up_time += until - now;
    now = until;
    if (t >= hours)
      break;
    parts[p].up = !parts[p].up;
    events.push(
        {t + draw(parts[p].up ? parts[p].r.mtbf_hours : parts[p].r.mttr_hours),
         p});
    state = system_up();
  }
  return up_time / hours;
}

}  // namespace dc::plan
