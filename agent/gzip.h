// gzip for HTTP responses: Prometheus asks for it on every scrape
// (Accept-Encoding: gzip), and a large exposition shrinks about tenfold.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace dc::agent {

// zlib's fastest level: for exposition text it gives most of the size
// saving of the default level at a fraction of the time (measured in
// docs/configuration.md, "HTTP endpoints").
inline constexpr int kGzipLevel = 1;

// `text` as one gzip member (RFC 1952) compressed at `level` (1..9).
std::string Gzip(std::string_view text, int level = kGzipLevel);
// The pieces' text, in order, as one gzip member: the whole text is never
// held in one piece of memory, only the compressed output.
std::string Gzip(std::span<const std::string_view> pieces,
                 int level = kGzipLevel);

// Whether an Accept-Encoding header value accepts gzip: "gzip" or "*"
// listed without q=0 (and gzip not refused by a q=0 of its own).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace dc::agent
