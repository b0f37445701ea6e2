// MySQL packet framing: every payload travels as chunks of
//   3-byte little-endian length | 1-byte sequence id | up to 0xFFFFFF bytes
// A chunk of exactly 0xFFFFFF bytes means "more follows"; a payload whose
// length is a multiple of 0xFFFFFF ends with an empty chunk. Sequence ids
// count up (mod 256) across every chunk of one request/response exchange and
// restart at 0 with each command.
//
// PacketDecoder is the pure, socket-free reassembler (fuzzed by
// test/fuzz/mysql_packet_fuzz.cc); PacketChannel runs it over a socket with
// deadlines. Every wait is bounded (timeouts) and every buffer is bounded
// (max_payload_bytes), so a slow, silent or hostile peer costs one thread for
// at most a timeout.
//
// Thread-safety: one object per connection thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace strata::server::mysql {

inline constexpr size_t kMaxChunkBytes = 0xFFFFFF;

// Appends `payload` framed into chunks, starting at *seq (advanced per chunk).
void AppendFrames(std::string_view payload, uint8_t* seq, std::string* out);

enum class IoResult {
  kOk,
  kNeedMore,     // decoder only: the buffered bytes end mid-packet
  kClosed,       // the peer closed (or reset) the connection
  kIdleTimeout,  // no byte of a new packet arrived in time
  kTimeout,      // a packet (or a write) stalled part-way
  kTooLarge,     // the payload exceeds max_payload_bytes
  kOutOfOrder,   // a chunk's sequence id is not the expected one
};

class PacketDecoder {
 public:
  explicit PacketDecoder(size_t max_payload_bytes) : max_payload_bytes_(max_payload_bytes) {}

  void Feed(std::string_view bytes) { buf_.append(bytes); }
  // Takes the next complete logical payload whose first chunk must carry
  // `*seq`; on kOk *seq is the id the next packet must carry (the response's
  // first id). kNeedMore leaves the buffer as is; kTooLarge/kOutOfOrder are
  // final (the connection must be closed).
  IoResult Next(uint8_t* seq, std::string* payload);
  size_t buffered() const { return buf_.size(); }

 private:
  size_t max_payload_bytes_;
  std::string buf_;
};

struct ChannelOptions {
  size_t max_payload_bytes = 64u << 20;   // max_allowed_packet
  int64_t read_timeout_ms = 30000;        // net_read_timeout: a started packet must finish
  int64_t write_timeout_ms = 60000;       // net_write_timeout
  size_t flush_threshold_bytes = 1u << 20;
};

// Owns nothing: the caller owns and closes `fd`.
class PacketChannel {
 public:
  PacketChannel(int fd, ChannelOptions options) : fd_(fd), options_(options), decoder_(options.max_payload_bytes) {}

  // Reads one logical packet with the current sequence id. Waits at most
  // `idle_timeout_ms` for its first byte, then read_timeout_ms for the rest,
  // and never past `deadline_ms` (MonotonicMs() time; the handshake's bound).
  IoResult Read(std::string* payload, int64_t idle_timeout_ms, int64_t deadline_ms = INT64_MAX);
  // Frames `payload` with the current sequence id into the output buffer;
  // flushes when the buffer passes flush_threshold_bytes.
  IoResult Write(std::string_view payload);
  IoResult Flush();

  void ResetSequence() { seq_ = 0; }
  uint8_t sequence() const { return seq_; }
  void set_sequence(uint8_t seq) { seq_ = seq; }

 private:
  IoResult Fill(int64_t deadline_ms, bool idle);

  int fd_;
  ChannelOptions options_;
  PacketDecoder decoder_;
  std::string out_;
  uint8_t seq_ = 0;
};

// Monotonic clock in milliseconds (deadlines).
int64_t MonotonicMs();

}  // namespace strata::server::mysql
