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
  return Gzip(std::span<const std::string_view>(&text, 1), level);
}

std::string Gzip(std::span<const std::string_view> pieces, int level) {
  z_stream stream{};
  // 15 window bits, +16 for the gzip header and trailer instead of zlib's.
  int status =
      deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  assert(status == Z_OK);

  std::size_t total = 0;
  for (std::string_view piece : pieces)
    total += piece.size();
  // Exposition text shrinks about tenfold: start at a quarter of it (or
  // the bound, for small texts) and grow when that is not enough.
  std::string out;
  out.resize(std::min<std::size_t>(
      deflateBound(&stream, static_cast<uLong>(total)), total / 4 + 4096));
  std::size_t used = 0;

  // Feeds `size` bytes; with Z_FINISH, until the stream has ended.
  auto feed = [&](const char* data, std::size_t size, int flush) {
    // zlib's interface predates const: it does not write through next_in.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    stream.avail_in = static_cast<uInt>(size);
    while (true) {
      if (used == out.size())
        out.resize(out.size() * 2);
      stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      stream.avail_out = static_cast<uInt>(out.size() - used);
      int result = deflate(&stream, flush);
      assert(result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR);
      used = out.size() - stream.avail_out;
      if (flush == Z_FINISH ? result == Z_STREAM_END
                            : stream.avail_in == 0 && stream.avail_out > 0)
        return;
    }
  };

  // Small pieces (a target's lines of one family, about 100 bytes) are
  // gathered before deflate sees them: one call per piece costs more.
  constexpr std::size_t kStage = 64 * 1024;
  std::string stage;
  stage.reserve(kStage);
  for (std::string_view piece : pieces) {
    if (stage.size() + piece.size() > kStage && !stage.empty()) {
      feed(stage.data(), stage.size(), Z_NO_FLUSH);
      stage.clear();
    }
    if (piece.size() >= kStage)
      feed(piece.data(), piece.size(), Z_NO_FLUSH);
    else
      stage.append(piece);
  }
  feed(stage.data(), stage.size(), Z_FINISH);
  out.resize(used);
  deflateEnd(&stream);
  (void)status;
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
