#include "agent/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <optional>

namespace dc::agent {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// The q value of one "coding;q=0.5" element: 1 when absent; a value
// that does not parse counts as 0, so a garbled element never enables
// compression.
double Quality(std::string_view parameters) {
  while (!parameters.empty()) {
    std::size_t semicolon = parameters.find(';');
    std::string_view parameter = Trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos
                     ? std::string_view()
                     : parameters.substr(semicolon + 1);
    if (parameter.size() < 2 || !EqualsNoCase(parameter.substr(0, 2), "q="))
      continue;
    std::string value(Trim(parameter.substr(2)));
    char* end = nullptr;
    double q = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || q < 0 || q > 1)
      return 0;
    return q;
  }
  return 1;
}

}  // namespace

std::string Gzip(std::string_view text, int level) {
  z_stream stream{};
  // 15 window bits, +16 for the gzip header and trailer instead of zlib's.
  int status =
      deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  assert(status == Z_OK);

  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(text.size())));
  // zlib's interface predates const: it does not write through next_in.
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  status = deflate(&stream, Z_FINISH);
  // deflateBound is an upper bound, so one call finishes.
  assert(status == Z_STREAM_END);
  (void)status;
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<double> gzip;
  std::optional<double> any;
  while (!accept_encoding.empty()) {
    std::size_t comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos
                          ? std::string_view()
                          : accept_encoding.substr(comma + 1);
    std::size_t semicolon = element.find(';');
    std::string_view coding = Trim(element.substr(0, semicolon));
    double q = semicolon == std::string_view::npos
                   ? 1
                   : Quality(element.substr(semicolon + 1));
    if (EqualsNoCase(coding, "gzip") || EqualsNoCase(coding, "x-gzip")) {
      gzip = q;
    } else if (coding == "*") {
      any = q;
    }
  }
  if (gzip)
    return *gzip > 0;
  return any.value_or(0) > 0;
}

}  // namespace dc::agent
